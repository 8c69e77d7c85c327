import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, Trainer } from '../../src/core';
import type { NetworkModel } from '../../src/protocol';
import { TrainingSession } from '../../src/session/training';
import { TrainingWorker } from '../../src/training/client';
import { examplePath, loadExample, ROOT } from './helpers';

const dosage = loadExample('dosage-all.nn.json');

/** A clock that advances by `tick` ms at each reading, so slices end by step count, not by the machine's speed. */
function fakeClock(tick: number): () => number {
  let t = 0;
  return () => (t += tick);
}

describe('training session', () => {
  it('Continue stops where Trainer.run stops, with the same reason and parameters', () => {
    for (const name of ['dosage-b3.nn.json', 'dosage-all.nn.json', 'xor.nn.json']) {
      const network = loadExample(name);
      const reference = new Trainer(network);
      const expected = reference.run();
      const session = new TrainingSession(network);
      let reason = null;
      while (!reason) reason = session.run(5, fakeClock(1));
      assert.equal(reason, expected.stopReason, name);
      assert.equal(session.trainer.stepCount, expected.steps, name);
      assert.deepEqual(session.trainer.params, reference.params, name);
      // At the step limit Continue takes no step; Step still does.
      if (reason === 'max-steps') {
        assert.equal(session.run(5, fakeClock(1)), 'max-steps');
        assert.equal(session.trainer.stepCount, expected.steps);
      }
    }
  });

  it('ends a slice when its time is spent, and picks up where it left off', () => {
    const network = loadNetwork(JSON.stringify({ ...JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8')), training: { learningRate: 0.1, maxSteps: 1e9, minStepSize: 0 } }));
    const session = new TrainingSession(network);
    assert.equal(session.run(10, fakeClock(1)), null);
    const first = session.trainer.stepCount;
    assert.ok(first > 0);
    assert.equal(session.run(10, fakeClock(1)), null);
    assert.ok(session.trainer.stepCount > first);
    const reference = new Trainer(network);
    for (let i = 0; i < session.trainer.stepCount; i++) reference.step();
    assert.deepEqual(session.trainer.params, reference.params);
  });

  it('steps back exactly, and resets to the file\'s parameters', () => {
    const session = new TrainingSession(dosage);
    for (let i = 0; i < 300; i++) session.step();
    const at299 = new Trainer(dosage);
    for (let i = 0; i < 299; i++) at299.step();
    session.stepBack();
    assert.equal(session.trainer.stepCount, 299);
    assert.deepEqual(session.trainer.params, at299.params);
    assert.equal(session.status().loss, at299.evaluate());
    session.reset();
    assert.equal(session.trainer.stepCount, 0);
    assert.deepEqual(session.trainer.params, dosage.initialParameters);
    session.stepBack();
    assert.equal(session.trainer.stepCount, 0);
  });

  it('says diverged, never converged, when the learning rate blows the loss up', () => {
    const text = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    const session = new TrainingSession(loadNetwork(JSON.stringify({ ...text, training: { learningRate: 50, maxSteps: 10000 } })));
    let reason = null;
    while (!reason) reason = session.run(5, fakeClock(1));
    assert.equal(reason, 'diverged');
  });
});

describe('training worker', function () {
  this.timeout(30_000);
  // The tsc build of the worker: the same code esbuild bundles into dist/worker.js.
  const script = path.join(ROOT, 'out', 'src', 'training', 'worker.js');
  let worker: TrainingWorker;
  beforeEach(() => { worker = new TrainingWorker(script); });
  afterEach(async () => { await worker.dispose(); });

  /** Opens the dosage file and collects its frames. */
  function open(text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8')) {
    const frames: NetworkModel[] = [];
    const errors: string[] = [];
    let waiters: (() => void)[] = [];
    const wake = (): void => {
      const woken = waiters;
      waiters = [];
      woken.forEach((w) => w());
    };
    const handle = worker.open({
      frame: (m) => { frames.push(m); wake(); },
      error: (m) => { errors.push(m); wake(); },
    });
    const next = (until: (m: NetworkModel) => boolean): Promise<NetworkModel> => new Promise((resolve) => {
      const check = (): void => {
        const hit = frames.find(until);
        if (hit) resolve(hit); else waiters.push(check);
      };
      check();
    });
    handle.load(text);
    return { handle, frames, errors, next };
  }

  it('loads a network and answers Step, Step Back and Reset with frames of the exact state', async () => {
    const { handle, next } = open();
    const first = await next((m) => m.step === 0);
    assert.deepEqual(first.params.map((p) => p.value), Array.from(dosage.initialParameters));
    assert.equal(first.training.running, false);
    handle.control('step');
    handle.control('step');
    const two = await next((m) => m.step === 2);
    const reference = new Trainer(dosage);
    reference.step();
    reference.step();
    assert.deepEqual(two.params.map((p) => p.value), Array.from(reference.params));
    assert.equal(two.lossValue, reference.evaluate());
    handle.control('stepBack');
    const one = await next((m) => m.step === 1 && m.training.earliest === 0);
    assert.ok(one);
    const explanation = await handle.explain('w3');
    assert.equal(explanation?.parameter, 'w3');
    handle.control('reset');
    await next((m) => m.step === 0 && m.params[0].value === dosage.initialParameters[0]);
  });

  it('runs Continue off the calling thread: pings are answered while it trains, and Pause stops it', async () => {
    const text = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    const { handle, next, frames } = open(JSON.stringify({ ...text, training: { learningRate: 0.01, maxSteps: 1e12, minStepSize: 0 } }));
    await next((m) => m.step === 0);
    handle.control('continue');
    await next((m) => m.training.running && m.step > 1000);
    const { running } = await worker.ping();
    assert.equal(running, 1, 'the ping was answered while Continue ran');
    handle.control('pause');
    const paused = await next((m) => !m.training.running && m.step > 1000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const last = frames[frames.length - 1];
    assert.equal(last.step, paused.step, 'no step after Pause');
    assert.equal(last.training.stopReason, null);
  });

  it('stops Continue by itself when a stopping rule fires, and says which', async () => {
    const { handle, next } = open();
    await next((m) => m.step === 0);
    handle.control('continue');
    const stopped = await next((m) => !m.training.running && m.training.stopReason !== null);
    const expected = new Trainer(dosage).run();
    assert.equal(stopped.training.stopReason, expected.stopReason);
    assert.equal(stopped.step, expected.steps);
  });

  it('reports a file it cannot load, and starts again after the worker dies', async () => {
    const bad = open('{ "inputs": [');
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (bad.errors.length) { clearInterval(t); resolve(); } }, 10); });
    assert.match(bad.errors[0], /^network:1:14: /);
    const good = open();
    await good.next((m) => m.step === 0);
    good.handle.control('step');
    await good.next((m) => m.step === 1);
    // Kill the thread under it: the client starts a new worker and reloads the network.
    const before = good.frames.length;
    await (worker as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    await new Promise<void>((resolve) => { const t = setInterval(() => { if (good.errors.length) { clearInterval(t); resolve(); } }, 10); });
    assert.match(good.errors[0], /training worker stopped/);
    // Reloaded from the file in the new worker, at step 0, and it trains again.
    const reloaded = await new Promise<NetworkModel>((resolve) => { const t = setInterval(() => { if (good.frames.length > before) { clearInterval(t); resolve(good.frames[before]); } }, 10); });
    assert.equal(reloaded.step, 0);
    good.handle.control('step');
    await good.next((m) => m === good.frames[good.frames.length - 1] && m.step === 1 && good.frames.indexOf(m) > before);
  });
});
