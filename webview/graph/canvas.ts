/**
 * The edges of a large network (past CANVAS_THRESHOLD), drawn on a <canvas> under the SVG:
 * thousands of SVG lines make pan and zoom stutter. The canvas is not transformed like the SVG's
 * viewport, so it is drawn again whenever the values, the transform or the panel's size change.
 */
import { largestWeight } from './paint';
import type { GraphState } from './state';

export function drawCanvas(s: GraphState): void {
  if (!s.useCanvas || !s.layout || !s.model) return;
  const { width, height } = s.host.getBoundingClientRect();
  const dpr = window.devicePixelRatio || 1;
  s.canvas.width = Math.round(width * dpr);
  s.canvas.height = Math.round(height * dpr);
  const ctx = s.canvas.getContext('2d');
  if (!ctx) return;
  const style = getComputedStyle(s.host);
  const pos = style.getPropertyValue('--edge-positive').trim() || '#3794ff';
  const neg = style.getPropertyValue('--edge-negative').trim() || '#d18616';
  const { scale, x, y } = s.transform;
  ctx.setTransform(dpr * scale, 0, 0, dpr * scale, dpr * x, dpr * y);
  ctx.clearRect(-x / scale, -y / scale, width / scale, height / scale);
  const largest = largestWeight(s);
  // One path per colour and width (WIDTHS steps of the edge's thickness), stroked once each: a
  // stroke per edge cost half a second a frame on a 100,000-weight network, and a frame is 16 ms.
  const paths = Array.from({ length: 2 * WIDTHS }, () => new Path2D());
  for (const edge of s.layout.edges) {
    const p = s.params.get(edge.param);
    if (!p) continue;
    const v = s.mode === 'weights' ? p.value : p.gradient;
    const step = Math.min(WIDTHS - 1, Math.round((WIDTHS - 1) * Math.sqrt(Math.abs(v) / largest)));
    const path = paths[(v >= 0 ? 0 : WIDTHS) + (step === step ? step : 0)];
    path.moveTo(edge.from.x, edge.from.y);
    path.lineTo(edge.to.x, edge.to.y);
  }
  ctx.globalAlpha = 0.55;
  const zoomed = Math.max(1, scale * 0.5);
  for (let k = 0; k < paths.length; k++) {
    const step = k % WIDTHS;
    ctx.strokeStyle = k < WIDTHS ? pos : neg;
    ctx.lineWidth = (0.3 + 2.5 * (step / (WIDTHS - 1))) / zoomed;
    ctx.stroke(paths[k]);
  }
  ctx.globalAlpha = 1;
}

/** How many thicknesses the canvas draws edges in: finer than the eye tells apart at these widths. */
const WIDTHS = 16;
