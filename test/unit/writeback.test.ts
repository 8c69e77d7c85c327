/** Write Parameters to File, and what an edit of the file does to a run. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { difference, loadNetwork, type ReadFile, Trainer } from '../../src/core';
import { diskDataReader } from '../../src/diskDataFiles';
import { minimalEdit, writeParameters } from '../../src/core/writeback';
import { EXAMPLES, examplePath } from './helpers';

/** `text` with every parameter's number cut out: what must not change, byte for byte. */
function skeleton(text: string, readFile?: ReadFile): string {
  const network = loadNetwork(text, { readFile });
  let out = text;
  const positions = network.parameterPositions.filter((p): p is NonNullable<typeof p> => p !== undefined).sort((a, b) => b.offset - a.offset);
  for (const p of positions) out = out.slice(0, p.offset) + '#' + out.slice(p.offset + p.length);
  return out;
}

/** The parameters after `steps` steps of `text`'s network. */
function trained(text: string, steps: number, readFile?: ReadFile): Float64Array {
  const t = new Trainer(loadNetwork(text, { readFile }));
  for (let i = 0; i < steps; i++) t.step();
  return Float64Array.from(t.params);
}

describe('Write Parameters to File', () => {
  it('replaces each number where it stands and nothing else, in every example', () => {
    for (const name of EXAMPLES) {
      const text = readFileSync(examplePath(name), 'utf8');
      const values = trained(text, 25, diskDataReader(examplePath(name)));
      const readFile = diskDataReader(examplePath(name));
      const written = writeParameters(text, values, { readFile });
      assert.deepEqual(loadNetwork(written, { readFile }).initialParameters, values, `${name}: reads back as exactly the trained doubles`);
      if (loadNetwork(text, { readFile }).parameterPositions.every((p) => p !== undefined)) assert.equal(skeleton(written, readFile), skeleton(text, readFile), `${name}: everything else byte for byte`);
    }
  });

  it('keeps odd formatting as the person wrote it: spacing, exponents, CRLF, key order', () => {
    const text = '{\r\n  "outputs" : [ "y" ],   "inputs":["x"],\r\n\t"layers": [ { "units": 1, "activation": "identity",\r\n      "weights": [[ 1.5e0 ]], "biases" : [-0.25] } ],\r\n  "data": [{"x": 1, "y": 3}, {"x": 2, "y": 5}]\r\n}\r\n';
    const written = writeParameters(text, [2.0000000000000004, 1]);
    assert.equal(written, text.replace('1.5e0', '2.0000000000000004').replace('-0.25', '1'));
    assert.equal(writeParameters(written, loadNetwork(text).initialParameters), text.replace('1.5e0', '1.5').replace('-0.25', '-0.25'));
    assert.equal(writeParameters(text, loadNetwork(text).initialParameters), text, 'a number that already reads as the value keeps its text');
  });

  it('writes out the weights and biases of a layer given by init, indented like the file', () => {
    const text = JSON.stringify({
      inputs: ['x'], outputs: ['y'], init: { weights: 'glorot', biases: 0, seed: 7 },
      layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity', weights: [[0.5, -0.5]], biases: [0] }],
      data: [{ x: 0, y: 0 }, { x: 1, y: 1 }],
    }, null, 4);
    const values = trained(text, 10);
    const written = writeParameters(text, values);
    const reloaded = loadNetwork(written);
    assert.deepEqual(reloaded.initialParameters, values);
    assert.ok(reloaded.parameterPositions.every((p) => p !== undefined), 'every parameter is in the file now');
    assert.match(written, /\n {12}"activation": "tanh",\n {12}"weights": \[\[-?\d[^\n]*\]\],\n {12}"biases": \[-?\d[^\n]*\]\n {8}\}/, 'a line each, four-space indentation, as the file has');
    // The same document but for the numbers: layer 1 gains its weights and biases, layer 2's change where they stand.
    const expected = JSON.parse(text);
    Object.assign(expected.layers[0], { weights: [[values[0]], [values[1]]], biases: [values[4], values[5]] });
    Object.assign(expected.layers[1], { weights: [[values[2], values[3]]], biases: [values[6]] });
    assert.deepEqual(JSON.parse(written), expected);
  });

  it('refuses a value a file cannot hold, naming the parameter', () => {
    const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
    const values = Array.from(loadNetwork(text).initialParameters);
    values[2] = NaN;
    assert.throws(() => writeParameters(text, values), /w3 is NaN, which a network file cannot hold/);
  });

  it('makes one replacement of the changed span: minimalEdit applied gives the new text', () => {
    fc.assert(fc.property(fc.string(), fc.string(), (before, after) => {
      const e = minimalEdit(before, after);
      assert.equal(before.slice(0, e.offset) + e.content + before.slice(e.offset + e.length), after);
    }));
    const text = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8');
    const e = minimalEdit(text, text.replace('"b3"', '"b3"').replace(/"biases": \[0\]/, '"biases": [2.61]'));
    assert.ok(e.length <= 1 && e.content.length <= 4, JSON.stringify(e));
  });
});

describe('an edit of the file, to a run', () => {
  const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
  const doc = JSON.parse(text);
  const net = loadNetwork(text);
  const edited = (change: (d: typeof doc) => void): ReturnType<typeof loadNetwork> => {
    const d = structuredClone(doc);
    change(d);
    return loadNetwork(JSON.stringify(d));
  };

  it('goes on with new training settings: learning rate, step limit, stop size, trainable', () => {
    for (const change of [(d: typeof doc) => { d.training.learningRate = 0.05; }, (d: typeof doc) => { d.training.maxSteps = 9; }, (d: typeof doc) => { d.training.minStepSize = 0; }, (d: typeof doc) => { d.training.trainable = ['b3']; }]) {
      assert.deepEqual(difference(net, edited(change)), { kind: 'training' });
    }
  });

  it('keeps going for a new name or description, and for the parameters it wrote itself', () => {
    assert.deepEqual(difference(net, edited((d) => { d.name = 'mine'; })), { kind: 'cosmetic' });
    assert.deepEqual(difference(net, loadNetwork(text.replace(/\n\s*/g, ' '))), { kind: 'same' }, 'reformatting changes nothing');
    const values = trained(text, 40);
    const written = loadNetwork(writeParameters(text, values));
    assert.deepEqual(difference(net, written, [net.initialParameters, values]), { kind: 'same' });
    assert.deepEqual(difference(net, written), { kind: 'restart', why: 'the parameters in the file changed' }, 'parameters it did not write');
  });

  it('restarts, saying why, for anything else', () => {
    const cases: [string, (d: typeof doc) => void][] = [
      ['the data changed', (d) => { d.data[0].efficacy = 0.5; }],
      ['the layers changed', (d) => { d.layers[0].activation = 'relu'; }],
      ['the loss changed', (d) => { d.loss = 'mse'; }],
      ['the inputs or outputs changed', (d) => { d.inputs = ['dose']; d.data = d.data.map((r: Record<string, number>) => ({ dose: r.dosage, efficacy: r.efficacy })); }],
    ];
    for (const [why, change] of cases) assert.deepEqual(difference(net, edited(change)), { kind: 'restart', why });
  });
});
