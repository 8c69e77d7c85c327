/** The breakpoint expression language: parsed with columns, compiled once, evaluated over the trainer's own arrays. */
import assert from 'node:assert/strict';
import { sharpness, Trainer } from '../../src/core';
import { compileExpression, emptyScalars, type ExprState, knownNames } from '../../src/session/expr/compile';
import { ExpressionError, parseExpression } from '../../src/core/expr/parse';
import { loadExample } from './helpers';

const net = loadExample('dosage-all.nn.json');
const trainer = new Trainer(net);
trainer.evaluate();
const scalars = { ...emptyScalars(net.training.learningRate), step: 120, loss: trainer.loss, stepSize: 0.02 };
const state: ExprState = { params: trainer.params, gradients: trainer.gradients, x: trainer.x, y: trainer.y, state: trainer.state, scalars };
const value = (source: string): number => compileExpression(source, net, state).evaluate();
const g = (name: string): number => trainer.gradients[net.parameters.find((p) => p.name === name)!.index];
const w = (name: string): number => trainer.params[net.parameters.find((p) => p.name === name)!.index];

/** The error a malformed or unknown expression gives, as "column N: message". */
function error(source: string): string {
  try {
    compileExpression(source, net, state);
  } catch (e) {
    if (e instanceof ExpressionError) return e.describe();
    throw e;
  }
  assert.fail(`'${source}' compiled`);
}

describe('breakpoint expressions', () => {
  it("reads the charts' instruments by name: gradient norm, update ratio, distance, unit shares, sharpness", () => {
    const norm = Math.sqrt(trainer.gradients.reduce((a, v) => a + v * v, 0));
    const size = Math.sqrt(trainer.params.reduce((a, v) => a + v * v, 0));
    assert.equal(value('gradientNorm'), norm);
    assert.ok(Math.abs(value('updateRatio') - (0.1 * norm) / size) < 1e-15);
    assert.equal(value('distance'), 0);
    assert.equal(value('deadShare + saturatedShare'), 0);
    assert.equal(value('sharpness'), sharpness(net, trainer.params));
    assert.equal(value('sharpness > 2 / learningRate'), sharpness(net, trainer.params)! > 20 ? 1 : 0);
  });

  it('evaluates the examples the issue names', () => {
    assert.equal(value('loss < 0.01'), scalars.loss < 0.01 ? 1 : 0);
    assert.equal(value('abs(dw1) > 10 && step > 100'), Math.abs(g('w1')) > 10 && scalars.step > 100 ? 1 : 0);
    assert.equal(value('w3 > 0'), w('w3') > 0 ? 1 : 0);
    assert.equal(value('!isfinite(loss)'), 0);
    scalars.loss = NaN;
    assert.equal(value('!isfinite(loss)'), 1);
    scalars.loss = trainer.loss;
  });

  it('reads parameters, gradients and scalars by name, with arithmetic, precedence and functions', () => {
    assert.equal(value('w3 - 0.1 * dw3'), w('w3') - 0.1 * g('w3'));
    assert.equal(value('-2 ^ 2'), -4, 'power binds tighter than unary minus');
    assert.equal(value('1 + 2 * 3 - 4 / 2'), 5);
    assert.equal(value('7 % 3 + 2 * 3 % 4'), 3, 'the remainder binds as * and / do');
    assert.equal(value('step % 50 == 0'), state.scalars.step % 50 === 0 ? 1 : 0);
    assert.equal(value('(1 + 2) * 3'), 9);
    assert.equal(value('sqrt(16) + exp(0) + log(1)'), 5);
    assert.equal(value('min(3, 1, 2) + max(3, 1, 2)'), 4);
    assert.equal(value('stepSize'), 0.02);
    assert.equal(value('learningRate'), net.training.learningRate);
    assert.equal(value('1 < 2 || 1 / 0 > 0 && !1'), 1);
    assert.equal(value('1e-7 < 1E-6'), 1);
  });

  it('aggregates groups: a layer\'s weights, biases and gradients, a layer\'s or a unit\'s values', () => {
    const l2 = net.layers[1];
    const w2 = Array.from(trainer.params.subarray(l2.weightOffset, l2.weightOffset + l2.units * l2.inputs));
    const dw1 = Array.from(trainer.gradients.subarray(0, 2));
    assert.ok(Math.abs(value('norm(dW1)') - Math.hypot(...dw1)) < 1e-12);
    assert.equal(value('max(abs(W2))'), Math.max(...w2.map(Math.abs)));
    assert.equal(value('min(W2)'), Math.min(...w2));
    assert.equal(value('sum(B1)'), trainer.params[net.weightCount] + trainer.params[net.weightCount + 1]);
    const y1 = [0, 1, 2].map((i) => trainer.y[0][i * 2]);
    assert.ok(Math.abs(value('mean(Y1[1])') - y1.reduce((a, b) => a + b, 0) / 3) < 1e-15);
    assert.equal(value('max(X1)'), Math.max(...trainer.x[0]));
  });

  it('reads the trainer\'s arrays as they are when evaluated: compiled once, run many times', () => {
    const compiled = compileExpression('w1 + dw1', net, state);
    const t = new Trainer(net);
    const live: ExprState = { params: t.params, gradients: t.gradients, x: t.x, y: t.y, state: t.state, scalars };
    const c = compileExpression('w1', net, live);
    t.evaluate();
    const before = c.evaluate();
    t.step();
    assert.notEqual(c.evaluate(), before, 'the closure sees the new value');
    assert.equal(compiled.needsEvaluation, true, 'a gradient needs the state evaluated');
    assert.equal(compileExpression('step > 5 && w1 > 0', net, state).needsEvaluation, false, 'parameters and the step do not');
  });

  it('reports a malformed expression where it was typed, with what was expected', () => {
    assert.equal(error('loss < 0.0.1'), "column 8: expected a number after '0.0', found '0.0.'");
    assert.equal(error('loss <'), 'column 7: expected a number, a name or \'(\', found the end');
    assert.equal(error('abs(dw1 > 10'), "column 13: expected ',' or ')' to close abs(, found the end");
    assert.equal(error('loss = 1'), "column 6: unexpected '=' (compare with '==')");
    assert.equal(error('loss < 1 < 2'), 'column 10: comparisons do not chain: write a < b && b < c, not a < b < c');
    assert.equal(error('w1 w2'), "column 4: expected an operator or the end, found 'w2'");
    assert.equal(error(''), 'column 1: the condition is empty: expected an expression such as loss < 0.01');
    assert.equal(error('1e'), "column 1: expected the exponent's digits after '1e'");
    assert.equal(error('Y1[0]'), 'column 4: expected a unit number from 1 inside [ ], found \'0\'');
  });

  it('suggests the nearest name for an unknown one', () => {
    assert.equal(error('dw9 > 1'), "column 1: unknown name 'dw9' (did you mean dw1?)");
    assert.equal(error('los < 1'), "column 1: unknown name 'los' (did you mean loss?)");
    assert.equal(error('mean(db9)'), "column 6: unknown name 'db9' (did you mean db1?)");
    assert.equal(error('nrom(dW1)'), "column 1: unknown function 'nrom' (did you mean norm?)");
    assert.equal(error('step_size'), "column 1: unknown name 'step_size' (did you mean stepSize?)");
    assert.equal(error('Y1[3]'), 'column 1: layer 1 has 2 units, so Y1[3] does not exist');
  });

  it('keeps groups inside the group functions', () => {
    assert.equal(error('W1 > 0'), 'column 1: W1 is a group of values: use it inside norm(), mean(), sum(), max() or min()');
    assert.equal(error('norm(w1)'), 'column 6: norm() takes a group such as W1, dW2 or Y1[2], not a single number');
    assert.equal(error('sqrt(1, 2)'), 'column 1: sqrt() takes 1 argument, not 2');
  });

  it('parses with spans covering what was typed', () => {
    const tree = parseExpression('  abs(dw1) > 10');
    assert.deepEqual(tree.at, { start: 2, end: 15 });
  });

  it('knows every name a network offers', () => {
    const names = knownNames(net);
    for (const n of ['step', 'loss', 'stepSize', 'learningRate', 'w1', 'b3', 'dw4', 'db1', 'W2', 'dB1', 'X1', 'Y2']) assert.ok(names.includes(n), n);
  });
});
