/** Explanations packed for the channel to the page: exactly what went in comes out, in a fraction of the bytes. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pack, packExplanations, unpack, unpackExplanations } from '../../src/session/packing';
import { stopExplained } from '../../src/session/frame';
import { TrainingSession } from '../../src/session/training';
import { loadExample } from './helpers';

describe('packing many objects of few shapes', () => {
  it('gives back exactly what it was given: numbers to the bit (NaN, ±∞, -0 too), strings, nesting, order', () => {
    const items = [
      { a: 1, b: [2, { c: NaN, d: 'x' }], e: -0 },
      { a: 3, b: [4, { c: Infinity, d: 'x' }], e: 5e-324 },
      { a: -Infinity, b: [], e: null, f: true },
    ];
    const packed = pack(items);
    assert.equal(packed.shapes.length, 2, 'the first two share a shape');
    const back = unpack<typeof items[number]>(packed);
    assert.deepEqual(back, items);
    assert.ok(Object.is(back[0].e, -0));
  });

  it('round-trips any JSON data', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.double(), fc.string(), fc.boolean(), fc.constant(null), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 4 }),
      object: fc.dictionary(fc.string({ maxLength: 4 }).filter((k) => k !== '__proto__'), tie('value'), { maxKeys: 4 }).map((d) => ({ ...d })),
    }));
    fc.assert(fc.property(fc.array(json.value, { maxLength: 6 }), (items) => {
      assert.deepEqual(unpack(pack(items)), items);
    }));
  });

  it("packs a stop's explanations smaller (a quarter of their JSON for the classifier), and unpacks them equal", () => {
    for (const name of ['classifier.nn.json', 'dosage-all.nn.json', 'xor.nn.json']) {
      const session = new TrainingSession(loadExample(name));
      for (let i = 0; i < 3; i++) session.step();
      const e = stopExplained(session, 1);
      const explanations = unpackExplanations(e.packed);
      assert.deepEqual(unpackExplanations(packExplanations(explanations)), explanations, name);
      const plain = JSON.stringify(explanations).length;
      const packed = JSON.stringify(e.packed.heads).length + e.packed.terms.shapes.join('').length + e.packed.terms.codes.length + e.packed.terms.floats.length;
      // The more samples, the more terms share a shape: the classifier's twelve shrink four times and more.
      assert.ok(packed < plain / (name === 'classifier.nn.json' ? 4 : 1.5), `${name}: ${packed} bytes packed against ${plain} as JSON`);
    }
  });
});
