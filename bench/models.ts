/**
 * Importing a large model: a 784-128-64-10 classifier (MNIST's shape, 109,386 parameters) written
 * as ONNX and as TensorFlow.js by our exporters, then read back as `backprop import` reads it: the
 * file to a dense model, the dense model to network text, and that text loaded as a network (what
 * opening the new file costs). Each figure is the median of `rounds` runs after a warm-up.
 *
 * Alone: `npx tsc -p tsconfig.json && node out/bench/models.js [rounds]` (prints JSON on the last line).
 */
import { performance } from 'node:perf_hooks';
import { loadNetwork, type Network } from '../src/core';
import { networkTextFromModel } from '../src/core/models/convert';
import { onnxExporter, readOnnx } from '../src/core/models/onnx';
import { readTfjs, tfjsExporter } from '../src/core/models/tfjs';

export interface ModelImportFigures {
  parameters: number;
  onnxBytes: number;
  /** Milliseconds, medians. */
  onnxRead: number;
  tfjsRead: number;
  toText: number;
  textBytes: number;
  loadText: number;
  /** The whole import of the ONNX file: read, text, load. */
  onnxImport: number;
}

/** The 784-128-64-10 network: glorot weights from the loader's seeded init, one placeholder sample. */
export function mnistShaped(): Network {
  return loadNetwork(JSON.stringify({
    inputs: Array.from({ length: 784 }, (_, k) => `p${k + 1}`),
    outputs: Array.from({ length: 10 }, (_, k) => `digit${k}`),
    layers: [{ units: 128, activation: 'relu' }, { units: 64, activation: 'relu' }, { units: 10, activation: 'identity' }],
    init: { weights: 'glorot', biases: 0.01, seed: 1 },
    data: { inputs: [new Array(784).fill(0.5)], targets: [[1, 0, 0, 0, 0, 0, 0, 0, 0, 0]] },
    loss: 'cross-entropy',
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

export function benchModelImport(rounds: number): ModelImportFigures {
  const network = mnistShaped();
  const [onnxFile] = onnxExporter.write(network, network.initialParameters, { steps: 0, baseName: 'mnist' });
  const onnx = onnxFile.contents as Uint8Array;
  const tfjs = tfjsExporter.write(network, network.initialParameters, { steps: 0, baseName: 'mnist' });
  const tfjsFiles = { name: 'mnist.model.json', bytes: new TextEncoder().encode(tfjs[0].contents as string), sibling: () => tfjs[1].contents as Uint8Array };
  const samples: Record<'onnxRead' | 'tfjsRead' | 'toText' | 'loadText' | 'onnxImport', number[]> = { onnxRead: [], tfjsRead: [], toText: [], loadText: [], onnxImport: [] };
  let textBytes = 0;
  for (let r = 0; r <= rounds; r++) {
    const read = time(() => readOnnx(onnx, 'mnist.onnx'));
    const tf = time(() => readTfjs(tfjsFiles));
    const text = time(() => networkTextFromModel(read.value));
    const load = time(() => loadNetwork(text.value));
    if (load.value.parameterCount !== network.parameterCount || tf.value.layers.length !== 3) throw new Error('the import lost parameters');
    textBytes = text.value.length;
    if (r === 0) continue; // warm-up
    samples.onnxRead.push(read.ms);
    samples.tfjsRead.push(tf.ms);
    samples.toText.push(text.ms);
    samples.loadText.push(load.ms);
    samples.onnxImport.push(read.ms + text.ms + load.ms);
  }
  return {
    parameters: network.parameterCount, onnxBytes: onnx.length, textBytes,
    onnxRead: median(samples.onnxRead), tfjsRead: median(samples.tfjsRead), toText: median(samples.toText), loadText: median(samples.loadText), onnxImport: median(samples.onnxImport),
  };
}

if (require.main === module) {
  const rounds = Number(process.argv[2] ?? 9);
  const f = benchModelImport(rounds);
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  console.log(`import of a 784-128-64-10 model (${f.parameters.toLocaleString('en-US')} parameters, ONNX ${(f.onnxBytes / 1024).toFixed(0)} KiB -> network text ${(f.textBytes / 1024).toFixed(0)} KiB), median of ${rounds}:`);
  console.log(`  ONNX read ${ms(f.onnxRead)}, TensorFlow.js read ${ms(f.tfjsRead)}, to network text ${ms(f.toText)}, text loaded as a network ${ms(f.loadText)}; the whole ONNX import ${ms(f.onnxImport)}`);
  console.log(JSON.stringify(f));
}
