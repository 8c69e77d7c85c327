/**
 * Where everything in the graph goes: a layered left-to-right layout (inputs, hidden layers,
 * outputs), parameters named as the core names them. Pure geometry, no DOM, so it is unit-tested
 * in Node and the renderer only draws what this decides.
 */
import type { Activation } from '../../src/core/math';

export interface LayoutInput {
  inputs: readonly string[];
  outputs: readonly string[];
  layers: readonly { units: number; activation: Activation }[];
  /** `normalize`: each input's offset and scale, said under its node. */
  normalization?: { kind: 'standard' | 'minmax'; offset: readonly number[]; scale: readonly number[] } | null;
  /** `features`: the inputs are computed from these columns, each as written in `sources`. */
  features?: { columns: readonly string[]; sources: readonly string[] } | null;
}

export type NodeKind = 'input' | 'hidden' | 'output';

export interface GraphNode {
  /** "L,j" with the layer from 0 (inputs) and the unit from 1, as data-unit carries it (1-based unit). */
  id: string;
  kind: NodeKind;
  /** 0 for inputs, 1.. for layers. */
  layer: number;
  /** From 0. */
  unit: number;
  /** In words, for screen readers: an input's or output's column name, "hidden unit 2 (of layer 1)". */
  label: string;
  /** An input's rescaling, "(dosage − 0.5) / 0.408", or undefined. */
  note?: string;
  /** An input feature as written in the file ("x1^2"), or undefined for an input column. */
  feature?: string;
  activation?: Activation;
  x: number;
  y: number;
  r: number;
}

export interface GraphEdge {
  param: string;
  from: GraphNode;
  to: GraphNode;
}

export interface GraphBias {
  param: string;
  node: GraphNode;
  x: number;
  y: number;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  biases: GraphBias[];
  width: number;
  height: number;
  /** Whether every edge's value is written on it (small networks); denser ones label their strongest edges. */
  edgeLabels: boolean;
  /** Whether nodes are big enough for activation glyphs and bias boxes. */
  detailed: boolean;
}

const MARGIN = 70;

/** "(dosage − 0.5) / 0.408": what an input becomes before the first layer. */
function rescaling(name: string, offset: number, scale: number): string {
  const n = (v: number): string => String(Number(v.toPrecision(3))).replace('-', '−');
  const shifted = offset === 0 ? name : `(${name} ${offset < 0 ? '+' : '−'} ${n(Math.abs(offset))})`;
  return scale === 1 ? shifted : `${shifted} / ${n(scale)}`;
}

export function layoutNetwork(input: LayoutInput): GraphLayout {
  const columns = [input.inputs.length, ...input.layers.map((l) => l.units)];
  const widest = Math.max(...columns);
  // Small networks get StatQuest-sized nodes with room for bias boxes; wide ones shrink to dots.
  const detailed = widest <= 12;
  const r = detailed ? 24 : Math.max(2, Math.min(10, 400 / widest));
  const rowGap = detailed ? 120 : Math.max(2 * r + 2, 6);
  // Room for labels between columns: a gap with several edges crossing it gets more of it.
  const crowded = columns.slice(1).some((units, l) => units * columns[l] > 2);
  const columnGap = detailed ? (crowded ? 330 : 220) : 260;
  const height = Math.max(1, widest - 1) * rowGap + 2 * MARGIN + (detailed ? 40 : 0);
  const width = (columns.length - 1) * columnGap + 2 * MARGIN + 80;

  const nodes: GraphNode[] = [];
  const byColumn: GraphNode[][] = [];
  columns.forEach((count, layer) => {
    const top = (height - (count - 1) * rowGap) / 2;
    const column: GraphNode[] = [];
    for (let unit = 0; unit < count; unit++) {
      const kind: NodeKind = layer === 0 ? 'input' : layer === columns.length - 1 ? 'output' : 'hidden';
      const node: GraphNode = {
        id: `${layer},${unit + 1}`,
        kind, layer, unit,
        label: kind === 'input' ? input.inputs[unit] : kind === 'output' ? input.outputs[unit] : `hidden unit ${unit + 1}${columns.length > 3 ? ` of layer ${layer}` : ''}`,
        activation: layer > 0 ? input.layers[layer - 1].activation : undefined,
        note: kind === 'input' && input.normalization ? rescaling(input.inputs[unit], input.normalization.offset[unit], input.normalization.scale[unit]) : undefined,
        feature: kind === 'input' ? input.features?.sources[unit] : undefined,
        x: MARGIN + 40 + layer * columnGap,
        y: top + unit * rowGap,
        r,
      };
      column.push(node);
      nodes.push(node);
    }
    byColumn.push(column);
  });

  // Weights are numbered layer by layer, unit by unit, input by input (w1, w2, ...); biases after.
  const edges: GraphEdge[] = [];
  const biases: GraphBias[] = [];
  let w = 0;
  let b = 0;
  for (let layer = 1; layer < columns.length; layer++) {
    for (const to of byColumn[layer]) {
      for (const from of byColumn[layer - 1]) edges.push({ param: `w${++w}`, from, to });
    }
  }
  for (let layer = 1; layer < columns.length; layer++) {
    for (const node of byColumn[layer]) {
      biases.push({ param: `b${++b}`, node, x: node.x, y: node.y + node.r + (detailed ? 26 : 0) });
    }
  }
  // Past a dozen edges the labels pile up where the edges cross; the hover card carries the numbers.
  return { nodes, edges, biases, width, height, edgeLabels: detailed && edges.length <= 12, detailed };
}

// ---- labels ------------------------------------------------------------------------------------

/** A box that may be turned: centre, half sizes, and the angle of its width axis (radians). */
export interface Box { cx: number; cy: number; hw: number; hh: number; angle: number }

/** Where an edge's label goes: its centre, its angle in degrees, and a leader line when it sits off its edge. */
export interface LabelPlacement {
  x: number;
  y: number;
  angle: number;
  box: Box;
  leader?: { x1: number; y1: number; x2: number; y2: number };
}

/** The monospace label font's advance per character at 12 px, and the label's height. */
export const LABEL_CHAR_WIDTH = 7.3;
export const LABEL_HEIGHT = 15;

/** The room a label of `chars` characters takes. */
export function labelWidth(chars: number): number {
  return chars * LABEL_CHAR_WIDTH + 6;
}

/**
 * What labels must not cover: every unit (with its name and activation above it or beside it),
 * every input box and every bias box. `captionWidth` is a unit's caption's width: the renderer
 * measures the real text, tests estimate it.
 */
export function obstacles(layout: GraphLayout, captionWidth: (node: GraphNode) => number, biasWidth: number): Box[] {
  const boxes: Box[] = [];
  for (const n of layout.nodes) {
    const width = captionWidth(n);
    if (n.kind === 'input' && layout.detailed) {
      const w = Math.max(n.r * 3.2, width + 14);
      boxes.push({ cx: n.x + n.r * 1.6 - w / 2, cy: n.y, hw: w / 2 + 2, hh: n.r * 0.75 + 2, angle: 0 });
      continue;
    }
    boxes.push({ cx: n.x, cy: n.y, hw: n.r + 3, hh: n.r + 3, angle: 0 });
    if (!layout.detailed) continue;
    if (n.kind === 'output') boxes.push({ cx: n.x + n.r + 8 + width / 2, cy: n.y, hw: width / 2, hh: LABEL_HEIGHT / 2, angle: 0 });
    else boxes.push({ cx: n.x, cy: n.y - n.r - 12, hw: width / 2, hh: LABEL_HEIGHT / 2, angle: 0 });
  }
  for (const b of layout.biases) {
    if (!layout.detailed) continue;
    boxes.push({ cx: b.x, cy: b.y, hw: biasWidth / 2 + 2, hh: 12, angle: 0 });
  }
  return boxes;
}

/** Along the edge, as a fraction of its length: the middle first, then outwards (every 4%, to 15% from either end). */
const ALONG = [0.5, ...Array.from({ length: 9 }, (_, i) => [0.5 - 0.04 * (i + 1), 0.5 + 0.04 * (i + 1)]).flat()];
/** Off the edge (a leader line joins label and edge) when nothing along it is free. */
const OFF = [30, -30, 48, -48, 66, -66];
/**
 * What a spot costs: a place where two edges cross, under or beside the label (which edge does it name?);
 * a line through the label (its halo hides the line there, so it reads, but less well); a leader.
 */
const COST_AT_CROSSING = 100;
const COST_CROSSED = 20;
const COST_LEADER = 30;

/**
 * Places each edge's label (in the order given: the first gets the best spot) so that no label
 * overlaps another label or anything in `fixed`. A label lies along its edge, just above or below
 * the line, where no other edge passes through it and none crosses its edge beside it (a label at a
 * crossing reads as either edge's); where no such spot is free it moves off the edge with a leader
 * line to it, or takes the least crowded spot; a label with no free spot at all is left out (the
 * hover card has the number).
 */
export function placeLabels(edges: readonly { edge: GraphEdge; width: number }[], fixed: readonly Box[], lines: readonly GraphEdge[]): Map<string, LabelPlacement> {
  const placed = new Map<string, LabelPlacement>();
  const taken: Box[] = [...fixed];
  const free = (box: Box): boolean => taken.every((t) => !overlaps(box, t));
  const crossingPoints = edges.length > 0 ? allCrossings(lines) : [];
  for (const { edge, width } of edges) {
    const dx = edge.to.x - edge.from.x;
    const dy = edge.to.y - edge.from.y;
    const length = Math.hypot(dx, dy) || 1;
    let angle = Math.atan2(dy, dx);
    // Steep edges keep their labels level, so they stay readable.
    if (Math.abs(angle) > Math.PI / 3) angle = 0;
    // The normal that points up the screen: the side "above" the line.
    let nx = dy / length;
    let ny = -dx / length;
    if (ny > 0) { nx = -nx; ny = -ny; }
    const hw = width / 2;
    const hh = LABEL_HEIGHT / 2;
    // Clear of the line at its thickest (8 px).
    const lift = hh + 5;
    let best: { box: Box; cost: number; leader?: LabelPlacement['leader'] } | undefined;
    const consider = (box: Box, cost: number, leader?: LabelPlacement['leader']): void => {
      if (!free(box)) return;
      const through = lines.filter((e) => e !== edge && segmentHitsBox(e, box)).length;
      const atCrossing = crossingPoints.filter((p) => insideBox(box, p.x, p.y, 3)).length;
      const total = cost + through * COST_CROSSED + atCrossing * COST_AT_CROSSING;
      if (!best || total < best.cost) best = { box, cost: total, leader };
    };
    // Where other edges cross this one: a label standing beside such a place reads as either edge's.
    const crossedAt: number[] = [];
    for (const other of lines) {
      const c = other === edge ? null : crossingAt(edge, other);
      if (c !== null) crossedAt.push(c);
    }
    ALONG.forEach((t, rank) => {
      let beside = 0;
      for (const c of crossedAt) if (Math.abs(c - t) * length < hw + 2) beside++;
      for (const side of [1, -1]) {
        const px = edge.from.x + dx * t;
        const py = edge.from.y + dy * t;
        consider({ cx: px + nx * lift * side, cy: py + ny * lift * side, hw, hh, angle }, rank * 0.5 + (side < 0 ? 0.25 : 0) + beside * COST_AT_CROSSING);
      }
    });
    if (!best || best.cost >= COST_LEADER) {
      for (const t of [0.5, 0.35, 0.65]) {
        for (const off of OFF) {
          const px = edge.from.x + dx * t;
          const py = edge.from.y + dy * t;
          const box: Box = { cx: px + nx * off, cy: py + ny * off, hw, hh, angle: 0 };
          const toward = Math.sign(off);
          consider(box, COST_LEADER + Math.abs(off) / 10, { x1: px, y1: py, x2: box.cx - nx * toward * hh, y2: box.cy - ny * toward * hh });
        }
      }
    }
    const chosen = best as { box: Box; cost: number; leader?: LabelPlacement['leader'] } | undefined;
    if (!chosen) continue;
    taken.push(chosen.box);
    placed.set(edge.param, { x: chosen.box.cx, y: chosen.box.cy, angle: (chosen.box.angle * 180) / Math.PI, box: chosen.box, leader: chosen.leader });
  }
  return placed;
}

/** Every point where two of `lines` cross. */
export function allCrossings(lines: readonly GraphEdge[]): { x: number; y: number }[] {
  const points: { x: number; y: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const a = lines[i];
    for (let j = i + 1; j < lines.length; j++) {
      const t = crossingAt(a, lines[j]);
      if (t !== null) points.push({ x: a.from.x + (a.to.x - a.from.x) * t, y: a.from.y + (a.to.y - a.from.y) * t });
    }
  }
  return points;
}

/** Whether (x, y) lies in the box grown by `margin`. */
export function insideBox(b: Box, x: number, y: number, margin = 0): boolean {
  const c = Math.cos(b.angle);
  const s = Math.sin(b.angle);
  const u = (x - b.cx) * c + (y - b.cy) * s;
  const v = -(x - b.cx) * s + (y - b.cy) * c;
  return Math.abs(u) <= b.hw + margin && Math.abs(v) <= b.hh + margin;
}

/** Where `b` crosses `a`, as a fraction of `a`'s length; null if they do not cross (sharing an end is not crossing). */
export function crossingAt(a: GraphEdge, b: GraphEdge): number | null {
  const rx = a.to.x - a.from.x;
  const ry = a.to.y - a.from.y;
  const sx = b.to.x - b.from.x;
  const sy = b.to.y - b.from.y;
  const denominator = rx * sy - ry * sx;
  if (denominator === 0) return null;
  const qx = b.from.x - a.from.x;
  const qy = b.from.y - a.from.y;
  const t = (qx * sy - qy * sx) / denominator;
  const u = (qx * ry - qy * rx) / denominator;
  const inside = 1e-6;
  return t > inside && t < 1 - inside && u > inside && u < 1 - inside ? t : null;
}

/** Whether two turned boxes overlap (separating axis theorem). */
export function overlaps(a: Box, b: Box): boolean {
  for (const angle of [a.angle, a.angle + Math.PI / 2, b.angle, b.angle + Math.PI / 2]) {
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    const distance = Math.abs((b.cx - a.cx) * ux + (b.cy - a.cy) * uy);
    if (distance >= radius(a, ux, uy) + radius(b, ux, uy)) return false;
  }
  return true;
}

/** Half the box's extent along the unit vector (ux, uy). */
function radius(b: Box, ux: number, uy: number): number {
  const c = Math.cos(b.angle);
  const s = Math.sin(b.angle);
  return b.hw * Math.abs(c * ux + s * uy) + b.hh * Math.abs(-s * ux + c * uy);
}

/** Whether an edge's line passes through a box. */
export function segmentHitsBox(e: GraphEdge, b: Box): boolean {
  // Into the box's own frame, where it is an axis-aligned rectangle; then clip the segment to it.
  const c = Math.cos(-b.angle);
  const s = Math.sin(-b.angle);
  const local = (x: number, y: number): [number, number] => [(x - b.cx) * c - (y - b.cy) * s, (x - b.cx) * s + (y - b.cy) * c];
  const [x1, y1] = local(e.from.x, e.from.y);
  const [x2, y2] = local(e.to.x, e.to.y);
  let t0 = 0;
  let t1 = 1;
  const dx = x2 - x1;
  const dy = y2 - y1;
  for (const [p, q] of [[-dx, x1 + b.hw], [dx, b.hw - x1], [-dy, y1 + b.hh], [dy, b.hh - y1]]) {
    if (p === 0) { if (q < 0) return false; continue; }
    const r = q / p;
    if (p < 0) { if (r > t1) return false; if (r > t0) t0 = r; } else { if (r < t0) return false; if (r < t1) t1 = r; }
  }
  return t0 <= t1;
}

/** The distance from (x, y) to an edge's line, in the same units. */
export function distanceToEdge(e: GraphEdge, x: number, y: number): number {
  const dx = e.to.x - e.from.x;
  const dy = e.to.y - e.from.y;
  const t = Math.max(0, Math.min(1, ((x - e.from.x) * dx + (y - e.from.y) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(e.from.x + t * dx - x, e.from.y + t * dy - y);
}
