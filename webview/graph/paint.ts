/**
 * Paints the current values onto the built scene: edges coloured by sign and sized by magnitude
 * (of the weight, or in gradient mode of dLoss/dw), the biases' numbers, every parameter's
 * aria-label, Step Into's phase, and the edge labels, placed so that none covers another label or
 * a unit (see placeLabels). Runs on every edit and step, so it only sets attributes and text: it
 * builds nothing but the labels, and those only when the set labelled changes.
 */
import type { NetworkModel, ParamView } from '../../src/protocol';
import { fmt, signed } from '../format';
import { isWide, paramName, paramNameBoth } from '../notation';
import { biasWidth } from './hit';
import { type GraphNode, LABEL_HEIGHT, labelWidth, obstacles, placeLabels } from './layout';
import type { GraphState } from './state';
import { el } from './svg';

/** Dense graphs (past a dozen edges) label only their strongest edges, and the one hovered. */
export const DENSE_LABELS = 6;

/** Colours, widths, labels and aria-labels from the current values. */
export function paint(s: GraphState): void {
  const model = s.model;
  const layout = s.layout;
  if (!model || !layout) return;
  const magnitude = (p: ParamView): number => Math.abs(s.mode === 'weights' ? p.value : p.gradient);
  const largest = largestWeight(s);
  const sym = model.lossSymbol;
  const nodeName = (layer: number, unit: number): string => {
    const node = layout.nodes.find((n) => n.layer === layer && n.unit === unit);
    return node ? `${node.kind === 'input' ? 'input ' : node.kind === 'output' ? 'output ' : ''}${node.label}` : '';
  };

  for (const [name, { line, group }] of s.edgeEls) {
    const p = s.params.get(name);
    if (!p) continue;
    const v = s.mode === 'weights' ? p.value : p.gradient;
    line.setAttribute('stroke-width', (1 + 7 * Math.sqrt(magnitude(p) / largest)).toFixed(2));
    group.classList.toggle('pos', v > 0);
    group.classList.toggle('neg', v < 0);
    group.classList.toggle('frozen', !p.trainable);
    group.setAttribute('aria-label', `weight ${paramNameBoth(s.notation, p, isWide(model))}, from ${nodeName(p.layer - 1, p.input)} to ${nodeName(p.layer, p.unit)}, value ${fmt(p.value)}, gradient d${sym}/d${name} ${fmt(p.gradient)}${p.trainable ? '' : ', not trainable'}`);
  }
  for (const [name, { group, text }] of s.biasEls) {
    const p = s.params.get(name);
    if (!p) continue;
    const v = s.mode === 'weights' ? p.value : p.gradient;
    group.classList.toggle('pos', v > 0);
    group.classList.toggle('neg', v < 0);
    group.classList.toggle('frozen', !p.trainable);
    // A bias is added to its unit's sum ("+ b3"), except while the update phase shows its move.
    const label = labelText(s, p);
    text.textContent = s.mode === 'weights' && model.phase?.kind !== 'update' ? `+ ${label}` : label;
    if (layout.detailed) fitBox(s.biasEls.get(name)!);
    // The name starts with what the box shows ("+ b1 −1.43"), so a voice-control user can say what they see.
    group.setAttribute('aria-label', `${text.textContent}: bias ${paramNameBoth(s.notation, p, isWide(model))} of ${nodeName(p.layer, p.unit)}, value ${fmt(p.value)}, gradient d${sym}/d${name} ${fmt(p.gradient)}${p.trainable ? '' : ', not trainable'}`);
  }
  paintPhase(s);
  paintLabels(s);
}

/**
 * Step Into, drawn: the layer the step is at gets the debugger's current-line colour (its units in
 * the forward pass, the output for the loss, its weights and biases in the backward pass, every
 * trainable parameter for the update); what the step has not computed yet is faded.
 */
function paintPhase(s: GraphState): void {
  const model = s.model;
  const layout = s.layout;
  if (!model || !layout) return;
  const phase = model.phase;
  const progress = model.progress;
  s.svg.classList.toggle('in-step', phase !== null);
  for (const node of layout.nodes) {
    const group = s.nodeEls.get(node.id);
    if (!group) continue;
    group.classList.toggle('phase-current', (phase?.kind === 'forward' && node.layer === phase.layer) || (phase?.kind === 'loss' && node.kind === 'output'));
    group.classList.toggle('pending', progress !== null && node.layer > progress.unitsThrough);
  }
  const paramState = (p: ParamView): [boolean, boolean] => [
    (phase?.kind === 'backward' && p.layer === phase.layer) || (phase?.kind === 'update' && p.trainable),
    progress !== null && s.mode === 'gradients' && p.layer < progress.gradientsFrom,
  ];
  for (const [name, { group }] of [...s.edgeEls, ...s.biasEls]) {
    const p = s.params.get(name);
    if (!p) continue;
    const [current, pending] = paramState(p);
    group.classList.toggle('phase-current', current);
    group.classList.toggle('pending', pending);
  }
  const band = s.phaseBand;
  if (!band) return;
  const columnX = (layer: number): number => layout.nodes.find((n) => n.layer === layer)?.x ?? 0;
  const last = model.layers.length;
  let from: number | undefined;
  let to: number | undefined;
  if (phase?.kind === 'forward') { from = columnX(phase.layer) - 50; to = columnX(phase.layer) + 50; }
  else if (phase?.kind === 'loss') { from = columnX(last) - 50; to = columnX(last) + 90; }
  else if (phase?.kind === 'backward') { from = columnX(phase.layer - 1) + 40; to = columnX(phase.layer) + 50; }
  else if (phase?.kind === 'update') { from = columnX(0) - 60; to = columnX(last) + 90; }
  band.setAttribute('visibility', from === undefined ? 'hidden' : 'visible');
  if (from !== undefined && to !== undefined) {
    band.setAttribute('x', String(from));
    band.setAttribute('width', String(to - from));
  }
}

function labelText(s: GraphState, p: ParamView): string {
  const m = s.model!;
  const name = shownName(s, p);
  // The update phase: each parameter's move, old -> new: plain gradient descent's lr x g, an
  // optimizer's from its rule (the stop's explanations; until they come, the old value alone).
  if (m.phase?.kind === 'update' && p.trainable) {
    const next = m.plainTraining ? p.value - m.learningRate * p.gradient : m.explanations?.[p.name]?.nextValue;
    return next === undefined ? `${name} ${signed(p.value, 3)}` : `${name} ${signed(p.value, 3)} → ${signed(next, 3)}`;
  }
  return s.mode === 'weights' ? `${name} ${signed(p.value, 3)}` : `${name} ${signed(p.gradient, 3)} ${moveArrow(m, p)}`.trimEnd();
}

/** A parameter's name in the notation chosen: w3, or 3Blue1Brown's w⁽²⁾₀₀, as the cards write it. */
function shownName(s: GraphState, p: ParamView): string {
  return paramName(s.notation, p, s.model ? isWide(s.model) : false);
}

/**
 * The edge labels: every edge of a small network; on a denser one the strongest few (by |value|
 * in the current mode) and the one hovered. Placed anew only when the set of labelled edges
 * changes, so labels stay put while their numbers change.
 */
export function paintLabels(s: GraphState): void {
  const layout = s.layout;
  const layer = s.labelLayer;
  if (!layout || !layer) return;
  const hovered = s.hovered?.kind === 'param' && s.edgeByParam.has(s.hovered.name) ? s.hovered.name : undefined;
  let wanted: string[];
  if (layout.edgeLabels) wanted = layout.edges.map((e) => e.param);
  else {
    const strongest = layout.detailed && !s.useCanvas
      ? layout.edges.map((e) => s.params.get(e.param)).filter((p): p is ParamView => p !== undefined)
        .sort((a, b) => Math.abs(s.mode === 'weights' ? b.value : b.gradient) - Math.abs(s.mode === 'weights' ? a.value : a.gradient))
        .slice(0, DENSE_LABELS).map((p) => p.name)
      : [];
    wanted = hovered && !strongest.includes(hovered) ? [hovered, ...strongest] : strongest;
  }
  // Room for the longest number a label can show, so a label never outgrows its spot.
  const updating = s.model?.phase?.kind === 'update';
  const chars = (name: string): number => {
    const p = s.params.get(name);
    return (p ? shownName(s, p) : name).length + (updating ? 21 : s.mode === 'weights' ? 10 : 12);
  };
  const key = `${s.mode}|${s.notation}|${updating}|${wanted.join(',')}`;
  if (key !== s.labelKey) {
    s.labelKey = key;
    layer.replaceChildren();
    s.labelEls.clear();
    const fixed = obstacles(layout, (n) => captionWidth(s, n), biasWidth(s));
    const placements = placeLabels(wanted.map((name) => ({ edge: s.edgeByParam.get(name)!, width: labelWidth(chars(name)) })), fixed, layout.edges);
    for (const [name, at] of placements) {
      if (at.leader) el('line', { class: 'label-leader', x1: at.leader.x1, y1: at.leader.y1, x2: at.leader.x2, y2: at.leader.y2, 'data-for': name }, layer);
      const text = el('text', {
        class: 'edge-label', 'data-for': name, x: at.x.toFixed(1), y: (at.y + LABEL_HEIGHT / 2 - 3.5).toFixed(1), 'text-anchor': 'middle',
        transform: `rotate(${at.angle.toFixed(1)} ${at.x.toFixed(1)} ${at.y.toFixed(1)})`,
      }, layer);
      s.labelEls.set(name, text);
    }
  }
  for (const [name, text] of s.labelEls) {
    const p = s.params.get(name);
    if (p) text.textContent = labelText(s, p);
  }
}

/** A unit caption's width: measured where it is drawn, estimated otherwise. */
function captionWidth(s: GraphState, n: GraphNode): number {
  const text = s.captionEls.get(n.id);
  const measured = text?.getComputedTextLength?.();
  return measured ? measured + 6 : labelWidth(n.label.length);
}

/**
 * The largest |weight| (or |gradient|) for scaling edge widths. A loop, not Math.max(...all):
 * spreading a hundred thousand parameters into arguments overflows the stack.
 */
export function largestWeight(s: GraphState): number {
  let largest = 1e-12;
  for (const p of s.model?.params ?? []) {
    if (p.kind !== 'weight') continue;
    const v = Math.abs(s.mode === 'weights' ? p.value : p.gradient);
    if (v > largest) largest = v;
  }
  return largest;
}

/** Widens a bias box to its text (gradient labels run longer than values). */
function fitBox({ rect, text }: { rect: SVGRectElement; text: SVGTextElement }): void {
  const width = Math.max(96, (text.getComputedTextLength?.() ?? 80) + 16);
  const cx = Number(text.getAttribute('x'));
  rect.setAttribute('x', String(cx - width / 2));
  rect.setAttribute('width', String(width));
}

/**
 * Which way the next step moves `p`: against its gradient in plain gradient descent; an
 * optimizer's way is its rule's (Adam's follows its running mean, not this step's gradient), known
 * from the stop's explanations, and left unsaid while they are not there (during Continue).
 */
function moveArrow(m: NetworkModel, p: ParamView): string {
  if (m.plainTraining) return direction(p, m.learningRate);
  if (!p.trainable) return '•';
  const e = m.explanations?.[p.name];
  if (!e) return '';
  const move = e.nextValue - e.value;
  return move > 0 ? '▲' : move < 0 ? '▼' : '•';
}

/** Which way gradient descent will move the parameter: against the gradient. */
export function direction(p: ParamView, learningRate: number): string {
  if (!p.trainable || p.gradient === 0) return '•';
  return -learningRate * p.gradient > 0 ? '▲' : '▼';
}
