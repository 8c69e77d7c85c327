/**
 * Where the graph sits in the panel: fitting it, zooming about a point, panning, and applying the
 * transform to the SVG's viewport and the canvas. Every change is reported (transformChanged) so
 * the page can keep the view across reloads; `autoFit` says whether the person has taken over.
 */
import { drawCanvas } from './canvas';
import type { GraphState, ViewTransform } from './state';

export function setTransform(s: GraphState, t: ViewTransform): void {
  s.autoFit = false;
  s.transform = { ...t };
  applyTransform(s);
}

/** Scales and centres the whole network into the panel. */
export function fit(s: GraphState): void {
  s.autoFit = true;
  if (!s.layout) return;
  const { width, height } = s.host.getBoundingClientRect();
  if (width === 0 || height === 0) return;
  const scale = Math.min(width / s.layout.width, height / s.layout.height, 2.5);
  s.transform = { scale, x: (width - s.layout.width * scale) / 2, y: (height - s.layout.height * scale) / 2 };
  applyTransform(s);
}

export function zoom(s: GraphState, factor: number, cx?: number, cy?: number): void {
  s.autoFit = false;
  const rect = s.host.getBoundingClientRect();
  const px = cx ?? rect.width / 2;
  const py = cy ?? rect.height / 2;
  const scale = Math.min(20, Math.max(0.05, s.transform.scale * factor));
  const k = scale / s.transform.scale;
  s.transform = { scale, x: px - (px - s.transform.x) * k, y: py - (py - s.transform.y) * k };
  applyTransform(s);
}

export function pan(s: GraphState, dx: number, dy: number): void {
  s.autoFit = false;
  s.transform = { ...s.transform, x: s.transform.x + dx, y: s.transform.y + dy };
  applyTransform(s);
}

function applyTransform(s: GraphState): void {
  const { scale, x, y } = s.transform;
  s.viewport.setAttribute('transform', `translate(${x.toFixed(2)},${y.toFixed(2)}) scale(${scale.toFixed(4)})`);
  drawCanvas(s);
  s.callbacks.transformChanged({ ...s.transform }, s.autoFit);
}
