/**
 * TensorFlow.js layers models (`model.json` and the `.bin` weight files its weightsManifest names):
 * read into a dense model, and written from a network, as `tf.loadLayersModel` and `model.save`
 * know them.
 *
 * Read: a Sequential (or a functional Model whose layers form one chain) of Dense layers with their
 * `activation`, with InputLayer, Flatten of a vector and Dropout (nothing at inference) passed
 * over, and Activation, LeakyReLU, ELU and Softmax layers taken as the activation of the Dense
 * layer before them. Weights are float32, matched to their layers by name (`dense_1/kernel`);
 * Keras's kernel is `inputs x units`, transposed into the network's `units x inputs`. Every
 * refusal points into model.json (line and column) or at the byte of the weights where it is.
 */
import { findNodeAtLocation, getNodeValue, type Node } from 'jsonc-parser';
import { ACTIVATION_PARAMETERS, type Activation } from '../math';
import { dataPath } from '../dataFile';
import { modelFromNetwork, modelInputNotes } from './convert';
import type { DenseLayer, DenseModel } from './dense';
import { DEFAULT_LIMITS, elementCount, type Limits, overLimit } from '../limits';
import { checkFinite, checkModelSize, type Exporter, featuresNote, featuresOf, FormatError, type Importer, JsonText, type ModelFiles, ModelFileError, showShape, siblingPath } from './files';

const ACTIVATIONS: Record<string, Activation> = {
  linear: 'identity', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softplus: 'softplus', elu: 'elu', gelu_new: 'gelu', swish: 'silu', silu: 'silu',
};
const NAMES: Partial<Record<Activation, string>> = { identity: 'linear', relu: 'relu', sigmoid: 'sigmoid', tanh: 'tanh', softplus: 'softplus', silu: 'swish' };
const PASSED = new Set(['InputLayer', 'Flatten', 'Dropout']);
const READS = 'Dense layers (with InputLayer, Flatten, Dropout, Activation, LeakyReLU, ELU and Softmax)';

export const tfjsImporter: Importer = {
  id: 'tfjs',
  label: 'TensorFlow.js',
  extensions: ['.json'],
  read: (files, options) => readTfjs(files, options.limits),
};

export const tfjsExporter: Exporter = {
  id: 'tfjs',
  label: 'TensorFlow.js',
  detail: 'model.json and its weights (.bin), float32: tf.loadLayersModel in the browser or Node',
  write: (network, parameters, { baseName }) => tfjsFiles(modelFromNetwork(network, parameters), baseName, network.name),
  notes: modelInputNotes,
};

/** The dense model a TensorFlow.js layers model holds. */
export function readTfjs(files: ModelFiles, limits: Limits = DEFAULT_LIMITS): DenseModel {
  return new TfjsReader(files, limits).read();
}

interface WeightSpec { name: string; shape: number[]; values: Float64Array; node: Node }

class TfjsReader {
  private readonly json: JsonText;
  private readonly root: Node;

  constructor(private readonly files: ModelFiles, private readonly limits: Limits) {
    checkModelSize(files.bytes, limits);
    this.json = new JsonText(new TextDecoder('utf-8', { fatal: false }).decode(files.bytes), 'not a TensorFlow.js model: model.json', undefined, undefined, limits);
    const root = this.json.root;
    if (root.type !== 'object') throw this.error(root, 'not a TensorFlow.js model: expected an object with "modelTopology" and "weightsManifest"');
    this.root = root;
  }

  read(): DenseModel {
    const format = this.value(['format']);
    if (format === 'graph-model') {
      throw this.error(this.at(['format'])!, 'a TensorFlow.js graph model has operations, not layers: convert the Keras model as a layers model (tensorflowjs_converter --output_format tfjs_layers_model)');
    }
    if (this.value(['inputs']) !== undefined && this.value(['layers']) !== undefined) {
      throw this.error(this.root, 'this is a Backprop Debugger network file already, not a TensorFlow.js model: open it as it is');
    }
    const topology = this.at(['modelTopology', 'model_config']) ?? this.at(['modelTopology']);
    if (!topology) throw this.error(this.root, 'not a TensorFlow.js layers model: there is no "modelTopology"');
    const className = this.valueOf(topology, ['class_name']);
    if (className !== 'Sequential' && className !== 'Model' && className !== 'Functional') {
      throw this.error(this.find(topology, ['class_name']) ?? topology, `a ${JSON.stringify(className)} model: only Sequential (or functional) models of dense layers can be imported`);
    }
    const config = this.find(topology, ['config']);
    const layersNode = config?.type === 'array' ? config : config ? this.find(config, ['layers']) : undefined;
    if (!layersNode || layersNode.type !== 'array') throw this.error(config ?? topology, 'the model\'s config has no list of layers');

    const weights = this.weights();
    const layers: DenseLayer[] = [];
    let width: number | null = null;
    let softmax = false;
    /** The last Dense layer read, while its activation may still come from a layer after it. */
    let open: { layer: DenseLayer; activationSet: boolean } | null = null;
    const close = (): void => { if (open) layers.push(open.layer); open = null; };
    for (const [i, node] of (layersNode.children ?? []).entries()) {
      const kind = show(this.valueOf(node, ['class_name']));
      const layerConfig = this.find(node, ['config']);
      const name = show(this.valueOf(layerConfig ?? node, ['name']) ?? `layer ${i}`);
      const where = `layers[${i}] '${name}' (${kind})`;
      const fail = (message: string, at: Node = node): ModelFileError => this.error(at, `${where}: ${message}`);
      if (softmax) throw fail('it comes after the softmax, which must end the model');
      const shape = this.valueOf(layerConfig ?? node, ['batch_input_shape']) ?? this.valueOf(layerConfig ?? node, ['batch_shape']);
      if (Array.isArray(shape) && width === null && layers.length === 0 && !open) {
        const features = shape.slice(1);
        if (features.length !== 1 && kind !== 'Flatten' && kind !== 'InputLayer') throw fail(`its input is ${showShape(shape.slice(1) as number[])}, not a vector: only dense networks can be imported`);
        if (features.every((d) => typeof d === 'number')) width = (features as number[]).reduce((p, d) => p * d, 1);
      }
      if (PASSED.has(kind)) continue;
      if (kind === 'Dense') {
        close();
        const units = this.valueOf(layerConfig ?? node, ['units']);
        if (typeof units !== 'number' || !Number.isSafeInteger(units) || units < 1) throw fail(`"units" must be a whole number, 1 or more, not ${show(units)}`, this.find(layerConfig ?? node, ['units']) ?? node);
        if (units > this.limits.layerWidth) throw fail(`${units} units, more than ${overLimit(this.limits, 'layerWidth')}`, this.find(layerConfig ?? node, ['units'])!);
        const activationName = show(this.valueOf(layerConfig ?? node, ['activation']) ?? 'linear');
        const useBias = this.valueOf(layerConfig ?? node, ['use_bias']) !== false;
        let activation: Activation = 'identity';
        if (activationName === 'softmax') softmax = true;
        else {
          const a = Object.hasOwn(ACTIVATIONS, activationName) ? ACTIVATIONS[activationName] : undefined;
          if (!a) throw fail(`the activation "${activationName}" is not one Backprop Debugger has (it reads ${Object.keys(ACTIVATIONS).join(', ')} and softmax at the end)`, this.find((layerConfig ?? node), ['activation']) ?? node);
          activation = a;
        }
        const kernel = this.weight(weights, name, 'kernel', node, where);
        if (kernel.shape.length !== 2 || kernel.shape[1] !== units) throw this.error(kernel.node, `${where}: its kernel '${kernel.name}' is ${showShape(kernel.shape)}, but the layer has ${units} units (expected inputs x ${units})`);
        const fanIn = kernel.shape[0];
        if (width !== null && fanIn !== width) {
          throw this.error(kernel.node, `${where}: its kernel '${kernel.name}' is ${showShape(kernel.shape)}: ${fanIn} input${fanIn === 1 ? '' : 's'}, but ${layers.length === 0 && !open ? `the model's input has ${width} features` : `the layer before has ${width} units`}`);
        }
        let biases: Float64Array = new Float64Array(units);
        if (useBias) {
          const bias = this.weight(weights, name, 'bias', node, where);
          if (bias.values.length !== units) throw this.error(bias.node, `${where}: its bias '${bias.name}' is ${showShape(bias.shape)} but the layer has ${units} units`);
          biases = bias.values;
        }
        const w = new Float64Array(units * fanIn);
        for (let k = 0; k < fanIn; k++) for (let j = 0; j < units; j++) w[j * fanIn + k] = kernel.values[k * units + j];
        const param = ACTIVATION_PARAMETERS[activation];
        open = { layer: { units, inputs: fanIn, weights: w, biases, activation, name, ...(param ? { activationParam: param.default } : {}) }, activationSet: activationName !== 'linear' };
        width = units;
        continue;
      }
      if (kind === 'Activation' || kind === 'LeakyReLU' || kind === 'ELU' || kind === 'Softmax' || kind === 'ReLU') {
        const current = open as { layer: DenseLayer; activationSet: boolean } | null;
        if (!current) throw fail(`an activation ${layers.length === 0 ? "on the model's inputs" : 'after another activation'}, not on a Dense layer's sums, cannot be imported`);
        // A softmax is the output's (the loss's), whatever activation the layer has.
        if (kind === 'Softmax' || (kind === 'Activation' && this.valueOf(layerConfig ?? node, ['activation']) === 'softmax')) {
          softmax = true;
          close();
          continue;
        }
        if (current.activationSet) throw fail(`a second activation after the ${current.layer.activation} of the Dense layer '${current.layer.name}' cannot be part of one dense layer`);
        let activation: Activation;
        let param: number | undefined;
        if (kind === 'Activation') {
          const activationName = show(this.valueOf(layerConfig ?? node, ['activation']));
          const a = Object.hasOwn(ACTIVATIONS, activationName) ? ACTIVATIONS[activationName] : undefined;
          if (!a) throw fail(`the activation "${activationName}" is not one Backprop Debugger has`, this.find((layerConfig ?? node), ['activation']) ?? node);
          activation = a;
        } else if (kind === 'ReLU') {
          activation = 'relu';
        } else {
          activation = kind === 'ELU' ? 'elu' : 'leaky-relu';
          const alpha = this.valueOf((layerConfig ?? node), ['alpha']) ?? this.valueOf((layerConfig ?? node), ['negative_slope']);
          param = typeof alpha === 'number' ? alpha : kind === 'ELU' ? 1 : 0.3;
        }
        const defaultParam = ACTIVATION_PARAMETERS[activation]?.default;
        open = { layer: { ...current.layer, activation, ...(defaultParam !== undefined ? { activationParam: param ?? defaultParam } : {}) }, activationSet: true };
        continue;
      }
      throw fail(`only dense layers can be imported: it reads ${READS}`);
    }
    close();
    if (layers.length === 0) throw this.error(layersNode, `the model has no Dense layer: it reads ${READS}`);
    const meta = (key: 'inputs' | 'outputs', count: number): string[] | undefined => {
      const names = this.value(['userDefinedMetadata', 'backprop', key]);
      return Array.isArray(names) && names.length === count && names.every((n) => typeof n === 'string') ? names as string[] : undefined;
    };
    return {
      inputs: layers[0].inputs, layers, softmax, source: `TensorFlow.js model ${baseName(this.files.name)}`, float32: true,
      inputNames: meta('inputs', layers[0].inputs), outputNames: meta('outputs', layers[layers.length - 1].units),
      ...featuresOf(JSON.stringify({ columns: this.value(['userDefinedMetadata', 'backprop', 'columns']), features: this.value(['userDefinedMetadata', 'backprop', 'features']) })),
    };
  }

  /** Every weight the manifest lists, read from its group's files in order. */
  private weights(): Map<string, WeightSpec> {
    const manifest = this.at(['weightsManifest']);
    if (!manifest || manifest.type !== 'array') throw this.error(this.root, 'no "weightsManifest": the model names no weight files');
    const out = new Map<string, WeightSpec>();
    for (const group of manifest.children ?? []) {
      const paths = this.find(group, ['paths']);
      const specs = this.find(group, ['weights']);
      if (paths?.type !== 'array' || specs?.type !== 'array') throw this.error(group, 'a weightsManifest group needs "paths" and "weights"');
      const parts = (paths.children ?? []).map((p) => {
        const named = show(getNodeValue(p));
        // Only a file in model.json's folder or below: a model from anyone may not make us read elsewhere.
        const checked = dataPath(named);
        if (!checked.ok) throw this.error(p, `the weights file '${named.length <= 24 ? named : `${named.slice(0, 23)}…`}' is not a file beside model.json (a path in its folder, such as "group1-shard1of1.bin"), so it is not read`);
        const path = checked.path;
        let bytes: Uint8Array;
        try {
          bytes = this.files.sibling(path);
        } catch (e) {
          if (!(e instanceof ModelFileError)) throw e;
          throw this.error(p, `the weights file '${path}' named here is not there (${siblingPath(this.files.name, path)}): keep the .bin files beside model.json`);
        }
        return { path, bytes };
      });
      const total = parts.reduce((sum, p) => sum + p.bytes.length, 0);
      if (total > this.limits.modelFileBytes) throw this.error(paths, `the weights files named here are ${total.toLocaleString('en-US')} bytes together, more than ${overLimit(this.limits, 'modelFileBytes')}`);
      const bytes = new Uint8Array(total);
      let at = 0;
      for (const p of parts) { bytes.set(p.bytes, at); at += p.bytes.length; }
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const list = (specs.children ?? []).map((spec) => {
        const name = show(this.valueOf(spec, ['name']));
        const shapeNode = this.find(spec, ['shape']);
        const shape = (shapeNode ? getNodeValue(shapeNode) : []) as number[];
        const count = Array.isArray(shape) ? elementCount(shape) : Infinity;
        if (count === Infinity) throw this.error(shapeNode ?? spec, `the weight '${name}' has the shape ${JSON.stringify(shape).slice(0, 40)}: a shape is an array of whole numbers, 0 or more`);
        if (count > this.limits.tensorElements) throw this.error(shapeNode!, `the weight '${name}' declares ${showShape(shape)} = ${count} values, more than ${overLimit(this.limits, 'tensorElements')}`);
        const dtype = this.valueOf(spec, ['dtype']);
        if (this.find(spec, ['quantization'])) throw this.error(this.find(spec, ['quantization'])!, `the weight '${name}' is quantized: only float32 weights can be imported (convert without --quantize)`);
        if (dtype !== 'float32') throw this.error(this.find(spec, ['dtype']) ?? spec, `the weight '${name}' is ${show(dtype)}: only float32 weights can be imported`);
        return { name, shape, count, node: spec };
      });
      const needed = list.reduce((sum, s) => sum + s.count * 4, 0);
      if (needed !== total) {
        const last = parts[parts.length - 1];
        // The error is in the last .bin file: its path beside model.json, as a data file's is beside a network file.
        const file = last?.path.replace(/^\.\//, '');
        const what = list.map((s) => `${s.name} ${showShape(s.shape)}`).join(', ');
        if (total < needed) throw new ModelFileError(`the weights end after ${total} bytes, but the weightsManifest's float32 weights (${what}) need ${needed}: the file is cut short, or belongs to another model`, { byte: last ? last.bytes.length : 0 }, file);
        throw new ModelFileError(`the weights go on past the ${needed} bytes the weightsManifest's float32 weights (${what}) need (there are ${total}): the file belongs to another model`, { byte: needed - (total - (last?.bytes.length ?? 0)) }, file);
      }
      let offset = 0;
      for (const s of list) {
        const values = new Float64Array(s.count);
        for (let i = 0; i < s.count; i++) values[i] = view.getFloat32(offset + i * 4, true);
        checkFinite(values, (m) => this.error(s.node, m), `the weight '${s.name}'`);
        offset += s.count * 4;
        out.set(s.name, { name: s.name, shape: s.shape, values, node: s.node });
      }
    }
    return out;
  }

  private weight(weights: Map<string, WeightSpec>, layer: string, kind: 'kernel' | 'bias', node: Node, where: string): WeightSpec {
    const wanted = `${layer}/${kind}`;
    const found = weights.get(wanted) ?? [...weights.values()].find((w) => w.name.endsWith(`/${wanted}`));
    if (!found) throw this.error(node, `${where}: no weight '${wanted}' in the weightsManifest (it lists ${[...weights.keys()].join(', ') || 'none'})`);
    return found;
  }

  private at(path: (string | number)[]): Node | undefined {
    return findNodeAtLocation(this.root, path);
  }

  private find(node: Node, path: (string | number)[]): Node | undefined {
    return findNodeAtLocation(node, path);
  }

  private value(path: (string | number)[]): unknown {
    const node = this.at(path);
    return node ? getNodeValue(node) : undefined;
  }

  private valueOf(node: Node, path: (string | number)[]): unknown {
    const found = findNodeAtLocation(node, path);
    return found ? getNodeValue(found) : undefined;
  }

  private error(node: Node, message: string): ModelFileError {
    return this.json.error(node, message);
  }
}

/** A JSON value as text for a name or a message: a string as it is, anything else as JSON (jsonc-parser's objects have no prototype, so String() of one throws). */
function show(v: unknown): string {
  return typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

// ---- writing ---------------------------------------------------------------------------------

/** model.json (`${baseName}.model.json`) and its weights (`${baseName}.weights.bin`), as tf.LayersModel.save writes them. */
export function tfjsFiles(model: DenseModel, baseName: string, name: string): { name: string; contents: string | Uint8Array }[] {
  const binName = `${baseName}.weights.bin`;
  const layers: unknown[] = [];
  const specs: { name: string; shape: number[]; dtype: 'float32' }[] = [];
  const count = model.layers.reduce((sum, l) => sum + l.weights.length + l.biases.length, 0);
  const bytes = new Uint8Array(count * 4);
  const view = new DataView(bytes.buffer);
  let offset = 0;
  const put = (value: number, what: string): void => {
    if (!Number.isFinite(value)) throw new RangeError(`${what} holds ${value}, which a model file cannot: step back to a finite state first`);
    view.setFloat32(offset, value, true);
    offset += 4;
  };
  const last = model.layers.length - 1;
  model.layers.forEach((layer, l) => {
    const layerName = `dense_${l + 1}`;
    const param = layer.activationParam ?? ACTIVATION_PARAMETERS[layer.activation]?.default;
    if (layer.activation === 'elu' && param !== 1) {
      throw new FormatError(`layer ${l + 1} is ELU with alpha ${param}, and TensorFlow.js's ELU takes only alpha 1: export to ONNX, or use alpha 1`);
    }
    if (layer.activation === 'gelu') {
      // Its tanh GELU, 'gelu_new', is registered under that name but looked up as 'geluNew' (tfjs-layers 4.22).
      throw new FormatError(`layer ${l + 1} is GELU, which TensorFlow.js's layers name but cannot load: export to ONNX, or use another activation`);
    }
    // Leaky ReLU is a layer of its own after a linear Dense.
    const separate = layer.activation === 'leaky-relu';
    const softmaxHere = l === last && model.softmax;
    const activation = separate ? 'linear' : layer.activation === 'elu' ? 'elu' : softmaxHere && layer.activation === 'identity' ? 'softmax' : NAMES[layer.activation]!;
    layers.push({
      class_name: 'Dense',
      config: {
        name: layerName, trainable: true, ...(l === 0 ? { batch_input_shape: [null, model.inputs] } : {}), dtype: 'float32',
        units: layer.units, activation, use_bias: true,
        kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } }, bias_initializer: { class_name: 'Zeros', config: {} },
        kernel_regularizer: null, bias_regularizer: null, activity_regularizer: null, kernel_constraint: null, bias_constraint: null,
      },
    });
    if (separate) {
      layers.push({ class_name: 'LeakyReLU', config: { name: `leaky_re_lu_${l + 1}`, trainable: true, dtype: 'float32', alpha: param } });
    }
    if (softmaxHere && activation !== 'softmax') layers.push({ class_name: 'Activation', config: { name: 'softmax', trainable: true, dtype: 'float32', activation: 'softmax' } });
    // Keras's kernel is inputs x units: W transposed.
    specs.push({ name: `${layerName}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' }, { name: `${layerName}/bias`, shape: [layer.units], dtype: 'float32' });
    for (let k = 0; k < layer.inputs; k++) for (let j = 0; j < layer.units; j++) put(layer.weights[j * layer.inputs + k], `${layerName}/kernel`);
    for (let j = 0; j < layer.units; j++) put(layer.biases[j], `${layerName}/bias`);
  });
  const json = {
    format: 'layers-model',
    generatedBy: 'Backprop Debugger',
    convertedBy: null,
    modelTopology: {
      class_name: 'Sequential',
      config: { name: name.replace(/[^A-Za-z0-9_.-]+/g, '_') || 'sequential', layers },
      keras_version: 'tfjs-layers 4.22.0',
      backend: 'tensor_flow.js',
    },
    weightsManifest: [{ paths: [binName], weights: specs }],
    ...(model.inputNames || model.outputNames || model.features ? {
      userDefinedMetadata: {
        backprop: {
          inputs: model.inputNames, outputs: model.outputNames,
          ...(model.features ? { columns: model.features.columns, features: model.features.sources, note: featuresNote(model.features) } : {}),
        },
      },
    } : {}),
  };
  return [{ name: `${baseName}.model.json`, contents: `${JSON.stringify(json, null, 2)}\n` }, { name: binName, contents: bytes }];
}
