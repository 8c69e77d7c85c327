/**
 * ONNX (`.onnx`): a dense network read from, and written as, an ONNX model, through onnx-proto (the
 * ONNX protobuf definitions compiled for protobuf.js).
 *
 * Reading follows the graph as one chain from its input to its output: Gemm (any transB, alpha and
 * beta 1) or MatMul then Add make a layer; Relu, Sigmoid, Tanh, Softplus, LeakyRelu, Elu, Gelu
 * (tanh) and x * Sigmoid(x) (SiLU) its activation; Identity and Flatten pass the vector on; Softmax
 * may end it. Weights are initializers (or Constant nodes) of float32 or float64. Anything else is
 * refused by name and place ("node 'conv1' (Conv) at index 3: ..."), never read into a wrong network.
 *
 * Writing gives what PyTorch's exporter gives for an nn.Sequential of Linear layers: Gemm with
 * transB = 1 and float32 weights in the network's own layout (units x inputs), one activation node
 * a layer, a batch dimension, and the column names in the model's metadata.
 */
import { onnx } from 'onnx-proto';
import { ACTIVATION_PARAMETERS, type Activation } from '../math';
import type { DenseLayer, DenseModel } from './dense';
import { DEFAULT_LIMITS, elementCount, type Limits, overLimit } from '../limits';
import { checkFinite, checkModelSize, type Exporter, featuresNote, featuresOf, type Importer, ModelFileError, showShape } from './files';
import { modelFromNetwork, modelInputNotes } from './convert';

/** Metadata keys that carry the network's column names through a round trip. */
const INPUT_NAMES = 'backprop.inputs';
/** `{"columns": [...], "features": [...]}`: the model's inputs are these features of these columns (a network's `"features"`). */
const FEATURES = 'backprop.features';
const OUTPUT_NAMES = 'backprop.outputs';

/** Operators that are layers of other kinds: named as such, not as unknown operators. */
const OTHER_LAYERS = new Set([
  'Conv', 'ConvTranspose', 'ConvInteger', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'BatchNormalization',
  'InstanceNormalization', 'LayerNormalization', 'GroupNormalization', 'LSTM', 'GRU', 'RNN', 'Attention', 'MultiHeadAttention', 'Embedding', 'Gather',
  'Dropout', 'Resize', 'Upsample', 'LRN',
]);

const ACTIVATION_OPS: Record<string, Activation> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Softplus: 'softplus', LeakyRelu: 'leaky-relu', Elu: 'elu', Gelu: 'gelu',
};

const READS = 'Gemm or MatMul + Add, with Relu, Sigmoid, Tanh, Softplus, LeakyRelu, Elu, Gelu, Identity, Flatten and a final Softmax';

/** A protobuf int64 as protobuf.js gives it: a number, or a Long where long.js is loaded. */
type Int64 = number | { toNumber(): number };
const int = (v: Int64 | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

export const onnxImporter: Importer = {
  id: 'onnx',
  label: 'ONNX',
  extensions: ['.onnx'],
  read: (files, options) => readOnnx(files.bytes, files.name, options.limits),
};

export const onnxExporter: Exporter = {
  id: 'onnx',
  label: 'ONNX',
  detail: 'the trained network as a float32 .onnx model: ONNX Runtime, Netron, and every framework that imports ONNX',
  write: (network, parameters, { baseName }) => [{ name: `${baseName}.onnx`, contents: onnxBytes(modelFromNetwork(network, parameters), network.name) }],
  notes: modelInputNotes,
};

/** The dense model an ONNX file holds, or a ModelFileError naming what is not dense and where. */
export function readOnnx(bytes: Uint8Array, file: string, limits: Limits = DEFAULT_LIMITS): DenseModel {
  if (bytes.length === 0) throw new ModelFileError('the file is empty: expected an ONNX model');
  // protobuf.js allocates no more than the bytes hold (a field's length is checked against them); the tensors' declared dims are checked below.
  checkModelSize(bytes, limits);
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw decodeError(e as Error, bytes);
  }
  const graph = model.graph;
  if (!graph || !graph.node || graph.node.length === 0) {
    throw new ModelFileError(`no graph of nodes: is this an ONNX model? (${bytes.length} bytes, IR version ${int(model.irVersion as Int64)})`);
  }
  if (graph.node.length > 4 * limits.layers) throw new ModelFileError(`the graph has ${graph.node.length} nodes, more than a network of ${overLimit(limits, 'layers')} needs (4 nodes a layer)`);
  const offsets = nodeOffsets(bytes);
  return new ChainReader(model, graph, file, offsets, limits).read();
}

/** protobuf.js's "index out of range: 10 + 5 > 12" is a file cut short; anything else is not protobuf. */
function decodeError(e: Error, bytes: Uint8Array): ModelFileError {
  const range = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(e.message);
  if (range) {
    return new ModelFileError(`the file ends in the middle of a field that needs ${range[2]} more byte${range[2] === '1' ? '' : 's'} (it has ${bytes.length}): it was cut short, or is not an ONNX model`, { byte: Number(range[1]) });
  }
  const wire = /invalid wire type (\d+) at offset (\d+)/.exec(e.message);
  if (wire) return new ModelFileError(`not an ONNX model: no protobuf field starts here (wire type ${wire[1]})`, { byte: Number(wire[2]) });
  return new ModelFileError(`not an ONNX model: ${e.message}`);
}

/**
 * Where each node of the graph starts in the file, so a message can point at it: a walk over the
 * protobuf fields (ModelProto.graph = 7, GraphProto.node = 1) without decoding them.
 */
function nodeOffsets(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let pos = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (pos >= bytes.length) return 0;
      const b = bytes[pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
    }
  };
  const skip = (wire: number): void => {
    if (wire === 0) varint();
    else if (wire === 1) pos += 8;
    else if (wire === 2) { const n = varint(); pos += n; }
    else if (wire === 5) pos += 4;
    else pos = bytes.length;
  };
  while (pos < bytes.length) {
    const tag = varint();
    if (tag >>> 3 === 7 && (tag & 7) === 2) {
      const end = varint() + pos;
      while (pos < end) {
        const at = pos;
        const inner = varint();
        if (inner >>> 3 === 1 && (inner & 7) === 2) out.push(at);
        skip(inner & 7);
      }
      return out;
    }
    skip(tag & 7);
  }
  return out;
}

interface PendingLayer {
  name: string;
  units: number;
  inputs: number;
  weights: Float64Array;
  biases: Float64Array;
  /** The tensor the layer's weighted sums are (an activation's input). */
  linear: string;
  activation: Activation | null;
  activationParam?: number;
  /** After a Sigmoid: the node, for a Mul that makes it SiLU. */
  sigmoidOf?: string;
}

class ChainReader {
  private readonly tensors = new Map<string, onnx.ITensorProto>();
  private readonly layers: DenseLayer[] = [];
  private pending: PendingLayer | null = null;
  private current: string;
  private width: number | null = null;
  /** The graph's input has more than a batch dimension and one of features: a Flatten must come first. */
  private unflattened = false;
  private softmax = false;
  private allFloat32 = true;
  private where = '';
  private byte: number | undefined;

  constructor(private readonly model: onnx.ModelProto, private readonly graph: onnx.IGraphProto, private readonly file: string, private readonly offsets: number[], private readonly limits: Limits) {
    for (const t of graph.initializer ?? []) if (t.name) this.tensors.set(t.name, t);
    const inputs = (graph.input ?? []).filter((i) => !this.tensors.has(i.name ?? ''));
    if (inputs.length !== 1) {
      throw this.fail(`the graph has ${inputs.length} inputs (${inputs.map((i) => `'${i.name}'`).join(', ') || 'none'}): a dense network takes one vector`);
    }
    this.current = inputs[0].name ?? '';
    const dims = inputs[0].type?.tensorType?.shape?.dim ?? [];
    if (dims.length >= 2 && dims.slice(1).every((d) => int(d.dimValue as Int64) > 0)) this.width = dims.slice(1).reduce((p, d) => p * int(d.dimValue as Int64), 1);
    this.unflattened = dims.length > 2;
  }

  read(): DenseModel {
    const nodes = this.graph.node ?? [];
    nodes.forEach((node, i) => this.node(node, i));
    this.where = '';
    this.byte = undefined;
    this.finish();
    const outputs = this.graph.output ?? [];
    if (outputs.length !== 1) throw this.fail(`the graph has ${outputs.length} outputs (${outputs.map((o) => `'${o.name}'`).join(', ')}): a dense network gives one vector`);
    if (outputs[0].name !== this.current) throw this.fail(`the graph's output '${outputs[0].name}' is not the end of the chain of layers ('${this.current}')`);
    if (this.layers.length === 0) throw this.fail(`the graph has no dense layer: it reads ${READS}`);
    const meta = (key: string, count: number): string[] | undefined => {
      const entry = (this.model.metadataProps ?? []).find((p) => p.key === key);
      try {
        const names: unknown = JSON.parse(entry?.value ?? 'null');
        return Array.isArray(names) && names.length === count && names.every((n) => typeof n === 'string') ? names as string[] : undefined;
      } catch {
        return undefined;
      }
    };
    const last = this.layers[this.layers.length - 1];
    return {
      inputs: this.layers[0].inputs, layers: this.layers, softmax: this.softmax, source: `ONNX model ${baseName(this.file)}`, float32: this.allFloat32,
      inputNames: meta(INPUT_NAMES, this.layers[0].inputs), outputNames: meta(OUTPUT_NAMES, last.units),
      ...featuresOf((this.model.metadataProps ?? []).find((p) => p.key === FEATURES)?.value),
    };
  }

  private node(node: onnx.INodeProto, index: number): void {
    const op = node.opType ?? '';
    this.where = `node ${node.name ? `'${node.name}' ` : ''}(${op}) at index ${index}`;
    this.byte = this.offsets[index];
    if (node.domain && node.domain !== 'ai.onnx') throw this.fail(`the operator is from the domain '${node.domain}', not ONNX's own: only dense layers can be imported (${READS})`);
    const inputs = node.input ?? [];
    const output = node.output?.[0] ?? '';
    if (op === 'Constant') {
      const value = (node.attribute ?? []).find((a) => a.name === 'value')?.t;
      if (!value) throw this.fail('a Constant without a tensor "value" cannot be read');
      this.tensors.set(output, value);
      return;
    }
    if (this.softmax) throw this.fail('it comes after the Softmax, which must end the model');
    if (OTHER_LAYERS.has(op)) throw this.fail(`only dense layers can be imported (${READS})`);
    const takes = (name: string | undefined): void => {
      if (name !== this.current) throw this.fail(`it takes '${name}', which is not the output of the node before it ('${this.current}'): only a chain of dense layers can be imported`);
    };
    switch (op) {
      case 'Gemm':
      case 'MatMul': {
        takes(inputs[0]);
        this.finish();
        const transB = op === 'Gemm' && this.attr(node, 'transB', 0) === 1;
        if (op === 'Gemm') {
          if (this.attr(node, 'transA', 0) !== 0) throw this.fail('transA = 1 transposes the inputs: a dense layer takes them as they are');
          for (const key of ['alpha', 'beta']) {
            const v = this.attr(node, key, 1);
            if (v !== 1) throw this.fail(`${key} = ${v}: only Gemm with alpha and beta 1 (a plain dense layer) can be imported`);
          }
        }
        const w = this.tensor(inputs[1], 'weights');
        if (w.shape.length !== 2) throw this.fail(`its weights '${inputs[1]}' are ${showShape(w.shape)}, not a matrix`);
        const [units, fanIn] = transB ? w.shape : [w.shape[1], w.shape[0]];
        this.checkWidth(fanIn, inputs[1], w.shape);
        const weights = transB ? w.values : transpose(w.values, fanIn, units);
        const biases = new Float64Array(units);
        if (op === 'Gemm' && inputs[2]) this.addBias(biases, inputs[2]);
        this.pending = { name: layerNameOf(inputs[1], node.name, this.layers.length), units, inputs: fanIn, weights, biases, linear: output, activation: null };
        this.width = units;
        break;
      }
      case 'Add': {
        const p = this.pending;
        const other = inputs[0] === this.current ? inputs[1] : inputs[1] === this.current ? inputs[0] : undefined;
        if (other === undefined) takes(inputs[0]);
        if (!p || p.activation !== null || p.linear !== this.current) throw this.fail('an Add that is not the bias of a MatMul or Gemm just before it cannot be imported');
        this.addBias(p.biases, other!);
        p.linear = output;
        break;
      }
      case 'Identity':
      case 'Flatten': {
        takes(inputs[0]);
        if (op === 'Flatten') {
          const axis = this.attr(node, 'axis', 1);
          if (axis !== 1) throw this.fail(`Flatten with axis ${axis}: only a Flatten that keeps the batch (axis 1) can be imported`);
          this.unflattened = false;
        }
        if (this.pending?.linear === this.current && this.pending.activation === null) this.pending.linear = output;
        break;
      }
      case 'Mul': {
        const p = this.pending;
        const pair = new Set(inputs);
        if (!p || p.activation !== 'sigmoid' || p.sigmoidOf === undefined || !pair.has(p.sigmoidOf) || !pair.has(this.current) || inputs.length !== 2) {
          throw this.fail(`only x * Sigmoid(x) (SiLU) is read among Mul nodes: it reads ${READS}`);
        }
        p.activation = 'silu';
        p.sigmoidOf = undefined;
        break;
      }
      case 'Softmax': {
        takes(inputs[0]);
        if (!this.pending && this.layers.length === 0) throw this.fail('a Softmax before any dense layer cannot be imported');
        const axis = this.attr(node, 'axis', -1);
        if (axis !== -1 && axis !== 1) throw this.fail(`Softmax over axis ${axis}: only a softmax over the outputs (axis -1 or 1) can be imported`);
        this.finish();
        this.softmax = true;
        break;
      }
      default: {
        const activation = Object.hasOwn(ACTIVATION_OPS, op) ? ACTIVATION_OPS[op] : undefined;
        if (!activation) throw this.fail(`${op} is not an operator Backprop Debugger can import: it reads ${READS}`);
        takes(inputs[0]);
        const p = this.pending;
        if (!p) throw this.fail(`a ${op} on the ${this.layers.length === 0 ? "model's inputs" : 'output of an activation'}, not on a dense layer's sums, cannot be imported`);
        if (p.activation !== null) throw this.fail(`a second activation after ${p.activation} cannot be part of one dense layer`);
        p.activation = activation;
        if (activation === 'leaky-relu') p.activationParam = this.attr(node, 'alpha', 0.01);
        if (activation === 'elu') p.activationParam = this.attr(node, 'alpha', 1);
        if (activation === 'gelu') {
          const approximate = this.stringAttr(node, 'approximate', 'none');
          if (approximate !== 'tanh') throw this.fail(`Gelu with approximate = '${approximate}': Backprop Debugger's GELU is the tanh approximation (approximate = 'tanh')`);
        }
        if (activation === 'sigmoid') p.sigmoidOf = p.linear;
      }
    }
    this.current = output;
  }

  /** Ends the layer under way: its activation is identity unless a node gave one. */
  private finish(): void {
    const p = this.pending;
    if (!p) return;
    const param = p.activation ? ACTIVATION_PARAMETERS[p.activation] : undefined;
    this.layers.push({
      units: p.units, inputs: p.inputs, weights: p.weights, biases: p.biases, activation: p.activation ?? 'identity', name: p.name,
      ...(param ? { activationParam: p.activationParam ?? param.default } : {}),
    });
    this.pending = null;
  }

  private checkWidth(fanIn: number, name: string | undefined, shape: number[]): void {
    if (this.unflattened) throw this.fail("the graph's input is not a vector: a Flatten must come before the first layer");
    if (this.width === null) return;
    if (fanIn !== this.width) {
      const before = this.layers.length === 0 && !this.pending ? `the graph's input has ${this.width} features` : `the layer before has ${this.width} units`;
      throw this.fail(`its weights '${name}' (${showShape(shape)}) take ${fanIn} input${fanIn === 1 ? '' : 's'} but ${before}`);
    }
  }

  private addBias(biases: Float64Array, name: string): void {
    const b = this.tensor(name, 'biases');
    const count = b.values.length;
    if (!(count === biases.length || count === 1) || b.shape.length > 2 || (b.shape.length === 2 && b.shape[0] !== 1)) {
      throw this.fail(`its biases '${name}' are ${showShape(b.shape)} but the layer has ${biases.length} units: one bias a unit`);
    }
    for (let j = 0; j < biases.length; j++) biases[j] += b.values[count === 1 ? 0 : j];
  }

  private tensor(name: string | undefined, what: string): { shape: number[]; values: Float64Array } {
    const t = name ? this.tensors.get(name) : undefined;
    if (!t) throw this.fail(`its ${what} '${name ?? ''}' are not an initializer of the graph: only weights stored in the file can be imported`);
    const shape = (t.dims ?? []).map((d) => int(d as Int64));
    // The declared dims, checked before anything is allocated for them.
    const count = elementCount(shape);
    if (count === Infinity) throw this.fail(`its ${what} '${name}' declare the shape ${showShape(shape)}: every dimension must be a whole number, 0 or more`);
    if (count > this.limits.tensorElements) throw this.fail(`its ${what} '${name}' declare ${showShape(shape)} = ${count} values, more than ${overLimit(this.limits, 'tensorElements')}`);
    const values = this.values(t, name ?? '', what, shape, count);
    checkFinite(values, (m) => this.fail(m), `its ${what} '${name}'`);
    return { shape, values };
  }

  private values(t: onnx.ITensorProto, name: string, what: string, shape: number[], count: number): Float64Array {
    const type = t.dataType ?? 0;
    if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) throw this.fail(`its ${what} '${name}' are kept in an external data file: save the model with its weights inside (onnx.save with save_as_external_data=False)`);
    const raw = t.rawData ?? new Uint8Array(0);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type === onnx.TensorProto.DataType.FLOAT) {
      if (raw.length > 0) {
        if (raw.length !== count * 4) throw this.fail(`its ${what} '${name}' hold ${raw.length} bytes but ${showShape(shape)} float32 values need ${count * 4}`);
        return Float64Array.from({ length: count }, (_, i) => view.getFloat32(i * 4, true));
      }
      const data = t.floatData ?? [];
      if (data.length !== count) throw this.fail(`its ${what} '${name}' hold ${data.length} float32 values but ${showShape(shape)} need ${count}`);
      return Float64Array.from(data, (v) => Math.fround(v));
    }
    if (type === onnx.TensorProto.DataType.DOUBLE) {
      this.allFloat32 = false;
      if (raw.length > 0) {
        if (raw.length !== count * 8) throw this.fail(`its ${what} '${name}' hold ${raw.length} bytes but ${showShape(shape)} float64 values need ${count * 8}`);
        return Float64Array.from({ length: count }, (_, i) => view.getFloat64(i * 8, true));
      }
      const data = t.doubleData ?? [];
      if (data.length !== count) throw this.fail(`its ${what} '${name}' hold ${data.length} float64 values but ${showShape(shape)} need ${count}`);
      return Float64Array.from(data);
    }
    throw this.fail(`its ${what} '${name}' are ${onnx.TensorProto.DataType[type] ?? `data type ${type}`}: only float32 and float64 weights can be imported`);
  }

  private attr(node: onnx.INodeProto, name: string, fallback: number): number {
    const a = (node.attribute ?? []).find((x) => x.name === name);
    if (!a) return fallback;
    return a.type === onnx.AttributeProto.AttributeType.FLOAT ? (a.f ?? 0) : int(a.i as Int64);
  }

  private stringAttr(node: onnx.INodeProto, name: string, fallback: string): string {
    const a = (node.attribute ?? []).find((x) => x.name === name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  private fail(message: string): ModelFileError {
    return new ModelFileError(this.where ? `${this.where}: ${message}` : message, this.byte === undefined ? {} : { byte: this.byte });
  }
}

/** A layer's name as its framework knew it: PyTorch's `fc1.weight` -> fc1, Keras's `dense/kernel` -> dense; else the node's. */
function layerNameOf(weights: string | undefined, node: string | null | undefined, index: number): string {
  const stem = weights?.replace(/[./:_](weight|kernel|W)(:0)?$/i, '');
  return (stem && stem !== weights ? stem : node || weights) || `layer${index + 1}`;
}

function transpose(values: Float64Array, rows: number, columns: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  return out;
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}

// ---- writing ---------------------------------------------------------------------------------

/** ONNX's opset the model is written for: 17 (ONNX 1.12), or 20 where GELU needs its own operator. */
function opsetFor(model: DenseModel): number {
  return model.layers.some((l) => l.activation === 'gelu') ? 20 : 17;
}

/** The model as an ONNX file's bytes: float32 weights, Gemm with transB = 1, a batch dimension. */
export function onnxBytes(model: DenseModel, name: string): Uint8Array {
  const T = onnx.TensorProto.DataType;
  const A = onnx.AttributeProto.AttributeType;
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let current = 'input';
  const last = model.layers.length - 1;
  model.layers.forEach((layer, l) => {
    const prefix = `layer${l + 1}`;
    const end = l === last && !model.softmax ? 'output' : `${prefix}.out`;
    initializers.push(float32Tensor(`${prefix}.weight`, [layer.units, layer.inputs], layer.weights), float32Tensor(`${prefix}.bias`, [layer.units], layer.biases));
    const sums = layer.activation === 'identity' ? end : `${prefix}.sums`;
    nodes.push({ name: `${prefix}.gemm`, opType: 'Gemm', input: [current, `${prefix}.weight`, `${prefix}.bias`], output: [sums], attribute: [{ name: 'transB', type: A.INT, i: 1 }] });
    const param = layer.activationParam ?? ACTIVATION_PARAMETERS[layer.activation]?.default ?? 0;
    const activation = (opType: string, attribute: onnx.IAttributeProto[] = []): void => {
      nodes.push({ name: `${prefix}.${opType.toLowerCase()}`, opType, input: [sums], output: [end], attribute });
    };
    switch (layer.activation) {
      case 'identity': break;
      case 'relu': activation('Relu'); break;
      case 'sigmoid': activation('Sigmoid'); break;
      case 'tanh': activation('Tanh'); break;
      case 'softplus': activation('Softplus'); break;
      case 'leaky-relu': activation('LeakyRelu', [{ name: 'alpha', type: A.FLOAT, f: param }]); break;
      case 'elu': activation('Elu', [{ name: 'alpha', type: A.FLOAT, f: param }]); break;
      case 'gelu': activation('Gelu', [{ name: 'approximate', type: A.STRING, s: new TextEncoder().encode('tanh') }]); break;
      case 'silu':
        nodes.push({ name: `${prefix}.sigmoid`, opType: 'Sigmoid', input: [sums], output: [`${prefix}.gate`] });
        nodes.push({ name: `${prefix}.mul`, opType: 'Mul', input: [sums, `${prefix}.gate`], output: [end] });
        break;
    }
    current = end;
  });
  if (model.softmax) nodes.push({ name: 'softmax', opType: 'Softmax', input: [current], output: ['output'], attribute: [{ name: 'axis', type: A.INT, i: -1 }] });
  const vector = (tensor: string, width: number): onnx.IValueInfoProto => ({
    name: tensor, type: { tensorType: { elemType: T.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: width }] } } },
  });
  const outputs = model.layers[last].units;
  const opset = opsetFor(model);
  const proto = onnx.ModelProto.create({
    irVersion: opset >= 20 ? 9 : 8,
    producerName: 'Backprop Debugger',
    opsetImport: [{ domain: '', version: opset }],
    docString: `${model.source}: ${[String(model.inputs), ...model.layers.map((l) => `${l.units} ${l.activation}`)].join(' -> ')}${model.softmax ? ' -> softmax' : ''}${model.features ? `. ${featuresNote(model.features)}` : ''}`,
    metadataProps: [
      ...(model.inputNames ? [{ key: INPUT_NAMES, value: JSON.stringify(model.inputNames) }] : []),
      ...(model.outputNames ? [{ key: OUTPUT_NAMES, value: JSON.stringify(model.outputNames) }] : []),
      ...(model.features ? [{ key: FEATURES, value: JSON.stringify({ columns: model.features.columns, features: model.features.sources }) }] : []),
    ],
    graph: { name, node: nodes, initializer: initializers, input: [vector('input', model.inputs)], output: [vector('output', outputs)] },
  });
  return onnx.ModelProto.encode(proto).finish();
}

function float32Tensor(name: string, dims: number[], values: Float64Array): onnx.ITensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) throw new RangeError(`${name} holds ${v}, which a model file cannot: step back to a finite state first`);
    view.setFloat32(i * 4, v, true);
  });
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData: raw };
}
