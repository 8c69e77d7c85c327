/** New Network: the shape a person types becomes a valid network file, the same one every time. */
import assert from 'node:assert/strict';
import { ACTIVATIONS, loadNetwork, parseColumnNames, parseHiddenLayers, scaffoldNetwork, Trainer } from '../../src/core';

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
