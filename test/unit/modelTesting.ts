/**
 * What the model-format tests share: files in memory, a network with every activation, an ONNX
 * writer of the test's own (onnx-proto, not our exporter) for graphs our exporter never makes,
 * and the network's forward pass on the data as the file holds it.
 */
import { onnx } from 'onnx-proto';
import { loadNetwork, type Network, scratchTrainer, softmax } from '../../src/core';
import { type ModelFiles, ModelFileError } from '../../src/core/models/formats';

export function filesOf(name: string, bytes: Uint8Array | string, siblings: Record<string, Uint8Array | string> = {}): ModelFiles {
  const asBytes = (b: Uint8Array | string): Uint8Array => (typeof b === 'string' ? new TextEncoder().encode(b) : b);
  return {
    name,
    bytes: asBytes(bytes),
    sibling: (relative) => {
      const found = siblings[relative];
      if (found === undefined) throw new ModelFileError('no such file', {}, relative);
      return asBytes(found);
    },
  };
}

/** Every activation, a leaky ReLU slope and an ELU alpha of its own, normalized inputs, three classes. */
export const EVERY_ACTIVATION = `{
  "name": "Every activation",
  "inputs": ["a", "b", "c"],
  "outputs": ["p", "q", "r"],
  "layers": [
    { "units": 4, "activation": "leaky-relu", "slope": 0.2 },
    { "units": 4, "activation": "elu", "alpha": 0.7 },
    { "units": 3, "activation": "gelu" },
    { "units": 3, "activation": "silu" },
    { "units": 3, "activation": "softplus" },
    { "units": 3, "activation": "tanh" },
    { "units": 3, "activation": "sigmoid" },
    { "units": 3, "activation": "relu" }
  ],
  "init": { "weights": "glorot", "biases": 0.1, "seed": 3 },
  "normalize": "standard",
  "data": {
    "inputs": [[1, 20, -3], [2, 10, 4], [-1, 15, 0.5], [0.5, 30, -2], [3, 12, 1]],
    "targets": [[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 0, 0], [0, 1, 0]]
  },
  "loss": "cross-entropy"
}`;

/** The samples as the data file holds them: a normalizing network's data un-normalized. */
export function rawInputs(network: Network): Float64Array {
  const n = network.normalization;
  const nIn = network.inputNames.length;
  return n ? Float64Array.from(network.data.inputs, (v, i) => v * n.scale[i % nIn] + n.offset[i % nIn]) : Float64Array.from(network.data.inputs);
}

/** Our forward pass on the file's data: what the model outputs (probabilities, for cross-entropy). */
export function forward(network: Network, parameters: ArrayLike<number>): Float64Array {
  const trainer = scratchTrainer(network, parameters);
  trainer.lossOnly();
  const nOut = network.outputNames.length;
  const scores = Float64Array.from(trainer.predicted);
  if (network.loss !== 'cross-entropy') return scores;
  for (let i = 0; i < network.data.samples; i++) scores.set(softmax(scores.subarray(i * nOut, (i + 1) * nOut)), i * nOut);
  return scores;
}

/** Parameters a little away from the file's, so an export cannot pass by writing the initial ones. */
export function trainedParameters(network: Network, steps = 5): Float64Array {
  const trainer = scratchTrainer(network, network.initialParameters);
  for (let i = 0; i < steps; i++) trainer.step();
  return Float64Array.from(trainer.params);
}

export const network = (text: string): Network => loadNetwork(text);

// ---- a small ONNX writer of the test's own --------------------------------------------------

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;

export interface TestNode { op: string; inputs: string[]; output: string; name?: string; attributes?: Record<string, number | string>; domain?: string }
export interface TestTensor { name: string; dims: number[]; values: number[]; type?: 'float32' | 'float64' | 'int64'; storage?: 'raw' | 'typed'; external?: boolean }

export function tensor(name: string, dims: number[], values: number[], type: TestTensor['type'] = 'float32', storage: TestTensor['storage'] = 'raw'): TestTensor {
  return { name, dims, values, type, storage };
}

function tensorProto(t: TestTensor): onnx.ITensorProto {
  const type = t.type ?? 'float32';
  const base: onnx.ITensorProto = { name: t.name, dims: t.dims, dataType: type === 'float32' ? T.FLOAT : type === 'float64' ? T.DOUBLE : T.INT64 };
  if (t.external) return { ...base, dataLocation: onnx.TensorProto.DataLocation.EXTERNAL, externalData: [{ key: 'location', value: 'weights.data' }] };
  if (type === 'int64') return { ...base, int64Data: t.values };
  if (t.storage === 'typed') return type === 'float32' ? { ...base, floatData: t.values } : { ...base, doubleData: t.values };
  const size = type === 'float32' ? 4 : 8;
  const raw = new Uint8Array(t.values.length * size);
  const view = new DataView(raw.buffer);
  t.values.forEach((v, i) => (size === 4 ? view.setFloat32(i * 4, v, true) : view.setFloat64(i * 8, v, true)));
  return { ...base, rawData: raw };
}

/** An ONNX model of `nodes` over `initializers`, input `x` of `inputShape` and output `output`. */
export function onnxModel(options: { nodes: TestNode[]; initializers: TestTensor[]; inputShape: (number | string)[]; output: string; inputs?: string[]; opset?: number }): Uint8Array {
  const shape = (dims: (number | string)[]): onnx.ITensorShapeProto => ({ dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    producerName: 'the tests',
    opsetImport: [{ domain: '', version: options.opset ?? 17 }],
    graph: {
      name: 'test',
      node: options.nodes.map((n) => ({
        name: n.name ?? '', opType: n.op, input: n.inputs, output: [n.output], domain: n.domain ?? '',
        attribute: Object.entries(n.attributes ?? {}).map(([name, v]) => (typeof v === 'string' ? { name, type: A.STRING, s: new TextEncoder().encode(v) }
          : Number.isInteger(v) && name !== 'alpha' && name !== 'beta' ? { name, type: A.INT, i: v } : { name, type: A.FLOAT, f: v })),
      })),
      initializer: options.initializers.map(tensorProto),
      input: (options.inputs ?? ['x']).map((name) => ({ name, type: { tensorType: { elemType: T.FLOAT, shape: shape(options.inputShape) } } })),
      output: [{ name: options.output, type: { tensorType: { elemType: T.FLOAT } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
