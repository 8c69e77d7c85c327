/**
 * The fit map's colour scale for one output: orange where the value is low, the background in the
 * middle, blue where it is high (TensorFlow Playground's colours, through the theme's tokens). One
 * table of colours serves the map, the data points and the key under the chart, so a point whose
 * target the network predicts exactly has the colour of the map under it. Pure: no DOM, so the
 * tests compute the colours they expect with it.
 */

export type Rgb = readonly [number, number, number];

/** Colours in a table; a value picks the nearest (a 256-step scale is finer than a screen shows). */
export const SCALE_STEPS = 256;

/**
 * How strongly a value's colour stands out of the background at the ends: below 1, so the darkest
 * blue or orange still differs from a point's full colour outline and a theme's text on it reads.
 */
const STRENGTH = 0.85;

/** `colour` laid over `background` at `alpha` (0..1), as an opaque colour. */
export function mix(background: Rgb, colour: Rgb, alpha: number): [number, number, number] {
  return [0, 1, 2].map((i) => Math.round(background[i] + (colour[i] - background[i]) * alpha)) as [number, number, number];
}

/**
 * The scale as SCALE_STEPS opaque RGBA colours from low to high, written into `out` (reused
 * between draws). The strength grows linearly from the middle to each end.
 */
export function fillScale(low: Rgb, high: Rgb, background: Rgb, out: Uint8ClampedArray): Uint8ClampedArray {
  for (let i = 0; i < SCALE_STEPS; i++) {
    const t = i / (SCALE_STEPS - 1);
    const end = t >= 0.5 ? high : low;
    const alpha = STRENGTH * Math.abs(2 * t - 1);
    const at = i * 4;
    out[at] = Math.round(background[0] + (end[0] - background[0]) * alpha);
    out[at + 1] = Math.round(background[1] + (end[1] - background[1]) * alpha);
    out[at + 2] = Math.round(background[2] + (end[2] - background[2]) * alpha);
    out[at + 3] = 255;
  }
  return out;
}

/** The table's index for `value` on the domain lo..hi (clamped; the middle for a value that is not a number). */
export function scaleIndex(value: number, lo: number, hi: number): number {
  if (!Number.isFinite(value) || !(hi > lo)) return SCALE_STEPS >> 1;
  const t = (value - lo) / (hi - lo);
  return Math.max(0, Math.min(SCALE_STEPS - 1, Math.round(t * (SCALE_STEPS - 1))));
}

/**
 * The scale's three defining colours (low end, middle, high end) as CSS: the scale is linear
 * between them, so a gradient through these stops draws the same colours as the table.
 */
export function scaleStops(table: Uint8ClampedArray): [string, string, string] {
  const last = SCALE_STEPS - 1;
  return [scaleCss(table, 0), scaleCss(table, last / 2), scaleCss(table, last)];
}

/** A CSS colour for table entry `index` (a fraction is rounded to the mean of its neighbours). */
export function scaleCss(table: Uint8ClampedArray, index: number): string {
  const a = Math.floor(index) * 4;
  const b = Math.ceil(index) * 4;
  const c = (k: number): number => Math.round((table[a + k] + table[b + k]) / 2);
  return `rgb(${c(0)}, ${c(1)}, ${c(2)})`;
}

/**
 * The scale's domain: the values on the map and the targets together, so every point has its
 * place on the key; a flat map and flat targets get a unit-wide domain around their value.
 */
export function scaleDomain(values: ArrayLike<number>, targets: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of [values, targets]) {
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (!Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  if (!(lo <= hi)) return [0, 1];
  if (hi - lo < 1e-12) return [lo - 0.5, hi + 0.5];
  return [lo, hi];
}
