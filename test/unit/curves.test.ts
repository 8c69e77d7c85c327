/** The core's curves for the charts: the numbers StatQuest draws, the fit, the thinning and the Hessian. */
import assert from 'node:assert/strict';
import {
  decimate, decimateDigest, findParameter, fitCurve, fitPlane, fitSamples, hessian, largestEigenvalue, lossSurface, lossSweep, sharpness,
  SeriesDigest, sweepMinimum, sweepRange, symmetricEigenvalues, trainableIndices, Trainer,
} from '../../src/core';
import { SessionCharts } from '../../src/session/charts';
import { TrainingSession } from '../../src/session/training';
import { close, EXAMPLES, loadExample, withParameters } from './helpers';

describe('curves: the loss along one parameter (the pink SSR curve)', () => {
  const net = loadExample('dosage-b3.nn.json');
  const b3 = findParameter(net, 'b3')!.index;

  it('gives the SSR StatQuest reads off the curve at b3 = 0, 2 and 3', () => {
    const { xs, losses } = lossSweep(net, net.initialParameters, b3, 0, 3, 4);
    assert.deepEqual(Array.from(xs), [0, 1, 2, 3]);
    assert.equal(losses[0].toFixed(1), '20.4');
    assert.equal(losses[2].toFixed(2), '1.11');
    assert.equal(losses[3].toFixed(2), '0.46');
  });

  it('bottoms out at b3 = 2.61, inside the range the chart draws from b3 = 0', () => {
    const t = new Trainer(net);
    t.evaluate();
    const [lo, hi] = sweepRange(0, 0, t.gradients[b3], 0.1);
    assert.ok(lo < 0 && hi > 2.61, `range ${lo}..${hi}`);
    const min = sweepMinimum(net, net.initialParameters, b3, lossSweep(net, net.initialParameters, b3, lo, hi));
    assert.equal(min.x.toFixed(2), '2.61');
    // The bottom of a parabola in b3: where dSSR/db3 = 0.
    const at = new Trainer(net, withParameters(net, { b3: min.x }));
    at.evaluate();
    assert.ok(Math.abs(at.gradients[b3]) < 1e-8, `slope at the bottom ${at.gradients[b3]}`);
  });

  it("has the tangent's slope -15.7 at b3 = 0, the same as the sweep's own finite difference", () => {
    const session = new TrainingSession(net);
    const profile = new SessionCharts(session).compute({ panels: ['profile'], parameters: ['b3'] }).profile!;
    assert.equal(profile.parameter, 'b3');
    assert.equal(profile.slope.toFixed(1), '-15.7');
    assert.equal(profile.loss.toFixed(1), '20.4');
    // One step down the tangent: 0 - 0.1 x (-15.66) = 1.566.
    assert.equal(profile.next.toFixed(3), '1.566');
    const h = 1e-5;
    const { losses } = lossSweep(net, net.initialParameters, b3, -h, h, 2);
    assert.ok(close((losses[1] - losses[0]) / (2 * h), profile.slope, 1e-7));
    assert.equal(profile.minimum.x.toFixed(2), '2.61');
    assert.equal(profile.xs.length, profile.losses.length);
    assert.ok(profile.xs[0] < 0 && profile.xs[profile.xs.length - 1] > 2.61);
  });

  it('moves the point down the curve as gradient descent steps, the curve staying put', () => {
    const session = new TrainingSession(net);
    const charts = new SessionCharts(session);
    const before = charts.compute({ panels: ['profile'], parameters: ['b3'] }).profile!;
    session.step();
    const after = charts.compute({ panels: ['profile'], parameters: ['b3'] }).profile!;
    assert.equal(after.value, before.next);
    assert.ok(after.loss < before.loss);
    assert.equal(after.xs[0], before.xs[0], 'the range is anchored where the run began');
  });

  it('draws the loss over two parameters, each cell the loss there', () => {
    const all = loadExample('dosage-w3-w4-b3.nn.json');
    const [w3, b] = [findParameter(all, 'w3')!.index, findParameter(all, 'b3')!.index];
    const s = lossSurface(all, all.initialParameters, w3, b, [-3, 1], [-1, 3], 5);
    const t = new Trainer(all, withParameters(all, { w3: s.xs[1], b3: s.ys[3] }));
    assert.equal(s.losses[3 * 5 + 1], t.evaluate());
  });
});

describe('curves: the fit (the green squiggle)', () => {
  const net = loadExample('dosage-b3.nn.json');

  it("adds the blue and orange curves and b3 into the network's output, and its SSR is the loss", () => {
    const curve = fitCurve(net, net.initialParameters);
    assert.equal(curve.xs.length, 101);
    assert.deepEqual(curve.contributions!.map((c) => c.weight), ['w3', 'w4']);
    assert.equal(curve.bias!.name, 'b3');
    for (let g = 0; g < curve.xs.length; g++) {
      const sum = curve.contributions![0].values[g] + curve.contributions![1].values[g] + curve.bias!.value;
      assert.ok(close(sum, curve.ys[g], 1e-12), `at x = ${curve.xs[g]}`);
    }
    const samples = fitSamples(net, net.initialParameters);
    const t = new Trainer(net);
    assert.ok(close(samples.sumOfSquares, t.evaluate(), 1e-12));
    assert.deepEqual(samples.observed, [[0], [1], [0]]);
    // Each point of the curve is the network's output at its x.
    const at = new Trainer({ ...net, data: { samples: 1, inputs: Float64Array.of(curve.xs[37]), targets: new Float64Array(1) } }, net.initialParameters, { engine: 'js' });
    at.evaluate();
    assert.ok(close(at.predicted[0], curve.ys[37], 1e-12));
  });

  it('draws every example: a curve for one input, a plane for two, probabilities for cross-entropy', () => {
    for (const name of EXAMPLES) {
      const n = loadExample(name);
      const s = fitSamples(n, n.initialParameters);
      assert.equal(s.predicted.length, n.data.samples);
      if (n.loss === 'cross-entropy') {
        // Probabilities, as the loss compares them; and the samples whose likeliest class is right.
        for (const row of s.predicted) assert.ok(close(row.reduce((a, v) => a + v, 0), 1, 1e-12));
        const right = s.predicted.filter((row, i) => row.indexOf(Math.max(...row)) === s.observed[i].indexOf(Math.max(...s.observed[i]))).length;
        assert.equal(s.correct, right);
      } else assert.equal(s.correct, null);
      if (n.inputNames.length === 1 && n.outputNames.length === 1) assert.equal(fitCurve(n, n.initialParameters).ys.length, 101);
      if (n.inputNames.length === 2) {
        const plane = fitPlane(n, n.initialParameters, 10);
        assert.equal(plane.values.length, n.outputNames.length);
        assert.equal(plane.probabilities, n.loss === 'cross-entropy');
        if (plane.probabilities) for (let g = 0; g < 100; g++) assert.ok(close(plane.values.reduce((a, v) => a + v[g], 0), 1, 1e-12));
      }
    }
  });
});

describe('curves: thinning a long loss history (LTTB)', () => {
  it('keeps the first and last point, the spikes, and at most the points asked for', () => {
    const n = 1_000_000;
    const ys = new Float64Array(n + 10).map((_, i) => 10 * Math.exp(-i / 1e5) + (i === 654_321 ? 50 : 0) + (i === 123_456 ? -3 : 0));
    // States 100, 102, 104, ...: the history's loss series at stride 2.
    const thin = decimate(ys, n, 100, 2, 1000);
    assert.equal(thin.xs.length, 1000);
    assert.equal(thin.xs[0], 100);
    assert.equal(thin.xs[999], 100 + 2 * (n - 1));
    assert.ok(thin.xs.includes(100 + 2 * 654_321), 'the spike is kept');
    assert.ok(thin.xs.includes(100 + 2 * 123_456), 'the dip is kept');
    assert.equal(thin.ys[thin.xs.indexOf(100 + 2 * 654_321)], ys[654_321]);
    for (let i = 1; i < thin.xs.length; i++) assert.ok(thin.xs[i] > thin.xs[i - 1]);
  });

  it('leaves a short series as it is', () => {
    assert.deepEqual(decimate(Float64Array.of(4, 5, 6, 7), 3, 1, 1, 1000), { xs: [1, 2, 3], ys: [4, 5, 6] });
  });

  it('reads a growing series once (a digest) and thins it as a whole read would: spikes, ends, order, where it stops being finite', () => {
    const n = 1_000_000;
    const ys = new Float64Array(n).map((_, i) => 10 * Math.exp(-i / 1e5) + (i === 654_321 ? 50 : 0) + (i === 123_456 ? -3 : 0));
    const digest = new SeriesDigest();
    // Read as Continue grows it: in uneven pieces, each refresh reading only what is new.
    for (let count = 1; count < n; count = Math.min(n, count * 3 + 7)) digest.update(ys, count, 2);
    digest.update(ys, n, 2);
    const thin = decimateDigest(ys, digest, n, 100, 2, 1000);
    assert.ok(thin.xs.length <= 1000 && thin.xs.length > 900, `${thin.xs.length} points`);
    assert.deepEqual([thin.xs[0], thin.xs[thin.xs.length - 1]], [100, 100 + 2 * (n - 1)]);
    assert.ok(thin.xs.includes(100 + 2 * 654_321), 'the spike is kept');
    assert.ok(thin.xs.includes(100 + 2 * 123_456), 'the dip is kept');
    for (let i = 1; i < thin.xs.length; i++) assert.ok(thin.xs[i] > thin.xs[i - 1]);
    const fresh = new SeriesDigest();
    fresh.update(ys, n, 2);
    assert.deepEqual(decimateDigest(ys, fresh, n, 100, 2, 1000), thin, 'the same as one read of the whole');
    // A value that is not a number ends what is drawn; a thinned series (another stride) is read afresh.
    ys[777_777] = NaN;
    const broken = new SeriesDigest();
    broken.update(ys, n, 2);
    assert.equal(broken.firstNonFinite, 777_777);
    digest.update(ys.subarray(0, n / 2), n / 2, 4);
    assert.equal(digest.firstNonFinite, -1);
    assert.equal(decimateDigest(ys, digest, n / 2, 100, 4, 1000).xs.length <= 1000, true);
  });
});

describe('curves: the Hessian and its largest eigenvalue', () => {
  /** The Hessian from the loss alone (second differences, Richardson-extrapolated): independent of the chain rule. */
  function lossHessian(net: ReturnType<typeof loadExample>, params: Float64Array, indices: number[]): Float64Array {
    const t = new Trainer(net, Float64Array.from(params), { engine: 'js' });
    const L = (di: number, hi: number, dj: number, hj: number): number => {
      t.setParameters(params);
      t.params[indices[di]] += hi;
      t.params[indices[dj]] += hj;
      return t.lossOnly();
    };
    const n = indices.length;
    const H = new Float64Array(n * n);
    const second = (i: number, j: number, h: number): number => (L(i, h, j, h) - L(i, h, j, -h) - L(i, -h, j, h) + L(i, -h, j, -h)) / (4 * h * h);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        const h = 1e-3;
        H[i * n + j] = (16 * second(i, j, h / 2) - second(i, j, h)) / 15;
      }
    }
    return H;
  }

  it('is 6 for b3 alone on the dosage network (SSR over three samples: d²/db3² = 2 x 3)', () => {
    const net = loadExample('dosage-b3.nn.json');
    assert.ok(close(sharpness(net, net.initialParameters)!, 6, 1e-9));
  });

  for (const name of ['dosage-all.nn.json', 'xor.nn.json', 'classifier.nn.json', '3b1b-chain.nn.json']) {
    it(`matches a finite-difference Hessian of the loss to 1e-6 on ${name}`, () => {
      const net = loadExample(name);
      const session = new TrainingSession(net);
      for (let i = 0; i < 25; i++) session.step();
      const params = Float64Array.from(session.trainer.params);
      const indices = trainableIndices(net);
      const H = hessian(net, params, indices);
      const F = lossHessian(net, params, indices);
      const n = indices.length;
      const top = largestEigenvalue(H, n);
      const reference = Math.max(...symmetricEigenvalues(F, n));
      assert.ok(close(top, reference, 1e-6), `${top} against ${reference}`);
    });
  }

  it('finds the most positive eigenvalue by power iteration on a large matrix, a negative one dominating', () => {
    const n = 80;
    // A symmetric matrix with eigenvalues -9, 4 and values in [0, 3], rotated by a Householder reflection.
    const d = Array.from({ length: n }, (_, i) => (i === 0 ? -9 : i === 1 ? 4 : (3 * i) / n));
    const v = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const vv = v.reduce((a, x) => a + x * x, 0);
    const m = new Float64Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        let s = 0;
        for (let k = 0; k < n; k++) {
          const qr = (r === k ? 1 : 0) - (2 * v[r] * v[k]) / vv;
          const qc = (c === k ? 1 : 0) - (2 * v[c] * v[k]) / vv;
          s += qr * d[k] * qc;
        }
        m[r * n + c] = s;
      }
    }
    assert.ok(close(largestEigenvalue(m, n), 4, 1e-9));
    assert.ok(close(Math.max(...symmetricEigenvalues(m, n)), 4, 1e-9));
  });

  it('puts the sharpness beside 2 / learning rate over the steps, with the other instruments', () => {
    const net = loadExample('dosage-all.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 500; i++) session.step();
    const series = new SessionCharts(session).compute({ panels: ['instruments'], parameters: [] }).series!;
    assert.equal(series.stabilityLimit, 20);
    assert.equal(series.steps[0], 0);
    assert.equal(series.steps[series.steps.length - 1], 500);
    assert.equal(series.stride, 2);
    assert.equal(series.network.sharpness!.length, series.steps.length);
    assert.equal(series.network.distance[0], 0);
    // Each sample is the state after that step, recomputed from the history.
    const t = new Trainer(net);
    for (let i = 0; i < 100; i++) t.step();
    t.evaluate();
    const k = series.steps.indexOf(100);
    let norm = 0;
    for (const g of t.gradients) norm += g * g;
    assert.ok(close(series.network.gradientNorm[k], Math.sqrt(norm), 1e-12));
    assert.ok(close(series.network.updateSize[k], 0.1 * Math.sqrt(norm), 1e-12));
    assert.ok(close(series.network.sharpness![k]!, sharpness(net, t.params)!, 1e-12));
    assert.deepEqual(series.parameters.map((p) => p.name), ['w1', 'w2', 'w3', 'w4', 'b1', 'b2', 'b3']);
    assert.equal(series.parameters[2].values[k], t.params[2]);
    assert.equal(series.layers.length, 2);
  });

  it("shows the seven-parameter network at the edge of stability: sharpness 20.84 over 20 at the stop, the steps turning against each other later", () => {
    const net = loadExample('dosage-all.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 1000; i++) session.step();
    const series = new SessionCharts(session).compute({ panels: ['instruments'], parameters: [] }).series!;
    const at = (step: number): number => series.steps.indexOf(step);
    // The turn at a step, computed here on its own: the gradient there and where one step lands.
    const cosine = (step: number): number => {
      const t = new Trainer(net);
      for (let i = 0; i < step; i++) t.step();
      t.evaluate();
      const g = Float64Array.from(t.gradients);
      t.step();
      t.evaluate();
      let dot = 0; let a = 0; let b = 0;
      for (let i = 0; i < g.length; i++) { dot += g[i] * t.gradients[i]; a += g[i] ** 2; b += t.gradients[i] ** 2; }
      return dot / Math.sqrt(a * b);
    };
    // The CLI's convergence stop (step 642): above the line, yet the steps still agree.
    const stop = series.steps.reduce((best, s) => (Math.abs(s - 642) < Math.abs(best - 642) ? s : best));
    assert.ok(series.network.sharpness![at(stop)]! > 20.8 && series.network.sharpness![at(stop)]! < 20.9, String(series.network.sharpness![at(stop)]));
    assert.ok(close(series.network.turn![at(stop)]!, cosine(stop), 1e-9));
    assert.ok(series.network.turn![at(stop)]! > 0.99);
    // Trained on, each step undoes the last: it oscillates.
    const later = series.steps.find((s) => s >= 900)!;
    assert.ok(close(series.network.turn![at(later)]!, cosine(later), 1e-9));
    assert.ok(series.network.turn![at(later)]! < -0.9, String(series.network.turn![at(later)]));
    assert.equal(series.network.turn!.length, series.steps.length);
  });

  it('marks where a run with too large a learning rate passed 2 / learning rate', () => {
    const net = loadExample('dosage-b3.nn.json');
    // b3 alone: the SSR is a parabola with curvature 6, so learning rate 0.4 > 2/6 diverges.
    const fast = { ...net, training: { ...net.training, learningRate: 0.4 } };
    const session = new TrainingSession(fast);
    for (let i = 0; i < 20; i++) session.step();
    const data = new SessionCharts(session).compute({ panels: ['loss', 'instruments'], parameters: [] });
    assert.ok(close(data.series!.network.sharpness![0]!, 6, 1e-9));
    assert.equal(data.series!.stabilityLimit, 5);
    const losses = data.loss!.losses;
    assert.ok(losses[losses.length - 1] > losses[0], 'the loss grows');
  });
});

describe('charts: the loss history', () => {
  it('holds every step of a short run, the current one last, and the first and current loss', () => {
    const net = loadExample('dosage-b3.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 30; i++) session.step();
    const charts = new SessionCharts(session);
    const loss = charts.compute({ panels: ['loss'], parameters: [] }).loss!;
    assert.equal(loss.steps.length, 31);
    assert.deepEqual(loss.first, { step: 0, loss: new Trainer(net).evaluate() });
    assert.equal(loss.current.step, 30);
    assert.equal(loss.losses[30], session.trainer.loss);
    session.goTo(10);
    const back = charts.compute({ panels: ['loss'], parameters: [] }).loss!;
    assert.equal(back.current.step, 10);
    assert.equal(back.latest, 30);
  });

  it('thins a history of a million steps to the points a chart draws', function () {
    this.timeout(60_000);
    const net = loadExample('dosage-all.nn.json');
    const session = new TrainingSession({ ...net, training: { ...net.training, maxSteps: 2_000_000, minStepSize: 0 } });
    session.goTo(1_000_000);
    const loss = new SessionCharts(session).compute({ panels: ['loss'], parameters: [] }).loss!;
    assert.ok(loss.steps.length <= 1000);
    assert.ok(loss.recorded > 250_000, `${loss.recorded} states recorded`);
    assert.equal(loss.steps[loss.steps.length - 1], 1_000_000);
  });
});

describe('charts: the series over steps, within a time budget', () => {
  it("leaves what does not fit in the budget pending, and the next calls finish it with the same numbers", () => {
    const net = loadExample('dosage-all.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 300; i++) session.step();
    // A clock that moves 1 ms per reading: a 20 ms budget takes about 20 samples a call.
    let clock = 0;
    const slow = new SessionCharts(session, () => clock++);
    const request = { panels: ['instruments' as const], parameters: [] };
    const first = slow.compute(request, 20);
    assert.equal(first.pending, true);
    assert.ok(first.series!.steps.length > 0 && first.series!.steps.length < 301, `${first.series!.steps.length} samples`);
    let last = first;
    for (let i = 0; i < 100 && last.pending; i++) last = slow.compute(request, 20);
    assert.equal(last.pending, false);
    const whole = new SessionCharts(session).compute(request);
    assert.deepEqual(last.series, whole.series);
  });

  it('keeps the instruments when another parameter is selected, and computes the sharpness only for the instruments', () => {
    const net = loadExample('classifier.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 50; i++) session.step();
    let readings = 0;
    const charts = new SessionCharts(session, () => { readings++; return 0; });
    const trajectories = charts.compute({ panels: ['trajectories'], parameters: ['w1'] }).series!;
    assert.equal(trajectories.network.sharpness, null, 'no Hessian for the trajectories alone');
    const before = readings;
    const other = charts.compute({ panels: ['trajectories'], parameters: ['w7'] }).series!;
    // 27 parameters: every sample kept them all, so w7 comes without recomputing a sample (the
    // clock is read once per call for the deadline, and once more per sample computed).
    assert.equal(readings - before, 1);
    assert.deepEqual(other.parameters.map((p) => p.name), ['w7']);
    const t = new Trainer(net);
    for (let i = 0; i < 20; i++) t.step();
    assert.equal(other.parameters[0].values[other.steps.indexOf(20)], t.params[6]);
    const instruments = charts.compute({ panels: ['instruments'], parameters: [] }).series!;
    assert.equal(instruments.network.sharpness!.length, instruments.steps.length);
  });

  it('forgets the breakpoint hits of a history that is gone', () => {
    const net = loadExample('dosage-b3.nn.json');
    const session = new TrainingSession(net);
    for (let i = 0; i < 5; i++) session.step();
    const charts = new SessionCharts(session);
    charts.hit(3);
    assert.deepEqual(charts.compute({ panels: ['loss'], parameters: [] }).loss!.hits, [3]);
    session.setParameter(findParameter(net, 'b3')!.index, 1);
    assert.deepEqual(charts.compute({ panels: ['loss'], parameters: [] }).loss!.hits, []);
  });
});
