/** Each unit's picture: one forward pass of a grid gives every unit's value there, the output's decision boundary, and the bytes the page colours. */
import assert from 'node:assert/strict';
import { fitPlane, hasUnitMaps, loadNetwork, MAP_FINE_UNITS, MAP_SIDE, MAP_SIDE_COARSE, MAP_UNITS, type Network, Trainer, UnitMapper } from '../../src/core';
import { SessionCharts } from '../../src/session/charts';
import { MAP_SAMPLES, SessionUnitMaps } from '../../src/session/unitMaps';
import { TrainingSession } from '../../src/session/training';
import { readFileSync } from 'node:fs';
import { examplePath, loadExample } from './helpers';

/** The network's activations at one input row, from a trainer of its own: the direct forward pass. */
function direct(net: Network, params: ArrayLike<number>, row: number[]): Float64Array[] {
  const one: Network = { ...net, validation: null, training: { ...net.training, batchSize: null }, data: { samples: 1, inputs: Float64Array.from(row), targets: new Float64Array(net.outputNames.length) } };
  const t = new Trainer(one, Float64Array.from(params), { engine: 'js' });
  t.lossOnly();
  return t.y.map((y) => Float64Array.from(y));
}

/** A trained state of `name` (so the pictures are not the file's starting ones). */
function trained(name: string, steps: number): TrainingSession {
  const session = new TrainingSession(loadExample(name));
  for (let i = 0; i < steps; i++) session.step();
  return session;
}

const plane = (layers: unknown[], data: unknown, loss = 'ssr'): Network => loadNetwork(JSON.stringify({ inputs: ['x1', 'x2'], outputs: ['y'], layers, data, loss }));

describe('unit maps: every unit over the input plane from one forward pass', () => {
  it("equals a direct forward pass at every grid point, for every unit of xor (trained) and of the batched classifier", () => {
    for (const [name, steps] of [['xor.nn.json', 300], ['classifier-batches.nn.json', 20]] as const) {
      const session = trained(name, steps);
      const net = session.network;
      const params = session.trainer.params;
      const m = new UnitMapper(net);
      m.compute(params);
      assert.equal(m.side, m.units.length <= MAP_FINE_UNITS ? MAP_SIDE : MAP_SIDE_COARSE);
      for (let g = 0; g < m.points; g += 7) {
        const x1: number = m.xs[g % m.side];
        const x2: number = m.ys[Math.floor(g / m.side)];
        const y = direct(net, params, [x1, x2]);
        for (const { layer, unit } of m.units) {
          if (m.isProbability(layer)) continue;
          assert.equal(m.value(layer, unit, g), y[layer - 1][unit], `${name} unit ${layer},${unit} at (${x1}, ${x2})`);
        }
      }
    }
  });

  it('draws a network with input features over its two raw columns (its units and the fit): each point through the features and normalize, the samples where the file has them', () => {
    // The spiral's seven features of x1, x2, and the same network rescaled by normalize.
    for (const normalize of [false, true]) {
      const file = JSON.parse(readFileSync(examplePath('spiral.nn.json'), 'utf8')) as Record<string, unknown>;
      if (normalize) file.normalize = 'standard';
      const net = loadNetwork(JSON.stringify(file));
      assert.equal(net.inputNames.length, 7);
      assert.ok(hasUnitMaps(net), 'seven features of two columns: a plane');
      const session = new TrainingSession(net);
      for (let i = 0; i < 30; i++) session.step();
      const params = session.trainer.params;
      const m = new UnitMapper(net);
      m.compute(params);
      assert.equal(m.dimensions, 2);
      // The plane spans the raw columns (the spiral's x1 reaches about ±5), not the features' values.
      const raw = net.data.columns!;
      const xs = Array.from({ length: net.data.samples }, (_, i) => raw[i * 2]);
      assert.ok(m.xRange[0] < Math.min(...xs) && m.xRange[1] > Math.max(...xs), `x range ${m.xRange} around the raw x1 values`);
      for (let g = 0; g < m.points; g += 37) {
        const x1 = m.xs[g % m.side];
        const x2 = m.ys[Math.floor(g / m.side)];
        const features = [x1, x2, x1 ** 2, x2 ** 2, x1 * x2, Math.sin(x1), Math.sin(x2)]
          .map((v, k) => (net.normalization ? (v - net.normalization.offset[k]) / net.normalization.scale[k] : v));
        const y = direct(net, params, features);
        for (const { layer, unit } of m.units) {
          assert.ok(Math.abs(m.value(layer, unit, g) - y[layer - 1][unit]) < 1e-12, `unit ${layer},${unit} at (${x1}, ${x2}) with normalize ${normalize}`);
        }
      }
      const drawn = new SessionUnitMaps().compute(net, params)!;
      assert.deepEqual(drawn.samples.x.slice(0, 5), xs.slice(0, 5), 'the samples drawn at their raw x1');
      // The fit chart's plane is over the same raw columns, through the same features.
      const fit = fitPlane(net, params, 6);
      const [fx, fy] = [fit.xs[2], fit.ys[4]];
      const row = [fx, fy, fx ** 2, fy ** 2, fx * fy, Math.sin(fx), Math.sin(fy)]
        .map((v, k) => (net.normalization ? (v - net.normalization.offset[k]) / net.normalization.scale[k] : v));
      assert.ok(Math.abs(fit.values[0][4 * 6 + 2] - direct(net, params, row)[net.layers.length - 1][0]) < 1e-12, 'the fit at (x1, x2) is the network at its features');
    }
  });

  it("gives a classifier's output units their classes' softmax probabilities, which add up to 1", () => {
    const session = trained('classifier.nn.json', 50);
    const net = session.network;
    const m = new UnitMapper(net);
    m.compute(session.trainer.params);
    const L = net.layers.length;
    for (const g of [0, 100, 517, m.points - 1]) {
      const z = direct(net, session.trainer.params, [m.xs[g % m.side], m.ys[Math.floor(g / m.side)]])[L - 1];
      const max = Math.max(...z);
      const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
      let total = 0;
      for (let k = 0; k < 3; k++) {
        const p = m.value(L, k, g);
        assert.ok(Math.abs(p - Math.exp(z[k] - max) / sum) < 1e-15);
        total += p;
      }
      assert.ok(Math.abs(total - 1) < 1e-12);
    }
  });

  it('draws the decision boundary where a sigmoid output crosses 0.5: the line x1 = x2 for sigmoid(x1 - x2)', () => {
    const net = plane([{ units: 1, activation: 'sigmoid' }], { inputs: [[-2, -2], [2, 2], [-2, 2], [2, -2]], targets: [[0], [1], [0], [1]] });
    const params = Float64Array.from([1, -1, 0]);
    const m = new UnitMapper(net);
    m.compute(params);
    const segments = m.boundary(0);
    assert.ok(m.segmentCount >= m.side - 1, `${m.segmentCount} segments`);
    const cell = (m.xs[1] - m.xs[0]);
    for (let i = 0; i < segments.length; i += 2) {
      assert.ok(Math.abs(segments[i] - segments[i + 1]) < 0.02 * cell, `(${segments[i]}, ${segments[i + 1]}) is off the line x1 = x2`);
    }
    // It runs corner to corner: from near (-2.4, -2.4) to near (2.4, 2.4).
    const xs = Array.from(segments.filter((_, i) => i % 2 === 0));
    assert.ok(Math.min(...xs) < -2.3 && Math.max(...xs) > 2.3);
    // Either side of it, the output is on its side of 0.5.
    assert.ok(m.value(1, 0, 0 * m.side + (m.side - 1)) > 0.5, 'high x1, low x2: class 1');
    assert.ok(m.value(1, 0, (m.side - 1) * m.side) < 0.5, 'low x1, high x2: class 0');
  });

  it('has no boundary when one class wins everywhere, and none for a regression output', () => {
    const sure = plane([{ units: 1, activation: 'sigmoid' }], { inputs: [[0, 0], [1, 1]], targets: [[1], [1]] });
    const m = new UnitMapper(sure);
    m.compute(Float64Array.from([0.1, 0.1, 50]));
    assert.equal(m.boundary(0).length, 0);
    const regression = plane([{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }], { inputs: [[0, 0], [1, 1]], targets: [[1], [2]] });
    const r = new UnitMapper(regression);
    assert.equal(r.decides(), false);
  });

  it("finds the boundary of a three-class classifier between each class's region and the others", () => {
    const session = trained('classifier.nn.json', 300);
    const net = session.network;
    const m = new UnitMapper(net);
    m.compute(session.trainer.params);
    for (let k = 0; k < 3; k++) {
      const segments = m.boundary(k);
      assert.ok(segments.length > 0, `class ${k} has a border`);
      // On the border the class ties with the likeliest other: its probability's margin, interpolated, is near 0.
      for (let i = 0; i < segments.length; i += 2) {
        const row = direct(net, session.trainer.params, [segments[i], segments[i + 1]])[1];
        const max = Math.max(...row);
        const p = row.map((v) => Math.exp(v - max));
        const others = Math.max(...p.filter((_, j) => j !== k));
        assert.ok(Math.abs(p[k] - others) / p.reduce((a, b) => a + b) < 0.1, `class ${k} at (${segments[i]}, ${segments[i + 1]})`);
      }
    }
  });

  it('reuses its buffers: a refresh allocates no grid', () => {
    const session = trained('xor.nn.json', 10);
    const m = new UnitMapper(session.network);
    m.compute(session.trainer.params);
    const before = m.value(1, 0, 5);
    const t = (m as unknown as { trainer: Trainer }).trainer;
    const buffers = [...t.y];
    session.step();
    m.compute(session.trainer.params);
    assert.ok(t.y.every((y, l) => y === buffers[l]));
    assert.notEqual(m.value(1, 0, 5), before, 'the picture follows the parameters');
  });

  it('says which units are above their level and where: tanh(x1) is positive toward high x1', () => {
    const net = plane([{ units: 1, activation: 'tanh' }], { inputs: [[-1, -1], [1, 1]], targets: [[0], [1]] });
    const m = new UnitMapper(net);
    m.compute(Float64Array.from([3, 0, 0]));
    const s = m.stats(1, 0, 0);
    assert.ok(Math.abs(s.above - 0.5) < 1e-12, `share ${s.above}`);
    assert.ok(s.toward[0] > 0.4 && Math.abs(s.toward[1]) < 1e-12, `toward ${s.toward}`);
    assert.ok(s.min < -0.99 && s.max > 0.99);
  });
});

describe('unit maps in the charts: what the worker sends', () => {
  it('sends each unit of xor its map as one byte per grid point on its scale, and the samples on the output', () => {
    const session = trained('xor.nn.json', 200);
    const data = new SessionCharts(session).compute({ panels: [], parameters: [], units: true });
    const maps = data.units!;
    assert.deepEqual(maps.inputs, ['x1', 'x2']);
    assert.equal(maps.units.length, 4);
    const m = new UnitMapper(session.network);
    m.compute(session.trainer.params);
    for (const u of maps.units) {
      const bytes = Buffer.from(u.cells!, 'base64');
      assert.equal(bytes.length, maps.side * maps.side);
      assert.deepEqual(u.domain, u.layer === 1 ? [-1, 1] : [0, 1], 'tanh -1..1, sigmoid 0..1');
      for (let g = 0; g < bytes.length; g += 13) {
        const v = m.value(u.layer, u.unit, g);
        assert.equal(bytes[g], Math.round((255 * (v - u.domain[0])) / (u.domain[1] - u.domain[0])));
      }
      assert.equal(u.boundary === null, u.layer === 1, 'only the output draws a boundary');
    }
    assert.deepEqual(maps.samples.x, [0, 0, 1, 1]);
    assert.deepEqual(maps.samples.targets, [[0, 1, 1, 0]]);
    assert.equal(data.units === undefined, false);
    assert.equal(new SessionCharts(session).compute({ panels: ['loss'], parameters: [] }).units, undefined, 'not asked, not computed');
  });

  it("draws one input's units as curves, the output's equal to the network's prediction", () => {
    const session = trained('dosage-all.nn.json', 100);
    const maps = new SessionCharts(session).compute({ panels: [], parameters: [], units: true }).units!;
    assert.equal(maps.yRange, null);
    assert.equal(maps.units.length, 3);
    const [lo, hi] = maps.xRange;
    const out = maps.units[2];
    for (const g of [0, 17, maps.side - 1]) {
      const x = lo + ((hi - lo) * g) / (maps.side - 1);
      const y = direct(session.network, session.trainer.params, [x]);
      assert.ok(Math.abs(out.curve![g] - y[1][0]) < 1e-12);
      assert.ok(Math.abs(maps.units[0].curve![g] - y[0][0]) < 1e-12);
    }
  });

  it('gives none past MAP_UNITS units or with three inputs, and draws at most MAP_SAMPLES samples', () => {
    const wide = plane([{ units: MAP_UNITS, activation: 'relu' }, { units: 1, activation: 'sigmoid' }], { inputs: [[0, 0]], targets: [[0]] });
    assert.equal(hasUnitMaps(wide), false);
    assert.equal(new SessionUnitMaps().compute(wide, wide.initialParameters), null);
    const three = loadNetwork(JSON.stringify({ inputs: ['a', 'b', 'c'], outputs: ['y'], layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }], data: { inputs: [[0, 0, 0]], targets: [[0]] } }));
    assert.equal(hasUnitMaps(three), false);
    const many = plane([{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], { inputs: Array.from({ length: 1000 }, (_, i) => [i, -i]), targets: Array.from({ length: 1000 }, (_, i) => [i % 2]) });
    const maps = new SessionUnitMaps().compute(many, many.initialParameters)!;
    assert.equal(maps.samples.x.length, MAP_SAMPLES);
    assert.equal(maps.samples.total, 1000);
  });

  it("computes the fit's plane over every grid point, whatever batches the file trains on", () => {
    const net = loadExample('classifier-batches.nn.json');
    const p = fitPlane(net, net.initialParameters, 8);
    for (const g of [0, 20, 63]) {
      const y = direct(net, net.initialParameters, [p.xs[g % 8], p.ys[Math.floor(g / 8)]]);
      const z = y[y.length - 1];
      const max = Math.max(...z);
      const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
      assert.ok(Math.abs(p.values[0][g] - Math.exp(z[0] - max) / sum) < 1e-12, `grid point ${g}`);
    }
  });
});
