/** The numbers StatQuest and 3Blue1Brown show: the product must reproduce them exactly. */
import assert from 'node:assert/strict';
import { explain, findParameter, Trainer, activationSlope, sigmoid } from '../../src/core';
import { loadExample, withParameters } from './helpers';

describe('StatQuest drug-dosage network', () => {
  const net = loadExample('dosage-b3.nn.json');

  it('names the parameters w1..w4, b1..b3 with the values from the video', () => {
    const byName = Object.fromEntries(net.parameters.map((p) => [p.name, net.initialParameters[p.index]]));
    assert.deepEqual(byName, { w1: 3.34, w2: -3.53, w3: -1.22, w4: -2.3, b1: -1.43, b2: 0.57, b3: 0 });
  });

  it('has SSR 20.4 and dSSR/db3 = -15.7 at b3 = 0', () => {
    const t = new Trainer(net);
    assert.equal(t.evaluate().toFixed(4), '20.4236');
    assert.equal(t.gradients[findParameter(net, 'b3')!.index].toFixed(4), '-15.6551');
  });

  it('has SSR 1.11 at b3 = 2 and 0.46 at b3 = 3', () => {
    const t = new Trainer(net, withParameters(net, { b3: 2 }));
    assert.equal(t.evaluate().toFixed(2), '1.11');
    t.setParameters(withParameters(net, { b3: 3 }));
    assert.equal(t.evaluate().toFixed(2), '0.46');
  });

  it('keeps the fancy-notation values x_{j,i} and y_{j,i}', () => {
    const t = new Trainer(net);
    t.evaluate();
    // x_{1,2} = 0.5 x 3.34 - 1.43 = 0.24, y = softplus(0.24); x_{2,3} = 1 x -3.53 + 0.57 = -2.96
    assert.ok(Math.abs(t.x[0][1 * 2 + 0] - 0.24) < 1e-12);
    assert.ok(Math.abs(t.y[0][1 * 2 + 0] - Math.log1p(Math.exp(0.24))) < 1e-12);
    assert.ok(Math.abs(t.x[0][2 * 2 + 1] - -2.96) < 1e-12);
  });

  it('training only b3 with learning rate 0.1 converges at b3 = 2.61', () => {
    const t = new Trainer(net);
    const result = t.run();
    assert.equal(result.stopReason, 'converged');
    assert.equal(t.params[findParameter(net, 'b3')!.index].toFixed(2), '2.61');
    for (const name of ['w1', 'w2', 'w3', 'w4', 'b1', 'b2']) {
      const p = findParameter(net, name)!;
      assert.equal(t.params[p.index], net.initialParameters[p.index], `${name} is not trainable and must not move`);
    }
  });

  it('explains dSSR/dw3 with the hover card numbers of the design (b3 = 0)', () => {
    const e = explain(new Trainer(net), findParameter(net, 'w3')!);
    assert.equal(e.derivative.toFixed(2), '-16.11');
    assert.deepEqual(e.terms.map((t) => t.factors.map((f) => f.label)), new Array(3).fill(['dSSR/dPredicted', 'dPredicted/dw3']));
    assert.deepEqual(e.terms.map((t) => t.predicted[0].toFixed(3)), ['-2.604', '-1.609', '-2.615']);
    assert.deepEqual(e.terms.map((t) => t.factors[0].value.toFixed(3)), ['-5.207', '-5.218', '-5.230']);
    assert.deepEqual(e.terms.map((t) => t.factors[1].value.toFixed(4)), ['0.2146', '0.8203', '2.0481']);
    assert.deepEqual(e.terms.map((t) => t.value.toFixed(3)), ['-1.117', '-4.281', '-10.711']);
  });

  it("explains dSSR/dw1 as Techal's chain: dSSR/dPredicted x dPredicted/dy_1 x dy_1/dx_1 x dx_1/dw1", () => {
    const e = explain(new Trainer(net), findParameter(net, 'w1')!);
    const dosages = [0, 0.5, 1];
    e.terms.forEach((term, i) => {
      const [dLoss, dPred, dAct, dX] = term.factors;
      assert.deepEqual(term.factors.map((f) => f.label), ['dSSR/dPredicted', 'dPredicted/dy_{1,i}', 'dy_{1,i}/dx_{1,i}', 'dx_{1,i}/dw1']);
      assert.equal(dLoss.value, -2 * (term.observed[0] - term.predicted[0]));
      assert.equal(dPred.value, -1.22, 'dPredicted/dy_1 is w3');
      const x1 = dosages[i] * 3.34 - 1.43;
      assert.ok(Math.abs(dAct.value - sigmoid(x1)) < 1e-15, "softplus'(x) is sigmoid(x)");
      assert.equal(dX.value, dosages[i], 'dx_1/dw1 is the dosage');
      assert.equal(term.sample, i + 1);
    });
    assert.equal(e.formula, 'dSSR/dw1 = Σ_i dSSR/dPredicted × dPredicted/dy_{1,i} × dy_{1,i}/dx_{1,i} × dx_{1,i}/dw1');
    assert.equal(e.expandedFormula, "= Σ_i -2(observed_i - predicted_i) × w3 × softplus'(x_{1,i}) × dosage_i");
  });

  it('explains dSSR/db3 as dSSR/dPredicted x 1 summed over the data', () => {
    const e = explain(new Trainer(net), findParameter(net, 'b3')!);
    assert.deepEqual(e.terms[0].factors.map((f) => [f.label, f.expression]), [['dSSR/dPredicted', '-2(observed_i - predicted_i)'], ['dPredicted/db3', '1']]);
    assert.equal(e.derivative.toFixed(4), '-15.6551');
  });
});

describe('3Blue1Brown chain (one sigmoid neuron per layer)', () => {
  const net = loadExample('3b1b-chain.nn.json');

  it('dC/dw^(L) = a^(L-1) sigma\'(z^(L)) 2(a^(L) - y), averaged over the examples', () => {
    const t = new Trainer(net);
    t.evaluate();
    const w3 = findParameter(net, 'w3')!;
    assert.equal(w3.layer, 3);
    let expected = 0;
    for (let i = 0; i < net.data.samples; i++) {
      const aPrev = t.y[1][i];
      const z = t.x[2][i];
      const a = t.y[2][i];
      expected += aPrev * activationSlope('sigmoid', z, a) * 2 * (a - net.data.targets[i]);
    }
    expected /= net.data.samples;
    assert.ok(Math.abs(t.gradients[w3.index] - expected) < 1e-15);
  });

  it('writes w1 out as the whole chain back through every layer', () => {
    const e = explain(new Trainer(net), findParameter(net, 'w1')!);
    assert.deepEqual(e.terms[0].factors.map((f) => f.expression), [
      '-2(observed_i - predicted_i) / 3', "sigmoid'(x_{out,i})", 'w3', "sigmoid'(x^(2)_{1,i})", 'w2', "sigmoid'(x^(1)_{1,i})", 'a0_i',
    ]);
  });
});
