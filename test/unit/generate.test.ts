/**
 * Playground's generated datasets and input features: each generator deterministic for a seed and
 * exactly its formula at noise 0; features compiled from the input columns alone, refusing anything
 * else where it is written; a network with features trained through the same gradients.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  compileFeatures, featureLabel, finiteDifference, GENERATED_KINDS, type GeneratedKind, generatePoints, loadNetwork, multigauss, type Network,
  networkInputRow, NetworkFileError, plane, Trainer,
} from '../../src/core';
import { compileExpression, emptyScalars, EXPRESSION_FUNCTIONS, type ExprState } from '../../src/session/expr/compile';
import { examplePath, loadExample } from './helpers';

const spec = (kind: GeneratedKind, samples = 200, noise = 0, seed = 1) => ({ kind, samples, noise, seed });

/** A 2-input network file around `data`, with `outputs`, `loss` and the output layer's activation. */
function networkText(data: unknown, { outputs = ['class'], loss = 'mse', last = 'sigmoid', features, validation }: { outputs?: string[]; loss?: string; last?: string; features?: string[]; validation?: unknown } = {}): string {
  return JSON.stringify({
    inputs: ['x1', 'x2'], ...(features ? { features } : {}), outputs,
    layers: [{ units: 3, activation: 'tanh' }, { units: outputs.length, activation: last }],
    data, ...(validation ? { validation } : {}), loss,
  }, null, 2);
}

/** The loader's error for `text`, as FILE:LINE:COL: message, with the text it points at. */
function loadError(text: string): { message: string; at: string } {
  try {
    loadNetwork(text);
  } catch (e) {
    if (!(e instanceof NetworkFileError)) throw e;
    return { message: e.format('f'), at: text.substr(e.position.offset, e.position.length) };
  }
  assert.fail('it loaded');
}

describe("Playground's generated datasets", () => {
  it('are the same points for the same seed, and other points for another', () => {
    for (const kind of GENERATED_KINDS) {
      const a = generatePoints(spec(kind, 200, 0.2, 7));
      const b = generatePoints(spec(kind, 200, 0.2, 7));
      const c = generatePoints(spec(kind, 200, 0.2, 8));
      assert.deepEqual(a, b, `${kind}: same seed`);
      assert.notDeepEqual(a.points, c.points, `${kind}: another seed`);
      assert.equal(a.points.length, 400);
      assert.equal(a.values.length, 200);
      assert.ok(a.points.every(Number.isFinite) && a.values.every(Number.isFinite), kind);
    }
  });

  it('make half of each class where Playground does (circle, gauss, spiral), the extra one in class 1 for an odd count', () => {
    for (const kind of ['circle', 'gauss', 'spiral'] as const) {
      for (const samples of [200, 51]) {
        const { values } = generatePoints(spec(kind, samples));
        const ones = values.filter((v) => v === 1).length;
        assert.equal(ones, Math.ceil(samples / 2), `${kind} ${samples}`);
        assert.equal(values.filter((v) => v === 0).length, samples - ones);
      }
    }
    // xor draws each point anywhere: about half in each class, as in Playground.
    const xor = generatePoints(spec('xor', 2000)).values;
    const share = xor.filter((v) => v === 1).length / 2000;
    assert.ok(share > 0.45 && share < 0.55, `xor: ${share}`);
  });

  it('are exactly their formulas at noise 0', () => {
    const at = (p: Float64Array, i: number): [number, number] => [p[2 * i], p[2 * i + 1]];
    const circle = generatePoints(spec('circle'));
    for (let i = 0; i < 200; i++) {
      const r = Math.hypot(...at(circle.points, i));
      if (i < 100) assert.ok(r <= 2.5 && circle.values[i] === 1, `circle ${i}: inside, r ${r}`);
      else assert.ok(r >= 3.5 - 1e-12 && r <= 5 + 1e-12 && circle.values[i] === 0, `circle ${i}: on the ring, r ${r}`);
    }
    const xor = generatePoints(spec('xor'));
    for (let i = 0; i < 200; i++) {
      const [x, y] = at(xor.points, i);
      assert.ok(Math.abs(x) >= 0.3 && Math.abs(y) >= 0.3 && Math.abs(x) <= 5.3 && Math.abs(y) <= 5.3, `xor ${i}: padded`);
      assert.equal(xor.values[i], x * y >= 0 ? 1 : 0);
    }
    const spiral = generatePoints(spec('spiral'));
    for (let i = 0; i < 200; i++) {
      const j = i % 100;
      const t = ((1.75 * j) / 100) * 2 * Math.PI + (i < 100 ? 0 : Math.PI);
      const r = (j / 100) * 5;
      assert.deepEqual(at(spiral.points, i), [r * Math.sin(t), r * Math.cos(t)]);
      assert.equal(spiral.values[i], i < 100 ? 1 : 0);
    }
    const planes = generatePoints(spec('plane'));
    const bumps = generatePoints(spec('multigauss'));
    for (let i = 0; i < 200; i++) {
      const [x, y] = at(planes.points, i);
      assert.ok(Math.abs(x) <= 6 && Math.abs(y) <= 6);
      assert.equal(planes.values[i], (x + y) / 10);
      assert.equal(bumps.values[i], multigauss(...at(bumps.points, i)));
    }
    assert.equal(plane(10, 0), 1);
    // Each bump is its sign at its centre, falls to 0 at distance 2, and the nearest wins.
    assert.equal(multigauss(-4, 2.5), 1);
    assert.equal(multigauss(0, 2.5), -1);
    assert.equal(multigauss(4, -3.5), -0.5);
    assert.equal(multigauss(2, 0), 0);
    // The Gaussian clouds: means near (2, 2) and (-2, -2), spread sqrt(0.5) at noise 0.
    const gauss = generatePoints(spec('gauss', 4000));
    const mean = (from: number, k: number): number => { let s = 0; for (let i = from; i < from + 2000; i++) s += gauss.points[2 * i + k]; return s / 2000; };
    for (const [from, c] of [[0, 2], [2000, -2]]) for (const k of [0, 1]) assert.ok(Math.abs(mean(from, k) - c) < 0.05, `gauss mean ${mean(from, k)}`);
    let squares = 0;
    for (let i = 0; i < 2000; i++) squares += (gauss.points[2 * i] - mean(0, 0)) ** 2;
    assert.ok(Math.abs(squares / 2000 - 0.5) < 0.05, `gauss variance ${squares / 2000}`);
  });

  it('noise moves the labels (circle, xor, plane, multigauss) or the points (spiral), and widens the clouds (gauss)', () => {
    for (const kind of ['circle', 'xor', 'plane', 'multigauss'] as const) {
      const clean = generatePoints(spec(kind));
      const noisy = generatePoints(spec(kind, 200, 0.5));
      assert.deepEqual(noisy.points, clean.points, `${kind}: the same points`);
      assert.notDeepEqual(noisy.values, clean.values, `${kind}: labels from the noisy point`);
    }
    const spiral = generatePoints(spec('spiral', 200, 0.5));
    assert.deepEqual(spiral.values, generatePoints(spec('spiral')).values);
    assert.notDeepEqual(spiral.points, generatePoints(spec('spiral')).points);
  });

  it('become the targets the outputs take: one-hot for 2, 1 and 0 for one sigmoid, 1 and -1 for one tanh, values for regression', () => {
    const { values } = generatePoints(spec('circle', 100));
    const twoOutputs = loadNetwork(networkText({ generate: 'circle', samples: 100 }, { outputs: ['outside', 'inside'], loss: 'cross-entropy', last: 'identity' }));
    const sigmoid = loadNetwork(networkText({ generate: 'circle', samples: 100 }, { loss: 'ssr' }));
    const tanh = loadNetwork(networkText({ generate: 'circle', samples: 100 }, { last: 'tanh' }));
    for (let i = 0; i < 100; i++) {
      assert.deepEqual([...twoOutputs.data.targets.subarray(2 * i, 2 * i + 2)], values[i] === 1 ? [0, 1] : [1, 0]);
      assert.equal(sigmoid.data.targets[i], values[i]);
      assert.equal(tanh.data.targets[i], values[i] === 1 ? 1 : -1);
    }
    const regression = loadNetwork(networkText({ generate: 'multigauss', noise: 0.1, seed: 3 }, { last: 'identity' }));
    assert.deepEqual(regression.data.targets, generatePoints(spec('multigauss', 200, 0.1, 3)).values);
    assert.deepEqual(regression.generated, { data: { kind: 'multigauss', samples: 200, noise: 0.1, seed: 3 }, validation: null });
  });

  it('a single sigmoid output learns a generated dataset with 0/1 targets', () => {
    const network = loadNetwork(JSON.stringify({
      inputs: ['x1', 'x2'], outputs: ['class'], layers: [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
      init: { weights: 'glorot', seed: 2 }, data: { generate: 'gauss', samples: 100, seed: 4 }, loss: 'mse', training: { learningRate: 0.5 },
    }));
    const t = new Trainer(network);
    t.run(300);
    const nOut = 1;
    let right = 0;
    t.evaluate();
    const out = t.y[t.y.length - 1];
    for (let i = 0; i < 100; i++) if ((out[i * nOut] > 0.5 ? 1 : 0) === network.data.targets[i]) right++;
    assert.ok(right >= 97, `${right} of 100 right`);
  });

  it('refuses, where it is written: an unknown kind (did you mean), bad samples, noise and seed, and a kind that does not fit', () => {
    const cases: [unknown, { outputs?: string[]; loss?: string; last?: string; validation?: unknown }, RegExp, string][] = [
      [{ generate: 'spirals' }, {}, /^f:\d+:\d+: unknown dataset "spirals" in data.generate: expected one of circle, xor, gauss, spiral, plane, multigauss \(did you mean "spiral"\?\)$/, '"spirals"'],
      [{ generate: 'moons' }, {}, /unknown dataset "moons" .*multigauss$/, '"moons"'],
      [{ generate: 3 }, {}, /data.generate must be a string, not the number 3/, '3'],
      [{ generate: 'xor', samples: 1 }, {}, /data.samples must be a whole number from 2 to 1,000,000, not 1/, '1'],
      [{ generate: 'xor', samples: 20.5 }, {}, /data.samples must be a whole number/, '20.5'],
      [{ generate: 'xor', noise: 10 }, {}, /data.noise must be from 0 to 0.5 \(Playground's noise slider, 0 to 50%, as a share\), not 10/, '10'],
      [{ generate: 'xor', noise: -0.1 }, {}, /data.noise must be from 0 to 0.5/, '-0.1'],
      [{ generate: 'xor', seed: -1 }, {}, /data.seed must be a whole number from 0 to 4294967295, not -1/, '-1'],
      [{ generate: 'xor', seed: 'one' }, {}, /data.seed must be a number, not the string "one"/, '"one"'],
      [{ generate: 'xor', sample: 100 }, {}, /unknown property "sample" in data \(did you mean "samples"\?\)/, '"sample"'],
      [{ generate: 'spiral' }, { outputs: ['a', 'b', 'c'], loss: 'cross-entropy' }, /"spiral" has 2 classes: give 1 output \(1 for class 1, 0 for class 0\) or 2 outputs \(one per class\), not 3 \(a, b, c\)/, '"spiral"'],
      [{ generate: 'plane' }, { outputs: ['a', 'b'], loss: 'cross-entropy' }, /"plane" is regression .* needs 1 output and the loss "ssr" or "mse", not 2 \(a, b\) outputs/, '"plane"'],
      [{ generate: 'spiral' }, { validation: { generate: 'spiral' } }, /validation would draw the same points as data \(both "spiral" with seed 1\): give validation another seed/, '"spiral"'],
      [{ generate: 'gauss', seed: 4 }, { validation: { generate: 'gauss', seed: 4, samples: 50 } }, /give validation another seed/, '4'],
    ];
    for (const [data, options, message, at] of cases) {
      const e = loadError(networkText(data, options));
      assert.match(e.message, message);
      assert.equal(e.at, at, e.message);
    }
    const oneInput = JSON.stringify({ inputs: ['dosage'], outputs: ['efficacy'], layers: [{ units: 1, activation: 'identity' }], data: { generate: 'circle' } });
    assert.match(loadError(oneInput).message, /"circle" makes points \(x1, x2\) in the plane, so the network needs 2 inputs, not 1 \(dosage\)/);
  });

  it('hold a validation set of their own, and validationShare splits them', () => {
    const network = loadNetwork(networkText({ generate: 'xor', samples: 100 }, { validation: { generate: 'xor', samples: 40, seed: 2 } }));
    assert.equal(network.validation!.samples, 40);
    assert.deepEqual(network.validation!.inputs, generatePoints(spec('xor', 40, 0, 2)).points);
    const doc = JSON.parse(networkText({ generate: 'xor', samples: 100 }));
    doc.training = { validationShare: 0.25 };
    const split = loadNetwork(JSON.stringify(doc));
    assert.deepEqual([split.data.samples, split.validation!.samples], [75, 25]);
  });
});

describe('input features', () => {
  it('compile over the input columns, and show as written on paper', () => {
    const f = compileFeatures(['x1', 'x2', 'x1^2', 'x1 * x2', 'sin(x1)', 'cos(x2) + tanh(x1 / 2)', 'abs(x1 - x2)', 'max(x1, x2, 0)', '(x1 + x2)^-1'], ['x1', 'x2']);
    const raw = [9, 9, 0.7, -1.3];
    const at = (k: number): number => f.compute[k](raw, 2);
    const [x1, x2] = [0.7, -1.3];
    assert.deepEqual(f.compute.map((_, k) => at(k)), [x1, x2, x1 ** 2, x1 * x2, Math.sin(x1), Math.cos(x2) + Math.tanh(x1 / 2), Math.abs(x1 - x2), Math.max(x1, x2, 0), (x1 + x2) ** -1]);
    assert.deepEqual(f.labels, ['x1', 'x2', 'x1²', 'x1·x2', 'sin(x1)', 'cos(x2) + tanh(x1 / 2)', 'abs(x1 - x2)', 'max(x1, x2, 0)', '(x1 + x2)⁻¹']);
    assert.equal(featureLabel('x1 ^ 12'), 'x1¹²');
    assert.equal(featureLabel('x1^0.5'), 'x1^0.5');
    assert.equal(featureLabel('x1^2e1'), 'x1^2e1');
  });

  it('refuse parameters, gradients, instruments, groups and unknown names, pointing into the feature', () => {
    const cases: [string, RegExp, string][] = [
      ['w1 * x1', /features\[2\] \("w1 \* x1"\): w1 is a parameter: a feature is computed from the input columns x1, x2 alone$/, 'w1'],
      ['x1 + dw3', /dw3 is a gradient: a feature is computed from the input columns x1, x2 alone$/, 'dw3'],
      ['loss', /loss is a training quantity that breakpoint conditions read/, 'loss'],
      ['x1 * gradientNorm', /gradientNorm is a training quantity/, 'gradientNorm'],
      ['mean(Y1)', /mean\(\) takes a layer's group of values, which only breakpoint conditions have/, 'mean'],
      ['W1', /W1 is a layer's group of values, which only breakpoint conditions read/, 'W1'],
      ['X1[2] + 1', /X1\[2\] is a layer's group of values/, 'X1[2]'],
      ['m(w1)', /m\(\) is an optimizer's buffer/, 'm'],
      ['x3^2', /unknown name 'x3': a feature is computed from the input columns x1, x2 alone \(did you mean x1\?\)$/, 'x3'],
      ['sine(x1)', /unknown function 'sine' \(did you mean sin\?\)$/, 'sine'],
      ['sin(x1, x2)', /sin\(\) takes 1 argument, not 2/, 'sin(x1, x2)'],
      ['x1 +', /expected a number, a name or '\(', found the end/, '"'],
      ['', /the feature is empty: expected an expression over x1, x2, such as x1\^2/, '"'],
    ];
    for (const [feature, message, at] of cases) {
      const e = loadError(networkText({ generate: 'circle' }, { features: ['x1', 'x2', feature] }));
      assert.match(e.message, message, feature);
      assert.equal(e.at, at, `${feature}: ${e.message}`);
    }
    // Positions count the characters of the file, escapes and all: "\u0078" is x, six characters long.
    const escaped = networkText({ generate: 'circle' }, { features: ['x1', 'x2', 'XX'] }).replace('"XX"', '"\\u00781 + w2"');
    assert.equal(loadError(escaped).at, 'w2');
    // Two features that are the same once shown, and the network's width.
    assert.match(loadError(networkText({ generate: 'circle' }, { features: ['x1^2', 'x1 ^ 2'] })).message, /features\[1\] is the same feature as features\[0\] \(x1²\)/);
    const doc = JSON.parse(networkText({ generate: 'circle' }, { features: ['x1', 'x2', 'x1*x2'] }));
    doc.layers[0].weights = [[1, 2], [3, 4], [5, 6]];
    assert.match(loadError(JSON.stringify(doc, null, 1)).message, /layers\[0\]\.weights\[0\] has 2 weights but there are 3 inputs \(x1, x2, x1·x2\)/);
  });

  it('make the network take the features: the data stays the raw columns in the file, the first layer takes one input per feature', () => {
    const text = networkText({ inputs: [[1, 2], [-0.5, 3]], targets: [[1], [0]] }, { features: ['x1', 'x1*x2', 'sin(x2)'] });
    const network = loadNetwork(text);
    assert.deepEqual(network.inputNames, ['x1', 'x1·x2', 'sin(x2)']);
    assert.deepEqual(network.features!.columns, ['x1', 'x2']);
    assert.equal(network.layers[0].inputs, 3);
    assert.deepEqual([...network.data.inputs], [1, 2, Math.sin(2), -0.5, -1.5, Math.sin(3)]);
    // Rows keyed by column work too, and so does normalize, over the features.
    const rows = JSON.parse(text);
    rows.data = [{ x1: 1, x2: 2, class: 1 }, { x1: -0.5, x2: 3, class: 0 }];
    rows.normalize = 'minmax';
    const normalized = loadNetwork(JSON.stringify(rows));
    assert.deepEqual([...normalized.data.inputs], [1, 1, 1, 0, 0, 0]);
    // networkInputRow maps one raw row as the loader mapped the data: features, then the rescaling.
    const out = new Float64Array(3);
    for (const [net, i] of [[network, 1], [normalized, 0], [normalized, 1]] as [Network, number][]) {
      networkInputRow(net, [9, 1, 2, -0.5, 3], out, 1 + 2 * i);
      assert.deepEqual([...out], [...net.data.inputs.subarray(3 * i, 3 * i + 3)]);
    }
    // Without features, the row is the columns (rescaled when asked).
    const plain = loadExample('classifier.nn.json');
    assert.deepEqual([...networkInputRow(plain, [0.25, -2], new Float64Array(2))], [0.25, -2]);
  });

  it('train with gradients that agree with central finite differences', () => {
    const network = loadNetwork(readFileSync(examplePath('spiral.nn.json'), 'utf8'));
    const t = new Trainer(network);
    const loss = t.evaluate();
    for (const p of network.parameters) {
      const fd = finiteDifference(network, t.params, p.index, 1e-6);
      const g = t.gradients[p.index];
      assert.ok(Math.abs(g - fd) <= 1e-6 * Math.max(1, Math.abs(g)) + 1e-9 * Math.abs(loss), `${p.name}: backprop ${g} vs finite difference ${fd}`);
    }
  });

  it('the spiral example learns its spiral, and its held-out spiral', () => {
    const network = loadExample('spiral.nn.json');
    const t = new Trainer(network);
    t.run(network.training.maxSteps);
    const accuracy = (inputs: Float64Array, targets: Float64Array, samples: number): number => {
      const nIn = network.inputNames.length;
      let right = 0;
      for (let i = 0; i < samples; i++) {
        // Forward by hand from the trained parameters: tanh, then tanh.
        const [hidden, out] = network.layers;
        const h = Array.from({ length: hidden.units }, (_, j) => {
          let s = t.params[hidden.biasOffset + j];
          for (let k = 0; k < nIn; k++) s += t.params[hidden.weightOffset + j * nIn + k] * inputs[i * nIn + k];
          return Math.tanh(s);
        });
        let s = t.params[out.biasOffset];
        h.forEach((v, j) => { s += t.params[out.weightOffset + j] * v; });
        if (Math.sign(Math.tanh(s)) === targets[i]) right++;
      }
      return right / samples;
    };
    assert.ok(accuracy(network.data.inputs, network.data.targets, 200) >= 0.97, 'training spiral');
    assert.ok(accuracy(network.validation!.inputs, network.validation!.targets, 200) >= 0.95, 'held-out spiral');
  });
});

describe('sin, cos and tanh in conditions', () => {
  it('evaluate as Math does, and are offered with the other functions', () => {
    const net = loadExample('dosage-all.nn.json');
    const trainer = new Trainer(net);
    trainer.evaluate();
    const state: ExprState = { params: trainer.params, gradients: trainer.gradients, x: trainer.x, y: trainer.y, state: trainer.state, scalars: { ...emptyScalars(0.1), loss: trainer.loss } };
    const w1 = trainer.params[0];
    assert.equal(compileExpression('sin(w1)', net, state).evaluate(), Math.sin(w1));
    assert.equal(compileExpression('cos(w1) + tanh(loss)', net, state).evaluate(), Math.cos(w1) + Math.tanh(trainer.loss));
    assert.equal(compileExpression('tanh(dw1) < 1', net, state).evaluate(), 1);
    assert.throws(() => compileExpression('sin(W1)', net, state), /W1 is a group of values/);
    assert.throws(() => compileExpression('tan(w1)', net, state), /unknown function 'tan' \(did you mean tanh\?\)/);
    for (const f of ['sin', 'cos', 'tanh']) assert.ok(EXPRESSION_FUNCTIONS.includes(f), `${f} is completed`);
  });
});
