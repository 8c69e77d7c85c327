/**
 * The WebAssembly SIMD engine against the TypeScript reference path: on random networks of every
 * activation, loss and trainable mask, and on shapes that reach every tail of the blocked kernels,
 * every buffer a Trainer exposes must hold the same numbers after evaluate(), lossOnly() and step().
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACTIVATIONS, findParameter, finiteDifference, loadNetwork, LOSSES, type Network, SeededRandom, Trainer,
} from '../../src/core';
import { randomNetwork } from './arbitraries';
import { EXAMPLES, loadExample } from './helpers';

/**
 * Not bit-for-bit: the engine pairs up the terms of each forward dot product for its f64x2
 * lanes, and AssemblyScript's libm (musl's exp, log1p, tanh) and V8's (fdlibm's) may round the
 * last bit differently. Each is ~1e-16 relative; a gradient that is a sum of large terms which
 * cancel carries that error relative to the terms, not to itself, so buffers are compared
 * norm-wise: every entry to within TOL of the largest magnitude in the buffer (or of 1).
 */
const TOL = 1e-10;

function same(a: number, b: number, tol: number, scale = 1): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= tol * Math.max(scale, Math.abs(a), Math.abs(b));
}

function assertArraysAgree(a: ArrayLike<number>, b: ArrayLike<number>, what: string, tol: number): void {
  assert.equal(a.length, b.length, `${what}: length`);
  let scale = 1;
  for (let i = 0; i < b.length; i++) if (Math.abs(b[i]) > scale && Number.isFinite(b[i])) scale = Math.abs(b[i]);
  for (let i = 0; i < a.length; i++) {
    assert.ok(same(a[i], b[i], tol, scale), `${what}[${i}]: wasm ${a[i]} vs js ${b[i]} (largest ${scale})`);
  }
}

/** Every buffer and number a Trainer exposes. */
function assertTrainersAgree(wasm: Trainer, js: Trainer, when: string, tol = TOL): void {
  assert.equal(wasm.engine, 'wasm');
  assert.equal(js.engine, 'js');
  assert.ok(same(wasm.loss, js.loss, tol), `${when}: loss wasm ${wasm.loss} vs js ${js.loss}`);
  assert.ok(same(wasm.lastStepSize, js.lastStepSize, tol), `${when}: lastStepSize wasm ${wasm.lastStepSize} vs js ${js.lastStepSize}`);
  assert.equal(wasm.stepCount, js.stepCount, `${when}: stepCount`);
  assertArraysAgree(wasm.params, js.params, `${when}: params`, tol);
  assertArraysAgree(wasm.gradients, js.gradients, `${when}: gradients`, tol);
  for (let l = 0; l < js.x.length; l++) {
    assertArraysAgree(wasm.x[l], js.x[l], `${when}: x[${l}]`, tol);
    assertArraysAgree(wasm.y[l], js.y[l], `${when}: y[${l}]`, tol);
    assertArraysAgree(wasm.dx[l], js.dx[l], `${when}: dx[${l}]`, tol);
    assertArraysAgree(wasm.dy[l], js.dy[l], `${when}: dy[${l}]`, tol);
  }
  assertArraysAgree(wasm.predicted, js.predicted, `${when}: predicted`, tol);
}

function pair(network: Network, params?: Float64Array): { wasm: Trainer; js: Trainer } {
  return { wasm: new Trainer(network, params, { engine: 'wasm' }), js: new Trainer(network, params, { engine: 'js' }) };
}

/** evaluate(), then `steps` steps, comparing after each; then lossOnly() at moved parameters. */
function assertSameTraining(network: Network, steps: number, params?: Float64Array): void {
  const { wasm, js } = pair(network, params);
  assert.ok(same(wasm.evaluate(), js.evaluate(), TOL));
  assertTrainersAgree(wasm, js, 'after evaluate()');
  for (let s = 1; s <= steps; s++) {
    assert.ok(same(wasm.step(), js.step(), TOL), `step ${s} size`);
    assertTrainersAgree(wasm, js, `after step ${s}`);
  }
  const moved = Float64Array.from(js.params, (v, i) => v + 0.01 * Math.sin(i + 1));
  wasm.setParameters(moved);
  js.setParameters(moved);
  assert.ok(same(wasm.lossOnly(), js.lossOnly(), TOL));
  // lossOnly leaves the gradients, dx and the hidden dy stale on both paths alike.
  assertTrainersAgree(wasm, js, 'after lossOnly()');
}

interface Shape {
  inputs: number;
  widths: number[];
  activations: string[];
  loss: (typeof LOSSES)[number];
  samples: number;
  seed: number;
  scale: number;
  learningRate: number;
  trainableShare: number;
}

/** Widths 1..9 reach every tail of the 4x2, 4x4 and 8-wide blocks; 16..33 run the blocks themselves. */
const width = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.constantFrom(16, 17, 18, 19, 33));

const wideShape: fc.Arbitrary<Shape> = fc.record({
  inputs: width,
  widths: fc.array(width, { minLength: 1, maxLength: 3 }),
  activations: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 3, maxLength: 3 }),
  loss: fc.constantFrom(...LOSSES),
  samples: fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 10, max: 70 })),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  scale: fc.constantFrom(1, 1, 1, 4),
  learningRate: fc.constantFrom(0.001, 0.01, 0.1),
  trainableShare: fc.constantFrom(1, 1, 0.6, 0),
});

/** A network of `shape` with seeded data and a seeded trainable mask, through the real loader. */
function build(shape: Shape): Network {
  const widths = shape.loss === 'cross-entropy' && shape.widths[shape.widths.length - 1] < 2
    ? [...shape.widths.slice(0, -1), 2] : shape.widths;
  const random = new SeededRandom(shape.seed);
  const nOut = widths[widths.length - 1];
  const inputs = Array.from({ length: shape.samples }, () => Array.from({ length: shape.inputs }, () => (random.next() * 4 - 2) * shape.scale));
  const targets = Array.from({ length: shape.samples }, () => {
    if (shape.loss !== 'cross-entropy') return Array.from({ length: nOut }, () => random.next() * 4 - 2);
    const hot = Math.floor(random.next() * nOut);
    return Array.from({ length: nOut }, (_, k) => (k === hot ? 1 : 0));
  });
  const doc = {
    inputs: Array.from({ length: shape.inputs }, (_, k) => `in${k + 1}`),
    outputs: Array.from({ length: nOut }, (_, k) => `out${k + 1}`),
    layers: widths.map((units, l) => ({ units, activation: shape.activations[l] })),
    init: { weights: 'normal', biases: 0.1, seed: shape.seed },
    data: { inputs, targets },
    loss: shape.loss,
    // Scaled by the number of terms in the loss, so three steps stay small: a step that overshoots
    // wildly amplifies the last-bit differences of the previous one, and would test chaos, not the engine.
    training: { learningRate: shape.learningRate / (shape.samples * nOut) } as Record<string, unknown>,
  };
  const all = loadNetwork(JSON.stringify(doc));
  if (shape.trainableShare === 1) return all;
  doc.training.trainable = all.parameters.filter(() => random.next() < shape.trainableShare).map((p) => p.name);
  return loadNetwork(JSON.stringify(doc));
}

describe('the WebAssembly engine', () => {
  it('is the default', () => {
    const network = loadExample('dosage-all.nn.json');
    assert.equal(new Trainer(network).engine, 'wasm');
    assert.equal(new Trainer(network, undefined, { engine: 'auto' }).engine, 'wasm');
    assert.equal(new Trainer(network, undefined, { engine: 'js' }).engine, 'js');
  });

  it('agrees with the TypeScript path on random networks of every activation and loss', () => {
    fc.assert(fc.property(randomNetwork, ({ network }) => assertSameTraining(network, 3)), { numRuns: 300 });
  });

  it('agrees on wide and odd shapes that reach every kernel tail, with trainable masks', () => {
    fc.assert(fc.property(wideShape, (shape) => assertSameTraining(build(shape), 3)), { numRuns: 300 });
  });

  it('agrees on every shape from 1 to 9 wide in each position (every tail of every kernel)', () => {
    for (let inputs = 1; inputs <= 9; inputs++) {
      for (let hidden = 1; hidden <= 9; hidden++) {
        for (let outputs = 1; outputs <= 9; outputs += 4) {
          for (const samples of [1, 3, 4, 5, 8, 11]) {
            const network = build({
              inputs, widths: [hidden, outputs], activations: ['tanh', 'identity', 'identity'], loss: 'mse',
              samples, seed: inputs * 1000 + hidden * 10 + samples, scale: 1, learningRate: 0.01, trainableShare: 1,
            });
            assertSameTraining(network, 2);
          }
        }
      }
    }
  });

  it('agrees on every example, over a few hundred steps', () => {
    for (const name of EXAMPLES) {
      const { wasm, js } = pair(loadExample(name));
      for (let i = 0; i < 300; i++) {
        wasm.step();
        js.step();
      }
      assertTrainersAgree(wasm, js, name, 1e-9);
    }
  });

  it('takes one step as new value = old value - learning rate x derivative, exactly', () => {
    const network = loadExample('dosage-all.nn.json');
    const t = new Trainer(network, undefined, { engine: 'wasm' });
    t.evaluate();
    const before = Float64Array.from(t.params);
    const gradients = Float64Array.from(t.gradients);
    let largest = 0;
    for (let i = 0; i < before.length; i++) largest = Math.max(largest, Math.abs(0.1 * gradients[i]));
    assert.equal(t.step(), largest);
    for (let i = 0; i < before.length; i++) assert.equal(t.params[i], before[i] - 0.1 * gradients[i]);
  });

  it("reproduces StatQuest's numbers: SSR 20.4236 and dSSR/db3 = -15.6551 at b3 = 0", () => {
    const network = loadExample('dosage-b3.nn.json');
    const t = new Trainer(network, undefined, { engine: 'wasm' });
    assert.equal(t.evaluate().toFixed(4), '20.4236');
    assert.equal(t.gradients[findParameter(network, 'b3')!.index].toFixed(4), '-15.6551');
    const result = t.run();
    assert.equal(result.stopReason, 'converged');
    assert.equal(t.params[findParameter(network, 'b3')!.index].toFixed(2), '2.61');
  });

  it('stops run() for the same reason after the same number of steps', () => {
    for (const name of EXAMPLES) {
      const { wasm, js } = pair(loadExample(name));
      assert.deepEqual(wasm.run(), js.run(), name);
      assertTrainersAgree(wasm, js, name, 1e-9);
    }
    const network = loadExample('dosage-all.nn.json');
    for (const maxSteps of [0, 1, 7]) {
      const { wasm, js } = pair(network);
      assert.deepEqual(wasm.run(maxSteps), js.run(maxSteps));
      assert.deepEqual(wasm.run(maxSteps + 5), js.run(maxSteps + 5), 'run(n) continues from the count');
    }
  });

  it('diverges like the TypeScript path: same step, same non-finite numbers', () => {
    const network = loadNetwork(`{"inputs":["x"],"outputs":["y"],"layers":[{"units":1,"activation":"identity","weights":[[1]],"biases":[0]}],
      "data":[{"x":100,"y":1},{"x":-50,"y":3}],"training":{"learningRate":10}}`);
    const { wasm, js } = pair(network);
    const r = js.run();
    assert.equal(r.stopReason, 'diverged');
    assert.deepEqual(wasm.run(), r);
    assertTrainersAgree(wasm, js, 'diverged');
    // Stepping on past the divergence keeps agreeing, NaN for NaN.
    for (let i = 0; i < 5; i++) assert.ok(same(wasm.step(), js.step(), TOL));
    assertTrainersAgree(wasm, js, 'past the divergence');
  });

  it('lets a NaN step size win over any finite one, as the TypeScript loop does', () => {
    const network = loadExample('xor.nn.json');
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const index of [0, network.parameterCount - 1]) {
        const params = Float64Array.from(network.initialParameters);
        params[index] = bad;
        const { wasm, js } = pair(network, params);
        const a = wasm.step();
        const b = js.step();
        assert.ok(same(a, b, 0), `${bad} at ${index}: wasm ${a} vs js ${b}`);
        assertTrainersAgree(wasm, js, `${bad} at ${index}`);
        assert.deepEqual(wasm.run(20), js.run(20));
      }
    }
  });

  it('agrees at the edges of every activation: zeros, tiny, huge, infinite and NaN inputs', () => {
    const edges = [0, -0, 5e-324, -1e-300, 1e-8, 0.625, -0.625, 0.6249999999999999, 1, -1, 19, -19, 36, -36, 700, -708, -745, -746, 1e300, -1e300];
    for (const activation of ACTIVATIONS) {
      const network = loadNetwork(JSON.stringify({
        inputs: ['x'], outputs: ['y'],
        layers: [{ units: 3, activation, weights: [[1], [1e10], [-1e10]], biases: [0, 0, 0] }, { units: 1, activation: 'identity' }],
        data: { inputs: edges.map((x) => [x]), targets: edges.map(() => [1]) },
      }));
      // The 1e10 weights carry the huge inputs to +-Infinity; an infinite weight times 0 gives NaN.
      for (const w2 of [1e10, Infinity]) {
        const params = Float64Array.from(network.initialParameters);
        params[1] = w2;
        const { wasm, js } = pair(network, params);
        wasm.evaluate();
        js.evaluate();
        assertTrainersAgree(wasm, js, `${activation}, w2 = ${w2}`);
      }
    }
  });

  it('answers finiteDifference from one scratch trainer per network, at whatever parameters it is given', () => {
    const network = loadExample('xor.nn.json');
    const js = new Trainer(network, undefined, { engine: 'js' });
    for (let round = 0; round < 3; round++) {
      const params = Float64Array.from(network.initialParameters, (v, i) => v + round * 0.1 * Math.cos(i));
      for (const p of network.parameters) {
        const h = 1e-5 * Math.max(1, Math.abs(params[p.index]));
        js.setParameters(params);
        js.params[p.index] += h;
        js.invalidate();
        const up = js.lossOnly();
        js.params[p.index] -= 2 * h;
        js.invalidate();
        const expected = (up - js.lossOnly()) / (2 * h);
        // The engines' losses differ in the last bits, which a difference quotient magnifies by 1/h.
        assert.ok(Math.abs(finiteDifference(network, params, p.index) - expected) < 1e-8, p.name);
      }
    }
    assert.throws(() => finiteDifference(network, [1, 2], 0), RangeError);
  });

  it('sees writes into params after invalidate(), and steps from fresh gradients with the update alone', () => {
    const network = loadExample('classifier.nn.json');
    const { wasm, js } = pair(network);
    for (const t of [wasm, js]) {
      t.params[3] += 0.25;
      t.invalidate();
      t.evaluate();
      t.step();
      t.setParameters(network.initialParameters);
      t.lossOnly();
      t.step();
    }
    assertTrainersAgree(wasm, js, 'after direct writes');
  });

  it('keeps the fancy-notation values readable as arrays in the instance memory', () => {
    const network = loadExample('dosage-b3.nn.json');
    const t = new Trainer(network, undefined, { engine: 'wasm' });
    t.evaluate();
    assert.ok(Math.abs(t.x[0][1 * 2 + 0] - 0.24) < 1e-12);
    assert.ok(Math.abs(t.y[0][1 * 2 + 0] - Math.log1p(Math.exp(0.24))) < 1e-12);
    assert.ok(Math.abs(t.x[0][2 * 2 + 1] - -2.96) < 1e-12);
    // Each Trainer has its own memory: a second one leaves the first alone.
    const other = new Trainer(network, Float64Array.from(network.initialParameters, () => 1), { engine: 'wasm' });
    other.evaluate();
    assert.ok(Math.abs(t.x[0][2] - 0.24) < 1e-12);
  });
});
