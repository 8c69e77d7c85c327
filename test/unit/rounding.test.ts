/** Write Parameters rounded: N significant digits, and how far that moves the loss. */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import {
  checkDigits, describeLossChange, describeParameterChange, formatNumber, loadNetwork, roundingEffect, roundingEffects, roundParameters, Trainer, writeParameters,
} from '../../src/core';
import { close, examplePath } from './helpers';

function trained(text: string, steps: number): Float64Array {
  const t = new Trainer(loadNetwork(text));
  for (let i = 0; i < steps; i++) t.step();
  return Float64Array.from(t.params);
}

/** How many significant digits the text of a number has: `-0.0001235` has 4, `123000` has 3. */
function significantDigits(text: string): number {
  const mantissa = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(mantissa.length, 1);
}

/**
 * SSR of the dosage network (two softplus units, one identity output) at w1..w4, b1..b3, worked
 * out here by hand rather than by the trainer: StatQuest's Σ (observed - predicted)².
 */
function dosageSsr(p: ArrayLike<number>): number {
  const softplus = (x: number): number => Math.log1p(Math.exp(x));
  const [w1, w2, w3, w4, b1, b2, b3] = Array.from(p);
  return [[0, 0], [0.5, 1], [1, 0]].reduce((sum, [dosage, observed]) => {
    const predicted = w3 * softplus(w1 * dosage + b1) + w4 * softplus(w2 * dosage + b2) + b3;
    return sum + (observed - predicted) ** 2;
  }, 0);
}

/** How describeLossChange ends for a loss going from `before` to `after`: by a percentage, or a factor once it doubles. */
function said(before: number, after: number): string {
  if (after === before) return '(unchanged)';
  const percent = ((after - before) / before) * 100;
  if (percent >= 100) return `(×${formatNumber(after / before, { digits: 2 })})`;
  return `(${percent > 0 ? '+' : ''}${formatNumber(percent, { digits: 2 })}%)`;
}

describe('Write Parameters rounded', () => {
  it('rounds to N significant digits, written as that decimal and no longer', () => {
    const cases: [number, number, string][] = [
      [1234.5678, 4, '1235'], [-0.000123456, 4, '-0.0001235'], [0.30000000000000004, 4, '0.3'], [2.0000000000000004, 6, '2'],
      [123456789, 3, '123000000'], [2.46e-8, 1, '2e-8'], [-3.53, 2, '-3.5'], [0, 4, '0'],
      [-1.5e308, 1, '-1e+308'], [1.7976931348623157e308, 3, '1.79e+308'],
    ];
    for (const [v, digits, text] of cases) assert.equal(String(roundParameters([v], digits)[0]), text, `${v} to ${digits}`);
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: 1, max: 17 }), (v, digits) => {
      const r = roundParameters([v], digits)[0];
      // toExponential counts digits after the point: the same rounding by another road, unless it
      // rounds past the largest double, where the digits are cut off toward zero instead.
      const nearest = Number(v.toExponential(digits - 1));
      if (Number.isFinite(nearest)) assert.ok(r === nearest, `${v} to ${digits}: ${r}, not ${nearest}`);
      else assert.ok(Number.isFinite(r) && Math.abs(r) <= Math.abs(v) && Math.abs(v - r) < Math.abs(v) * 10 ** (1 - digits), `${v} to ${digits}: ${r}`);
      assert.ok(significantDigits(String(r)) <= digits, `${v} to ${digits}: ${r}`);
      // -0 comes back as 0, as JSON writes it: the same number to every sum, so === (not Object.is).
      if (digits === 17) assert.ok(r === v, `seventeen digits keep every double: ${v} came back as ${r}`);
    }));
  });

  it('refuses a number of digits that is not a whole number from 1 to 17, saying so', () => {
    for (const digits of [0, 18, 2.5, NaN, -4]) assert.throws(() => checkDigits(digits), /whole number from 1 to 17, got/);
    const text = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8');
    assert.throws(() => writeParameters(text, loadNetwork(text).initialParameters, { digits: 0 }), RangeError);
  });

  it('writes the rounded values, each number N digits at most, rows as before; a number already that short keeps its text', () => {
    for (const name of ['dosage-all.nn.json', 'xor.nn.json', 'classifier.nn.json']) {
      const text = readFileSync(examplePath(name), 'utf8');
      const values = trained(text, 300);
      const written = writeParameters(text, values, { digits: 4 });
      const network = loadNetwork(written);
      assert.deepEqual(network.initialParameters, roundParameters(values, 4), name);
      for (const p of network.parameterPositions) assert.ok(significantDigits(written.slice(p!.offset, p!.offset + p!.length)) <= 4, name);
    }
    // 19 lines stay 19: short numbers put even xor's hidden layer on its line.
    const xor = readFileSync(examplePath('xor.nn.json'), 'utf8');
    assert.equal(writeParameters(xor, trained(xor, 300), { digits: 4 }).split('\n').length, xor.split('\n').length);
    const b3 = readFileSync(examplePath('dosage-b3.nn.json'), 'utf8');
    const written = writeParameters(b3, trained(b3, 20), { digits: 3 });
    assert.ok(written.includes('"weights": [[-1.22, -2.30]]'), 'w4 is -2.3 already: its -2.30 stays');
  });

  it('says how far the loss moves, the losses worked out by hand for the dosage network', () => {
    const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
    const network = loadNetwork(text);
    const values = trained(text, 400);
    // The rounded values as the file holds them once written: not through roundParameters.
    const rounded = loadNetwork(writeParameters(text, values, { digits: 2 })).initialParameters;
    const effect = roundingEffect(network, values, 2);
    assert.ok(close(effect.exactLoss, dosageSsr(values), 1e-12), `${effect.exactLoss} vs ${dosageSsr(values)}`);
    assert.ok(close(effect.roundedLoss, dosageSsr(rounded), 1e-12), `${effect.roundedLoss} vs ${dosageSsr(rounded)}`);
    assert.notEqual(effect.roundedLoss, effect.exactLoss);
    assert.equal(describeLossChange(effect, network), `SSR ${formatNumber(effect.exactLoss)} -> ${formatNumber(effect.roundedLoss)} ${said(effect.exactLoss, effect.roundedLoss)}`);
    assert.match(describeLossChange(effect, network, '→'), /^SSR \S+ → \S+ \([+-]\d/);
    // Which parameters move, and the one that moves most.
    const changes = Array.from(values, (v, i) => Math.abs(rounded[i] - v));
    const most = changes.indexOf(Math.max(...changes));
    assert.deepEqual([effect.changed, effect.total, effect.largest], [changes.filter((c) => c > 0).length, 7, { name: network.parameters[most].name, change: changes[most] }]);
    assert.equal(describeParameterChange(effect), `${effect.changed} of 7 numbers change, ${network.parameters[most].name} the most (by ${formatNumber(changes[most], { digits: 2 })})`);
  });

  it('each choice of digits reports the loss of the file it writes, recomputed from that file alone', () => {
    for (const name of ['dosage-all.nn.json', 'xor.nn.json', 'classifier.nn.json']) {
      const text = readFileSync(examplePath(name), 'utf8');
      const network = loadNetwork(text);
      const values = trained(text, 300);
      // The loss of a file as a new run of it starts: its own network, read from the written text.
      const lossOfFile = (written: string): number => new Trainer(loadNetwork(written)).evaluate();
      const exact = lossOfFile(writeParameters(text, values));
      const effects = roundingEffects(network, values, [2, 3, 4, 5, 6]);
      assert.deepEqual(effects.map((e) => e.digits), [2, 3, 4, 5, 6]);
      for (const effect of effects) {
        const rounded = lossOfFile(writeParameters(text, values, { digits: effect.digits }));
        assert.equal(effect.exactLoss, exact, `${name}: the loss before, to the bit`);
        assert.equal(effect.roundedLoss, rounded, `${name}, ${effect.digits} digits: the loss after, to the bit`);
        assert.deepEqual(effect, roundingEffect(network, values, effect.digits), 'one choice alone says the same');
        assert.equal(describeLossChange(effect, network, '→'), `${network.loss === 'ssr' ? 'SSR' : 'CE'} ${formatNumber(exact)} → ${formatNumber(rounded)} ${said(exact, rounded)}`);
      }
    }
    assert.throws(() => roundingEffects(loadNetwork(readFileSync(examplePath('xor.nn.json'), 'utf8')), new Float64Array(13), [3, 0]), /whole number from 1 to 17/);
  });

  it('says the move as a person reads it: a percentage, a factor once the loss doubles', () => {
    const b3 = loadNetwork(readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    const effect = (exactLoss: number, roundedLoss: number) => ({ digits: 3, exactLoss, roundedLoss, changed: 7, total: 7, largest: { name: 'w1', change: 0.001 } });
    assert.equal(describeLossChange(effect(0.0123, 0.0125), b3, '→'), 'SSR 0.0123 → 0.0125 (+1.6%)');
    assert.equal(describeLossChange(effect(0.5, 0.4), b3), 'SSR 0.5 -> 0.4 (-20%)');
    assert.equal(describeLossChange(effect(0.00535385, 0.0862478), b3), 'SSR 0.00535385 -> 0.0862478 (×16)');
    assert.equal(describeLossChange(effect(0.01, 0.0199), b3), 'SSR 0.01 -> 0.0199 (+99%)');
    assert.equal(describeLossChange(effect(0, 0.001), b3), 'SSR 0 -> 0.001', 'no share of nothing');
  });

  it('says when rounding changes nothing, and names the loss by its convention', () => {
    const b3 = loadNetwork(readFileSync(examplePath('dosage-b3.nn.json'), 'utf8'));
    const none = roundingEffect(b3, b3.initialParameters, 3);
    assert.match(describeLossChange(none, b3), /^SSR 20\.4236 -> 20\.4236 \(unchanged\)$/);
    assert.equal(describeParameterChange(none), 'none of the 7 numbers changes');
    const classifierText = readFileSync(examplePath('classifier.nn.json'), 'utf8');
    const classifier = loadNetwork(classifierText);
    assert.match(describeLossChange(roundingEffect(classifier, trained(classifierText, 50), 2), classifier), /^CE /);
  });
});
