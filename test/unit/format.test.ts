/** Every bad input gets one clear message with the line and column of the offending text. */
import assert from 'node:assert/strict';
import { loadNetwork, NetworkFileError, Trainer } from '../../src/core';
import { goToStepCheck, goToStepPrompt } from '../../src/goToStep';

const GOOD = {
  inputs: ['dosage'],
  outputs: ['efficacy'],
  layers: [
    { units: 2, activation: 'softplus', weights: [[3.34], [-3.53]], biases: [-1.43, 0.57] },
    { units: 1, activation: 'identity', weights: [[-1.22, -2.3]], biases: [0] },
  ],
  data: [{ dosage: 0, efficacy: 0 }, { dosage: 0.5, efficacy: 1 }, { dosage: 1, efficacy: 0 }],
  loss: 'ssr',
  training: { learningRate: 0.1, trainable: ['b3'] },
};

/** The good network, pretty-printed, after `edit`: positions in messages refer to this text. */
function variant(edit: (doc: any) => void): string {
  const doc = JSON.parse(JSON.stringify(GOOD));
  edit(doc);
  return JSON.stringify(doc, null, 2);
}

function failure(text: string): NetworkFileError {
  try {
    loadNetwork(text);
  } catch (e) {
    if (e instanceof NetworkFileError) return e;
    throw e;
  }
  assert.fail('expected the file to be rejected');
}

/** Asserts the message matches and the position points at `at` (the first occurrence of that text). */
function rejects(text: string, message: RegExp, at: { line: number; column: number } | string | { after: string; find: string }): void {
  const e = failure(text);
  assert.match(e.message, message);
  const where = typeof at === 'string' ? lineColumnOf(text, at) : 'find' in at ? lineColumnOf(text, at.find, text.indexOf(at.after) + at.after.length) : at;
  assert.deepEqual({ line: e.position.line, column: e.position.column }, where, `${e.message} at ${e.position.line}:${e.position.column}`);
  assert.equal(e.format('net.nn.json'), `net.nn.json:${where.line}:${where.column}: ${e.message}`);
  assert.ok(!e.message.includes('\n'), 'one line');
}

/** Line and column of the first `needle` at or after `from`. */
function lineColumnOf(text: string, needle: string, from = 0): { line: number; column: number } {
  const offset = text.indexOf(needle, from);
  assert.ok(offset >= 0, `fixture lacks ${needle}`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('loading a network file', () => {
  it('accepts the format of the issue and fills the defaults', () => {
    const net = loadNetwork(variant((d) => { delete d.training; delete d.loss; }));
    assert.equal(net.loss, 'ssr');
    assert.deepEqual({ ...net.training, trainable: Array.from(net.training.trainable) }, {
      learningRate: 0.1, maxSteps: 1000, minStepSize: 0.0001, trainable: [1, 1, 1, 1, 1, 1, 1],
      // Today's files mean what they meant: full batch, plain gradient descent, nothing added.
      optimizer: { type: 'sgd' }, batchSize: null, shuffle: false, seed: 0, regularization: { l1: 0, l2: 0 },
      schedule: { type: 'constant' }, clip: null, validationShare: null,
    });
    assert.equal(net.validation, null);
  });

  it('reads wide data the same as rows', () => {
    const rows = loadNetwork(JSON.stringify(GOOD));
    const wide = loadNetwork(variant((d) => { d.data = { inputs: [[0], [0.5], [1]], targets: [[0], [1], [0]] }; }));
    assert.deepEqual(wide.data, rows.data);
  });

  it('records where each parameter is written, for the editor', () => {
    const text = JSON.stringify(GOOD, null, 2);
    const net = loadNetwork(text);
    const w3 = net.parameterPositions[2]!;
    assert.equal(text.substr(w3.offset, w3.length), '-1.22');
  });

  it('initialises missing weights from the seed: the same seed, the same network', () => {
    const a = loadNetwork(variant((d) => { delete d.layers[0].weights; delete d.layers[1].weights; d.init = { seed: 42 }; }));
    const b = loadNetwork(variant((d) => { delete d.layers[0].weights; delete d.layers[1].weights; d.init = { seed: 42 }; }));
    const c = loadNetwork(variant((d) => { delete d.layers[0].weights; delete d.layers[1].weights; d.init = { seed: 43 }; }));
    assert.deepEqual(a.initialParameters, b.initialParameters);
    assert.notDeepEqual(a.initialParameters, c.initialParameters);
    assert.deepEqual(a.parameterPositions.slice(0, 4), [undefined, undefined, undefined, undefined]);
  });

  it('draws standard normal weights and zero biases by default (StatQuest)', () => {
    const big = JSON.stringify({ inputs: ['x'], outputs: ['y'], layers: [{ units: 2000, activation: 'relu' }, { units: 1, activation: 'identity' }], data: [{ x: 0, y: 0 }] });
    const net = loadNetwork(big);
    const w = Array.from(net.initialParameters.subarray(0, net.weightCount));
    const mean = w.reduce((a, v) => a + v, 0) / w.length;
    const sd = Math.sqrt(w.reduce((a, v) => a + (v - mean) ** 2, 0) / w.length);
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(sd - 1) < 0.05, `mean ${mean}, sd ${sd}`);
    assert.ok(net.initialParameters.subarray(net.weightCount).every((b) => b === 0));
  });

  it("keeps one layer's random weights when another layer's are written out", () => {
    const random = loadNetwork(variant((d) => { delete d.layers[0].weights; delete d.layers[1].weights; }));
    const half = loadNetwork(variant((d) => { delete d.layers[1].weights; }));
    assert.deepEqual(half.initialParameters.subarray(2, 4), random.initialParameters.subarray(2, 4));
  });

  it('supports uniform, glorot and constant initial weights', () => {
    for (const weights of ['uniform', 'glorot', 0.5]) {
      const net = loadNetwork(variant((d) => { delete d.layers[0].weights; d.init = { weights, biases: 0.25 }; }));
      const w = net.initialParameters.subarray(0, 2);
      if (weights === 0.5) assert.deepEqual(Array.from(w), [0.5, 0.5]);
      else assert.ok(w.every((v) => Math.abs(v) < 5));
      assert.equal(net.initialParameters[net.weightCount + 2], 0, 'a written bias stays');
    }
  });

  describe('rejects, with the position of the problem', () => {
    it('malformed JSON', () => rejects('{\n  "inputs": ["dosage"]\n  "outputs": ["efficacy"]\n}', /expected ','/, { line: 3, column: 3 }));
    it('truncated JSON', () => rejects('{\n  "inputs": ["dosage"],\n  "layers": [\n', /expected a value|expected '\]'/, { line: 4, column: 1 }));
    it('NaN', () => rejects(variant((d) => { d.layers[0].biases[0] = 12345; }).replace('12345', 'NaN'), /NaN is not valid JSON/, 'NaN'));
    it('Infinity', () => rejects(variant((d) => { d.training.learningRate = 12345; }).replace('12345', 'Infinity'), /Infinity is not valid JSON/, 'Infinity'));
    it('quotes at most a few characters of a file that is not JSON (a secret it happened to read stays unshown)', () => {
      const secret = `sk_live_${'A1b2C3d4E5'.repeat(10)}`;
      for (const text of [`{"inputs": ${secret}}`, `{${secret}}`, `{"inputs": ["a"] "${secret}"}`, `{"inputs": 12${secret}}`]) {
        assert.throws(() => loadNetwork(text), (e: unknown) => {
          assert.ok(e instanceof NetworkFileError);
          assert.match(e.message, /^invalid JSON/);
          assert.ok(!e.message.includes(secret.slice(0, 30)), e.message);
          assert.ok(e.message.length < 90, e.message);
          return true;
        });
      }
    });
    it('comments', () => rejects(`// my network\n${JSON.stringify(GOOD)}`, /comments are not allowed/, { line: 1, column: 1 }));
    it('an empty file', () => rejects('', /the file is empty/, { line: 1, column: 1 }));
    it('a file of only spaces', () => rejects('  \n \n', /the file is empty/, { line: 1, column: 1 }));
    it('a file that is not an object', () => rejects('[1, 2, 3]', /the file must be a network object .*not an array/, { line: 1, column: 1 }));
    it('a bare number', () => rejects('42', /not the number 42/, { line: 1, column: 1 }));
    it('a duplicate key', () => rejects('{"inputs": ["a"], "inputs": ["b"]}', /duplicate property "inputs"/, { line: 1, column: 19 }));
    it('weights with too few rows', () => rejects(variant((d) => { d.layers[0].weights = [[3.34]]; }), /layers\[0\]\.weights has 1 row but units is 2/, '[\n        [\n          3.34'));
    it('weights with a row of the wrong length', () => rejects(variant((d) => { d.layers[1].weights = [[-1.22]]; }), /layers\[1\]\.weights\[0\] has 1 weight but the layer before has 2 units/, '[\n          -1.22'));
    it('units that disagree with the weights', () => rejects(variant((d) => { d.layers[0].units = 3; }), /layers\[0\]\.weights has 2 rows but units is 3/, { after: '"weights"', find: '[' }));
    it('the last layer wider than the outputs', () => rejects(variant((d) => { d.layers[1].units = 2; delete d.layers[1].weights; delete d.layers[1].biases; }), /the last layer has 2 units but there is 1 output/, '2,\n      "activation": "identity"'));
    it('biases of the wrong length', () => rejects(variant((d) => { d.layers[0].biases = [1, 2, 3]; }), /layers\[0\]\.biases has 3 values but units is 2/, '[\n        1,'));
    it('an unknown activation', () => rejects(variant((d) => { d.layers[0].activation = 'softpluss'; }), /unknown activation "softpluss" in layers\[0\]\.activation: expected one of identity, softplus, relu, sigmoid, tanh, leaky-relu, elu, gelu, silu \(did you mean "softplus"\?\)/, '"softpluss"'));
    it('an unknown loss', () => rejects(variant((d) => { d.loss = 'hinge'; }), /unknown loss "hinge" in loss: expected one of ssr, mse, cross-entropy/, '"hinge"'));
    it('a string where a number belongs', () => rejects(variant((d) => { d.layers[1].weights[0][1] = '-2.30'; }), /layers\[1\]\.weights\[0\]\[1\] \(w4\) must be a number, not the string "-2.30"/, '"-2.30"'));
    it('a string for units', () => rejects(variant((d) => { d.layers[0].units = '2'; }), /layers\[0\]\.units must be a number, not the string "2"/, '"2"'));
    it('fractional units', () => rejects(variant((d) => { d.layers[0].units = 1.5; }), /layers\[0\]\.units must be a whole number of at least 1, not 1\.5/, '1.5'));
    it('a data row missing a column', () => rejects(variant((d) => { delete d.data[1].efficacy; }), /data\[1\] is missing the column "efficacy"/, '{\n      "dosage": 0.5'));
    it('a data row with an unknown column', () => rejects(variant((d) => { d.data[2].dose = 1; }), /unknown column "dose" in data\[2\] \(did you mean "dosage"\?\)/, '"dose"'));
    it('a string in the data', () => rejects(variant((d) => { d.data[0].efficacy = 'none'; }), /data\[0\]\.efficacy must be a number, not the string "none"/, '"none"'));
    it('empty data', () => rejects(variant((d) => { d.data = []; }), /data is empty/, '[]'));
    it('wide data with a short row', () => rejects(variant((d) => { d.data = { inputs: [[0], [1]], targets: [[0], [1, 2]] }; }), /data\.targets\[1\] has 2 values but there is 1 output$/, '[\n        1,\n        2'));
    it('wide data with unequal row counts', () => rejects(variant((d) => { d.data = { inputs: [[0], [1]], targets: [[0]] }; }), /data\.targets has 1 row but data\.inputs has 2/, { after: '"targets"', find: '[' }));
    it('an unknown name in trainable', () => rejects(variant((d) => { d.training.trainable = ['b3', 'w9']; }), /unknown parameter "w9" in training\.trainable: this network has w1\.\.w4, b1\.\.b3/, '"w9"'));
    it('a name listed twice in trainable', () => rejects(variant((d) => { d.training.trainable = ['b3', 'b3']; }), /"b3" is listed twice/, { after: '"b3"', find: '"b3"' }));
    it('a learning rate of zero', () => rejects(variant((d) => { d.training.learningRate = 0; }), /training\.learningRate must be a positive number, not 0/, '0,\n    "trainable"'));
    it('a negative learning rate', () => rejects(variant((d) => { d.training.learningRate = -0.1; }), /training\.learningRate must be a positive number, not -0\.1/, '-0.1'));
    it('a learning rate that is a string', () => rejects(variant((d) => { d.training.learningRate = 'fast'; }), /training\.learningRate must be a number, not the string "fast"/, '"fast"'));
    it('a number too large to be finite', () => rejects(variant((d) => { d.layers[0].biases[1] = 12345; }).replace('12345', '1e999'), /too large to be a finite number/, '1e999'));
    it('a missing section', () => rejects(variant((d) => { delete d.layers; }), /the network is missing "layers"/, { line: 1, column: 1 }));
    it('a misspelt top-level key', () => rejects(variant((d) => { d.trainig = {}; }), /unknown property "trainig" in the network \(did you mean "training"\?\)/, '"trainig"'));
    it('a misspelt training key', () => rejects(variant((d) => { d.training.learningrate = 1; }), /unknown property "learningrate" in training \(did you mean "learningRate"\?\)/, '"learningrate"'));
    it('an unsupported format version', () => rejects(variant((d) => { d.version = 2; }), /unsupported format version 2/, '2\n}'));
    it('an input that is also an output', () => rejects(variant((d) => { d.outputs = ['dosage']; }), /"dosage" is both an input and an output/, '[\n    "dosage"\n  ],\n  "layers"'));
    it('an empty layer list', () => rejects(variant((d) => { d.layers = []; }), /layers is empty/, '[]'));
    it('first-layer weights that do not match the inputs', () => rejects(variant((d) => { d.layers[0].weights = [[1, 2], [3, 4]]; }), /layers\[0\]\.weights\[0\] has 2 weights but there is 1 input \(dosage\): one weight per input/, '[\n          1,'));
    it('-Infinity', () => rejects(variant((d) => { d.layers[0].biases[0] = 12345; }).replace('12345', '-Infinity'), /-Infinity is not valid JSON/, '-Infinity'));
    it('a layer too wide to hold', () => rejects(variant((d) => { d.layers[0].units = 1e9; delete d.layers[0].weights; delete d.layers[0].biases; delete d.layers[1].weights; }), /layers\[0\]\.units is 1000000000, more than 100,000 units in a layer/, '1000000000'));
    it('a network too large to hold', () => rejects(variant((d) => {
      d.layers = [{ units: 5000, activation: 'relu' }, { units: 5001, activation: 'relu' }, { units: 1, activation: 'identity' }];
    }), /layers\[1\] takes the network past 10,000,000 parameters/, '5001'));
    it('data too large to hold', () => rejects(variant((d) => { d.layers[0].units = 50000; delete d.layers[0].weights; delete d.layers[0].biases; delete d.layers[1].weights; d.data = { inputs: Array.from({ length: 201 }, () => [0]), targets: Array.from({ length: 201 }, () => [0]) }; }), /201 samples through 50001 units is more than the 10,000,000 activations/, { after: '"data": ', find: '{' }));
    it('cross-entropy with one output', () => rejects(variant((d) => { d.loss = 'cross-entropy'; }), /cross-entropy .* needs at least 2 outputs/, '"cross-entropy"'));
    it('cross-entropy with targets that are not one-hot', () => rejects(variant((d) => {
      d.outputs = ['yes', 'no']; d.layers[1].units = 2; delete d.layers[1].weights; delete d.layers[1].biases; d.training.trainable = ['b3'];
      d.loss = 'cross-entropy'; d.data = [{ dosage: 0, yes: 1, no: 0 }, { dosage: 1, yes: 5, no: -3 }];
    }), /cross-entropy needs one-hot targets \(one 1 among yes, no, the rest 0\), but sample 2 has 5, -3/, { after: '"dosage": 0,', find: '{' }));
    it('an unknown notation', () => rejects(variant((d) => { d.notation = '3blue1brown'; }), /unknown notation "3blue1brown" in notation: expected one of statquest, 3b1b/, '"3blue1brown"'));
    it('a seed beyond 32 bits', () => rejects(variant((d) => { d.init = { seed: 2 ** 32 }; }), /init\.seed must be at most 4294967295/, '4294967296'));
    it('JSON nested too deeply', () => rejects(`${'['.repeat(100_000)}`, /the JSON nests more than 64 levels of nesting/, { line: 1, column: 65 }));
  });

  it('reads the notation a file asks to be read in, and none by default', () => {
    assert.equal(loadNetwork(variant((d) => { d.notation = '3b1b'; })).notation, '3b1b');
    assert.equal(loadNetwork(JSON.stringify(GOOD)).notation, null);
  });

  it('reads a file that starts with a byte-order mark, keeping positions', () => {
    const text = `\ufeff${JSON.stringify(GOOD, null, 2)}`;
    assert.equal(loadNetwork(text).name, 'Untitled network');
    const e = failure(text.replace('"softplus"', '"soft"'));
    assert.deepEqual([e.position.line, e.position.column], [lineColumnOf(text, '"softplus"').line, lineColumnOf(text, '"softplus"').column]);
  });

  it('accepts soft cross-entropy targets that sum to 1 and one-hot ones', () => {
    const net = loadNetwork(variant((d) => {
      d.outputs = ['yes', 'no']; d.layers[1].units = 2; delete d.layers[1].weights; delete d.layers[1].biases; d.training.trainable = ['b3'];
      d.loss = 'cross-entropy'; d.data = [{ dosage: 0, yes: 1, no: 0 }, { dosage: 1, yes: 0.25, no: 0.75 }];
    }));
    assert.equal(net.loss, 'cross-entropy');
  });

  it('trains a network loaded from any valid variant', () => {
    const t = new Trainer(loadNetwork(variant((d) => { d.loss = 'mse'; })));
    assert.ok(Number.isFinite(t.evaluate()));
  });
});

describe('Go to Step words', () => {
  it('name the steps kept and say that a step beyond trains on', () => {
    assert.equal(goToStepPrompt(37, 0, 642), 'Steps 0 to 642 are kept (now at 37); a step beyond 642 trains on to it');
    assert.equal(goToStepPrompt(200000, 1000, 250000), 'Steps 1,000 to 250,000 are kept (now at 200,000); a step beyond 250,000 trains on to it');
  });
  it('refuse what is not a step in range, and say what a step beyond does', () => {
    assert.deepEqual(goToStepCheck('x', 0, 642, null), { message: 'a whole number, 0 or more', severity: 'error' });
    assert.deepEqual(goToStepCheck('5', 10, 642, null), { message: 'a whole number, 10 or more', severity: 'error' });
    assert.equal(goToStepCheck(' 642 ', 0, 642, 'converged'), undefined);
    assert.deepEqual(goToStepCheck('700', 0, 642, null), { message: 'Trains on from step 642 to 700', severity: 'info' });
    assert.match(goToStepCheck('5000', 0, 642, 'converged')!.message, /^Training converged by step 642: it trains on past convergence to step 5,000/);
    assert.equal(goToStepCheck('5000', 0, 642, 'converged')!.severity, 'info');
    assert.equal(goToStepCheck('5000', 0, 642, 'diverged')!.severity, 'error');
  });
});
