/** The chain-rule explanation as text, shared by the CLI and the debugger's console. */
import type { Network } from '../core';
import type { ExplanationView } from '../protocol';
import { n, renderTable } from './table';

/**
 * The chain rule behind one derivative as text, every factor with its number, per sample and
 * summed, with the finite-difference check: what `backprop explain` prints and what the Debug
 * Console answers to `explain w3`.
 */
export function renderExplanation(net: Pick<Network, 'inputNames' | 'outputNames' | 'loss'>, e: ExplanationView, steps: number): string {
  const indent = ' '.repeat(e.derivativeLabel.length + 1);
  const factorLabels = e.terms[0].factors.map((f) => f.label);
  // With cross-entropy the output layer's values are scores before the softmax; the softmax's
  // probabilities are what the loss compares with the observed values, so they stand beside them.
  const ce = net.loss === 'cross-entropy';
  const headers = ['i', ...net.inputNames, ...net.outputNames.map((o) => `observed ${o}`), ...net.outputNames.map((o) => `predicted ${o}${ce ? ' (score)' : ''}`),
    ...(ce ? net.outputNames.map((o) => `softmax ${o}`) : []), ...factorLabels, 'term'];
  const rows: string[][] = [];
  for (const t of e.terms) {
    rows.push([String(t.sample), ...t.inputs.map(n), ...t.observed.map(n), ...t.predicted.map(n), ...(t.probabilities ?? []).map(n), ...t.factors.map((f) => n(f.value)), n(t.value)]);
  }
  if (e.regularization !== undefined) rows.push(['reg.', ...new Array(headers.length - 2).fill(''), n(e.regularization)]);
  rows.push(['sum', ...new Array(headers.length - 2).fill(''), n(e.terms.reduce((a, t) => a + t.value, e.regularization ?? 0))]);
  const paths = e.terms.flatMap((t) => t.factors.filter((f) => f.paths).flatMap((f) => [
    `  i=${t.sample}: ${f.label} = ${f.paths!.map((path) => n(path.value)).join(' + ')} = ${n(f.value)}`,
    ...f.paths!.map((path) => `       ${path.label}: ${path.factors.map((pf) => `${pf.label} ${n(pf.value)}`).join(' × ')} = ${n(path.value)}`),
  ]));
  const fd = e.finiteDifference;
  const agree = Math.abs(fd - e.derivative);
  const lr = e.learningRate;
  const u = e.update;
  const next = !e.trainable ? [`next value:  ${e.parameter} is not trainable, so it stays ${n(e.value)}`]
    : u === undefined ? [`next value:  ${e.parameter} - ${n(lr)} × (${n(e.derivative)}) = ${n(e.nextValue)}`]
      : [
        `update (${u.optimizer}${u.clipScale < 1 ? `, the gradient clipped by ×${n(u.clipScale)}` : ''}):  ${u.rule}`,
        ...u.terms.map((t) => `  ${t.label.padEnd(Math.max(...u.terms.map((x) => x.label.length)))}  ${n(t.value)}`),
        `next value:  ${n(e.value)} -> ${n(e.nextValue)} (plain gradient descent would step by ${n(-u.plainStep)})`,
      ];
  const convention = net.loss === 'cross-entropy'
    ? 'loss: CE = -Σ_i Σ_k observed_k ln softmax(predicted)_k, summed over samples'
    : net.loss === 'mse' ? 'loss: MSE = (1/n) Σ_i (observed_i - predicted_i)^2 (3Blue1Brown averages over examples the same way)'
      : "loss: SSR = Σ_i (observed_i - predicted_i)^2 (StatQuest's convention; 3Blue1Brown's (a - y)^2 per example gives the same dC/da = 2(a - y))";
  return [
    `${e.derivativeLabel} at step ${steps} (${e.parameter} = ${n(e.value)})${e.batch ? `, over the batch of step ${steps + 1}: samples ${e.batch.join(', ')}` : ''}`,
    '',
    e.formula,
    `${indent}${e.expandedFormula}`,
    '',
    renderTable(headers, rows, 0),
    ...(paths.length ? ['', 'sums over paths (a unit that feeds several units):', ...paths] : []),
    '',
    `derivative:  ${e.derivativeLabel} = ${n(e.derivative)}`,
    `check:       finite difference ${n(fd)} (differs by ${agree.toExponential(1)})`,
    ...next,
    convention,
  ].join('\n');
}
