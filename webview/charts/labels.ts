/**
 * Text the panels write on a chart themselves (the slope on the tangent, the next value, the colour
 * key of a picture): measured, then kept whole inside the plot, or failing that inside the canvas,
 * so no label is cut off at any size. Each chart keeps the boxes it wrote in its last draw: the
 * export reports them, and the tests check them against the picture's edges.
 */
import type { Chart } from './theme';

export interface TextBox {
  text: string;
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const written = new WeakMap<Chart, TextBox[]>();

/** The boxes `chart` wrote in its last draw, in CSS pixels of the chart. */
export function labelsOf(chart: Chart): readonly TextBox[] {
  return written.get(chart) ?? [];
}

/** Forgets a chart's boxes: call at the start of each draw. */
export function clearLabels(chart: Chart): void {
  written.set(chart, []);
}

/**
 * Writes `text` with its left end near `x` and its baseline at `y` (ctx's font, colour and
 * alignment 'left' / 'alphabetic' as set by the caller), moved as little as it takes to lie inside
 * the chart area (`within` 'plot'), or inside the canvas (`within` 'canvas', or when the area is
 * smaller than the text). Returns its box.
 */
export function writeLabel(chart: Chart, text: string, x: number, y: number, within: 'plot' | 'canvas' = 'plot'): TextBox {
  const { ctx, chartArea: area, width, height } = chart;
  const m = ctx.measureText(text);
  const w = m.width;
  const ascent = m.actualBoundingBoxAscent || 0;
  const descent = m.actualBoundingBoxDescent || 0;
  const plot = within === 'plot';
  const [left, right] = plot && w + 4 <= area.right - area.left ? [area.left + 2, area.right - 2] : [1, width - 1];
  const [top, bottom] = plot && ascent + descent + 4 <= area.bottom - area.top ? [area.top + 2, area.bottom - 2] : [1, height - 1];
  const tx = Math.max(left, Math.min(right - w, x));
  const ty = Math.max(top + ascent, Math.min(bottom - descent, y));
  ctx.fillText(text, tx, ty);
  const box = { text, left: tx, top: ty - ascent, right: tx + w, bottom: ty + descent };
  const list = written.get(chart);
  if (list) list.push(box); else written.set(chart, [box]);
  return box;
}
