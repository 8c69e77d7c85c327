import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ChainRuleTrace, findParameter, History, TRACE_FACTORS, Trainer } from '../../src/core';
import { close, loadExample } from './helpers';

const dosage = loadExample('dosage-all.nn.json');

/** The parameters after `n` steps from the start, by a trainer of its own. */
function paramsAfter(n: number): Float64Array {
  const t = new Trainer(dosage);
  for (let i = 0; i < n; i++) t.step();
  return Float64Array.from(t.params);
}

describe('history', () => {
  it('puts the trainer back to any earlier step exactly, from the recent ring or by recomputing from a checkpoint', () => {
    const t = new Trainer(dosage);
    const h = new History(t, { checkpointEvery: 10, recent: 5 });
    for (let i = 0; i < 57; i++) { t.step(); h.record(); }
    assert.equal(h.latest, 57);
    // 55 is in the ring (53..57): a copy, no recomputation.
    assert.equal(h.restore(55), 0);
    assert.equal(t.stepCount, 55);
    assert.deepEqual(t.params, paramsAfter(55));
    // 33 is not: recomputed from the checkpoint at 30.
    assert.equal(h.restore(33), 3);
    assert.deepEqual(t.params, paramsAfter(33));
    // Stepping back again lands in the ring the recomputation refilled.
    assert.equal(h.restore(31), 0);
    assert.deepEqual(t.params, paramsAfter(31));
    assert.equal(h.restore(0), 0);
    assert.deepEqual(t.params, dosage.initialParameters);
  });

  it('keeps the future after going back: forward again is a restore, and stepping on records nothing new', () => {
    const t = new Trainer(dosage);
    const h = new History(t, { checkpointEvery: 4, recent: 2 });
    for (let i = 0; i < 20; i++) { t.step(); h.record(); }
    const losses = Float64Array.from(h.losses().values);
    const bytes = h.bytes;
    h.restore(9);
    assert.equal(h.latest, 20, 'the steps after 9 are still reachable');
    for (let i = 0; i < 6; i++) { t.step(); h.record(); }
    assert.deepEqual([t.stepCount, h.latest], [15, 20]);
    assert.deepEqual(t.params, paramsAfter(15));
    assert.equal(h.restore(18), 2, 'from the checkpoint at 16');
    assert.deepEqual(t.params, paramsAfter(18));
    assert.equal(h.restore(17), 0, 'in the ring the recomputation filled');
    assert.deepEqual(t.params, paramsAfter(17));
    assert.deepEqual(h.losses().values, losses, 'the loss series is the one of the first pass');
    assert.equal(h.bytes, bytes);
    // On past the furthest step, the history grows again; a step from nowhere is refused.
    h.restore(20);
    t.step(); h.record();
    assert.equal(h.latest, 21);
    t.stepCount = 30;
    assert.throws(() => h.record(), /cannot record step 30/);
  });

  it('restores any step exactly, whatever the interval, ring size and order of visits', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1, max: 80 }),
      fc.array(fc.integer({ min: 0, max: 80 }), { minLength: 1, maxLength: 6 }),
      (every, recent, steps, visits) => {
        const t = new Trainer(dosage);
        const h = new History(t, { checkpointEvery: every, recent });
        for (let i = 0; i < steps; i++) { t.step(); h.record(); }
        for (const v of visits) {
          const target = Math.min(v, h.latest);
          h.restore(target);
          assert.equal(t.stepCount, target);
          assert.deepEqual(t.params, paramsAfter(target));
        }
      }), { numRuns: 60 });
  });

  it('keeps the loss of every state, and halves its resolution instead of outgrowing its share of the cap', () => {
    const t = new Trainer(dosage);
    const h = new History(t, { maxBytes: 64 * 1024 });
    const reference = new Trainer(dosage);
    const losses: number[] = [];
    for (let i = 0; i < 20_000; i++) { t.step(); h.record(); losses.push(reference.evaluate()); reference.step(); }
    const { stride, values } = h.losses();
    assert.ok(stride > 1, `stride ${stride}`);
    assert.ok(values.length * stride >= 19_999 - stride && values.length * stride <= 20_000, `${values.length} x ${stride}`);
    for (let i = 0; i < values.length; i++) assert.equal(values[i], losses[i * stride]);
    assert.ok(h.bytes <= 64 * 1024, `${h.bytes} bytes`);
  });

  it('holds the byte cap whatever the step count, thinning checkpoints and growing the interval', () => {
    const t = new Trainer(dosage);
    const cap = 16 * 1024;
    const h = new History(t, { maxBytes: cap, checkpointEvery: 1, recent: 1000 });
    let maxBytes = 0;
    for (let i = 0; i < 30_000; i++) { t.step(); h.record(); maxBytes = Math.max(maxBytes, h.bytes); }
    assert.ok(maxBytes <= cap, `${maxBytes} > ${cap}`);
    assert.ok(h.interval > 1);
    // Still exact anywhere, at a cost of at most one interval of recomputation.
    for (const s of [29_990, 29_000, 12_345, 1, 0]) {
      const recomputed = h.restore(s);
      assert.ok(recomputed <= h.interval, `${recomputed} > ${h.interval}`);
      assert.deepEqual(t.params, paramsAfter(s));
    }
  });

  it('raises a cap below two parameter copies to that floor, so step 0 is always reachable', () => {
    const t = new Trainer(dosage);
    const h = new History(t, { maxBytes: 1 });
    for (let i = 0; i < 100; i++) { t.step(); h.record(); }
    assert.ok(h.bytes <= h.maxBytes);
    h.restore(37);
    assert.deepEqual(t.params, paramsAfter(37));
  });
});

describe('chain-rule trace', () => {
  it('records each sample\'s factors and term every step, summing to the gradient that drove the step', () => {
    for (const name of ['w1', 'w3', 'b1', 'b3']) {
      const t = new Trainer(dosage);
      const p = findParameter(dosage, name)!;
      const trace = new ChainRuleTrace(t, p, 8);
      const gradients: number[] = [];
      for (let i = 0; i < 12; i++) { t.step(); trace.record(); gradients.push(t.gradients[p.index]); }
      const rows = trace.rows();
      assert.equal(rows.length, 8);
      rows.forEach((row, r) => {
        assert.equal(row.step, 5 + r);
        assert.ok(close(row.derivative, gradients[4 + r], 1e-12), `${name} step ${row.step}`);
        for (const [upstream, slope, local, term] of row.samples) assert.ok(close(upstream * slope * local, term, 1e-12));
      });
    }
  });

  it('matches the explainer\'s factors at the seed values', () => {
    const network = loadExample('dosage-b3.nn.json');
    const t = new Trainer(network);
    t.evaluate();
    const trace = new ChainRuleTrace(t, findParameter(network, 'w3')!, 1);
    trace.record();
    const [row] = trace.rows();
    assert.equal(row.samples.length, 3);
    assert.equal(row.samples[0].length, TRACE_FACTORS);
    // dSSR/dw3 at b3 = 0 is the sum StatQuest writes out; its rows are -2(observed - predicted) x y_{1,i}.
    assert.ok(close(row.derivative, t.gradients[findParameter(network, 'w3')!.index], 1e-12));
    for (let i = 0; i < 3; i++) {
      const r = network.data.targets[i] - t.predicted[i];
      assert.ok(close(row.samples[i][0], -2 * r, 1e-12));
      assert.equal(row.samples[i][1], 1);
      assert.equal(row.samples[i][2], t.y[0][i * 2]);
    }
  });

  it('uses the activation\'s own slope where the upstream derivative is exactly 0', () => {
    const network = loadExample('dosage-b3.nn.json');
    const t = new Trainer(network);
    t.evaluate();
    t.dy[0].fill(0);
    t.dx[0].fill(0);
    const trace = new ChainRuleTrace(t, findParameter(network, 'w1')!, 1);
    trace.record();
    const x = t.x[0][0];
    assert.ok(close(trace.rows()[0].samples[0][1], 1 / (1 + Math.exp(-x)), 1e-12));
  });
});
