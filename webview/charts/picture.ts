/**
 * A chart as a picture to keep: drawn again by chart.js on a canvas of its own, off the page, from
 * the panel's own configuration, at least EXPORT_WIDTH pixels wide (the panel's size, at least
 * MIN_WIDTH x MIN_HEIGHT CSS pixels, at two or more device pixels each, so the text is as large
 * beside the plot as on the page), with what the page shows around the canvas drawn in: the
 * title, the key numbers of the caption, the legend. The on-screen chart is never resized for it.
 */
import type { ChartConfiguration, Plugin } from 'chart.js';
import { clone } from 'chart.js/helpers';
import { clearLabels, labelsOf, type TextBox } from './labels';
import { Chart, type Palette } from './theme';

/** The least width of a picture, in device pixels. */
export const EXPORT_WIDTH = 1200;
/** The least size of a picture's layout, in CSS pixels: room for the title, the axes and a legend. */
const MIN_WIDTH = 600;
const MIN_HEIGHT = 420;
/** A picture no taller than this many times its width (a tall panel beside the graph). */
const MAX_ASPECT = 1.25;

export interface PictureRequest {
  config: ChartConfiguration;
  plugins: Plugin[];
  /** The size the chart has on the page, in CSS pixels. */
  width: number;
  height: number;
  palette: Palette;
  title: string;
  /** The caption's key numbers, groups separated by three spaces: wrapped to the picture's width. */
  caption: string;
  /** Draw chart.js's legend (the page shows it as HTML under the chart). */
  legend: boolean;
  /** Room to leave under the chart for what a plugin draws there (the fit's colour key), in CSS pixels. */
  bottom?: number;
}

export interface Picture {
  canvas: HTMLCanvasElement;
  /** In device pixels. */
  width: number;
  height: number;
  /** Where the title and every label the panel wrote lie, in device pixels. */
  title: TextBox;
  labels: TextBox[];
}

/** Draws the picture (synchronously: no animation). The caller turns it into a PNG. */
export function renderPicture(r: PictureRequest): Picture {
  const width = Math.max(MIN_WIDTH, Math.round(r.width));
  const height = Math.min(Math.round(width * MAX_ASPECT), Math.max(MIN_HEIGHT, Math.round(r.height)));
  const ratio = Math.max(2, EXPORT_WIDTH / width);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const p = r.palette;
  const font = { family: p.font, size: p.fontSize };
  const options = clone(r.config.options ?? {}) as Record<string, unknown> & { plugins?: Record<string, unknown>; layout?: Record<string, unknown> };
  const plugins = (options.plugins ??= {}) as Record<string, Record<string, unknown>>;
  const caption = wrap(r.caption, `${p.fontSize}px ${p.monoFont}`, width - 24);
  Object.assign(options, {
    responsive: false,
    maintainAspectRatio: false,
    devicePixelRatio: ratio,
    animation: false,
    events: [],
    layout: { ...(options.layout ?? {}), padding: { left: 8, right: 12, top: 4, bottom: 6 + (r.bottom ?? 0) } },
  });
  plugins.title = { display: true, text: r.title, color: p.foreground, font: { ...font, size: p.fontSize + 3, weight: 'bold' }, padding: { top: 8, bottom: caption.length ? 2 : 8 } };
  plugins.subtitle = { display: caption.length > 0, text: caption, color: p.muted, font: { family: p.monoFont, size: p.fontSize }, padding: { bottom: 8 } };
  plugins.legend = { ...(plugins.legend ?? {}), display: r.legend, position: 'bottom' };
  plugins.tooltip = { enabled: false };
  const chart = new Chart(canvas, {
    type: r.config.type,
    data: clone(r.config.data),
    options,
    plugins: [{ id: 'pictureLabels', beforeDraw: (c: Chart) => clearLabels(c) }, ...r.plugins],
  } as ChartConfiguration);
  try {
    const ctx = canvas.getContext('2d')!;
    ctx.save();
    ctx.font = `bold ${p.fontSize + 3}px ${p.font}`;
    const titleWidth = ctx.measureText(r.title).width;
    ctx.restore();
    const block = (chart as unknown as { titleBlock: { left: number; right: number; top: number; bottom: number } }).titleBlock;
    const centre = (block.left + block.right) / 2;
    const title = { text: r.title, left: centre - titleWidth / 2, right: centre + titleWidth / 2, top: block.top, bottom: block.bottom };
    const scale = (b: TextBox): TextBox => ({ text: b.text, left: b.left * ratio, right: b.right * ratio, top: b.top * ratio, bottom: b.bottom * ratio });
    // Destroying the chart clears its canvas: the picture is kept on a copy.
    const kept = document.createElement('canvas');
    kept.width = canvas.width;
    kept.height = canvas.height;
    kept.getContext('2d')!.drawImage(canvas, 0, 0);
    return { canvas: kept, width: kept.width, height: kept.height, title: scale(title), labels: labelsOf(chart).map(scale) };
  } finally {
    chart.destroy();
  }
}

/** The picture as a PNG data URL, as the host's save takes it. */
export function pngDataUrl(picture: Picture): string {
  return picture.canvas.toDataURL('image/png');
}

/** The picture as a PNG blob, as the clipboard takes it. */
export function pngBlob(picture: Picture): Promise<Blob> {
  return new Promise((resolve, reject) => picture.canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the picture could not be encoded'))), 'image/png'));
}

/** The caption's groups (separated by three spaces or more) in lines no wider than `width` in `font`. */
function wrap(caption: string, font: string, width: number): string[] {
  const groups = caption.split(/\s{3,}/).map((g) => g.trim()).filter(Boolean);
  if (groups.length === 0) return [];
  const ctx = document.createElement('canvas').getContext('2d')!;
  ctx.font = font;
  const lines: string[] = [];
  let line = '';
  for (const g of groups) {
    const next = line ? `${line}   ${g}` : g;
    if (line && ctx.measureText(next).width > width) { lines.push(line); line = g; } else line = next;
  }
  lines.push(line);
  return lines;
}
