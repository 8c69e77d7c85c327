/** New Network: the shape a person types becomes a valid network file, the same one every time. */
import assert from 'node:assert/strict';
import { ACTIVATIONS, checkCsvColumns, checkCsvInputs, csvFileChoices, csvInputChoices, csvNetworkShape, csvTargetChoices, dataFileColumns, dataKindsFor, defaultCsvColumns, loadNetwork, NetworkFileError, type NetworkShape, newNetworkSteps, parseColumnNames, parseHiddenLayers, parseLearningRate, scaffoldNetwork, Trainer } from '../../src/core';

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

describe('New Network: from a CSV file', () => {
  const build = (path: string, text: string, inputs?: string[], target?: string): { text: string; shape: NetworkShape } => {
    const { columns } = dataFileColumns(path, text);
    checkCsvColumns(path, text, columns);
    const chosen = defaultCsvColumns(columns);
    const shape = csvNetworkShape(path, columns, inputs ?? chosen.inputs, target ?? chosen.target, { hidden: [{ units: 3, activation: 'tanh' }], learningRate: 0.05 });
    return { text: scaffoldNetwork(shape), shape };
  };
  /** Loads the network with the real loader, reading the data file from `files`. */
  const load = (text: string, files: Record<string, string>): ReturnType<typeof loadNetwork> => loadNetwork(text, { readFile: (p) => files[p] });

  it('a numeric target is a regression: one output, SSR, the file named in "data"', () => {
    const csv = 'dose,weight,effect\n0,1,0\n0.5,2,1\n1,3,0\n0.25,1.5,0.5\n';
    const { text, shape } = build('data/doses.csv', csv);
    assert.deepEqual(shape.inputs, ['dose', 'weight']);
    assert.deepEqual(shape.outputs, ['effect']);
    assert.equal(shape.loss, 'ssr');
    assert.match(text, /"data": \{ "file": "data\/doses.csv", "inputs": \["dose", "weight"\], "targets": \["effect"\] \}/);
    const network = load(text, { 'data/doses.csv': csv });
    assert.equal(network.data.samples, 4);
    assert.deepEqual(Array.from(network.data.targets), [0, 1, 0, 0.5]);
    assert.equal(network.training.learningRate, 0.05);
    const trainer = new Trainer(network);
    const before = trainer.evaluate();
    trainer.run(200);
    assert.ok(trainer.evaluate() < before, 'the file can be fitted');
  });

  it('a text target is a classifier: one output per class (sorted), cross-entropy, identity last layer', () => {
    const csv = 'x1,x2,colour\n0,0,red\n1,1,blue\n0,1,green\n1,0,red\n0.5,0.5,blue\n';
    const { text, shape } = build('points.csv', csv);
    assert.deepEqual(shape.outputs, ['blue', 'green', 'red']);
    assert.equal(shape.loss, 'cross-entropy');
    const network = load(text, { 'points.csv': csv });
    assert.equal(network.loss, 'cross-entropy');
    assert.equal(network.layers[network.layers.length - 1].activation, 'identity');
    assert.deepEqual(network.outputNames, ['blue', 'green', 'red']);
    // Sample 0 is red: output 2.
    assert.deepEqual(Array.from(network.data.targets.subarray(0, 3)), [0, 0, 1]);
    const trainer = new Trainer(network);
    const before = trainer.evaluate();
    trainer.run(300);
    assert.ok(trainer.evaluate() < before, 'the classes can be told apart');
  });

  it('numeric labels are still numbers (regression), and the person may pick other columns', () => {
    const csv = 'id,a,b,label\n1,0.1,0.2,0\n2,0.3,0.1,1\n3,0.9,0.7,1\n';
    const { text, shape } = build('t.csv', csv, ['a', 'b'], 'label');
    assert.equal(shape.loss, 'ssr');
    assert.deepEqual(shape.inputs, ['a', 'b']);
    assert.equal(load(text, { 't.csv': csv }).data.samples, 3);
  });

  it('reads a TSV the same way, with the class in any column', () => {
    const tsv = 'species\tpetal length\tpetal width\nsetosa\t1.4\t0.2\nversicolor\t4.7\t1.4\nvirginica\t6.0\t2.5\nsetosa\t1.3\t0.2\n';
    const { columns } = dataFileColumns('iris.tsv', tsv);
    assert.deepEqual(columns.map((c) => [c.name, c.numeric]), [['species', false], ['petal length', true], ['petal width', true]]);
    const { text, shape } = build('iris.tsv', tsv, ['petal length', 'petal width'], 'species');
    assert.deepEqual(shape.outputs, ['setosa', 'versicolor', 'virginica']);
    const network = load(text, { 'iris.tsv': tsv });
    assert.deepEqual(network.inputNames, ['petal length', 'petal width']);
    assert.deepEqual(Array.from(network.data.targets.subarray(3, 6)), [0, 1, 0]);
  });

  it('says clearly what it cannot build from', () => {
    const one = 'x\n1\n2\n';
    const { columns } = dataFileColumns('one.csv', one);
    assert.throws(() => checkCsvColumns('one.csv', one, columns), (e: NetworkFileError) => e instanceof NetworkFileError && e.format('net.nn.json') === 'one.csv:1:1: the file has one column ("x"): a network needs at least one input column and a target column (is the delimiter a comma, semicolon or tab?)');
    // The loader's own errors, with their positions in the data file.
    assert.throws(() => dataFileColumns('bad.csv', 'a,b\n1,2\n3\n'), (e: NetworkFileError) => e.format('net.nn.json') === 'bad.csv:3:1: this row has 1 value but the header names 2 columns (is the delimiter "," right?)');
    const csv = 'name,x,y,kind\nann,1,2,a\nbob,3,4,a\n';
    const cols = dataFileColumns('c.csv', csv).columns;
    assert.throws(() => csvNetworkShape('c.csv', cols, ['name', 'x'], 'y', { hidden: [] }), /the input column "name" holds text; inputs must be numbers/);
    assert.throws(() => csvNetworkShape('c.csv', cols, ['x'], 'kind', { hidden: [] }), /the target column "kind" holds one class \(a\): a classifier needs two or more/);
    assert.throws(() => csvNetworkShape('c.csv', cols, ['x', 'y'], 'y', { hidden: [] }), /"y" is an input; the target must be another column/);
    assert.throws(() => csvNetworkShape('../c.csv', cols, ['x'], 'y', { hidden: [] }), /leaves the network file's folder/);
    const many = `x,id\n${Array.from({ length: 70 }, (_, i) => `${i},id${i}`).join('\n')}\n`;
    assert.throws(() => csvNetworkShape('m.csv', dataFileColumns('m.csv', many).columns, ['x'], 'id', { hidden: [] }), /holds more than 64 different values/);
  });
});

describe("New Network: the flow's decisions with data files", () => {
  const columns = dataFileColumns('p.csv', 'label,x1,x2,group\na,1,2,g\nb,3,4,h\n').columns;

  it('offers .csv and .tsv files a few folders deep, the nearest first, capped', () => {
    assert.deepEqual(csvFileChoices(['b/points.csv', 'notes.txt', 'a.TSV', 'z.csv', 'a/b/c/d/deep.csv', 'a/b/c/ok.csv', 'x.csv.bak']), ['a.TSV', 'z.csv', 'b/points.csv', 'a/b/c/ok.csv']);
    assert.equal(csvFileChoices(Array.from({ length: 80 }, (_, i) => `f${i}.csv`)).length, 50);
  });

  it('asks where the samples come from first only when there are files, then the columns instead of typed inputs and outputs', () => {
    assert.deepEqual(newNetworkSteps(false, undefined), ['inputs', 'hidden', 'outputs', 'loss', 'learningRate', 'data']);
    assert.deepEqual(newNetworkSteps(true, undefined), ['source', 'inputs', 'hidden', 'outputs', 'loss', 'learningRate', 'data']);
    assert.deepEqual(newNetworkSteps(true, 'sample'), ['source', 'inputs', 'hidden', 'outputs', 'loss', 'learningRate', 'data']);
    assert.deepEqual(newNetworkSteps(true, 'csv'), ['source', 'file', 'csvInputs', 'target', 'hidden', 'learningRate']);
  });

  it('offers the columns of numbers as inputs (all but the last ticked), and the rest as the target (the last first)', () => {
    assert.deepEqual(csvInputChoices(columns), { choices: ['x1', 'x2'], preferred: ['x1', 'x2'] });
    assert.deepEqual(csvTargetChoices(columns, ['x1', 'x2']), { choices: ['label', 'group'], preferred: 'group' });
    assert.deepEqual(csvTargetChoices(columns, ['x1']), { choices: ['label', 'x2', 'group'], preferred: 'group' });
    const numeric = dataFileColumns('n.csv', 'a,b,c\n1,2,3\n').columns;
    assert.deepEqual(defaultCsvColumns(numeric), { inputs: ['a', 'b'], target: 'c' });
    assert.deepEqual(csvTargetChoices(numeric, ['a', 'c']), { choices: ['b'], preferred: 'b' });
    assert.equal(checkCsvInputs(numeric, []), 'tick at least one input column');
    assert.equal(checkCsvInputs(numeric, ['a', 'b', 'c']), 'leave one column for the target');
    assert.equal(checkCsvInputs(numeric, ['a']), undefined);
  });
});
