/**
 * Models in and out at MNIST's usual dense size, 784-128-64-10 (109,386 parameters, softmax and
 * cross-entropy), with 100 samples of data:
 *
 * - import from each format the project reads (ONNX, TensorFlow.js, Keras 3, safetensors), as
 *   `backprop import` and Import Model... do it: the file read into a dense model, the network
 *   text made from it, and that text loaded as a network (what opening the new file costs);
 * - export by each exporter (ONNX, TensorFlow.js, the PyTorch and NumPy scripts), from the
 *   network and its parameters to the files' contents.
 *
 * The ONNX and TensorFlow.js files are our exporters'; the .keras file is built as Keras 3 saves
 * one (config.json and an HDF5 file written by the HDF5 library, h5wasm, as the tests build theirs)
 * and the safetensors file as PyTorch's state_dict of an nn.Sequential. Each figure is the median
 * of `rounds` runs after a warm-up. bench.ts runs it with the rest; alone:
 * `npx tsc -p tsconfig.json && node out/bench/models.js [rounds]` (JSON on the last line).
 */
import { performance } from 'node:perf_hooks';
import { loadNetwork, type Network } from '../src/core';
import { networkTextFromModel } from '../src/core/models/convert';
import type { DenseModel } from '../src/core/models/dense';
import { EXPORTERS, type ImporterId, type LayerActivation } from '../src/core/models/formats';
import { readKeras } from '../src/core/models/keras';
import { onnxExporter, readOnnx } from '../src/core/models/onnx';
import { readSafetensors, writeSafetensors } from '../src/core/models/safetensors';
import { readTfjs, tfjsExporter } from '../src/core/models/tfjs';
import { denseModelOf, kerasFromModel, loadHdf5 } from '../test/unit/modelFiles';

export interface ModelImportFigure {
  format: ImporterId;
  fileBytes: number;
  /** Milliseconds, medians: the file to a dense model, the model to network text, the text loaded, and the three together. */
  readMs: number;
  textMs: number;
  loadMs: number;
  totalMs: number;
}

export interface ModelExportFigure {
  format: string;
  /** The files' bytes, all together. */
  bytes: number;
  ms: number;
}

export interface ModelFigures {
  parameters: number;
  samples: number;
  textBytes: number;
  imports: ModelImportFigure[];
  exports: ModelExportFigure[];
}

const SAMPLES = 100;

/** The 784-128-64-10 network: glorot weights from the loader's seeded init, 100 seeded samples, one class each. */
export function mnistShaped(): Network {
  let seed = 7;
  const next = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  return loadNetwork(JSON.stringify({
    name: '784-128-64-10',
    inputs: Array.from({ length: 784 }, (_, k) => `p${k + 1}`),
    outputs: Array.from({ length: 10 }, (_, k) => `digit${k}`),
    layers: [{ units: 128, activation: 'relu' }, { units: 64, activation: 'relu' }, { units: 10, activation: 'identity' }],
    init: { weights: 'glorot', biases: 0.01, seed: 1 },
    data: {
      inputs: Array.from({ length: SAMPLES }, () => Array.from({ length: 784 }, () => Math.round(next() * 100) / 100)),
      targets: Array.from({ length: SAMPLES }, (_, s) => Array.from({ length: 10 }, (_, k) => (k === s % 10 ? 1 : 0))),
    },
    loss: 'cross-entropy',
    training: { learningRate: 0.01, maxSteps: 100, optimizer: 'adam', batchSize: 10, seed: 1 },
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1];
}

function time<T>(run: () => T): { ms: number; value: T } {
  const start = performance.now();
  const value = run();
  return { ms: performance.now() - start, value };
}

export async function benchModels(rounds: number): Promise<ModelFigures> {
  await loadHdf5();
  const network = mnistShaped();
  const parameters = Float64Array.from(network.initialParameters);
  const dense: DenseModel = denseModelOf(network, parameters);
  const onnx = onnxExporter.write(network, parameters, { steps: 0, baseName: 'mnist' })[0].contents as Uint8Array;
  const tfjs = tfjsExporter.write(network, parameters, { steps: 0, baseName: 'mnist' });
  const tfjsJson = new TextEncoder().encode(tfjs[0].contents as string);
  const tfjsBin = tfjs[1].contents as Uint8Array;
  const keras = kerasFromModel(dense);
  const safetensors = writeSafetensors(dense, 'F32');
  const activations: LayerActivation[] = ['relu', 'relu', 'softmax'];
  const readers: { format: ImporterId; fileBytes: number; read: () => DenseModel }[] = [
    { format: 'onnx', fileBytes: onnx.length, read: () => readOnnx(onnx, 'mnist.onnx') },
    { format: 'tfjs', fileBytes: tfjsJson.length + tfjsBin.length, read: () => readTfjs({ name: 'mnist.model.json', bytes: tfjsJson, sibling: () => tfjsBin }) },
    { format: 'keras', fileBytes: keras.length, read: () => readKeras(keras, 'mnist.keras') },
    { format: 'safetensors', fileBytes: safetensors.length, read: () => readSafetensors(safetensors, 'mnist.safetensors', activations) },
  ];
  let textBytes = 0;
  const imports = readers.map(({ format, fileBytes, read }) => {
    const samples = { read: [] as number[], text: [] as number[], load: [] as number[], total: [] as number[] };
    for (let r = 0; r <= rounds; r++) {
      const model = time(read);
      const text = time(() => networkTextFromModel(model.value));
      const load = time(() => loadNetwork(text.value));
      if (load.value.parameterCount !== network.parameterCount || load.value.loss !== 'cross-entropy') throw new Error(`the ${format} import lost parameters or its softmax`);
      textBytes = text.value.length;
      if (r === 0) continue; // warm-up
      samples.read.push(model.ms);
      samples.text.push(text.ms);
      samples.load.push(load.ms);
      samples.total.push(model.ms + text.ms + load.ms);
    }
    return { format, fileBytes, readMs: median(samples.read), textMs: median(samples.text), loadMs: median(samples.load), totalMs: median(samples.total) };
  });
  const exports = EXPORTERS.map((exporter) => {
    const times: number[] = [];
    let bytes = 0;
    for (let r = 0; r <= rounds; r++) {
      const written = time(() => exporter.write(network, parameters, { steps: network.training.maxSteps, baseName: 'mnist' }));
      bytes = written.value.reduce((sum, f) => sum + (typeof f.contents === 'string' ? f.contents.length : f.contents.length), 0);
      if (r > 0) times.push(written.ms);
    }
    return { format: exporter.label, bytes, ms: median(times) };
  });
  return { parameters: network.parameterCount, samples: SAMPLES, textBytes, imports, exports };
}

const LABELS: Record<ImporterId, string> = { onnx: 'ONNX', tfjs: 'TensorFlow.js', keras: 'Keras 3 (.keras)', safetensors: 'safetensors (F32)' };

/** Lines for a person. */
export function describeModels(f: ModelFigures): string[] {
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KiB`;
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  return [
    `models in and out at 784-128-64-10 (${f.parameters.toLocaleString('en-US')} parameters; network text ${kib(f.textBytes)}), medians:`,
    ...f.imports.map((i) => `  import ${LABELS[i.format].padEnd(20)} ${kib(i.fileBytes).padStart(8)}: ${ms(i.totalMs).padStart(9)} (read ${ms(i.readMs)}, network text ${ms(i.textMs)}, loaded ${ms(i.loadMs)})`),
    ...f.exports.map((e) => `  export ${e.format.padEnd(20)} ${kib(e.bytes).padStart(8)}: ${ms(e.ms).padStart(9)}${/PyTorch|NumPy/.test(e.format) ? ` (a script with the ${f.samples} samples)` : ''}`),
  ];
}

// Run alone (`node out/bench/models.js`); bundled into bench.js, require.main is the bundle, so the script's name decides.
if (/[\\/]models\.js$/.test(process.argv[1] ?? '')) {
  benchModels(Number(process.argv[2] ?? 9)).then((f) => {
    for (const line of describeModels(f)) console.log(line);
    console.log(JSON.stringify(f));
  }).catch((e: Error) => {
    console.error(e.stack ?? e.message);
    process.exitCode = 1;
  });
}
