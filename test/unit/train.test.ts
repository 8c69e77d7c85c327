import assert from 'node:assert/strict';
import { findParameter, loadNetwork, Trainer } from '../../src/core';
import { readFileSync } from 'node:fs';
import { examplePath, loadExample } from './helpers';

function dosage(training: string): ReturnType<typeof loadNetwork> {
  return loadNetwork(`{"inputs":["dosage"],"outputs":["efficacy"],
    "layers":[{"units":2,"activation":"softplus","weights":[[3.34],[-3.53]],"biases":[-1.43,0.57]},{"units":1,"activation":"identity","weights":[[-1.22,-2.30]],"biases":[0]}],
    "data":[{"dosage":0,"efficacy":0},{"dosage":0.5,"efficacy":1},{"dosage":1,"efficacy":0}],"training":${training}}`);
}

describe('gradient descent', () => {
  it('takes one step as new value = old value - learning rate x derivative', () => {
    const net = dosage('{"learningRate":0.1}');
    const t = new Trainer(net);
    t.evaluate();
    const before = Float64Array.from(t.params);
    const gradients = Float64Array.from(t.gradients);
    const size = t.step();
    let largest = 0;
    for (let i = 0; i < before.length; i++) {
      assert.equal(t.params[i], before[i] - 0.1 * gradients[i]);
      largest = Math.max(largest, Math.abs(0.1 * gradients[i]));
    }
    assert.equal(size, largest);
    assert.equal(t.stepCount, 1);
  });

  it('stops with max-steps when the count reaches maxSteps', () => {
    const t = new Trainer(dosage('{"maxSteps":3,"trainable":["b3"]}'));
    assert.deepEqual(t.run(), { steps: 3, stopReason: 'max-steps' });
  });

  it('takes no step when maxSteps is 0', () => {
    const t = new Trainer(dosage('{"maxSteps":0}'));
    assert.deepEqual(t.run(), { steps: 0, stopReason: 'max-steps' });
  });

  it('checks convergence before the step limit: the step that converges on the last count is converged', () => {
    const net = dosage('{"trainable":["b3"]}');
    const free = new Trainer(net).run();
    const t = new Trainer(net);
    assert.deepEqual(t.run(free.steps), { steps: free.steps, stopReason: 'converged' });
    assert.deepEqual(new Trainer(net).run(free.steps - 1), { steps: free.steps - 1, stopReason: 'max-steps' });
  });

  it('stops converged when no step moves any parameter by minStepSize', () => {
    const t = new Trainer(dosage('{"trainable":["b3"],"minStepSize":0.01}'));
    const r = t.run();
    assert.equal(r.stopReason, 'converged');
    assert.ok(t.lastStepSize < 0.01);
    // and the step before did move by at least minStepSize
    const t2 = new Trainer(t.network);
    for (let i = 0; i < r.steps - 1; i++) assert.ok(t2.step() >= 0.01);
  });

  it('continues from the current count: run(n) is a total, not an extra', () => {
    const net = dosage('{"trainable":["b3"],"minStepSize":0}');
    const t = new Trainer(net);
    t.run(2);
    assert.deepEqual(t.run(5), { steps: 5, stopReason: 'max-steps' });
  });

  it('stops with diverged, never converged, when the learning rate blows the loss up', () => {
    const net = loadNetwork(`{"inputs":["x"],"outputs":["y"],"layers":[{"units":1,"activation":"identity","weights":[[1]],"biases":[0]}],
      "data":[{"x":100,"y":1},{"x":-50,"y":3}],"training":{"learningRate":10}}`);
    const t = new Trainer(net);
    const r = t.run();
    assert.equal(r.stopReason, 'diverged');
    assert.ok(r.steps < 1000);
    assert.ok(!Number.isFinite(t.loss) || !Number.isFinite(t.lastStepSize));
  });

  it('freezes parameters that are not trainable', () => {
    const net = loadExample('dosage-w3-w4-b3.nn.json');
    const t = new Trainer(net);
    t.run(50);
    for (const p of net.parameters) {
      const moved = t.params[p.index] !== net.initialParameters[p.index];
      assert.equal(moved, ['w3', 'w4', 'b3'].includes(p.name), p.name);
    }
  });

  it('gives the same derivatives for b3 whether or not w3 and w4 are optimised with it (Details Pt. 1)', () => {
    const only = loadExample('dosage-b3.nn.json');
    const three = loadNetwork(JSON.stringify({ ...JSON.parse(readFileSync(examplePath('dosage-b3.nn.json'), 'utf8')), training: { trainable: ['w3', 'w4', 'b3'] } }));
    const a = new Trainer(only);
    const b = new Trainer(three);
    a.evaluate();
    b.evaluate();
    assert.deepEqual(Array.from(a.gradients), Array.from(b.gradients));
  });

  it('reproduces the same run from the same seed', () => {
    const net = loadExample('dosage-all.nn.json');
    const a = new Trainer(net);
    const b = new Trainer(loadExample('dosage-all.nn.json'));
    a.run(100);
    b.run(100);
    assert.deepEqual(Array.from(a.params), Array.from(b.params));
  });

  it('fits every example: the loss after training is far below the loss before', () => {
    for (const name of ['dosage-all.nn.json', 'xor.nn.json', 'classifier.nn.json', '3b1b-chain.nn.json']) {
      const t = new Trainer(loadExample(name));
      const before = t.evaluate();
      t.run();
      t.invalidate();
      assert.ok(t.evaluate() < before / 100, `${name}: ${before} -> ${t.loss}`);
    }
  });

  it('the dosage-all example lands near StatQuest\'s own parameters', () => {
    const net = loadExample('dosage-all.nn.json');
    const t = new Trainer(net);
    assert.equal(t.run().stopReason, 'converged');
    const v = (name: string): number => t.params[findParameter(net, name)!.index];
    assert.ok(v('w1') > 2 && v('w2') < -3 && v('w3') < -1 && v('w4') < -2, Array.from(t.params).join(', '));
  });
});
