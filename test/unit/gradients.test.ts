/**
 * Property tests: on random networks of random shapes, every gradient of every activation and loss
 * agrees with central finite differences, and every chain-rule explanation adds up.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { explain, type Factor, finiteDifference, loadNetwork, PATH_BUDGET, Trainer, type Network } from '../../src/core';
import { randomNetwork } from './arbitraries';
import { EXAMPLES, loadExample } from './helpers';

/** ReLU has a kink at 0 where a finite difference straddles two slopes: keep clear of it. */
function clearOfKinks(network: Network, t: Trainer, margin: number): boolean {
  return network.layers.every((layer, l) => layer.activation !== 'relu' || t.x[l].every((x) => Math.abs(x) > margin));
}

function assertGradientsMatchFiniteDifferences(network: Network, params?: Float64Array): void {
  const t = new Trainer(network, params);
  const loss = t.evaluate();
  // With batches the gradient is of the next step's batch: the difference is taken over the same samples.
  const step = t.batches.full ? undefined : t.stepCount;
  for (const p of network.parameters) {
    const fd = finiteDifference(network, t.params, p.index, 1e-6, step);
    const g = t.gradients[p.index];
    // Central differences with h = 1e-6: truncation ~h^2, round-off ~1e-16 x loss / h.
    const tol = 1e-6 * Math.max(1, Math.abs(g)) + 1e-9 * Math.abs(loss);
    assert.ok(Math.abs(g - fd) <= tol, `${p.name}: backprop ${g} vs finite difference ${fd} (loss ${loss})`);
  }
}

describe('gradients against central finite differences', () => {
  it('agree on random networks for every activation and loss', () => {
    fc.assert(
      fc.property(randomNetwork, ({ network }) => {
        const t = new Trainer(network);
        t.evaluate();
        fc.pre(clearOfKinks(network, t, 1e-4));
        assertGradientsMatchFiniteDifferences(network);
      }),
      { numRuns: 300 },
    );
  });

  it('agree in the saturated regime (large inputs and weights)', () => {
    fc.assert(
      fc.property(randomNetwork, fc.double({ min: 3, max: 8, noNaN: true }), ({ network }, scale) => {
        const big = Float64Array.from(network.initialParameters, (v) => v * scale);
        const t = new Trainer(network, big);
        t.evaluate();
        fc.pre(Number.isFinite(t.loss) && clearOfKinks(network, t, 1e-3));
        assertGradientsMatchFiniteDifferences(network, big);
      }),
      { numRuns: 150 },
    );
  });

  it('agree on every example, before and after training', () => {
    for (const name of EXAMPLES) {
      const network = loadExample(name);
      assertGradientsMatchFiniteDifferences(network);
      const t = new Trainer(network);
      t.run(25);
      assertGradientsMatchFiniteDifferences(network, t.params);
    }
  });

  it('would catch a wrong gradient (the check is not vacuous)', () => {
    const network = loadExample('dosage-b3.nn.json');
    const t = new Trainer(network);
    t.evaluate();
    const fd = finiteDifference(network, t.params, 0, 1e-6);
    assert.ok(Math.abs(t.gradients[0] * 1.001 - fd) > 1e-6 * Math.max(1, Math.abs(fd), t.loss));
  });
});

describe('the chain-rule explainer', () => {
  function assertExplanationsAddUp(network: Network, params?: Float64Array): void {
    const t = new Trainer(network, params);
    for (const p of network.parameters) {
      const e = explain(t, p);
      // One term per sample of the batch the next step trains on (every sample in full batch).
      assert.equal(e.terms.length, t.batchCount);
      assert.deepEqual(e.terms.map((term) => term.sample), Array.from(t.batch.subarray(0, t.batchCount), (i) => i + 1));
      let sum = 0;
      for (const term of e.terms) {
        assert.equal(term.value, term.factors.reduce((acc, f) => acc * f.value, 1), `${p.name} term ${term.sample} is the product of its factors`);
        for (const f of term.factors) {
          if (!f.paths) continue;
          assert.equal(f.value, f.paths.reduce((acc, path) => acc + path.value, 0), `${f.label} is the sum of its paths`);
          for (const path of f.paths) assert.equal(path.value, path.factors.reduce((acc, q) => acc * q.value, 1));
        }
        sum += term.value;
      }
      sum += e.regularization ?? 0;
      const tol = 1e-9 * Math.max(1, ...e.terms.map((term) => Math.abs(term.value)));
      assert.ok(Math.abs(sum - e.derivative) <= tol, `${p.name}: terms sum to ${sum}, derivative ${e.derivative}`);
      assert.equal(e.derivative, t.gradients[p.index]);
      assert.equal(e.value, t.params[p.index]);
    }
  }

  it('terms sum to the gradient and each term is the product of its factors, for every parameter of random networks', () => {
    fc.assert(fc.property(randomNetwork, ({ network }) => assertExplanationsAddUp(network)), { numRuns: 200 });
  });

  it('does so for every parameter of every example', () => {
    for (const name of EXAMPLES) assertExplanationsAddUp(loadExample(name));
  });

  it('carries the paths of a unit that feeds several units, one per unit fed', () => {
    const network = loadExample('classifier.nn.json');
    const e = explain(new Trainer(network), network.parameters[0]);
    const sum = e.terms[0].factors[0];
    assert.equal(sum.kind, 'sum');
    assert.equal(sum.label, 'dCE/dy_{1,i}');
    assert.deepEqual(sum.paths!.map((p) => p.label), ['via Predicted_{red}', 'via Predicted_{green}', 'via Predicted_{blue}']);
    assert.deepEqual(sum.paths![1].factors.map((f) => f.label), ['dCE/dPredicted_{green}', 'dPredicted_{green}/dy_{1,i}']);
  });

  it('opens nested sums into their own paths (a branching unit behind a branching unit)', () => {
    const network = loadNetwork(JSON.stringify({
      inputs: ['x'], outputs: ['a', 'b'],
      layers: [{ units: 2, activation: 'tanh' }, { units: 2, activation: 'tanh' }, { units: 2, activation: 'identity' }],
      data: [{ x: 1, a: 1, b: 0 }],
    }));
    const e = explain(new Trainer(network), network.parameters[0]);
    const outer = e.terms[0].factors[0];
    assert.equal(outer.label, 'dSSR/dy^(1)_{1,i}');
    const inner = outer.paths![0].factors[0];
    assert.equal(inner.label, 'dSSR/dy^(2)_{1,i}');
    assert.deepEqual(inner.paths!.map((p) => p.label), ['via Predicted_{a}', 'via Predicted_{b}']);
  });

  it('stops opening nested sums once the path budget is spent, keeping the values', () => {
    const widths = [6, 6, 6, 6];
    const network = loadNetwork(JSON.stringify({
      inputs: ['x'], outputs: ['y'],
      layers: [...widths.map((units) => ({ units, activation: 'tanh' })), { units: 1, activation: 'identity' }],
      data: [{ x: 1, y: 0 }],
    }));
    const t = new Trainer(network);
    const e = explain(t, network.parameters[0]);
    let paths = 0;
    let closedSums = 0;
    const walk = (factors: Factor[], depth: number): void => {
      for (const f of factors) {
        if (f.kind !== 'sum') continue;
        if (!f.paths) { closedSums++; continue; }
        if (depth > 0) paths += f.paths.length;
        for (const p of f.paths) walk(p.factors, depth + 1);
      }
    };
    walk(e.terms[0].factors, 0);
    assert.ok(paths <= PATH_BUDGET, `${paths} nested paths`);
    assert.ok(closedSums > 0, 'some sums past the budget carry only their value');
    assert.ok(Math.abs(e.terms[0].value - e.derivative) < 1e-12 * Math.max(1, Math.abs(e.derivative)));
  });

  it('uses the weight that joins the two units in each path', () => {
    const network = loadExample('xor.nn.json');
    const t = new Trainer(network);
    // XOR's hidden unit 2 feeds the single output through w8 (6 first-layer weights, then w7..w9)
    const e = explain(t, network.parameters.find((p) => p.name === 'w3')!);
    const weightFactor = e.terms[0].factors.find((f) => f.kind === 'weight')!;
    assert.equal(weightFactor.expression, 'w8');
    assert.equal(weightFactor.value, t.params[7]);
  });
});
