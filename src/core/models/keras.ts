/**
 * Keras 3's `.keras` file: a zip holding `config.json` (the model's architecture, as
 * `keras.saving.serialize_keras_object` writes it), `metadata.json` (Keras's version) and
 * `model.weights.h5` (the weights, in HDF5). We read a Sequential model of Dense layers (with an
 * InputLayer first, and `Activation` layers after a linear Dense), each with an activation this
 * project computes exactly as Keras does.
 *
 * Where Keras 3 puts a Dense layer's weights (keras/src/saving/saving_lib.py): each layer of
 * `Sequential.layers` (which leaves out the InputLayer) is saved under `layers/<name>/vars`, where
 * <name> is the snake_case of its class made unique by counting (`dense`, `dense_1`, `dense_2`;
 * an `Activation` layer takes `activation`, `activation_1`), never the layer's own name; Dense
 * stores its kernel (inputs x units) as dataset `0` and its bias (units) as `1`, absent when
 * use_bias is false. Keras 2.13-2.15's .keras files used `_layer_checkpoint_dependencies` for
 * `layers`; Keras 3 still reads them that way and so do we.
 */
import { Dataset, File as H5File, Group } from 'jsfive';
import type { Node } from 'jsonc-parser';
import type { Activation } from '../math';
import { allFloat32, type DenseLayer, type DenseModel } from './dense';
import { DEFAULT_LIMITS, elementCount, type Limits, overLimit } from '../limits';
import { checkModelSize, type Importer, JsonText, type ModelFiles, ModelFileError, type ModelWhere } from './files';
import { readZip } from './zip';

const CONFIG = 'config.json';
const METADATA = 'metadata.json';
const WEIGHTS = 'model.weights.h5';

export const kerasImporter: Importer = {
  id: 'keras',
  label: 'Keras 3 (.keras)',
  extensions: ['.keras'],
  read: (files: ModelFiles, options) => readKeras(files.bytes, files.name, options.limits),
};

/**
 * Keras's activation names and ours, where they compute the same function: Keras's leaky_relu
 * has slope 0.2 and its elu alpha 1. Keras's gelu is the exact (erf) GELU, which is not ours.
 */
const ACTIVATIONS: Record<string, { activation: Activation; param?: number }> = {
  linear: { activation: 'identity' },
  relu: { activation: 'relu' },
  sigmoid: { activation: 'sigmoid' },
  tanh: { activation: 'tanh' },
  softplus: { activation: 'softplus' },
  leaky_relu: { activation: 'leaky-relu', param: 0.2 },
  elu: { activation: 'elu', param: 1 },
  silu: { activation: 'silu' },
  swish: { activation: 'silu' },
};

const WHY_NOT: Record<string, string> = {
  gelu: "Keras's gelu is the exact GELU (with erf); this project's gelu is the tanh approximation (PyTorch's approximate='tanh'), so the network would compute other numbers",
};

/** Keras's `naming.to_snake_case`: Dense -> dense, InputLayer -> input_layer. */
export function snakeCase(name: string): string {
  return name.replace(/\W+/g, '').replace(/(.)([A-Z][a-z]+)/g, '$1_$2').replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

interface PlannedLayer {
  /** The layer's name in config.json, for messages. */
  readonly name: string;
  /** Where its variables are in model.weights.h5 (`layers/dense_1`). */
  readonly path: string;
  readonly units: number;
  readonly useBias: boolean;
  activation: Activation;
  activationParam?: number;
  /** Set by a softmax activation (only allowed on the last layer). */
  softmax: boolean;
  readonly node: Node;
}

export function readKeras(bytes: Uint8Array, fileName: string, limits: Limits = DEFAULT_LIMITS): DenseModel {
  checkModelSize(bytes, limits);
  const members = unzip(bytes, limits);
  const configBytes = members[CONFIG];
  if (configBytes === undefined) throw missingMember(CONFIG, members);
  const config = new JsonText(new TextDecoder('utf-8').decode(configBytes), CONFIG, CONFIG, undefined, limits);
  const version = kerasVersion(members[METADATA]);
  const { layers, inputs: declaredInputs } = planLayers(config, limits);
  const weightsBytes = members[WEIGHTS];
  if (weightsBytes === undefined) {
    if (members['model.weights.npz'] !== undefined) throw new ModelFileError('the weights are in model.weights.npz: only HDF5 weights (model.weights.h5, what model.save() writes) can be read');
    throw missingMember(WEIGHTS, members);
  }
  const h5 = openHdf5(weightsBytes);
  const read: DenseLayer[] = [];
  let inputs = declaredInputs;
  for (const layer of layers) {
    const dense = readDense(h5, layer, inputs ?? undefined, read.length === 0 && declaredInputs !== null, limits);
    inputs = dense.units;
    read.push(dense);
  }
  const softmax = layers[layers.length - 1].softmax;
  return {
    inputs: read[0].inputs,
    layers: read,
    softmax,
    source: `Keras model ${fileName}${version ? ` (Keras ${version})` : ''}`,
    float32: allFloat32(read),
  };
}

/** The archive's members (only the ones we read are inflated); a clear error when it is not a whole zip. */
function unzip(bytes: Uint8Array, limits: Limits): Record<string, Uint8Array> {
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b || bytes[2] !== 0x03 || bytes[3] !== 0x04) {
    throw new ModelFileError('not a zip archive: a .keras file is a zip holding config.json and model.weights.h5 (Keras 3\'s model.save("model.keras"))', { byte: 0 });
  }
  // Only the members we read are inflated, each checked against its declared size and the limits first (zip.ts).
  return readZip(bytes, (name) => name === CONFIG || name === METADATA || name === WEIGHTS || name === 'model.weights.npz', limits).members;
}

function missingMember(name: string, members: Record<string, Uint8Array>): ModelFileError {
  const found = Object.keys(members);
  return new ModelFileError(`the archive has no ${name}${found.length ? ` (it has ${found.join(', ')})` : ''}: a .keras file holds config.json, metadata.json and model.weights.h5`);
}

function kerasVersion(bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return undefined;
  try {
    const v = (JSON.parse(new TextDecoder('utf-8').decode(bytes)) as { keras_version?: unknown }).keras_version;
    return typeof v === 'string' ? v : undefined;
  } catch {
    // metadata.json only names the version: a damaged one costs the description, not the model.
    return undefined;
  }
}

/** The Dense layers of the Sequential model in config.json, with their activations, and the input count if it says. */
function planLayers(c: JsonText, limits: Limits): { layers: PlannedLayer[]; inputs: number | null } {
  const root = c.root;
  if (root.type !== 'object') throw c.error(root, `config.json holds ${c.describe(root)}, not a model's configuration (an object with "class_name" and "config")`);
  const className = c.prop(root, 'class_name');
  if (className?.value !== 'Sequential') {
    throw c.error(className ?? root, `the model is ${className ? `a ${c.describe(className)} model` : 'not a Keras model (no "class_name")'}: only Sequential models of Dense layers can be imported`);
  }
  const body = c.prop(root, 'config');
  const list = body && c.prop(body, 'layers');
  if (!list || list.type !== 'array') throw c.error(body ?? root, 'the Sequential model\'s configuration has no "layers" list');
  const items = list.children ?? [];
  if (items.length > limits.layers) throw c.error(items[limits.layers], `the model has ${items.length} layers, more than ${overLimit(limits, 'layers')}`);
  const layers: PlannedLayer[] = [];
  const used = new Map<string, number>();
  let inputs: number | null = null;
  const buildShape = c.prop(body!, 'build_input_shape');
  if (buildShape) inputs = vectorWidth(c, buildShape, 'the model\'s build_input_shape');
  items.forEach((item, index) => {
    const cls = c.prop(item, 'class_name');
    const cfg = c.prop(item, 'config');
    const layerName = (cfg && c.prop(cfg, 'name')?.value) ?? `#${index}`;
    const what = `layer '${layerName}' (${cls?.value ?? '?'}) at index ${index}`;
    if (cls?.type !== 'string' || !cfg || cfg.type !== 'object') throw c.error(item, `layer at index ${index} has no "class_name" and "config"`);
    if (cls.value === 'InputLayer') {
      if (index !== 0) throw c.error(item, `${what}: an InputLayer may only come first`);
      const shape = c.prop(cfg, 'batch_shape') ?? c.prop(cfg, 'batch_input_shape');
      if (shape) inputs = vectorWidth(c, shape, `the batch_shape of ${what}`);
      return;
    }
    // Sequential.layers leaves out the first InputLayer; every other layer takes a numbered name.
    const base = snakeCase(cls.value as string);
    const count = used.get(base);
    used.set(base, count === undefined ? 0 : count + 1);
    const path = `layers/${count === undefined ? base : `${base}_${count + 1}`}`;
    if (cls.value === 'Activation') {
      const previous = layers[layers.length - 1];
      const act = c.prop(cfg, 'activation');
      if (!previous || previous.activation !== 'identity' || previous.softmax) {
        throw c.error(item, `${what}: an Activation layer can only follow a Dense layer with the linear activation`);
      }
      setActivation(c, previous, act, what);
      return;
    }
    if (cls.value !== 'Dense') throw c.error(cls, `${what}: only Dense layers (with an InputLayer first, and Activation layers) can be imported`);
    if (layers[layers.length - 1]?.softmax) throw c.error(item, `${what}: softmax may only end the model (it becomes the cross-entropy output), but layer '${layers[layers.length - 1].name}' before it ends in softmax`);
    const units = c.prop(cfg, 'units');
    if (units?.type !== 'number' || !Number.isInteger(units.value) || units.value < 1) throw c.error(units ?? cfg, `${what}: "units" must be a whole number, 1 or more, not ${c.describe(units)}`);
    if (units.value > limits.layerWidth) throw c.error(units, `${what}: ${units.value} units, more than ${overLimit(limits, 'layerWidth')}`);
    const lora = c.prop(cfg, 'lora_rank');
    if (lora && lora.type === 'number' && lora.value > 0) throw c.error(lora, `${what}: a LoRA-enabled Dense layer (lora_rank ${lora.value}) cannot be imported: merge the LoRA weights first`);
    const dtype = c.prop(cfg, 'dtype');
    const policy = dtype && c.prop(dtype, 'class_name');
    if (policy?.type === 'string' && /Quantized/.test(policy.value as string)) throw c.error(policy, `${what}: a quantized Dense layer (${policy.value}) cannot be imported`);
    const useBias = c.prop(cfg, 'use_bias');
    const planned: PlannedLayer = { name: String(layerName), path, units: units.value as number, useBias: useBias?.value !== false, activation: 'identity', softmax: false, node: item };
    setActivation(c, planned, c.prop(cfg, 'activation'), what);
    layers.push(planned);
  });
  if (layers.length === 0) throw c.error(list, 'the Sequential model has no Dense layers');
  const last = layers.length - 1;
  layers.forEach((l, i) => {
    if (l.softmax && i !== last) throw c.error(l.node, `layer '${l.name}': softmax may only end the model (it becomes the cross-entropy output)`);
  });
  return { layers, inputs };
}

function setActivation(c: JsonText, layer: PlannedLayer, node: Node | undefined, what: string): void {
  if (node === undefined || node.type === 'null') return;
  if (node.type !== 'string') {
    throw c.error(node, `${what}: its activation is ${c.describe(node)} (a custom or layer activation); only relu, sigmoid, tanh, softplus, linear, softmax, leaky_relu, elu, silu can be imported`);
  }
  const name = node.value as string;
  if (name === 'softmax') {
    layer.softmax = true;
    return;
  }
  const ours = Object.hasOwn(ACTIVATIONS, name) ? ACTIVATIONS[name] : undefined;
  if (!ours) {
    throw c.error(node, `${what}: activation '${name}' cannot be imported: ${(Object.hasOwn(WHY_NOT, name) ? WHY_NOT[name] : undefined) ?? `this project computes relu, sigmoid, tanh, softplus, linear, softmax (at the end), leaky_relu, elu and silu`}`);
  }
  layer.activation = ours.activation;
  if (ours.param !== undefined) layer.activationParam = ours.param;
}

/** The width of a [null, n] shape, or an error: only vector inputs feed a Dense network. */
function vectorWidth(c: JsonText, node: Node, what: string): number {
  const dims = node.type === 'array' ? (node.children ?? []) : [];
  const last = dims[dims.length - 1];
  if (dims.length !== 2 || last.type !== 'number' || !Number.isInteger(last.value) || last.value < 1) {
    throw c.error(node, `${what} is not [batch, features] (a vector per sample): only dense networks over a vector of inputs can be imported`);
  }
  return last.value as number;
}

function openHdf5(bytes: Uint8Array): H5File {
  const where = { byte: 0, member: WEIGHTS };
  if (bytes.length < 8 || bytes[0] !== 0x89 || bytes[1] !== 0x48 || bytes[2] !== 0x44 || bytes[3] !== 0x46) {
    throw new ModelFileError('not an HDF5 file (it does not start with the HDF5 signature)', where);
  }
  try {
    return new H5File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, WEIGHTS);
  } catch (e) {
    throw new ModelFileError(`the HDF5 file is damaged or cut short (${e instanceof Error ? e.message : String(e)})`, where);
  }
}

/** The object at `path`, or null when any part of it is missing (jsfive throws a string for that). */
function find(h5: H5File, path: string): Group | Dataset | null {
  let at: Group = h5;
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    if (!at.keys.includes(parts[i])) return null;
    const next = at.get(parts[i]);
    if (next === null) return null;
    if (i === parts.length - 1) return next;
    if (!(next instanceof Group)) return null;
    at = next;
  }
  return at;
}

/** The HDF5 groups under `layers` (what the file does have, for an error). */
function layerGroups(h5: H5File): string {
  for (const top of ['layers', '_layer_checkpoint_dependencies']) {
    const g = find(h5, top);
    if (g instanceof Group) return `${top}/ holds ${g.keys.length ? g.keys.join(', ') : 'nothing'}`;
  }
  return `the file's top level holds ${h5.keys.join(', ') || 'nothing'}`;
}

function readDense(h5: H5File, layer: PlannedLayer, inputs: number | undefined, inputsDeclared: boolean, limits: Limits): DenseLayer {
  const hdf5 = (path: string): ModelWhere => ({ hdf5: path, member: WEIGHTS });
  try {
    let varsPath = `${layer.path}/vars`;
    let vars = find(h5, varsPath);
    if (vars === null) {
      const legacy = `_layer_checkpoint_dependencies/${layer.path.slice('layers/'.length)}/vars`;
      const old = find(h5, legacy);
      if (old !== null) {
        vars = old;
        varsPath = legacy;
      }
    }
    if (!(vars instanceof Group)) {
      throw new ModelFileError(`no weights for layer '${layer.name}' at ${varsPath} (${layerGroups(h5)})`, hdf5(varsPath));
    }
    const expected = layer.useBias ? ['0', '1'] : ['0'];
    const extra = vars.keys.filter((k) => !expected.includes(k));
    if (extra.length > 0) {
      throw new ModelFileError(`layer '${layer.name}' holds variables ${vars.keys.join(', ')}, expected ${expected.join(' and ')} (kernel${layer.useBias ? ' and bias' : ''}): not a plain Dense layer`, hdf5(varsPath));
    }
    const kernel = tensor(vars, '0', `${varsPath}/0`, `the kernel of layer '${layer.name}'`, limits);
    const [rows, cols] = kernel.shape;
    if (kernel.shape.length !== 2 || cols !== layer.units || (inputs !== undefined && rows !== inputs)) {
      const want = `${inputs ?? 'inputs'} x ${layer.units}`;
      throw new ModelFileError(`the kernel of layer '${layer.name}' is ${kernel.shape.join(' x ') || 'a scalar'}, expected ${want} (inputs x units${inputs !== undefined ? `: ${inputsDeclared ? 'the model takes' : 'the layer before has'} ${inputs}` : ''})`, hdf5(`${varsPath}/0`));
    }
    // Keras: kernel[k][j] (input k, unit j); ours: W[j][k].
    const weights = new Float64Array(rows * cols);
    for (let k = 0; k < rows; k++) for (let j = 0; j < cols; j++) weights[j * rows + k] = kernel.values[k * cols + j];
    let biases = new Float64Array(cols);
    if (layer.useBias) {
      const bias = tensor(vars, '1', `${varsPath}/1`, `the bias of layer '${layer.name}'`, limits);
      if (bias.shape.length !== 1 || bias.shape[0] !== cols) {
        throw new ModelFileError(`the bias of layer '${layer.name}' is ${bias.shape.join(' x ') || 'a scalar'}, expected ${cols} (one per unit)`, hdf5(`${varsPath}/1`));
      }
      biases = Float64Array.from(bias.values);
    }
    return {
      units: cols, inputs: rows, weights, biases,
      activation: layer.activation,
      ...(layer.activationParam !== undefined ? { activationParam: layer.activationParam } : {}),
      name: layer.name,
    };
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    throw new ModelFileError(`the HDF5 file is damaged (${e instanceof Error ? e.message : String(e)}) where the weights of layer '${layer.name}' are`, hdf5(layer.path));
  }
}

/** A float dataset's shape and values (row-major), checked to be a float of 16, 32 or 64 bits. */
function tensor(group: Group, key: string, path: string, what: string, limits: Limits): { shape: number[]; values: ArrayLike<number> } {
  const where = { hdf5: path, member: WEIGHTS };
  if (!group.keys.includes(key)) throw new ModelFileError(`${what} is missing`, where);
  const d = group.get(key);
  if (!(d instanceof Dataset)) throw new ModelFileError(`${what} is a group, not a dataset`, where);
  if (typeof d.dtype !== 'string' || !/^[<>|=]?f(2|4|8)$/.test(d.dtype)) {
    throw new ModelFileError(`${what} holds ${typeof d.dtype === 'string' ? d.dtype : 'a compound or string type'}, not floats (a quantized or bfloat16 layer?)`, where);
  }
  const shape = d.shape.map(Number);
  // The declared shape is checked before jsfive reads (and allocates) the values.
  const size = elementCount(shape);
  if (size > limits.tensorElements) throw new ModelFileError(`${what} declares ${shape.join(' x ')} values, more than ${overLimit(limits, 'tensorElements')}`, where);
  const values = d.value as ArrayLike<number>;
  if (values.length !== size) throw new ModelFileError(`${what} holds ${values.length} values, but its shape ${shape.join(' x ')} needs ${size}`, where);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw new ModelFileError(`${what} holds ${values[i]} at index ${i}: every weight must be a finite number`, where);
  }
  return { shape, values };
}
