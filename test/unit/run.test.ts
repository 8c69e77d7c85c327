/**
 * The run of a document, over the real training worker (the tsc build of the code esbuild bundles
 * into dist/worker.js): one per document, shared, driven by controls and by edits of the text.
 * Every wait is for a state (a frame, a stop, a reply), never for time.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, Trainer } from '../../src/core';
import { writeParameters } from '../../src/core/writeback';
import type { Explained, TrainingFrame } from '../../src/protocol';
import { RunRegistry } from '../../src/run/registry';
import type { BreakpointStore, Run } from '../../src/run/run';
import type { BreakpointSpec, BuiltinSettings } from '../../src/session/breakpointTypes';
import type { Stop } from '../../src/session/training';
import { TrainingWorker, WorkerError } from '../../src/training/client';
import { SessionUnitMaps } from '../../src/session/unitMaps';
import { examplePath, ROOT } from './helpers';

const TEXT = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
const DOC = JSON.parse(TEXT);
const dosage = loadNetwork(TEXT);
/** The dosage file training for ever, so Continue runs until it is paused. */
const ENDLESS = JSON.stringify({ ...DOC, training: { learningRate: 0.01, maxSteps: 1e12, minStepSize: 0 } }, null, 2);

/** Resolves with the first value `emitter` fires that passes `test`. */
function next<T>(emitter: { on(l: (v: T) => void): { dispose(): void } }, test: (v: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const sub = emitter.on((v) => { if (test(v)) { sub.dispose(); resolve(v); } });
  });
}

describe('the run of a document', function () {
  this.timeout(30_000);
  const script = path.join(ROOT, 'out', 'src', 'training', 'worker.js');
  let worker: TrainingWorker;
  let registry: RunRegistry;
  const stores = new Map<string, { specs: BreakpointSpec[]; builtins: BuiltinSettings }>();
  const storeFor = (uri: string): BreakpointStore => ({ load: () => stores.get(uri), save: (specs, builtins) => { stores.set(uri, { specs, builtins }); } });
  beforeEach(() => {
    worker = new TrainingWorker(script);
    registry = new RunRegistry(worker, storeFor);
    stores.clear();
  });
  afterEach(async () => { await worker.dispose(); });

  async function open(text = TEXT, uri = 'test:/dosage.nn.json'): Promise<{ run: Run; frames: TrainingFrame[]; dispose(): void }> {
    const attachment = registry.attach(uri, 'dosage.nn.json');
    const { run } = attachment;
    const frames: TrainingFrame[] = [];
    run.onFrame.on((f) => frames.push(f));
    const outcome = await run.setText(text);
    assert.equal(outcome, 'loaded', run.problem);
    return { run, frames, dispose: () => attachment.dispose() };
  }

  it("sends the charts every page of it needs: their panels together, the last asker's selection, and a stop's at once", async () => {
    const { run } = await open(ENDLESS);
    const first = {};
    const second = {};
    let charts = next(run.onCharts);
    await run.setCharts(first, { panels: ['loss', 'profile'], parameters: ['w3'] });
    let c = await charts;
    assert.deepEqual([Boolean(c.loss), c.profile?.parameter, Boolean(c.fit)], [true, 'w3', false]);
    // Charts computed for the first request may still be on their way (a busy machine): wait for
    // the ones that answer the second, then check they hold every page's panels.
    charts = next(run.onCharts, (x) => x.profile?.parameter === 'b3');
    await run.setCharts(second, { panels: ['fit', 'profile'], parameters: ['b3'] });
    c = await charts;
    assert.deepEqual([Boolean(c.loss), c.profile?.parameter, Boolean(c.fit)], [true, 'b3', true]);
    // A step brings the charts of its stop, at once.
    charts = next(run.onCharts, (x) => x.step === 1);
    await run.control('step');
    assert.equal((await charts).loss!.current.step, 1);
    // The second page closes: its fit is no longer computed.
    charts = next(run.onCharts);
    await run.setCharts(second, null);
    await run.control('step');
    c = await charts;
    assert.deepEqual([Boolean(c.loss), Boolean(c.fit)], [true, false]);
    await run.setCharts(first, null);
    assert.equal(run.chartRequest, null);
  });

  it('refreshes the charts during Continue, and draws the stop of a Pause at once', async () => {
    const { run } = await open(ENDLESS);
    await run.setCharts(run, { panels: ['loss', 'instruments'], parameters: [] });
    const during: number[] = [];
    run.onCharts.on(() => { if (run.running) during.push(performance.now()); });
    await run.control('continue');
    // Wait for three refreshes while it runs (states, not time), then pause.
    await new Promise<void>((resolve) => { const sub = run.onCharts.on(() => { if (during.length >= 3) { sub.dispose(); resolve(); } }); });
    const stopped = next(run.onCharts, (x) => x.step === run.frame?.step && !run.running);
    await run.control('pause');
    const last = await stopped;
    assert.equal(last.loss!.current.step, run.frame!.step);
    assert.ok(last.series!.steps.includes(run.frame!.step), 'the series reaches the step paused at');
    // (How often Continue refreshes them is the bench's to measure: `npm run bench`.)
  });

  it("sends each unit's picture when a page asks for them alone: refreshed after a step, during Continue, and exact at the stop", async () => {
    const xor = readFileSync(examplePath('xor.nn.json'), 'utf8');
    const { run } = await open(JSON.stringify({ ...JSON.parse(xor), training: { learningRate: 0.5, maxSteps: 1e12, minStepSize: 0 } }), 'test:/xor.nn.json');
    let charts = next(run.onCharts, (x) => x.units !== undefined);
    await run.setCharts(run, { panels: [], parameters: [], units: true });
    const before = await charts;
    assert.equal(before.units!.units.length, 4);
    assert.equal(before.loss, undefined, 'no panel open, none computed');
    charts = next(run.onCharts, (x) => x.step === 1);
    await run.control('step');
    const after = await charts;
    assert.notDeepEqual(after.units!.units.map((u) => u.cells), before.units!.units.map((u) => u.cells), 'the pictures follow the step');
    // During Continue at a budgeted rate, and at the stop of a Pause, the stop's own.
    const during: number[] = [];
    run.onCharts.on((x) => { if (run.running && x.units) during.push(x.step); });
    await run.control('continue');
    await new Promise<void>((resolve) => { const sub = run.onCharts.on(() => { if (during.length >= 2) { sub.dispose(); resolve(); } }); });
    const stopped = next(run.onCharts, (x) => x.step === run.frame?.step && !run.running);
    await run.control('pause');
    const last = await stopped;
    const { values } = await run.parameters();
    assert.deepEqual(last.units, new SessionUnitMaps().compute(loadNetwork(xor), values), 'the pictures of the state paused at');
  });

  it('loads a network and answers Step, Step Back and Reset with the exact state', async () => {
    const { run } = await open();
    assert.equal(run.frame?.step, 0);
    assert.deepEqual(run.frame?.values, Array.from(dosage.initialParameters));
    assert.equal(run.structure?.params.length, 7);
    await run.control('step');
    const stop = await run.control('step');
    const reference = new Trainer(dosage);
    reference.step();
    reference.step();
    assert.equal(stop?.text, 'Paused at step 2');
    assert.deepEqual([run.frame?.step, run.frame?.values, run.frame?.loss], [2, Array.from(reference.params), reference.evaluate()]);
    await run.untilStopped(run.control('stepBack'));
    assert.equal(run.frame?.step, 1);
    assert.equal((await run.explain('w3'))?.parameter, 'w3');
    assert.equal((await run.unit(1, 0))?.x.length, 3);
    await run.control('reset');
    assert.deepEqual([run.frame?.step, run.frame?.values], [0, Array.from(dosage.initialParameters)]);
  });

  it('is one run per document, shared by everything attached, and ends when the last lets go', async () => {
    const a = await open();
    const second = registry.attach('test:/dosage.nn.json', 'dosage.nn.json');
    const b = second.run;
    assert.equal(b, a.run, 'the same run');
    await b.control('step');
    assert.equal(a.run.frame?.step, 1, 'a control from one surface moves what every surface shows');
    a.dispose();
    assert.equal(registry.find('test:/dosage.nn.json'), a.run, 'still attached once');
    second.dispose();
    assert.equal(registry.find('test:/dosage.nn.json'), undefined, 'the last one let go: the run ended');
    const fresh = registry.attach('test:/dosage.nn.json', 'dosage.nn.json');
    assert.notEqual(fresh.run, a.run);
    fresh.dispose();
    assert.equal(registry.all().length, 0, 'no run outlives its attachments');
  });

  it('runs Continue off the calling thread; Pause stops it where the last frame says, and no frame comes after', async () => {
    const { run, frames } = await open(ENDLESS);
    const continued = next(run.onContinued);
    assert.equal(await run.control('continue'), null);
    await continued;
    assert.equal(run.running, true);
    await next(run.onFrame, (f) => f.running && f.step > 1000);
    const { running } = await worker.ping();
    assert.equal(running, 1, 'the worker answered while Continue ran');
    const stopped = next(run.onStopped);
    const stop = await run.control('pause');
    assert.equal((await stopped).step, stop?.step);
    assert.deepEqual([stop?.reason, stop?.text], ['pause', `Paused at step ${stop?.step}`]);
    const count = frames.length;
    assert.deepEqual([run.running, run.frame?.running, run.frame?.step, run.frame?.stop?.step], [false, false, stop?.step, stop?.step]);
    // The worker answers in order: anything it sent before this reply has arrived.
    await worker.ping();
    assert.equal(frames.length, count, 'no frame after the stop');
    assert.equal(await run.control('pause'), null, 'Pause with nothing running does nothing');
  });

  it('pauses Continue in sight when an edit breaks the file, and goes on from there when it is fixed', async () => {
    const { run } = await open(ENDLESS);
    await run.control('continue');
    await next(run.onFrame, (f) => f.running && f.step > 100);
    const stopped = next(run.onStopped);
    assert.equal(await run.setText(ENDLESS.replace('"softplus"', '"softplu"')), 'failed');
    const stop = await stopped;
    assert.equal(stop.reason, 'pause');
    assert.equal(run.running, false);
    assert.match(run.problem!, /^network:\d+:\d+: unknown activation "softplu"/);
    assert.equal(run.frame?.step, stop.step, 'the run keeps its step');
    assert.equal(await run.setText(ENDLESS), 'kept');
    assert.equal(run.problem, undefined);
    assert.equal(run.frame?.step, stop.step);
  });

  it('goes on with edited training settings, keeps going for a name, restarts for data and says why', async () => {
    const { run } = await open();
    for (let i = 0; i < 5; i++) await run.control('step');
    const structures: (string | null)[] = [];
    run.onStructure.on(() => structures.push(run.restartedBecause));
    assert.equal(await run.setText(JSON.stringify({ ...DOC, training: { ...DOC.training, learningRate: 0.05 } })), 'retrained');
    assert.deepEqual([run.frame?.step, run.structure?.learningRate], [5, 0.05]);
    assert.equal(await run.setText(JSON.stringify({ ...DOC, name: 'renamed', training: { ...DOC.training, learningRate: 0.05 } })), 'kept');
    assert.deepEqual([run.frame?.step, run.structure?.name], [5, 'renamed']);
    const data = [{ dosage: 0, efficacy: 0 }, { dosage: 0.5, efficacy: 0.8 }, { dosage: 1, efficacy: 0 }];
    assert.equal(await run.setText(JSON.stringify({ ...DOC, data })), 'restarted');
    assert.deepEqual([run.frame?.step, run.restartedBecause, run.frame?.stop?.reason], [0, 'the data changed', 'entry']);
    assert.deepEqual(structures, [null, null, 'the data changed']);
  });

  it('writes its parameters into the text without restarting: the run keeps its step and history', async () => {
    const { run } = await open();
    for (let i = 0; i < 30; i++) await run.control('step');
    const { values } = await run.parameters();
    assert.deepEqual(values, run.frame?.values);
    assert.equal(await run.setText(writeParameters(TEXT, values)), 'kept');
    assert.equal(run.frame?.step, 30);
    await run.untilStopped(run.control('stepBack'));
    assert.equal(run.frame?.step, 29, 'the history is still there');
    // Parameters the run did not write are a new start.
    assert.equal(await run.setText(writeParameters(TEXT, values.map((v) => v + 1))), 'restarted');
    assert.equal(run.restartedBecause, 'the parameters in the file changed');
  });

  it('writes its parameters rounded without restarting: the run keeps its exact ones and its step; undo goes back to the start it knows', async () => {
    const { run } = await open();
    for (let i = 0; i < 30; i++) await run.control('step');
    const { values } = await run.parameters(3);
    const rounded = writeParameters(TEXT, values, { digits: 3 });
    assert.notDeepEqual(Array.from(loadNetwork(rounded).initialParameters), values, 'rounding changed the numbers');
    assert.equal(await run.setText(rounded), 'kept');
    assert.equal(run.frame?.step, 30);
    assert.deepEqual(run.frame?.values, values, 'the run trains on from its exact parameters, not the rounded ones');
    assert.equal(await run.setText(TEXT), 'kept', 'undo: the file it started from');
    assert.equal(run.frame?.step, 30);
    // Rounded to digits it was not told of: a new start.
    assert.equal(await run.setText(writeParameters(TEXT, values, { digits: 2 })), 'restarted');
    assert.equal(run.restartedBecause, 'the parameters in the file changed');
  });

  it('stops Continue at a breakpoint, keeps the breakpoints per document, and reports the ones that cannot work', async () => {
    const { run } = await open();
    const statuses = await run.setBreakpoints([
      { id: 'at', enabled: true, kind: 'step', step: 175 },
      { id: 'bad', enabled: true, kind: 'condition', expression: 'dw9 > 1' },
    ]);
    assert.deepEqual(statuses.map((s) => [s.id, s.verified]), [['at', true], ['bad', false]]);
    assert.match(statuses[1].message!, /did you mean dw\d\?/);
    const stopped = next<Stop>(run.onStopped, (s) => s.reason === 'breakpoint');
    await run.control('continue');
    const stop = await stopped;
    assert.deepEqual([stop.step, stop.hits.map((h) => h.id), stop.text], [175, ['at'], 'Paused at step 175: breakpoint `step 175` hit']);
    assert.equal(run.statuses.find((s) => s.id === 'at')?.hits, 1);
    const reference = new Trainer(dosage);
    for (let i = 0; i < 175; i++) reference.step();
    assert.deepEqual(run.frame?.values, Array.from(reference.params), 'the numbers of train --steps 175');
    // Kept in the store (the workspace's state in VS Code), and given to the next run of the document.
    assert.deepEqual(stores.get('test:/dosage.nn.json')?.specs.map((s) => s.id), ['at', 'bad']);
    const other = registry.attach('test:/other.nn.json', 'other.nn.json');
    assert.deepEqual(other.run.specs, []);
    other.dispose();
  });

  it('fails a request the worker cannot answer, and loads itself again when the worker dies', async () => {
    const { run } = await open();
    await run.control('step');
    const errors = next(run.onError);
    const reloaded = next(run.onFrame, (f) => f.step === 0);
    await worker.kill();
    assert.match(await errors, /training worker stopped; training starts again from the file/);
    await reloaded;
    assert.equal((await run.control('step'))?.step, 1, 'it trains again in the new worker');
    await worker.dispose();
    await assert.rejects(run.control('step'), WorkerError);
  });

  it('after a worker that keeps stopping gives up, is a failed state (no worker starts behind it) until Retry', async () => {
    const { run } = await open();
    const failed = next(run.onFailure, (f) => f !== null);
    // Four deaths within the minute: the fourth is one too many.
    for (let i = 0; i < 4; i++) {
      if (i > 0) await next(run.onFrame, (f) => f.step === 0);
      await worker.kill();
    }
    assert.match((await failed)!, /keeps stopping/);
    assert.match(run.failure!, /keeps stopping/);
    await assert.rejects(run.control('step'), /keeps stopping/);
    assert.equal(worker.started, false, 'a request does not start a worker that knows no run');
    assert.equal(await run.setText(ENDLESS), 'failed', 'nor does an edit');
    const back = next(run.onFailure, (f) => f === null);
    const loaded = next(run.onFrame, (f) => f.step === 0);
    worker.retry();
    await back;
    await loaded;
    assert.equal(run.failure, null);
    assert.equal((await run.control('step'))?.step, 1, 'Retry loads the file again and trains');
  });

  it('hands a debug session a claim that releases only itself', async () => {
    const { run } = await open();
    const first = run.claimDebugger()!;
    assert.equal(run.claimDebugger(), undefined, 'one session per file');
    await first.setBreakpoints([{ id: 'dap-function-1', enabled: true, kind: 'step', step: 3 }], {});
    assert.deepEqual(run.statuses.map((s) => s.id), ['dap-function-1']);
    await first.release();
    const second = run.claimDebugger()!;
    await second.setBreakpoints([{ id: 'dap-function-7', enabled: true, kind: 'step', step: 5 }], {});
    // The first session ending again (a late disconnect) cannot touch the second's breakpoints.
    await first.release();
    await first.setBreakpoints([], {});
    assert.deepEqual(run.statuses.map((s) => s.id), ['dap-function-7']);
    await second.release();
    assert.deepEqual(run.statuses, []);
  });

  it('tags its parameters with the document version they belong to; a broken text keeps the older version', async () => {
    const { run } = await open(TEXT);
    assert.equal(await run.setText(TEXT.replace('"learningRate": 0.1', '"learningRate": 0.2'), 5), 'retrained');
    assert.equal((await run.parameters()).version, 5);
    assert.equal(await run.setText('{ "broken', 6), 'failed');
    assert.equal((await run.parameters()).version, 5, 'the network in the worker is still version 5');
  });

  it('sends the explanations of the watched parameters with each stop, tagged with their step, and a few times a second while training', async () => {
    const { run } = await open(ENDLESS);
    const page = {};
    const later = next(run.onExplained, (e): e is Explained & { kind: 'watched' } => e.kind === 'watched' && e.step > 0) as Promise<Explained & { kind: 'watched' }>;
    await run.setWatched(page, ['w3']);
    // The dosage network's frames carry every explanation while stopped: the watched come during Continue.
    await run.control('continue');
    const during = await later;
    assert.ok(during.explanations.w3, 'w3 explained');
    assert.equal(during.explanations.w3.step, during.step);
    assert.ok(during.step > 0);
    await run.control('pause');
    await run.setWatched(page, []);
  });
});
