/**
 * The charts' colours and fonts, read from the theme VS Code puts on the page (never fixed
 * colours), and chart.js with only the parts the panels use registered, so the bundle carries
 * nothing else. A theme change (VS Code swaps the body's class) redraws every chart in the new colours.
 */
import {
  Chart, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, SubTitle, Title, Tooltip,
} from 'chart.js';

// Title and SubTitle draw the title and the key numbers into an exported picture (the page shows them as HTML).
Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Tooltip, Legend, Title, SubTitle);

export { Chart };

export interface Palette {
  foreground: string;
  muted: string;
  background: string;
  grid: string;
  /** StatQuest's colours for the fit: the first unit blue, the second orange, the sum green. */
  blue: string;
  orange: string;
  green: string;
  purple: string;
  red: string;
  yellow: string;
  /** More series, through the rest of the chart palette. */
  series: string[];
  /** The debugger's current line (the current step) and breakpoint dot. */
  current: string;
  breakpoint: string;
  breakpointDisabled: string;
  font: string;
  monoFont: string;
  fontSize: number;
}

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim() || getComputedStyle(document.body).getPropertyValue(name).trim();
  return v || fallback;
}

export function palette(): Palette {
  const foreground = cssVar('--vscode-foreground', '#cccccc');
  const blue = cssVar('--vscode-charts-blue', '#3794ff');
  const orange = cssVar('--vscode-charts-orange', '#d18616');
  const green = cssVar('--vscode-charts-green', '#89d185');
  const purple = cssVar('--vscode-charts-purple', '#b180d7');
  const red = cssVar('--vscode-charts-red', '#f14c4c');
  const yellow = cssVar('--vscode-charts-yellow', '#cca700');
  return {
    foreground,
    muted: cssVar('--vscode-descriptionForeground', foreground),
    background: cssVar('--vscode-editor-background', '#1e1e1e'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-widget-border', 'rgba(128, 128, 128, 0.35)')),
    blue, orange, green, purple, red, yellow,
    series: [blue, orange, green, purple, red, yellow, cssVar('--vscode-charts-foreground', foreground)],
    current: cssVar('--vscode-debugIcon-breakpointCurrentStackframeForeground', yellow),
    breakpoint: cssVar('--vscode-debugIcon-breakpointForeground', '#e51400'),
    breakpointDisabled: cssVar('--vscode-debugIcon-breakpointDisabledForeground', '#848484'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
    monoFont: cssVar('--vscode-editor-font-family', 'monospace'),
    fontSize: Math.max(11, (parseFloat(cssVar('--vscode-font-size', '13px')) || 13) - 1),
  };
}

/** Calls `redraw` whenever VS Code switches the theme (it changes the body's class and the root's variables). */
export function onThemeChange(redraw: () => void): void {
  let last = document.body.className;
  const observer = new MutationObserver(() => {
    if (document.body.className === last) return;
    last = document.body.className;
    redraw();
  });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class'] });
}

/** A CSS colour the theme gives (hex, rgb(), rgba()) as red, green, blue (0..255) and alpha (0..1); null for any other form. */
export function rgba(color: string): [number, number, number, number] | null {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color.trim());
  if (hex) {
    let d = hex[1];
    if (d.length <= 4) d = [...d].map((c) => c + c).join('');
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(d.slice(i, i + 2), 16));
    return [r, g, b, d.length === 8 ? parseInt(d.slice(6, 8), 16) / 255 : 1];
  }
  const rgb = /^rgba?\(([^)]+)\)$/i.exec(color.trim());
  if (rgb) {
    const [r, g, b, a = '1'] = rgb[1].split(/[,\s/]+/).filter(Boolean);
    return [Number(r), Number(g), Number(b), Number(a)];
  }
  return null;
}

/** `color` at `alpha` (0..1), for any CSS colour the theme gives (hex, rgb(), rgba()). */
export function withAlpha(color: string, alpha: number): string {
  const c = rgba(color);
  return c ? `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${(c[3] * alpha).toFixed(3)})` : color;
}

export type Rgba = [number, number, number, number];

/**
 * A grid of cells drawn as one image under a chart's data: `paint` writes cell (r, c)'s RGBA into
 * `data` at `at` (row 0 at the lowest y). The image is refilled only when `key` (what the cells
 * depend on) changes, into the same buffer while the grid's size stays: a 48 x 48 map costs one
 * drawImage, not 2,304 rectangles, and no allocation per cell.
 */
export class CellImage {
  private readonly canvas = document.createElement('canvas');
  private readonly ctx = this.canvas.getContext('2d')!;
  private image: ImageData | undefined;
  private key = '';

  fill(key: string, rows: number, columns: number, paint: (r: number, c: number, data: Uint8ClampedArray, at: number) => void): void {
    if (key === this.key) return;
    this.key = key;
    if (!this.image || this.image.width !== columns || this.image.height !== rows) {
      this.canvas.width = columns;
      this.canvas.height = rows;
      this.image = this.ctx.createImageData(columns, rows);
    }
    const data = this.image.data;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < columns; c++) paint(r, c, data, ((rows - 1 - r) * columns + c) * 4);
    }
    this.ctx.putImageData(this.image, 0, 0);
  }

  /**
   * Draws the image over the grid `xs` x `ys` (evenly spaced, ascending) on `chart`'s scales.
   * Unsmoothed, each cell is a flat square centred on its grid point (the contour map's bands).
   * Smoothed, the centres of the image's first and last cells sit on the grid's ends (a finer image
   * than the grid spans the same square) and the browser interpolates between cells, so a value
   * that varies smoothly is drawn without the cells' stair steps, at any size (the exported picture
   * too), still for one drawImage.
   */
  drawOver(chart: Chart, xs: readonly number[], ys: readonly number[], smooth = false): void {
    const { ctx, scales } = chart;
    const n = this.canvas.width;
    const m = this.canvas.height;
    const dx = smooth ? 0 : (xs[xs.length - 1] - xs[0]) / (n - 1) / 2;
    const dy = smooth ? 0 : (ys[ys.length - 1] - ys[0]) / (m - 1) / 2;
    const x0 = scales.x.getPixelForValue(xs[0] - dx);
    const x1 = scales.x.getPixelForValue(xs[xs.length - 1] + dx);
    const y0 = scales.y.getPixelForValue(ys[ys.length - 1] + dy);
    const y1 = scales.y.getPixelForValue(ys[0] - dy);
    ctx.save();
    ctx.imageSmoothingEnabled = smooth;
    if (smooth) ctx.imageSmoothingQuality = 'high';
    const [sx, sy, sw, sh] = smooth ? [0.5, 0.5, n - 1, m - 1] : [0, 0, n, m];
    ctx.drawImage(this.canvas, sx, sy, sw, sh, Math.min(x0, x1), Math.min(y0, y1), Math.abs(x1 - x0), Math.abs(y1 - y0));
    ctx.restore();
  }
}
