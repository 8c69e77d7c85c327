/**
 * `npm run bench`: steps per second of full-batch gradient descent in the core.
 * Each case warms up, then times batches of steps for about a second and reports the median batch,
 * so one slow batch (a GC pause, another process) does not move the figure.
 * `--json` prints one JSON object on the last line: {"cases": [{name, params, samples, stepsPerSecond, gflops}]}.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, type Network, SeededRandom, Trainer, type Activation } from '../src/core';

interface Case {
  name: string;
  network: Network;
}

/** A dense network of the given widths with seeded data, as JSON text through the real loader. */
function dense(name: string, widths: number[], activation: Activation, samples: number, seed: number): Case {
  const random = new SeededRandom(seed);
  const nIn = widths[0];
  const nOut = widths[widths.length - 1];
  const inputs = Array.from({ length: samples }, () => Array.from({ length: nIn }, () => random.next() * 2 - 1));
  const targets = Array.from({ length: samples }, () => Array.from({ length: nOut }, () => random.next()));
  const doc = {
    inputs: Array.from({ length: nIn }, (_, k) => `x${k + 1}`),
    outputs: Array.from({ length: nOut }, (_, k) => `y${k + 1}`),
    layers: widths.slice(1).map((units, l) => ({ units, activation: l === widths.length - 2 ? 'identity' : activation })),
    init: { weights: 'glorot', biases: 0, seed },
    data: { inputs, targets },
    loss: 'ssr',
    training: { learningRate: 1e-4, maxSteps: 1e9, minStepSize: 0 },
  };
  return { name, network: loadNetwork(JSON.stringify(doc)) };
}

function measure(c: Case, seconds: number): { stepsPerSecond: number } {
  const trainer = new Trainer(c.network);
  // Size a batch to take about 20 ms, after a warm-up that lets the JIT settle.
  let batch = 1;
  const warmUntil = performance.now() + Math.min(300, seconds * 300);
  while (performance.now() < warmUntil) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) trainer.step();
    if (performance.now() - t0 < 20) batch *= 2;
  }
  const rates: number[] = [];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || rates.length < 5) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) trainer.step();
    rates.push(batch / ((performance.now() - t0) / 1000));
  }
  rates.sort((a, b) => a - b);
  return { stepsPerSecond: rates[rates.length >> 1] };
}

function main(): void {
  const json = process.argv.includes('--json');
  const quick = process.argv.includes('--quick');
  const root = path.resolve(__dirname, '../..');
  const cases: Case[] = [
    { name: 'dosage (StatQuest, 1-2-1 softplus)', network: loadNetwork(readFileSync(path.join(root, 'examples', 'dosage-all.nn.json'), 'utf8')) },
    dense('1-32-32-1 tanh', [1, 32, 32, 1], 'tanh', 256, 11),
    dense('64-64-64-10 sigmoid', [64, 64, 64, 10], 'sigmoid', 1024, 12),
  ];
  const results = cases.map((c) => {
    const { stepsPerSecond } = measure(c, quick ? 0.3 : 1.5);
    // Forward, backward to the weights and backward to the activations: about 6 flops per weight per sample.
    const gflops = (6 * c.network.parameterCount * c.network.data.samples * stepsPerSecond) / 1e9;
    const row = { name: c.name, params: c.network.parameterCount, samples: c.network.data.samples, stepsPerSecond, gflops };
    if (!json) {
      console.log(`${row.name.padEnd(38)} ${String(row.params).padStart(7)} params ${String(row.samples).padStart(5)} samples ${Math.round(stepsPerSecond).toLocaleString('en-US').padStart(12)} steps/s ${gflops.toFixed(2).padStart(6)} GFLOP/s`);
    }
    return row;
  });
  if (json) console.log(JSON.stringify({ cases: results }));
}

main();
