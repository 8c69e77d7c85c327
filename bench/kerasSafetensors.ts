/**
 * Model files: the time to import a 784-128-64-10 model (MNIST's usual dense network, 109,386
 * parameters) from a .keras archive and from a safetensors file, and to write its PyTorch and
 * NumPy scripts. `node out/bench/models.js [--quick] [--json]` after `tsc -p tsconfig.json`; each
 * figure is the median of several runs after a warm-up.
 */
import { performance } from 'node:perf_hooks';
import { buildLayout, type Network, SeededRandom } from '../src/core';
import type { DenseModel } from '../src/core/models/dense';
import { readKeras } from '../src/core/models/keras';
import { numpyScript } from '../src/core/models/numpy';
import { pytorchScript } from '../src/core/models/pytorch';
import { readSafetensors, writeSafetensors } from '../src/core/models/safetensors';
import { kerasFromModel, loadHdf5 } from '../test/unit/modelFiles';

const quick = process.argv.includes('--quick');
const RUNS = quick ? 5 : 15;
const WIDTHS = [784, 128, 64, 10];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Milliseconds per call of `f`: the median of RUNS after two warm-up calls. */
function time(f: () => unknown): number {
  f();
  f();
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    f();
    runs.push(performance.now() - start);
  }
  return median(runs);
}

function model(): DenseModel {
  const random = new SeededRandom(1);
  return {
    inputs: WIDTHS[0],
    layers: WIDTHS.slice(1).map((units, l) => {
      const inputs = WIDTHS[l];
      const scale = Math.sqrt(2 / (inputs + units));
      return {
        units, inputs, activation: l === WIDTHS.length - 2 ? 'identity' : 'relu',
        weights: Float64Array.from({ length: units * inputs }, () => random.normal() * scale),
        biases: Float64Array.from({ length: units }, () => random.normal() * 0.01),
      };
    }),
    softmax: true,
    source: 'bench',
  };
}

/** The model as a network with 100 samples of data, what the exporters take. */
function network(m: DenseModel): { network: Network; parameters: Float64Array } {
  const layout = buildLayout(m.inputs, m.layers.map((l) => ({ units: l.units, activation: l.activation })));
  const parameters = new Float64Array(layout.parameterCount);
  m.layers.forEach((l, i) => {
    parameters.set(l.weights, layout.layers[i].weightOffset);
    parameters.set(l.biases, layout.layers[i].biasOffset);
  });
  const random = new SeededRandom(2);
  const samples = 100;
  const targets = new Float64Array(samples * 10);
  for (let s = 0; s < samples; s++) targets[s * 10 + (s % 10)] = 1;
  const net: Network = {
    name: '784-128-64-10', description: '', notation: null,
    inputNames: Array.from({ length: 784 }, (_, k) => `x${k + 1}`), outputNames: Array.from({ length: 10 }, (_, k) => `y${k}`),
    ...layout, initialParameters: parameters,
    data: { samples, inputs: Float64Array.from({ length: samples * 784 }, () => random.next()), targets },
    validation: null, normalization: null, features: null, generated: { data: null, validation: null }, loss: 'cross-entropy',
    training: {
      learningRate: 0.01, maxSteps: 100, minStepSize: 0, trainable: new Uint8Array(layout.parameterCount).fill(1),
      optimizer: { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false }, batchSize: 10, shuffle: true, seed: 1,
      regularization: { l1: 0, l2: 0 }, schedule: { type: 'constant' }, clip: null, validationShare: null,
    },
    parameterPositions: [],
  };
  return { network: net, parameters };
}

async function main(): Promise<void> {
  await loadHdf5();
  const m = model();
  const keras = kerasFromModel(m);
  const safetensors = writeSafetensors(m, 'F32');
  const activations = m.layers.map((l) => l.activation);
  const { network: net, parameters } = network(m);
  const figures = {
    parameters: parameters.length,
    kerasBytes: keras.length,
    safetensorsBytes: safetensors.length,
    kerasImportMs: time(() => readKeras(keras, 'bench.keras')),
    safetensorsImportMs: time(() => readSafetensors(safetensors, 'bench.safetensors', activations)),
    numpyScriptMs: time(() => numpyScript(net, parameters, 100, 'bench')),
    pytorchScriptMs: time(() => pytorchScript(net, parameters, 100, 'bench')),
    numpyScriptBytes: numpyScript(net, parameters, 100, 'bench').length,
  };
  if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
  else {
    console.log(`784-128-64-10 (${figures.parameters} parameters)`);
    console.log(`  import .keras (${(figures.kerasBytes / 1024).toFixed(0)} KiB):        ${figures.kerasImportMs.toFixed(1)} ms`);
    console.log(`  import .safetensors (${(figures.safetensorsBytes / 1024).toFixed(0)} KiB):  ${figures.safetensorsImportMs.toFixed(1)} ms`);
    console.log(`  write the NumPy script (${(figures.numpyScriptBytes / 1024).toFixed(0)} KiB, 100 samples): ${figures.numpyScriptMs.toFixed(1)} ms`);
    console.log(`  write the PyTorch script:               ${figures.pytorchScriptMs.toFixed(1)} ms`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
