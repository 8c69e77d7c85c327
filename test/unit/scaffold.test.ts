/** New Network: the shape a person types becomes a valid network file, the same one every time. */
import assert from 'node:assert/strict';
import { ACTIVATIONS, dataKindsFor, loadNetwork, parseColumnNames, parseHiddenLayers, parseLearningRate, scaffoldNetwork, Trainer } from '../../src/core';

describe('New Network', () => {
  it('reads hidden layers as typed, and says where a mistake is', () => {
    assert.deepEqual(parseHiddenLayers('2 softplus'), { layers: [{ units: 2, activation: 'softplus' }] });
    assert.deepEqual(parseHiddenLayers(' 3 tanh, 4 RELU '), { layers: [{ units: 3, activation: 'tanh' }, { units: 4, activation: 'relu' }] });
    assert.deepEqual(parseHiddenLayers('   '), { layers: [] }, 'no hidden layer: a linear model');
    assert.deepEqual(parseHiddenLayers('3'), { layers: [{ units: 3, activation: 'softplus' }] }, "StatQuest's softplus by default");
    assert.deepEqual(parseHiddenLayers('2 softplus, 3 tanhh'), { error: `column 13: unknown activation "tanhh"; use ${ACTIVATIONS.join(', ')}` });
    assert.deepEqual(parseHiddenLayers('2, x'), { error: 'column 4: expected a unit count then an activation, like "2 softplus"' });
    assert.deepEqual(parseHiddenLayers('0 relu'), { error: 'column 1: a layer has 1 to 64 units, not 0' });
  });

  it('reads column names and rejects duplicates and empty lists', () => {
    assert.deepEqual(parseColumnNames(' x1, x2 ', 'input'), { names: ['x1', 'x2'] });
    assert.match((parseColumnNames(', ,', 'output') as { error: string }).error, /at least one output name/);
    assert.match((parseColumnNames('a, a', 'input') as { error: string }).error, /"a" appears twice/);
  });

  it('writes a valid network with seeded weights written out and data to edit, the same every time', () => {
    for (const shape of [
      { inputs: ['dosage'], hidden: [{ units: 2, activation: 'softplus' as const }], outputs: ['efficacy'] },
      { inputs: ['x1', 'x2'], hidden: [{ units: 3, activation: 'tanh' as const }, { units: 2, activation: 'relu' as const }], outputs: ['a', 'b'] },
      { inputs: ['x'], hidden: [], outputs: ['y'] },
    ]) {
      const text = scaffoldNetwork(shape);
      assert.equal(scaffoldNetwork(shape), text, 'deterministic');
      const network = loadNetwork(text);
      assert.deepEqual(network.inputNames, shape.inputs);
      assert.deepEqual(network.outputNames, shape.outputs);
      assert.deepEqual(network.layers.map((l) => l.units), [...shape.hidden.map((l) => l.units), shape.outputs.length]);
      // Every weight is written in the file (none from `init`), and training reduces the loss.
      assert.ok(network.parameterPositions.every((p) => p !== undefined), 'every parameter written out');
      const trainer = new Trainer(network);
      const before = trainer.evaluate();
      trainer.run(200);
      assert.ok(trainer.evaluate() < before, 'the sample data can be fitted');
    }
  });

  it('lays the file out a line per layer and per sample, like the examples', () => {
    const text = scaffoldNetwork({ inputs: ['dosage'], hidden: [{ units: 2, activation: 'softplus' }], outputs: ['efficacy'] });
    assert.match(text, /^ {4}\{ "units": 2, "activation": "softplus", "weights": \[\[-?[\d.]+\], \[-?[\d.]+\]\], "biases": \[0, 0\] \},$/m);
    assert.match(text, /^ {4}\{ "dosage": 0\.5, "efficacy": 1 \},$/m);
  });
});

describe('New Network: loss, learning rate and data', () => {
  it('writes the loss, the learning rate and the data kind asked for, each a network that trains', () => {
    for (const shape of [
      { inputs: ['dose'], hidden: [{ units: 2, activation: 'softplus' as const }], outputs: ['effect'], loss: 'mse' as const, learningRate: 0.05, data: 'line' as const },
      { inputs: ['x1', 'x2'], hidden: [{ units: 4, activation: 'tanh' as const }], outputs: ['no', 'yes'], loss: 'cross-entropy' as const, learningRate: 0.5, data: 'xor' as const },
      { inputs: ['x1', 'x2', 'x3'], hidden: [], outputs: ['low', 'high'], loss: 'cross-entropy' as const, data: 'line' as const },
    ]) {
      const network = loadNetwork(scaffoldNetwork(shape));
      assert.equal(network.loss, shape.loss);
      assert.equal(network.training.learningRate, shape.learningRate ?? 0.1);
      const trainer = new Trainer(network);
      const before = trainer.evaluate();
      trainer.run(300);
      assert.ok(trainer.evaluate() < before, `${shape.data} with ${shape.loss} can be fitted`);
    }
  });

  it('writes classes one-hot, and a line as the mean of the inputs', () => {
    const xor = JSON.parse(scaffoldNetwork({ inputs: ['a', 'b'], hidden: [], outputs: ['same', 'different'], loss: 'cross-entropy', data: 'xor' })) as { data: Record<string, number>[] };
    for (const row of xor.data) {
      assert.equal(row.same + row.different, 1, 'one class per sample');
      if (row.a !== 0.5) assert.equal(row.different, Number(row.a !== row.b));
    }
    const line = JSON.parse(scaffoldNetwork({ inputs: ['x'], hidden: [], outputs: ['y'], data: 'line' })) as { data: { x: number; y: number }[] };
    assert.deepEqual(line.data.map((r) => r.y), line.data.map((r) => r.x));
  });

  it('offers only the data and losses that suit the shape, and says why it refuses the rest', () => {
    assert.deepEqual(dataKindsFor(1), ['bump', 'line']);
    assert.deepEqual(dataKindsFor(3), ['line', 'xor']);
    assert.throws(() => scaffoldNetwork({ inputs: ['x'], hidden: [], outputs: ['y'], data: 'xor' }), /xor data needs two or more inputs/);
    assert.throws(() => scaffoldNetwork({ inputs: ['x'], hidden: [], outputs: ['y'], loss: 'cross-entropy' }), /cross-entropy needs two or more outputs/);
    assert.deepEqual(parseLearningRate(' 0.05 '), { learningRate: 0.05 });
    for (const bad of ['', '0', '-1', 'fast', 'Infinity']) assert.ok('error' in parseLearningRate(bad), bad);
  });

  it("offers Playground's generated datasets where they fit the inputs, outputs and loss, and writes one as a generate section", () => {
    assert.deepEqual(dataKindsFor(2), ['line', 'xor', 'generate:circle', 'generate:xor', 'generate:gauss', 'generate:spiral', 'generate:plane', 'generate:multigauss']);
    assert.deepEqual(dataKindsFor(2, 1, 'mse'), ['line', 'xor', 'generate:circle', 'generate:xor', 'generate:gauss', 'generate:spiral', 'generate:plane', 'generate:multigauss']);
    assert.deepEqual(dataKindsFor(2, 2, 'cross-entropy'), ['line', 'xor', 'generate:circle', 'generate:xor', 'generate:gauss', 'generate:spiral']);
    assert.deepEqual(dataKindsFor(2, 3, 'ssr'), ['line', 'xor']);
    assert.deepEqual(dataKindsFor(3, 1), ['line', 'xor']);
    assert.deepEqual(dataKindsFor(1, 1), ['bump', 'line']);
    const text = scaffoldNetwork({ inputs: ['x1', 'x2'], hidden: [{ units: 4, activation: 'tanh' }], outputs: ['blue', 'orange'], loss: 'cross-entropy', data: 'generate:gauss', seed: 5 });
    assert.match(text, /"data": \{ "generate": "gauss", "samples": 200, "noise": 0.1, "seed": 5 \}/);
    const network = loadNetwork(text);
    assert.deepEqual(network.generated.data, { kind: 'gauss', samples: 200, noise: 0.1, seed: 5 });
    const trainer = new Trainer(network);
    const before = trainer.evaluate();
    trainer.run(200);
    assert.ok(trainer.evaluate() < before / 2, 'the two clouds are told apart');
    assert.throws(() => scaffoldNetwork({ inputs: ['x1', 'x2'], hidden: [], outputs: ['a', 'b'], loss: 'cross-entropy', data: 'generate:plane' }), /plane data needs two inputs/);
    assert.throws(() => scaffoldNetwork({ inputs: ['x'], hidden: [], outputs: ['y'], data: 'generate:spiral' }), /spiral data needs two inputs/);
  });
});
