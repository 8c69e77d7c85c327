/** Write Parameters on layers given by `init`: written out as the examples are written by hand. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { findNodeAtLocation, type Node, parseTree } from 'jsonc-parser';
import { loadNetwork, Trainer, writeParameters } from '../../src/core';
import { randomNetwork } from './arbitraries';
import { examplePath } from './helpers';

/** The parameters after `steps` steps of `text`'s network. */
function trained(text: string, steps: number): Float64Array {
  const t = new Trainer(loadNetwork(text));
  for (let i = 0; i < steps; i++) t.step();
  return Float64Array.from(t.params);
}

/** The bytes of the doubles: equal only if every one is the same double, -0 and NaN included. */
const bits = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const lines = (text: string): number => text.split('\n').length - (text.endsWith('\n') ? 1 : 0);

/**
 * `after` with every layer property `before` lacks cut out, each with the comma and the space or
 * line break that joins it to its neighbour: what must come back as `before`, byte for byte.
 */
function withoutWrittenOut(before: string, after: string): string {
  const layersBefore = findNodeAtLocation(parseTree(before)!, ['layers'])!.children!;
  const cuts: [number, number][] = [];
  findNodeAtLocation(parseTree(after)!, ['layers'])!.children!.forEach((layer, l) => {
    const had = new Set(layersBefore[l].children!.map((p) => p.children![0].value as string));
    const props: Node[] = layer.children!;
    props.forEach((p, i) => {
      if (had.has(p.children![0].value as string)) return;
      cuts.push(i > 0 ? [props[i - 1].offset + props[i - 1].length, p.offset + p.length] : [p.offset, props[i + 1].offset]);
    });
  });
  let out = after;
  for (const [start, end] of cuts.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + out.slice(end);
  return out;
}

/** `text` with every parameter's number cut out: what must not change, byte for byte. */
function skeleton(text: string): string {
  const positions = loadNetwork(text).parameterPositions.filter((p): p is NonNullable<typeof p> => p !== undefined).sort((a, b) => b.offset - a.offset);
  let out = text;
  for (const p of positions) out = out.slice(0, p.offset) + '#' + out.slice(p.offset + p.length);
  return out;
}

describe('Write Parameters: a layer given by init written as a person writes one', () => {
  // Lines before and after writing the trained parameters: before rows, dosage-all's 18 became 45.
  const EXAMPLES_WITH_INIT: Record<string, [number, number]> = {
    'dosage-w3-w4-b3.nn.json': [18, 18], 'dosage-all.nn.json': [18, 18], 'xor.nn.json': [19, 23], 'classifier.nn.json': [25, 34],
  };

  it('writes a row of weights per unit and the biases on one line, each number exact, nothing else changed', () => {
    for (const [name, [before, after]] of Object.entries(EXAMPLES_WITH_INIT)) {
      const text = readFileSync(examplePath(name), 'utf8');
      const network = loadNetwork(text);
      const values = trained(text, 500);
      const written = writeParameters(text, values);
      const reread = loadNetwork(written).initialParameters;
      assert.ok(bits(reread).equals(bits(values)), `${name}: reads back as exactly the trained doubles, bit for bit`);
      // Training on from the written file is training on from the run: the same steps, to the bit.
      const fromFile = new Trainer(loadNetwork(written), reread);
      const fromRun = new Trainer(network, values);
      for (let i = 0; i < 20; i++) { fromFile.step(); fromRun.step(); }
      assert.ok(bits(fromFile.params).equals(bits(fromRun.params)), `${name}: the run is reproduced exactly`);
      assert.deepEqual([lines(text), lines(written)], [before, after], `${name}: lines before and after`);
      assert.equal(skeleton(withoutWrittenOut(text, written)), skeleton(text), `${name}: everything but the numbers and the written-out properties byte for byte`);
      const fileLines = written.split('\n');
      network.layers.forEach((layer, l) => {
        if (network.parameterPositions[layer.weightOffset] !== undefined) return;
        for (let j = 0; j < layer.units; j++) {
          const row = Array.from(values.subarray(layer.weightOffset + j * layer.inputs, layer.weightOffset + (j + 1) * layer.inputs), String);
          assert.ok(fileLines.some((line) => line.includes(`[${row.join(', ')}]`)), `${name}: layer ${l + 1}, unit ${j + 1}'s weights on one line`);
        }
        const biases = Array.from(values.subarray(layer.biasOffset, layer.biasOffset + layer.units), String);
        assert.ok(fileLines.some((line) => line.includes(`"biases": [${biases.join(', ')}]`)), `${name}: layer ${l + 1}'s biases on one line`);
      });
      assert.ok(fileLines.every((line) => !/^\s*-?\d[\d.eE+-]*,?\s*$/.test(line)), `${name}: no number on a line of its own`);
    }
  });

  it('keeps the file\'s own layout: one-line layers stay one line, a property per line gets a line, tabs and CRLF', () => {
    const oneLine = '{\n  "inputs": ["x"], "outputs": ["y"],\n  "layers": [\n    { "units": 2, "activation": "tanh", "biases": [0, 0] },\n    { "units": 1,  "activation": "identity" }\n  ],\n  "data": [{ "x": 0, "y": 1 }]\n}\n';
    assert.equal(writeParameters(oneLine, [0.5, -1.25, 2, 3, 0.1, 0.2, -0.3]),
      '{\n  "inputs": ["x"], "outputs": ["y"],\n  "layers": [\n    { "units": 2, "activation": "tanh", "weights": [[0.5], [-1.25]], "biases": [0.1, 0.2] },\n    { "units": 1,  "activation": "identity", "weights": [[2, 3]], "biases": [-0.3] }\n  ],\n  "data": [{ "x": 0, "y": 1 }]\n}\n',
      'the weights before the biases already there; the rest of each line as it was');
    const perLine = JSON.stringify({ inputs: ['x'], outputs: ['y'], layers: [{ units: 1, activation: 'identity' }], data: [{ x: 0, y: 1 }] }, null, '\t').replace(/\n/g, '\r\n');
    assert.equal(writeParameters(perLine, [1.5, -2]), perLine.replace('"activation": "identity"', '"activation": "identity",\r\n\t\t\t"weights": [[1.5]],\r\n\t\t\t"biases": [-2]'));
  });

  it('puts a wide layer\'s rows a line each, one indentation step past the line its property starts on', () => {
    const text = JSON.stringify({ inputs: ['a', 'b', 'c'], outputs: ['y'], layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'identity', weights: [[1, 1, 1]], biases: [0] }], data: [{ a: 0, b: 0, c: 0, y: 0 }] }, null, 4);
    const values = [0.1111111111111111, 0.2222222222222222, 0.3333333333333333, -1, -2, -3, 4, 5, 6, 1, 1, 1, 0.5, 0.25, 0.125, 0];
    const written = writeParameters(text, values);
    assert.ok(written.includes([
      '            "activation": "relu",',
      '            "weights": [',
      '                [0.1111111111111111, 0.2222222222222222, 0.3333333333333333],',
      '                [-1, -2, -3],',
      '                [4, 5, 6]',
      '            ],',
      '            "biases": [0.5, 0.25, 0.125]',
      '        },',
    ].join('\n')), written);
  });

  it('reads back every double bit for bit, whatever the network and the values', () => {
    // Any finite double but -0, which a file holds as 0.
    const double = fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => (Object.is(v, -0) ? 0 : v));
    const withValues = randomNetwork.chain((spec) => fc.record({
      spec: fc.constant(spec), values: fc.array(double, { minLength: spec.network.parameterCount, maxLength: spec.network.parameterCount }),
    }));
    fc.assert(fc.property(withValues, ({ spec: { text }, values }) => {
      const written = writeParameters(text, values);
      assert.deepEqual(loadNetwork(written).initialParameters, Float64Array.from(values));
      assert.equal(withoutWrittenOut(text, written), text);
    }), { numRuns: 200 });
  });
});
