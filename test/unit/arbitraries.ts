/** fast-check generators for random networks of random shapes, activations and losses. */
import fc from 'fast-check';
import { ACTIVATIONS, LOSSES, loadNetwork, type Network } from '../../src/core';

export interface RandomNetworkSpec {
  text: string;
  network: Network;
}

const value = fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true });

export const randomNetwork: fc.Arbitrary<RandomNetworkSpec> = fc
  .record({
    inputs: fc.integer({ min: 1, max: 3 }),
    widths: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
    activations: fc.array(fc.constantFrom(...ACTIVATIONS), { minLength: 4, maxLength: 4 }),
    loss: fc.constantFrom(...LOSSES),
    samples: fc.integer({ min: 1, max: 5 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  })
  // Cross-entropy compares a softmax over the outputs, so it needs at least two.
  .map((shape) => (shape.loss === 'cross-entropy' && shape.widths[shape.widths.length - 1] < 2
    ? { ...shape, widths: [...shape.widths.slice(0, -1), 2] }
    : shape))
  .chain((shape) => {
    const outputs = shape.widths[shape.widths.length - 1];
    const target = shape.loss === 'cross-entropy'
      ? fc.integer({ min: 0, max: outputs - 1 }).map((hot) => Array.from({ length: outputs }, (_, k) => (k === hot ? 1 : 0)))
      : fc.array(value, { minLength: outputs, maxLength: outputs });
    return fc.record({
      shape: fc.constant(shape),
      inputs: fc.array(fc.array(value, { minLength: shape.inputs, maxLength: shape.inputs }), { minLength: shape.samples, maxLength: shape.samples }),
      targets: fc.array(target, { minLength: shape.samples, maxLength: shape.samples }),
    });
  })
  .map(({ shape, inputs, targets }) => {
    const doc = {
      inputs: Array.from({ length: shape.inputs }, (_, k) => `in${k + 1}`),
      outputs: Array.from({ length: shape.widths[shape.widths.length - 1] }, (_, k) => `out${k + 1}`),
      layers: shape.widths.map((units, l) => ({ units, activation: shape.activations[l] })),
      init: { weights: 'normal', biases: 0.1, seed: shape.seed },
      data: { inputs, targets },
      loss: shape.loss,
    };
    const text = JSON.stringify(doc);
    return { text, network: loadNetwork(text) };
  });
