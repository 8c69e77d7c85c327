/**
 * The explanation of one derivative, as the hover card and the pinned inspector show it: the
 * parameter and its derivative, the chain rule as mathematics (KaTeX), a row per sample with every
 * factor's number and their product, the sum, the next value after one step and the finite-
 * difference check. Built with DOM calls (never innerHTML of strings) under the page's CSP.
 */
import katex from 'katex';
import type { Factor } from '../src/core/explain';
import type { ExplanationView, NetworkModel, UnitView, UpdateView } from '../src/protocol';
import { h } from './dom';
import { compact, fmt, texNum } from './format';
import { type Notation, TexNames, text } from './notation';


function tex(source: string, display = false, cls = 'math'): HTMLElement {
  const span = h('span', cls);
  // katex.render builds DOM nodes and sets styles through the CSSOM, which the CSP allows.
  // trust: false keeps \href and friends inert; the size limits stop a hostile name from
  // drawing over the page. Names from the file are escaped by notation.text as well.
  katex.render(source, span, { throwOnError: false, displayMode: display, output: 'htmlAndMathml', trust: false, maxSize: 5, maxExpand: 100 });
  return span;
}

/**
 * A column header in KaTeX, drawn as HTML only and named in words (with MathML beside it, KaTeX
 * hides the drawing from assistive technology, and the header has no text a person sees).
 */
function texHeader(th: HTMLTableCellElement, source: string, spoken: string): HTMLTableCellElement {
  katex.render(source, th.appendChild(h('span', 'math')), { throwOnError: false, output: 'html', trust: false, maxSize: 5, maxExpand: 100 });
  // KaTeX hides its drawing even when it is all there is: the header's words are its aria-label.
  th.querySelector('.katex-html')?.removeAttribute('aria-hidden');
  th.setAttribute('aria-label', spoken);
  return th;
}

function num(v: number, cls = 'num', format: (v: number) => string = fmt): HTMLTableCellElement {
  const td = h('td', cls, format(v));
  td.title = String(v); // the full value, for the cell's tooltip
  return td;
}

/** How far apart two numbers are, relative to their size: the finite-difference check's verdict. */
function agreement(a: number, b: number): string {
  const rel = Math.abs(a - b) / Math.max(1e-12, Math.abs(a), Math.abs(b));
  if (!Number.isFinite(rel)) return 'cannot compare';
  if (rel < 1e-9) return 'agrees to 1e−9';
  return `agrees to ${rel.toExponential(0).replace('-', '−')}`;
}

/** Past this many data columns (inputs, observed, predicted, probabilities) a card starts with them folded. */
const DATA_COLUMNS_SHOWN = 5;

/** Where Step Into is, in words, for a card that says what is not computed yet. */
function phaseWords(model: NetworkModel): string {
  const p = model.phase;
  if (!p) return '';
  return p.kind === 'forward' ? `the forward pass, layer ${p.layer}` : p.kind === 'backward' ? `the backward pass, layer ${p.layer}` : p.kind === 'loss' ? 'the loss' : 'the update';
}

export function renderExplanation(e: ExplanationView, model: NetworkModel, notation: Notation): HTMLElement {
  const names = new TexNames(model, notation);
  const root = h('div', 'explanation');
  root.dataset.explains = e.parameter;
  const param = model.params.find((p) => p.name === e.parameter);
  // Inside a step, a derivative the backward pass has not reached is not shown: the card says so.
  if (param && model.progress && param.layer < model.progress.gradientsFrom) {
    root.classList.add('not-yet');
    const head = h('div', 'card-head');
    const left = h('span', 'card-title');
    left.append(tex(`${names.param(e.parameter)} = ${texNum(e.value)}`));
    if (names.notation === '3b1b') left.append(h('span', 'card-alias', ` (${e.parameter})`));
    left.dataset.value = String(e.value);
    head.append(left);
    const note = h('p', 'card-note', `Step Into is at ${phaseWords(model)}. d${model.lossSymbol}/d${e.parameter} is computed by the backward pass, which has not reached layer ${param.layer} yet: Step Into goes on, Step Out finishes the step.`);
    root.append(head, note);
    return root;
  }

  const head = h('div', 'card-head');
  const left = h('span', 'card-title');
  left.append(tex(`${names.param(e.parameter)} = ${texNum(e.value)}`));
  // The plain name beside 3Blue1Brown's: the one conditions, watches and the CLI use.
  if (names.notation === '3b1b') left.append(h('span', 'card-alias', ` (${e.parameter})`));
  left.dataset.value = String(e.value);
  root.dataset.step = String(e.step);
  // Numbers of another step than the one shown are never shown without saying so.
  if (e.step !== model.step) {
    root.classList.add('other-step');
    root.append(h('p', 'card-note card-step', model.training.running
      ? `At step ${e.step.toLocaleString('en-US')}: training has gone on (these numbers follow a few times a second).`
      : `At step ${e.step.toLocaleString('en-US')}, not the step shown (${model.step.toLocaleString('en-US')}).`));
  }
  const right = h('span', 'card-derivative');
  right.append(tex(`${names.inlineDerivative(names.loss(), names.param(e.parameter))} = ${texNum(e.derivative)}`));
  right.dataset.derivative = String(e.derivative);
  head.append(left, right);

  const formula = names.formula(e);
  const math = h('div', 'formula');
  // A long chain scrolls sideways: reachable by keyboard, to scroll with the arrow keys.
  math.tabIndex = 0;
  math.setAttribute('role', 'group');
  math.setAttribute('aria-label', 'the chain rule');
  math.append(tex(formula.named, true), tex(formula.expanded, true));

  const table = h('table', 'terms');
  const factors = e.terms[0]?.factors ?? [];
  const probabilities = e.terms[0]?.probabilities !== undefined;
  // Class labels from a data file: each sample's class by name, beside its one-hot observed values.
  const classes = model.classes;
  const dataColumns = model.inputs.length + model.outputs.length * (probabilities ? 3 : 2) + (classes ? 1 : 0);
  if (dataColumns > DATA_COLUMNS_SHOWN) root.classList.add('fold-data');
  const thead = h('thead');
  const hr = h('tr');
  const index = h('th', 'num index');
  index.append(foldButton(root, dataColumns), document.createTextNode('i'));
  hr.append(index);
  const headerCell = (latex: string, title: string, cls = 'num col-data'): void => {
    const th = texHeader(h('th', cls), latex, title);
    th.title = title;
    hr.append(th);
  };
  model.inputs.forEach((name, k) => headerCell(notation === 'statquest' ? text(name) : names.input(k), `input ${name}`));
  if (classes) headerCell(text('class'), 'the class of the sample, from the data file\'s label column', 'col-data');
  model.outputs.forEach((name, k) => headerCell(names.observed(k), `observed ${name}`));
  model.outputs.forEach((name, k) => headerCell(names.unit('y', model.layers.length, k), probabilities ? `predicted ${name}: the score before the softmax` : `predicted ${name}`));
  if (probabilities) model.outputs.forEach((name, k) => headerCell(names.probability(k), `the softmax's probability of ${name}: what cross-entropy compares with the observed value`));
  factors.forEach((f) => headerCell(names.inlineFactor(f), f.label, 'num factor'));
  hr.append(h('th', 'num product', 'product'));
  thead.append(hr);
  table.append(thead);

  const tbody = h('tbody');
  const columns = 1 + dataColumns + factors.length + 1;
  for (const term of e.terms) {
    const tr = h('tr');
    tr.dataset.sample = String(term.sample);
    tr.append(h('td', 'num index', String(term.sample)));
    term.inputs.forEach((v) => tr.append(num(v, 'num data col-data', compact)));
    if (classes) tr.append(h('td', 'data col-data class', classes[term.observed.indexOf(1)] ?? ''));
    term.observed.forEach((v) => tr.append(num(v, 'num data col-data', compact)));
    term.predicted.forEach((v) => tr.append(num(v, 'num col-data')));
    term.probabilities?.forEach((v) => tr.append(num(v, 'num col-data probability')));
    const pathRows: HTMLTableRowElement[] = [];
    term.factors.forEach((f, c) => {
      const td = num(f.value, 'num factor');
      td.dataset.factor = String(c);
      if (f.paths) pathRows.push(...pathsRow(td, f, names, { all: columns, folded: columns - dataColumns }));
      tr.append(td);
    });
    const product = num(term.value, 'num product');
    tr.append(product);
    tbody.append(tr, ...pathRows);
  }
  // One cell per column (not a colspan), so folding the data columns keeps the sum under the products.
  const sum = h('tr', 'sum');
  sum.append(h('td', 'sum-label index', 'sum'));
  for (let c = 0; c < dataColumns; c++) sum.append(h('td', 'col-data'));
  for (let c = 0; c < factors.length; c++) sum.append(h('td'));
  sum.append(num(e.terms.reduce((a, t) => a + t.value, e.regularization ?? 0), 'num sum-value product'));
  if (e.regularization !== undefined) {
    // The penalty's derivative: one more term beside the samples' (0 for a bias).
    const reg = h('tr', 'regularization');
    reg.append(h('td', 'sum-label index', 'reg.'));
    for (let c = 0; c < dataColumns; c++) reg.append(h('td', 'col-data'));
    for (let c = 0; c < factors.length; c++) reg.append(h('td'));
    const cell = num(e.regularization, 'num product');
    cell.title = 'the regularization penalty\'s derivative: l1 × sign(w) + 2 × l2 × w';
    reg.append(cell);
    tbody.append(reg);
  }
  tbody.append(sum);
  table.append(tbody);
  const scroller = h('div', 'terms-scroll');
  // It scrolls sideways on a narrow card: keyboard users reach it to scroll with the arrow keys.
  scroller.tabIndex = 0;
  scroller.setAttribute('role', 'group');
  scroller.setAttribute('aria-label', 'each sample\'s factors and their product');
  scroller.append(table);

  const step = h('div', 'card-line next');
  step.append(!e.trainable ? h('span', '', `${e.parameter} is not trainable: it stays ${fmt(e.value)}`)
    : e.update === undefined ? tex(`${names.param(e.parameter)} - ${texNum(e.learningRate)} \\times (${texNum(e.derivative)}) = ${texNum(e.nextValue)}`)
      : h('span', '', `${fmt(e.value)} → ${fmt(e.nextValue)} (plain gradient descent would step by ${fmt(-e.update.plainStep)})`));
  step.prepend(h('span', 'card-key', 'next value '));
  step.dataset.next = String(e.nextValue);
  const update = e.trainable && e.update ? updateLines(e.update) : [];
  const batch = e.batch ? [h('div', 'card-line batch', `over the batch of step ${e.step + 1}: sample${e.batch.length === 1 ? '' : 's'} ${e.batch.join(', ')} (the others wait for their own step)`)] : [];

  const check = h('div', 'card-line check', `finite difference ${fmt(e.finiteDifference)} (${agreement(e.finiteDifference, e.derivative)})`);
  check.prepend(h('span', 'card-key', 'check '));
  check.dataset.finiteDifference = String(e.finiteDifference);

  const convention = h('div', 'card-line convention');
  convention.append(h('span', 'card-key', 'loss '), tex(names.lossDefinition()));
  if (notation === '3b1b' && model.loss !== 'cross-entropy') convention.append(h('span', 'muted', ' (2(a − y) per example is StatQuest\'s −2(observed − predicted))'));

  root.append(head, math, ...batch, scroller, ...update, step, check, convention);
  spanPaths(root);
  return root;
}

const OPTIMIZER_NAMES: Record<UpdateView['optimizer'], string> = { sgd: 'gradient descent', momentum: 'momentum', rmsprop: 'RMSProp', adam: 'Adam', adamw: 'AdamW' };

/** The optimizer's rule with this update's numbers: what the step is, and why it is not lr × g. */
function updateLines(u: UpdateView): HTMLElement[] {
  const rule = h('div', 'card-line update-rule');
  rule.append(h('span', 'card-key', `update (${OPTIMIZER_NAMES[u.optimizer]}) `), h('span', '', u.rule));
  const terms = h('div', 'card-line update-terms');
  terms.setAttribute('role', 'list');
  terms.setAttribute('aria-label', 'the update\'s quantities');
  for (const t of u.terms) {
    const item = h('span', 'update-term');
    item.setAttribute('role', 'listitem');
    item.dataset.label = t.label;
    item.dataset.value = String(t.value);
    item.append(h('span', 'muted', `${t.label} `), h('span', 'num', t.label === 't' ? String(t.value) : fmt(t.value)));
    terms.append(item);
  }
  const lines = [rule, terms];
  if (u.clipScale < 1) lines.push(h('div', 'card-line clip', `the gradient is clipped: every g × ${fmt(u.clipScale)}`));
  return lines;
}

/** A path row spans exactly the columns shown, so it never widens the table. */
function spanPaths(root: HTMLElement): void {
  const folded = root.classList.contains('fold-data');
  for (const cell of root.querySelectorAll<HTMLTableCellElement>('.paths-cell')) cell.colSpan = Number(folded ? cell.dataset.spanFolded : cell.dataset.spanAll);
}

/** The header button that folds the data columns away or brings them back (the answer never folds). */
function foldButton(root: HTMLElement, dataColumns: number): HTMLElement {
  const button = h('button', 'fold codicon');
  button.type = 'button';
  const sync = (): void => {
    const folded = root.classList.contains('fold-data');
    spanPaths(root);
    button.classList.toggle('codicon-chevron-right', folded);
    button.classList.toggle('codicon-chevron-left', !folded);
    button.setAttribute('aria-expanded', String(!folded));
    button.setAttribute('aria-label', folded ? `show the ${dataColumns} data columns` : 'hide the data columns');
    button.title = button.getAttribute('aria-label')!;
  };
  button.addEventListener('click', (ev) => {
    ev.stopPropagation();
    root.classList.toggle('fold-data');
    sync();
  });
  new MutationObserver(sync).observe(root, { attributes: true, attributeFilter: ['class'] });
  sync();
  return button;
}

/** A disclosure on a summed factor that opens a row of its paths, each with its own numbers. */
function pathsRow(td: HTMLTableCellElement, f: Factor, names: TexNames, columns: { all: number; folded: number }): HTMLTableRowElement[] {
  const button = h('button', 'expand codicon codicon-chevron-right');
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-label', `show the ${f.paths!.length} paths that sum to ${f.label}`);
  td.prepend(button);
  const row = h('tr', 'paths');
  row.hidden = true;
  const cell = h('td', 'paths-cell');
  cell.colSpan = columns.all;
  cell.dataset.spanAll = String(columns.all);
  cell.dataset.spanFolded = String(columns.folded);
  const list = h('ul', 'path-list');
  for (const path of f.paths!) {
    const li = h('li');
    const parts = path.factors.map((q) => `${names.inlineFactor(q)}\\,(${texNum(q.value)})`).join(' \\cdot ');
    li.append(tex(`${parts} = ${texNum(path.value)}`));
    list.append(li);
  }
  const total = h('li', 'path-total');
  total.append(tex(`${names.inlineFactor(f)} = ${f.paths!.map((p) => `(${texNum(p.value)})`).join(' + ')} = ${texNum(f.value)}`));
  list.append(total);
  cell.append(list);
  row.append(cell);
  button.addEventListener('click', (ev) => {
    ev.stopPropagation();
    row.hidden = !row.hidden;
    button.setAttribute('aria-expanded', String(!row.hidden));
    button.classList.toggle('codicon-chevron-right', row.hidden);
    button.classList.toggle('codicon-chevron-down', !row.hidden);
  });
  return [row];
}

/** A unit's x_{j,i} and y_{j,i} for every sample. */
export function renderUnit(unit: UnitView, model: NetworkModel, notation: Notation): HTMLElement {
  const names = new TexNames(model, notation);
  const root = h('div', 'explanation unit-card');
  const head = h('div', 'card-head');
  const layer = unit.layer;
  if (layer > 0 && model.progress && layer > model.progress.unitsThrough) {
    root.classList.add('not-yet');
    head.append(h('span', 'card-title', `hidden unit ${unit.unit + 1} of layer ${layer}`));
    root.append(head, h('p', 'card-note', `Step Into is at ${phaseWords(model)}: the forward pass has not reached layer ${layer} yet, so its x and y are not computed.`));
    return root;
  }
  if (layer === 0) {
    head.append(h('span', 'card-title', `input ${model.inputs[unit.unit]}`));
  } else {
    const activation = model.layers[layer - 1].activation;
    const what = layer === model.layers.length ? `output ${model.outputs[unit.unit]}` : `hidden unit ${unit.unit + 1} of layer ${layer}`;
    head.append(h('span', 'card-title', `${what} (${activation})`));
  }
  root.append(head);
  const f = layer === 0 ? model.features : null;
  if (f) root.append(h('p', 'card-note', `A feature: ${f.sources[unit.unit]}, computed from ${f.columns.join(', ')} for each sample.`));
  const table = h('table', 'terms');
  const tr = h('tr');
  tr.append(h('th', 'num', 'i'));
  const showInputs = model.inputs.length <= 3;
  if (showInputs) model.inputs.forEach((name, k) => tr.append(texHeader(h('th', 'num'), notation === 'statquest' ? text(name) : names.input(k), `input ${name}`)));
  // Too many inputs to show them all: an input's own card still shows its values.
  const ownInput = layer === 0 && !showInputs;
  if (ownInput) tr.append(texHeader(h('th', 'num'), notation === 'statquest' ? text(model.inputs[unit.unit]) : names.input(unit.unit), `input ${model.inputs[unit.unit]}`));
  if (layer > 0) {
    const x = texHeader(h('th', 'num'), names.unit('x', layer, unit.unit), 'into the activation');
    const y = texHeader(h('th', 'num'), names.unit('y', layer, unit.unit), 'out of the activation');
    tr.append(x, y);
  }
  const thead = h('thead');
  thead.append(tr);
  const tbody = h('tbody');
  unit.y.forEach((y, i) => {
    const row = h('tr');
    row.append(h('td', 'num index', String(i + 1)));
    if (showInputs) model.data.inputs[i].forEach((v) => row.append(num(v, 'num data', compact)));
    if (ownInput) row.append(num(y, 'num data', compact));
    if (layer > 0) row.append(num(unit.x[i]), num(y));
    tbody.append(row);
  });
  table.append(thead, tbody);
  root.append(table);
  return root;
}
