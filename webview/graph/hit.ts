/**
 * What is where on screen: which element or edge the pointer is on, and the boxes on the page the
 * hover card must keep clear of (or would rather leave in view).
 *
 * Which edge the pointer is on is decided by distance, not by which element is on top: where
 * edges cross, the nearest line wins, so every edge answers along its whole visible length, and a
 * label answers for its own edge. On a canvas-drawn graph there are no edge elements at all, so
 * distance is the only way to find one.
 */
import { distanceToEdge, type GraphEdge, type GraphNode } from './layout';
import type { GraphState, Hovered } from './state';

/** How near (in screen pixels) the pointer must be to an edge to hover it. */
const HIT_PX = 7;

/** The edge nearest a point in graph coordinates, within `tolerance`. */
function edgeAt(s: GraphState, gx: number, gy: number, tolerance: number): GraphEdge | undefined {
  let best: GraphEdge | undefined;
  let bestD = tolerance;
  for (const e of s.layout?.edges ?? []) {
    // A cheap bounding-box test first: most edges are nowhere near the pointer.
    if (gx < Math.min(e.from.x, e.to.x) - tolerance || gx > Math.max(e.from.x, e.to.x) + tolerance) continue;
    if (gy < Math.min(e.from.y, e.to.y) - tolerance || gy > Math.max(e.from.y, e.to.y) + tolerance) continue;
    const d = distanceToEdge(e, gx, gy);
    if (d < bestD) { bestD = d; best = e; }
  }
  return best;
}

/** Graph coordinates to the page's, as a DOMRect for a box in graph units. */
function screenRect(s: GraphState, cx: number, cy: number, hw: number, hh: number): DOMRect {
  const r = s.host.getBoundingClientRect();
  const { scale, x, y } = s.transform;
  return new DOMRect(r.left + x + (cx - hw) * scale, r.top + y + (cy - hh) * scale, 2 * hw * scale, 2 * hh * scale);
}

/** The widest bias box (they widen to their text). */
export function biasWidth(s: GraphState): number {
  let widest = 96;
  for (const { rect } of s.biasEls.values()) widest = Math.max(widest, Number(rect.getAttribute('width')) || 0);
  return widest;
}

/**
 * What the explanation of `name` talks about, on screen: the parameter, the unit it feeds, and
 * every edge and unit from there to the outputs (the chain the card multiplies along). The card
 * is placed clear of all of them.
 */
export function chainRects(s: GraphState, name: string): DOMRect[] {
  const layout = s.layout;
  if (!layout) return [];
  const rects: DOMRect[] = [];
  const edge = s.edgeByParam.get(name);
  const bias = layout.biases.find((b) => b.param === name);
  const start = edge?.to ?? bias?.node;
  if (edge) rects.push(...edgeRects(s, edge));
  if (bias) rects.push(screenRect(s, bias.x, bias.y, biasWidth(s) / 2, 12));
  if (edge?.from) rects.push(nodeRect(s, edge.from));
  const seen = new Set<string>();
  const walk = (node: GraphNode | undefined): void => {
    if (!node || seen.has(node.id)) return;
    seen.add(node.id);
    rects.push(nodeRect(s, node));
    for (const e of layout.edges) if (e.from === node) { rects.push(...edgeRects(s, e)); walk(e.to); }
  };
  walk(start);
  return rects;
}

/** Every unit, bias and label on screen: the card prefers a spot that leaves them in view. */
export function graphRects(s: GraphState): DOMRect[] {
  const layout = s.layout;
  if (!layout || !layout.detailed) return [];
  const rects = layout.nodes.map((n) => nodeRect(s, n));
  for (const b of layout.biases) rects.push(screenRect(s, b.x, b.y, biasWidth(s) / 2, 12));
  for (const label of s.labelEls.values()) rects.push(label.getBoundingClientRect());
  return rects;
}

export function nodeRect(s: GraphState, n: GraphNode): DOMRect {
  return screenRect(s, n.x, n.y - (s.layout?.detailed && n.kind === 'hidden' ? 8 : 0), n.r + (n.kind === 'input' ? n.r * 0.8 : 4), n.r + (s.layout?.detailed && n.kind === 'hidden' ? 12 : 4));
}

/** An edge as a few boxes along it, so a sloped edge does not claim the whole rectangle it spans. */
function edgeRects(s: GraphState, e: GraphEdge): DOMRect[] {
  const pieces = 4;
  const rects: DOMRect[] = [];
  for (let i = 0; i < pieces; i++) {
    const x1 = e.from.x + ((e.to.x - e.from.x) * i) / pieces;
    const y1 = e.from.y + ((e.to.y - e.from.y) * i) / pieces;
    const x2 = e.from.x + ((e.to.x - e.from.x) * (i + 1)) / pieces;
    const y2 = e.from.y + ((e.to.y - e.from.y) * (i + 1)) / pieces;
    rects.push(screenRect(s, (x1 + x2) / 2, (y1 + y2) / 2, Math.abs(x2 - x1) / 2 + 4, Math.abs(y2 - y1) / 2 + 4));
  }
  const label = s.labelEls.get(e.param);
  if (label) rects.push(label.getBoundingClientRect());
  return rects;
}

/** What is under the pointer: a bias or unit element, a label, else the nearest edge. */
export function hit(s: GraphState, ev: PointerEvent): Hovered {
  const target = ev.target as Element;
  const bias = target.closest('.bias[data-param]');
  if (bias) return { kind: 'param', name: bias.getAttribute('data-param')! };
  const label = target.closest('[data-for]');
  if (label) return { kind: 'param', name: label.getAttribute('data-for')! };
  const unit = target.closest('[data-unit]');
  if (unit) return { kind: 'unit', id: unit.getAttribute('data-unit')! };
  const r = s.host.getBoundingClientRect();
  const { scale, x, y } = s.transform;
  const edge = edgeAt(s, (ev.clientX - r.left - x) / scale, (ev.clientY - r.top - y) / scale, HIT_PX / scale);
  return edge ? { kind: 'param', name: edge.param } : undefined;
}
