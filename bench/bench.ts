/**
 * `npm run bench`: full-batch gradient descent in the core against TensorFlow.js's CPU backend, side by
 * side on the same networks, weights and data; then what the extras (chain-rule trace, history) cost,
 * what a million steps of history weigh, and how Continue performs in the editor's training worker;
 * then the debugger's own costs: breakpoints checked in Continue, Pause, Go to Step, frame sizes.
 *
 * Every rate is the median of many timed batches after a warm-up, so one slow batch (a GC pause,
 * another process) does not move it. `--json` prints one JSON object on the last line;
 * `--quick` times for less long (the figures are then rougher).
 */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Activation, ChainRuleTrace, History, loadNetwork, type Network, OPTIMIZER_DEFAULTS, SeededRandom, Trainer } from '../src/core';
import { initTensorFlow, tensorFlowTrainer } from './tfjs';
import { benchActivation } from './activation';
import { benchDataFile, describeDataFile } from './dataFile';
import { benchModels, describeModels } from './models';
import { benchEditorContinue, benchPause, benchPauseDuringGoTo, type EditorFigures } from './editor';
import { statSync } from 'node:fs';
import { benchAdapter } from './adapter';
import { ARMED, benchBreakpointCost, benchGoTo, frameSizes, LOGPOINT } from './debugger';
import { benchCharts, EVERY_PANEL } from './charts';
import { benchUnitMaps } from './unitMaps';
import type { DrawFigures } from './webview';
import { HOPS } from './hops';
import type { ControlFigures } from './vscodePause';
import { spawnSync } from 'node:child_process';

/** Pause, Step and Step Back clicked in the network editor in real VS Code (bench/vscodePause.ts), in a process of its own. */
function benchPageControls(rounds: number): ControlFigures[] {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out', 'bench', 'vscodePause.js'), String(rounds)], { encoding: 'utf8', timeout: 30 * 60_000 });
  if (r.status !== 0) throw new Error(`bench/vscodePause.ts failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as ControlFigures[];
}

/** The page's drawing, measured in Chromium by bench/webview.ts (compiled by tsc), in a process of its own. */
function benchChartDraw(draws: number, panels: readonly string[]): DrawFigures {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out', 'bench', 'webview.js'), String(draws), panels.join(',')], { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`bench/webview.ts failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as DrawFigures;
}

const ROOT = path.resolve(__dirname, '..');
const json = process.argv.includes('--json');
const quick = process.argv.includes('--quick');
const SECONDS = quick ? 0.4 : 1.5;
/** Steps both implementations take before their losses are compared (and the warm-up). */
const AGREEMENT_STEPS = 50;
const AGREEMENT_TOLERANCE = 1e-3;

interface Case {
  name: string;
  network: Network;
  /** The network's file, for what loads it as a person's file would (the debugger bench). */
  text?: string;
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
    // The sum of squared residuals grows with the data, so the step must shrink with it to stay stable.
    training: { learningRate: 0.2 / (samples * nOut), maxSteps: 1e9, minStepSize: 0 },
  };
  const text = JSON.stringify(doc);
  return { name, network: loadNetwork(text), text };
}

/**
 * Steps per second of each of `steps`: the median of batches of about 20 ms after a warm-up. The
 * batches take turns, round after round, so a noisy neighbour slows all of them alike and the
 * ratios between them stay fair.
 */
function rates(steps: (() => void)[], seconds = SECONDS): number[] {
  const batches = steps.map((step) => {
    let batch = 1;
    const warmUntil = performance.now() + Math.min(300, seconds * 200);
    while (performance.now() < warmUntil) {
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) step();
      if (performance.now() - t0 < 20) batch *= 2;
    }
    return batch;
  });
  const samples: number[][] = steps.map(() => []);
  const until = performance.now() + seconds * 1000 * steps.length;
  while (performance.now() < until || samples[0].length < 7) {
    steps.forEach((step, s) => {
      const batch = batches[s];
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) step();
      samples[s].push(batch / ((performance.now() - t0) / 1000));
    });
  }
  return samples.map((r) => r.sort((a, b) => a - b)[r.length >> 1]);
}

/** dist/worker.js: its size, and whether the webview's schemas reached it (they must not). */
function workerBundleFigures(): { bytes: number; sources: number; schemas: boolean } {
  const map = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'worker.js.map'), 'utf8')) as { sources: string[] };
  return { bytes: statSync(path.join(ROOT, 'dist', 'worker.js')).size, sources: map.sources.length, schemas: map.sources.some((s) => /valibot|src\/protocol\.ts/.test(s)) };
}

/** Forward, backward to the weights and backward to the activations: about 6 flops per weight per sample. */
function gflops(network: Network, stepsPerSecond: number): number {
  return (6 * network.parameterCount * network.data.samples * stepsPerSecond) / 1e9;
}

const agrees = (a: number, b: number): boolean => Math.abs(a - b) <= AGREEMENT_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), 1e-12);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const say = (line: string): void => { if (!json) console.log(line); };

async function main(): Promise<void> {
  // `npm run bench -- --unit-maps [--quick]`: each unit's picture alone (bench/unitMaps.ts).
  if (process.argv.includes('--unit-maps')) {
    const unitMaps = await benchUnitMaps(quick, say);
    if (json) console.log(JSON.stringify({ unitMaps }));
    return;
  }
  await initTensorFlow();
  say(`${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`);
  const cases: Case[] = [
    { name: 'dosage (StatQuest, 1-2-1 softplus)', network: loadNetwork(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8')) },
    dense('1-32-32-1 tanh', [1, 32, 32, 1], 'tanh', 256, 11),
    dense('64-64-64-10 sigmoid', [64, 64, 64, 10], 'sigmoid', 1024, 12),
    dense('784-128-64-10 tanh', [784, 128, 64, 10], 'tanh', 256, 13),
  ];
  const dosage = cases[0].network;

  // A million steps of the dosage network with history: what it weighs.
  const trainer = new Trainer(dosage);
  global.gc?.();
  const before = process.memoryUsage();
  const history = new History(trainer);
  const MILLION = 1_000_000;
  for (let i = 0; i < MILLION; i++) { trainer.step(); history.record(); }
  global.gc?.();
  const after = process.memoryUsage();
  const memory = {
    steps: MILLION, historyBytes: history.bytes, maxBytes: history.maxBytes, checkpointInterval: history.interval,
    processGrowthBytes: after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers,
  };
  say(`history of ${int(MILLION)} dosage steps: ${mb(memory.historyBytes)} kept (cap ${mb(memory.maxBytes)}, a checkpoint every ${memory.checkpointInterval} steps); the process grew by ${mb(memory.processGrowthBytes)}`);

  say('');
  say(`${'case'.padEnd(36)} ${'params'.padStart(7)} ${'samples'.padStart(7)} | ${'core steps/s'.padStart(13)} ${'GFLOP/s'.padStart(7)} | ${'TF.js steps/s'.padStart(13)} ${'GFLOP/s'.padStart(7)} | ${'ratio'.padStart(6)} target | loss after ${AGREEMENT_STEPS} steps: core, TF.js`);
  const results = [];
  const extras = [];
  let failed = false;
  for (const c of cases) {
    const { network } = c;
    const ours = new Trainer(network);
    const theirs = tensorFlowTrainer(network);
    for (let i = 0; i < AGREEMENT_STEPS; i++) { ours.step(); theirs.step(); }
    const lossAfter50 = ours.evaluate();
    const tfjsLossAfter50 = theirs.loss();
    const agree = agrees(lossAfter50, tfjsLossAfter50);
    if (!agree) failed = true;

    // The extras ride on trainers of their own, timed in the same rounds as the plain step.
    const traced = new Trainer(network);
    const trace = new ChainRuleTrace(traced, network.parameters[0]);
    const kept = new Trainer(network);
    const history = new History(kept);
    // Adam on the same network: its rule over the engine's buffers, after the same passes.
    const adam = new Trainer({ ...network, training: { ...network.training, optimizer: OPTIMIZER_DEFAULTS.adam, learningRate: 1e-4 } });
    const [stepsPerSecond, tfjsStepsPerSecond, withTrace, withHistory, withAdam] = rates([
      () => ours.step(),
      () => theirs.step(),
      () => { traced.step(); trace.record(); },
      () => { kept.step(); history.record(); },
      () => adam.step(),
    ]);
    theirs.dispose();
    const ratio = stepsPerSecond / tfjsStepsPerSecond;
    const target = network.parameterCount < 5000 ? 5 : 3;
    const row = {
      name: c.name, params: network.parameterCount, samples: network.data.samples, engine: ours.engine,
      stepsPerSecond, tfjsStepsPerSecond, gflops: gflops(network, stepsPerSecond), tfjsGflops: gflops(network, tfjsStepsPerSecond),
      ratio, target, meetsTarget: ratio >= target, lossAfter50, tfjsLossAfter50, lossesAgree: agree,
    };
    results.push(row);
    say(`${c.name.padEnd(36)} ${String(row.params).padStart(7)} ${String(row.samples).padStart(7)} | ${int(stepsPerSecond).padStart(13)} ${row.gflops.toFixed(2).padStart(7)} | ${int(tfjsStepsPerSecond).padStart(13)} ${row.tfjsGflops.toFixed(2).padStart(7)} | ${ratio.toFixed(1).padStart(5)}x ${(row.meetsTarget ? `>=${target}x ok` : `<${target}x MISSED`).padEnd(6)} | ${lossAfter50.toPrecision(6)}, ${tfjsLossAfter50.toPrecision(6)}${agree ? '' : '  DISAGREE'}`);

    for (const [name, extraRate, budget] of [['chain-rule breakdown every step', withTrace, 10], ['history snapshot every step', withHistory, 10], ['Adam instead of gradient descent', withAdam, 15]] as const) {
      const overheadPercent = (stepsPerSecond / extraRate - 1) * 100;
      extras.push({ case: c.name, name, stepsPerSecond: extraRate, overheadPercent });
      // Budgets for the large cases: a teaching network's step is a few hundred nanoseconds, where any extra shows.
      const over = overheadPercent > budget && network.parameterCount >= 5000;
      say(`  + ${name.padEnd(32)} ${''.padStart(16)} | ${int(extraRate).padStart(13)} steps/s, ${overheadPercent >= 0 ? '+' : ''}${overheadPercent.toFixed(1)}% per step${over ? `  (over the ${budget}% budget)` : ''}`);
    }
  }

  // A large network under a small cap: the cap holds however long it trains.
  const large = cases[3].network;
  const largeTrainer = new Trainer(large);
  const cap = 8 * 1024 * 1024;
  const largeHistory = new History(largeTrainer, { maxBytes: cap, checkpointEvery: 1 });
  let largest = 0;
  const largeSteps = quick ? 24 : 60;
  for (let i = 0; i < largeSteps; i++) { largeTrainer.step(); largeHistory.record(); largest = Math.max(largest, largeHistory.bytes); }
  const capped = { case: cases[3].name, steps: largeSteps, maxBytes: cap, largestBytes: largest, checkpointInterval: largeHistory.interval };
  say(`history of ${largeSteps} steps of ${capped.case} under a ${mb(cap)} cap: at most ${mb(largest)} kept, a checkpoint every ${capped.checkpointInterval} steps`);

  // The dosage file with stopping rules that will not fire, so Continue runs for the whole measurement.
  const dosageFile = JSON.parse(readFileSync(path.join(ROOT, 'examples', 'dosage-all.nn.json'), 'utf8'));
  dosageFile.training = { ...dosageFile.training, maxSteps: 1e12, minStepSize: 0 };
  const editor: EditorFigures = await benchEditorContinue(JSON.stringify(dosageFile), quick ? 1 : 3);
  // Real training in the editor's worker: Adam on batches of 2 (the three samples: a batch of 2, then of 1).
  const adamFile = { ...dosageFile, training: { ...dosageFile.training, optimizer: 'adam', batchSize: 2, learningRate: 0.001 } };
  const editorAdam: EditorFigures = await benchEditorContinue(JSON.stringify(adamFile), quick ? 1 : 3);
  say(`editor Continue on the dosage network with Adam on batches of 2 (training worker): ${int(editorAdam.stepsPerSecond)} steps/s ${editorAdam.stepsPerSecond >= 1e6 ? 'ok (>= 1,000,000)' : 'MISSED (>= 1,000,000)'}`);
  say(`editor Continue on the dosage network (training worker): ${int(editor.stepsPerSecond)} steps/s; host commands answered in ${editor.medianCommandMs.toFixed(2)} ms median, ${editor.maxCommandMs.toFixed(2)} ms worst; host event loop delayed ${editor.maxEventLoopDelayMs.toFixed(1)} ms at worst`);

  // The debugger: breakpoints armed in Continue, Pause under Continue, Go to Step, frame sizes.
  const endless = loadNetwork(JSON.stringify(dosageFile));
  const breakpointCost = benchBreakpointCost(endless, quick ? 1 : 3);
  const logpointCost = benchBreakpointCost(endless, quick ? 1 : 3, LOGPOINT);
  const mark = (ok: boolean, target: string): string => (ok ? `(target ${target}: ok)` : `(target ${target}: MISSED)`);
  say('');
  say(`breakpoints armed in Continue's loop (dosage; \`step 1e12\` and \`${(ARMED[1] as { expression: string }).expression}\`, never hit): ${int(breakpointCost.armedStepsPerSecond)} steps/s against ${int(breakpointCost.bareStepsPerSecond)} bare, +${breakpointCost.overheadPercent.toFixed(1)}% per step ${mark(breakpointCost.overheadPercent <= 25, '<= 25%')}`);
  say(`a logpoint writing \`${LOGPOINT[0].logMessage}\` every 100 steps in Continue's loop (dosage): ${int(logpointCost.armedStepsPerSecond)} steps/s against ${int(logpointCost.bareStepsPerSecond)} bare, +${logpointCost.overheadPercent.toFixed(1)}% per step ${mark(logpointCost.overheadPercent <= 25, '<= 25%')}`);
  const editorArmed = await benchEditorContinue(JSON.stringify(dosageFile), quick ? 1 : 3, ARMED);
  say(`editor Continue with those breakpoints armed (training worker): ${int(editorArmed.stepsPerSecond)} steps/s ${mark(editorArmed.stepsPerSecond >= 1e6, '>= 1,000,000')}`);
  const pause = await benchPause(JSON.stringify(dosageFile), quick ? 10 : 40);
  say(`Pause under Continue (${pause.rounds} times): the worker stopped ${pause.workerMedianMs.toFixed(2)} ms median, ${pause.workerWorstMs.toFixed(2)} ms worst after the host sent it; the host had the stop ${pause.hostMedianMs.toFixed(2)} ms median, ${pause.hostWorstMs.toFixed(2)} ms worst ${mark(pause.hostWorstMs <= 50, '<= 50 ms')}; frames after a stop: ${pause.framesAfterStop}`);
  const editorCharts = await benchEditorContinue(JSON.stringify(dosageFile), quick ? 1 : 3, [], EVERY_PANEL);
  say(`editor Continue with every chart panel open (the contour map of w3 and b3 too; training worker): ${int(editorCharts.stepsPerSecond)} steps/s ${mark(editorCharts.stepsPerSecond >= 1e6, '>= 1,000,000')}, the charts refreshed in ${editorCharts.chartFrames} frames`);
  const chartCost = benchCharts(endless, MILLION, quick ? 10 : 40);
  say(`every chart's data in a ${int(chartCost.steps)}-step dosage history, in the worker: ${chartCost.firstMs.toFixed(1)} ms the first time, then ${chartCost.medianMs.toFixed(2)} ms median, ${chartCost.worstMs.toFixed(2)} ms worst per refresh (at most one refresh per 250 ms of Continue); the loss sent as ${chartCost.lossPoints} points (LTTB), ${(chartCost.bytes / 1024).toFixed(1)} KB in all`);
  const unitMaps = await benchUnitMaps(quick, say);
  const draw = benchChartDraw(quick ? 8 : 30, ['loss']);
  say(`the page drawing the loss of those ${int(draw.steps)} steps as Continue refreshes it (headless Chromium, 1600x1000): ${draw.medianMs.toFixed(1)} ms median, ${draw.worstMs.toFixed(1)} ms worst over ${draw.draws} refreshes ${mark(draw.worstMs < 16, '< 16 ms, one frame')}`);
  const drawAll = benchChartDraw(quick ? 8 : 30, EVERY_PANEL.panels);
  say(`the page drawing every panel (the contour map too; one panel per animation frame): the longest panel ${drawAll.medianMs.toFixed(1)} ms median, ${drawAll.worstMs.toFixed(1)} ms worst per refresh`);
  const goTo = benchGoTo(endless, MILLION, quick ? 20 : 100);
  say(`Go to Step in a ${int(goTo.steps)}-step dosage history (${goTo.medianMs.toFixed(2)} ms median, ${goTo.worstMs.toFixed(2)} ms worst ${mark(goTo.worstMs < 100, '< 100 ms')}; ${goTo.exact ? 'every step exactly as first trained' : 'A STEP CAME BACK DIFFERENT'}); the history keeps ${mb(goTo.historyBytes)} ${mark(goTo.historyBytes <= goTo.maxBytes, `its cap, ${mb(goTo.maxBytes)}`)}, a checkpoint every ${goTo.checkpointInterval} steps`);
  if (!goTo.exact) failed = true;
  const frames = [frameSizes(cases[0].name, dosage), frameSizes(cases[3].name, cases[3].network)];
  for (const f of frames) say(`frames of ${f.name} (${int(f.params)} parameters): structure ${(f.structureBytes / 1024).toFixed(1)} KB once, then ${(f.runningFrameBytes / 1024).toFixed(1)} KB per frame while running, ${(f.stoppedFrameBytes / 1024).toFixed(1)} KB at a stop ${mark(f.stoppedFrameBytes < 1024 * 1024 && f.runningFrameBytes < 1024 * 1024, '< 1 MB')}`);
  const pauseGoTo = await benchPauseDuringGoTo(cases[3].text!, quick ? 5 : 15);
  say(`Pause during Go to Step on ${cases[3].name} (a million steps ahead, ${pauseGoTo.rounds} times): the worker stopped ${pauseGoTo.workerMedianMs.toFixed(1)} ms median, ${pauseGoTo.workerWorstMs.toFixed(1)} ms worst after the host sent it; the host had the stop ${pauseGoTo.hostMedianMs.toFixed(1)} ms median ${mark(pauseGoTo.hostMedianMs <= 100, '<= 100 ms')}, ${pauseGoTo.hostWorstMs.toFixed(1)} ms worst; frames after a stop: ${pauseGoTo.framesAfterStop}`);
  const wide = dense('64-128-64-1 tanh', [64, 128, 64, 1], 'tanh', 256, 14);
  const bare = await benchEditorContinue(wide.text!, quick ? 1 : 3);
  const pinned = await benchEditorContinue(wide.text!, quick ? 1 : 3, [], null, ['w1']);
  const pinnedCost = (bare.stepsPerSecond / pinned.stepsPerSecond - 1) * 100;
  say(`editor Continue on ${wide.name} with w1 pinned (its chain rule and finite-difference check sent a few times a second): ${int(pinned.stepsPerSecond)} steps/s against ${int(bare.stepsPerSecond)} with nothing pinned, ${pinnedCost >= 0 ? '+' : ''}${pinnedCost.toFixed(1)}% ${mark(pinnedCost <= 10, '<= 10%')}`);
  const workerBundle = workerBundleFigures();
  say(`the training worker's bundle: ${(workerBundle.bytes / 1024).toFixed(0)} KB, ${workerBundle.sources} sources, ${workerBundle.schemas ? 'WITH the webview\'s schemas (valibot)' : "without the webview's schemas (no valibot, no src/protocol.ts)"}`);
  const adapter = await benchAdapter(cases[3].text!, cases[3].network.parameterCount, quick ? 3 : 10);
  const ms = (f: { medianMs: number; worstMs: number }): string => `${f.medianMs.toFixed(1)} ms median, ${f.worstMs.toFixed(1)} ms worst`;
  say(`VS Code's debugger on ${cases[3].name} (${int(adapter.params)} parameters, through DAP, ${quick ? 3 : 10} stops): a page of 100 parameters ${ms(adapter.parametersPage)}; a parameter expanded ${ms(adapter.parameter)}; its chain rule expanded ${ms(adapter.chainRule)}; the Layers scope ${ms(adapter.layers)}; a sample's units ${ms(adapter.sample)}`);
  say('');
  const controls = benchPageControls(quick ? 3 : 7);
  say(`controls clicked in the network editor in real VS Code (code-server + Chromium, 1600x1000), from the click's event to the frame that paints the answer; each hop from the one before it, medians (ms):`);
  say(`  ${'network'.padEnd(28)} ${'control'.padEnd(8)} ${'charts'.padEnd(6)} | ${'median'.padStart(6)} ${'worst'.padStart(6)} | ${HOPS.slice(1).map((h) => h.padStart(14)).join('')}`);
  for (const c of controls) {
    const target = c.control === 'goTo' ? 100 : c.network.startsWith('784') ? 100 : 50;
    const ok = c.medianMs <= target && (c.network.startsWith('784') || c.control === 'goTo' || c.worstMs <= 100);
    say(`  ${c.network.padEnd(28)} ${c.control.padEnd(8)} ${(c.charts ? 'open' : 'closed').padEnd(6)} | ${c.medianMs.toFixed(0).padStart(6)} ${c.worstMs.toFixed(0).padStart(6)} | ${HOPS.slice(1).map((h) => c.hops[h].toFixed(1).padStart(14)).join('')} ${ok ? '' : ` (target ${target} ms median${c.network.startsWith('784') || c.control === 'goTo' ? '' : ', 100 worst'}: MISSED)`}`);
  }
  say('');
  const dataFile = benchDataFile(quick ? 3 : 9);
  say(describeDataFile(dataFile));
  const models = await benchModels(quick ? 3 : 9);
  for (const line of describeModels(models)) say(line);

  const activation = benchActivation(ROOT, quick ? 5 : 15);
  say(`extension activation (fresh process, median of ${activation.runs}): loading the ${(activation.bundleBytes / 1024).toFixed(0)} KB bundle ${activation.loadMs.toFixed(1)} ms, activate() ${activation.activateMs.toFixed(1)} ms`);

  if (json) console.log(JSON.stringify({ cases: results, extras, history: memory, historyCap: capped, editor, editorAdam, activation, dataFile, models, debugger: { breakpointCost, logpointCost, editorArmed, pause, goTo, frames, adapter, pauseGoTo, pinned: { bare: bare.stepsPerSecond, pinned: pinned.stepsPerSecond, costPercent: pinnedCost }, workerBundle }, charts: { editor: editorCharts, compute: chartCost, draw, drawAll, unitMaps }, controls }));
  if (failed) {
    console.error(`The core and TensorFlow.js disagree on a loss after ${AGREEMENT_STEPS} steps: the comparison is not like for like.`);
    process.exitCode = 1;
  }
}

main().catch((e: Error) => {
  console.error(e.stack ?? e.message);
  process.exitCode = 1;
});
