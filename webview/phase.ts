/**
 * The numbers of the phase Step Into is in, beside the graph: the forward pass's x_{j,i} and
 * y_{j,i} for the layer at work, the loss's residual for every sample, the gradients the backward
 * pass gives the layer's parameters, and the update's old -> new. Shown only inside a step; the
 * graph highlights where, this says how much.
 */
import type { NetworkModel, UnitView } from '../src/protocol';
import { h } from './dom';
import { fmt } from './format';
import type { Notation } from './notation';

/** Rows (samples or parameters) listed before "... and N more". */
const ROWS = 12;
/** Units of a layer listed side by side. */
const UNITS = 4;

export class PhasePanel {
  readonly element = h('section', 'phase-panel');

  constructor() {
    this.element.setAttribute('aria-label', 'This phase of the step');
    this.element.hidden = true;
  }

  render(model: NetworkModel | undefined, notation: Notation): void {
    const phase = model?.phase;
    this.element.hidden = !model || !phase;
    if (!model || !phase) { this.element.replaceChildren(); return; }
    const heading = h('h2', 'inspector-heading', phase.kind === 'forward' ? `Forward pass, layer ${phase.layer}` : phase.kind === 'backward' ? `Backward pass, layer ${phase.layer}` : phase.kind === 'loss' ? 'The loss' : 'The update');
    const body = phase.kind === 'forward' ? forward(model, phase.layer, notation)
      : phase.kind === 'loss' ? loss(model)
        : phase.kind === 'backward' ? backward(model, phase.layer)
          : update(model);
    this.element.replaceChildren(heading, ...body);
  }
}

/** With batches, which samples this step trains on: the others' rows are dimmed. */
function batchNote(model: NetworkModel): HTMLElement[] {
  return model.batch ? [h('p', 'card-note batch-note', `This step trains on the batch of sample${model.batch.length === 1 ? '' : 's'} ${model.batch.join(', ')}; the other rows (dimmed) wait for their own step.`)] : [];
}

function table(head: string[], rows: string[][], caption: string, dimmed?: (row: number) => boolean): HTMLTableElement {
  const t = h('table', 'phase-table');
  const c = h('caption', 'visually-hidden', caption);
  const thead = h('thead');
  const tr = h('tr');
  for (const cell of head) tr.append(h('th', '', cell));
  thead.append(tr);
  const tbody = h('tbody');
  for (const [at, row] of rows.slice(0, ROWS).entries()) {
    const r = h('tr');
    if (dimmed?.(at)) r.classList.add('out-of-batch');
    row.forEach((cell, k) => r.append(h(k === 0 ? 'th' : 'td', '', cell)));
    tbody.append(r);
  }
  t.append(c, thead, tbody);
  return t;
}

/**
 * A large network's frames carry its weights rounded to a byte each (drawing needs no more): those
 * are shown to two digits and marked ≈; biases travel exactly.
 */
function approx(model: NetworkModel, kind: string, v: number): string {
  return model.approximate && kind === 'weight' ? `≈${fmt(v, 2)}` : fmt(v);
}

function approximateNote(model: NetworkModel): HTMLElement[] {
  return model.approximate ? [h('p', 'card-note', 'Weights marked ≈ are rounded for drawing this large network; hover one for its exact numbers.')] : [];
}

function more(count: number, what: string): HTMLElement[] {
  return count > ROWS ? [h('p', 'card-note', `... and ${count - ROWS} more ${what}.`)] : [];
}

function unitsOf(model: NetworkModel, layer: number): UnitView[] {
  return model.units.filter((u) => u.layer === layer).sort((a, b) => a.unit - b.unit);
}

function forward(model: NetworkModel, layer: number, notation: Notation): HTMLElement[] {
  const activation = model.layers[layer - 1].activation;
  const units = unitsOf(model, layer);
  const sb = notation === '3b1b';
  const intro = h('p', 'card-note', sb
    ? `Each unit sums its weighted inputs and its bias, z = Σ w a + b, then a = ${activation}(z), for every sample.`
    : `Each unit sums its weighted inputs and its bias, x = Σ w y + b, then y = ${activation}(x), for every sample.`);
  if (units.length === 0) return [intro, h('p', 'card-note', 'This network is too large to list its units here: hover a unit to see its values.')];
  const shown = units.slice(0, UNITS);
  const name = (u: UnitView, which: 'in' | 'out'): string => sb ? `${which === 'in' ? 'z' : 'a'}${u.unit}` : `${which === 'in' ? 'x' : 'y'}${u.unit + 1}`;
  const head = ['i', ...shown.flatMap((u) => [name(u, 'in'), name(u, 'out')])];
  const rows = Array.from({ length: model.samples }, (_, i) => [String(i + 1), ...shown.flatMap((u) => [fmt(u.x[i]), fmt(u.y[i])])]);
  const out = [intro, ...batchNote(model), table(head, rows, `Layer ${layer}'s values for every sample`, outOfBatch(model)), ...more(model.samples, 'samples')];
  if (units.length > UNITS) out.push(h('p', 'card-note', `${units.length - UNITS} more units in this layer: hover one to see its values.`));
  return out;
}

function loss(model: NetworkModel): HTMLElement[] {
  const outputs = unitsOf(model, model.layers.length);
  const symbol = model.lossSymbol;
  const squared = model.loss === 'ssr' || model.loss === 'mse';
  const intro = h('p', 'card-note', squared
    ? `Each sample's residual, observed − predicted, squared and ${model.loss === 'ssr' ? 'summed' : 'averaged'}${model.batch ? ' over the batch' : ''}: ${symbol} = ${fmt(model.lossValue)}.`
    : `The cross-entropy of each sample's softmax probabilities against its targets, averaged: ${symbol} = ${fmt(model.lossValue)}.`);
  if (outputs.length === 0 || !squared) return [intro];
  const k = 0;
  const many = model.outputs.length > 1;
  const label = many ? ` (${model.outputs[k]})` : '';
  const rows = Array.from({ length: model.samples }, (_, i) => {
    const observed = model.data.targets[i][k];
    const predicted = outputs[k].y[i];
    const r = observed - predicted;
    return [String(i + 1), fmt(observed), fmt(predicted), fmt(r), fmt(r * r)];
  });
  const out = [intro, ...batchNote(model), table(['i', `observed${label}`, 'predicted', 'residual', 'residual²'], rows, "Every sample's residual", outOfBatch(model)), ...more(model.samples, 'samples')];
  if (many) out.push(h('p', 'card-note', `The other outputs add their own residuals; hover an output to see its values.`));
  return out;
}

function backward(model: NetworkModel, layer: number): HTMLElement[] {
  const params = model.params.filter((p) => p.layer === layer);
  const intro = h('p', 'card-note', `The error flows back into layer ${layer}: each of its weights and biases receives d${model.lossSymbol}/d(parameter), by the chain rule. Hover one to see its product of factors.`);
  const rows = params.map((p) => [p.name, approx(model, p.kind, p.gradient)]);
  return [intro, table(['parameter', `d${model.lossSymbol}/d·`], rows, `The gradients of layer ${layer}`), ...more(params.length, 'parameters'), ...approximateNote(model)];
}

/** Row i (from 0: sample i + 1) is not in the step's batch. */
function outOfBatch(model: NetworkModel): ((row: number) => boolean) | undefined {
  const batch = model.batch;
  return batch ? (row) => !batch.includes(row + 1) : undefined;
}

function update(model: NetworkModel): HTMLElement[] {
  const lr = model.learningRate;
  const params = model.params.filter((p) => p.trainable);
  // An optimizer's update: old and new from its rule, with its state for each parameter (the
  // explanations of the stop carry them).
  const withRule = params.map((p) => ({ p, e: model.explanations?.[p.name] })).filter((x) => x.e?.update);
  if (!model.plainTraining && withRule.length > 0) {
    const labels = withRule[0].e!.update!.terms.map((t) => t.label).filter((l) => l !== 't' && l !== 'g' && !l.startsWith('1 − ') && l !== 'lr');
    const intro = h('p', 'card-note', `${model.trainingRule}: ${withRule[0].e!.update!.rule}.`);
    const rows = withRule.map(({ p, e }) => [p.name, fmt(e!.value), fmt(e!.derivative), ...labels.map((l) => fmt(e!.update!.terms.find((t) => t.label === l)?.value ?? NaN)), fmt(e!.nextValue)]);
    return [intro, table(['parameter', 'old', 'g', ...labels, 'new'], rows, 'Every trainable parameter: the optimizer\'s state and its new value'), ...more(withRule.length, 'parameters')];
  }
  const intro = h('p', 'card-note', `Every trainable parameter moves against its gradient: new = old − ${fmt(lr)} × gradient.`);
  const rows = params.map((p) => [p.name, approx(model, p.kind, p.value), approx(model, p.kind, -lr * p.gradient), approx(model, p.kind, p.value - lr * p.gradient)]);
  return [intro, table(['parameter', 'old', 'step', 'new'], rows, 'Every trainable parameter, old and new'), ...more(params.length, 'parameters'), ...approximateNote(model)];
}
