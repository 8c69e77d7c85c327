/**
 * The JSON Schema the editor uses and the loader must agree: every example is valid for both, and
 * each mistake the schema can see is rejected by both.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { loadNetwork, NetworkFileError } from '../../src/core';
import { EXAMPLES, examplePath, ROOT } from './helpers';
import { diskDataReader } from '../../src/diskDataFiles';

const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas', 'network.schema.json'), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const base = JSON.parse(readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
function variant(edit: (d: any) => void): any {
  const d = JSON.parse(JSON.stringify(base));
  edit(d);
  return d;
}

describe('the JSON schema', () => {
  it('is contributed for *.nn.json through jsonValidation', () => {
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '*.nn.json', url: './schemas/network.schema.json' }]);
  });

  it('accepts every example, as the loader does', () => {
    for (const name of EXAMPLES) {
      const doc = JSON.parse(readFileSync(examplePath(name), 'utf8'));
      assert.ok(validate(doc), `${name}: ${JSON.stringify(validate.errors)}`);
      loadNetwork(JSON.stringify(doc), { readFile: diskDataReader(examplePath(name)) });
    }
  });

  const mistakes: [string, (d: any) => void][] = [
    ['an unknown activation', (d) => { d.layers[0].activation = 'swish'; }],
    ['an unknown loss', (d) => { d.loss = 'hinge'; }],
    ['a string weight', (d) => { d.layers[0].weights[0][0] = '3.34'; }],
    ['fractional units', (d) => { d.layers[0].units = 1.5; }],
    ['zero units', (d) => { d.layers[0].units = 0; }],
    ['a zero learning rate', (d) => { d.training.learningRate = 0; }],
    ['a negative maxSteps', (d) => { d.training.maxSteps = -1; }],
    ['a misspelt key', (d) => { d.trainig = {}; }],
    ['a missing data section', (d) => { delete d.data; }],
    ['an empty layer list', (d) => { d.layers = []; }],
    ['a string in a data row', (d) => { d.data[0].efficacy = 'none'; }],
    ['a malformed name in trainable', (d) => { d.training.trainable = ['weight3']; }],
    ['a duplicated input name', (d) => { d.inputs = ['dosage', 'dosage']; }],
    ['format version 2', (d) => { d.version = 2; }],
    ['an unknown optimizer', (d) => { d.training.optimizer = 'adagrad'; }],
    ["another optimizer's setting", (d) => { d.training.optimizer = { type: 'adam', momentum: 0.9 }; }],
    ['a beta of 1', (d) => { d.training.optimizer = { type: 'adam', beta2: 1 }; }],
    ['a batch size of 0', (d) => { d.training.batchSize = 0; }],
    ['a validation share of 1', (d) => { d.training.validationShare = 1; }],
    ['a negative L2', (d) => { d.training.regularization = { l2: -0.1 }; }],
    ['an unknown schedule', (d) => { d.training.schedule = { type: 'linear', steps: 10 }; }],
    ['a clip without a norm', (d) => { d.training.clip = {}; }],
    ['a string validation set', (d) => { d.validation = 'held-out.csv'; }],
    ['a data file above the network\'s folder', (d) => { d.data = { file: '../points.csv', inputs: ['x'], targets: ['y'] }; }],
    ['a data file at an absolute path', (d) => { d.data = { file: '/etc/passwd', inputs: ['x'], targets: ['y'] }; }],
    ['a data file at a URI', (d) => { d.data = { file: 'https://example.com/points.csv', inputs: ['x'], targets: ['y'] }; }],
    ['a data file with a "..", backslashed', (d) => { d.validation = { file: 'data\\..\\..\\points.csv', inputs: ['x'], targets: ['y'] }; }],
    ['a data file without its targets', (d) => { d.data = { file: 'points.csv', inputs: ['x'] }; }],
    ['an unknown key beside a data file', (d) => { d.data = { file: 'points.csv', inputs: ['x'], targets: ['y'], delimiter: ';' }; }],
  ];
  it('accepts a data file form in data and validation, as the loader does', () => {
    const doc = variant((d) => {
      d.data = { file: 'data/points.csv', inputs: ['dose'], targets: ['effect'] };
      d.validation = { file: 'held.tsv', inputs: ['dose'], targets: ['effect'] };
    });
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    const files: Record<string, string> = { 'data/points.csv': 'dose,effect\n0,0\n0.5,1\n1,0\n', 'held.tsv': 'dose\teffect\n0.25\t0.5\n' };
    const network = loadNetwork(JSON.stringify(doc), { readFile: (p) => files[p] });
    assert.equal(network.data.samples, 3);
    assert.equal(network.validation?.samples, 1);
  });
  it('accepts every training setting the loader takes', () => {
    const doc = variant((d) => {
      d.data = [0, 0.25, 0.5, 0.75, 1].map((dosage, i) => ({ dosage, efficacy: i % 2 }));
      d.validation = { inputs: [[0.1]], targets: [[0]] };
      d.training = {
        learningRate: 0.01, optimizer: { type: 'adamw', beta1: 0.8, amsgrad: true, weightDecay: 0.1 }, batchSize: 2, shuffle: true, seed: 3,
        regularization: { l1: 0.01, l2: 0.001 }, schedule: { type: 'cosine', steps: 100, min: 0.001 }, clip: { norm: 1 },
      };
    });
    assert.ok(validate(doc), JSON.stringify(validate.errors));
    loadNetwork(JSON.stringify(doc));
    for (const optimizer of ['sgd', 'momentum', 'rmsprop', 'adam', 'adamw', { type: 'momentum', nesterov: true }, { type: 'rmsprop', centered: true, momentum: 0.5 }]) {
      const d = variant((x) => { x.training.optimizer = optimizer; x.training.schedule = { type: 'step', every: 10, factor: 0.5 }; });
      assert.ok(validate(d), `${JSON.stringify(optimizer)}: ${JSON.stringify(validate.errors)}`);
      loadNetwork(JSON.stringify(d));
    }
  });

  for (const [what, edit] of mistakes) {
    it(`rejects ${what}, as the loader does`, () => {
      const doc = variant(edit);
      assert.equal(validate(doc), false, 'schema should reject');
      assert.throws(() => loadNetwork(JSON.stringify(doc)), NetworkFileError);
    });
  }
});

describe('the JSON schema, on generated data and input features', () => {
  const spiral = JSON.parse(readFileSync(examplePath('spiral.nn.json'), 'utf8'));
  const edited = (edit: (d: any) => void): any => {
    const d = JSON.parse(JSON.stringify(spiral));
    edit(d);
    return d;
  };

  it('accepts every dataset kind, each with the outputs it fits, as the loader does', () => {
    const cases: [string, string[], string][] = [
      ['circle', ['class'], 'mse'], ['xor', ['class 0', 'class 1'], 'cross-entropy'], ['gauss', ['class'], 'ssr'],
      ['spiral', ['class 0', 'class 1'], 'cross-entropy'], ['plane', ['value'], 'mse'], ['multigauss', ['value'], 'ssr'],
    ];
    for (const [kind, outputs, loss] of cases) {
      const doc = edited((d) => {
        d.outputs = outputs;
        d.loss = loss;
        d.layers[1].units = outputs.length;
        d.data = { generate: kind };
        d.validation = { generate: kind, samples: 50, noise: 0.5, seed: 9 };
      });
      assert.ok(validate(doc), `${kind}: ${JSON.stringify(validate.errors)}`);
      loadNetwork(JSON.stringify(doc));
    }
  });

  const mistakes: [string, (d: any) => void][] = [
    ['an unknown dataset', (d) => { d.data.generate = 'moons'; }],
    ['a noise above 0.5', (d) => { d.data.noise = 0.6; }],
    ['a negative noise', (d) => { d.validation.noise = -0.1; }],
    ['fractional samples', (d) => { d.data.samples = 10.5; }],
    ['one sample', (d) => { d.data.samples = 1; }],
    ['a negative seed', (d) => { d.data.seed = -1; }],
    ['a seed past 32 bits', (d) => { d.validation.seed = 2 ** 32; }],
    ['a misspelt key in generate', (d) => { d.data.sample = 100; }],
    ['generate beside inputs', (d) => { d.data.inputs = [[0, 0]]; }],
    ['an empty feature list', (d) => { d.features = []; }],
    ['a number as a feature', (d) => { d.features[0] = 1; }],
    ['an empty feature', (d) => { d.features[0] = ''; }],
  ];
  for (const [what, edit] of mistakes) {
    it(`rejects ${what}, as the loader does`, () => {
      const doc = edited(edit);
      assert.equal(validate(doc), false, 'schema should reject');
      assert.throws(() => loadNetwork(JSON.stringify(doc)), NetworkFileError);
    });
  }
});
