/**
 * Each unit's picture as the charts carry it: the core's UnitMapper run at the state shown, its
 * values turned into one byte per grid point on each unit's colour scale (a 32 x 32 map is 1,024
 * bytes, 1,368 characters of base64, not 20 KB of JSON numbers), with the words' numbers and the
 * output's decision boundary. The mapper and the byte buffer are made once per network. Pure.
 */
import { hasUnitMaps, mapDomain, mapInputNames, mapLevel, columnRows, type Network, UnitMapper } from '../core';
import type { UnitMapsChart, UnitMapView } from './chartTypes';

/** Samples drawn on the output's map at most (evenly chosen past it: a 100,000-row CSV draws 200 dots). */
export const MAP_SAMPLES = 200;

export class SessionUnitMaps {
  private mapper: UnitMapper | undefined;
  private bytes = new Uint8Array(0);
  private samples: UnitMapsChart['samples'] | undefined;

  /** The pictures at `params`, or null when `network` gets none (see hasUnitMaps). */
  compute(network: Network, params: ArrayLike<number>): UnitMapsChart | null {
    if (!hasUnitMaps(network)) return null;
    if (this.mapper?.network !== network) {
      this.mapper = new UnitMapper(network);
      this.bytes = new Uint8Array(this.mapper.points);
      this.samples = drawnSamples(network);
    }
    const m = this.mapper;
    m.compute(params);
    const plane = m.dimensions === 2;
    const units = m.units.map(({ layer, unit, activation }): UnitMapView => {
      const probability = m.isProbability(layer);
      const level = mapLevel(activation, probability);
      const stats = m.stats(layer, unit, level);
      const domain = mapDomain(activation, probability, stats.min, stats.max);
      const output = layer === network.layers.length;
      let cells: string | null = null;
      let curve: number[] | null = null;
      if (plane) {
        const [lo, hi] = domain;
        const b = this.bytes;
        for (let g = 0; g < b.length; g++) {
          const v = m.value(layer, unit, g);
          // A value that is not a number sits in the middle (the background), as the fit's map draws it.
          b[g] = v === v ? Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo)))) : 128;
        }
        cells = toBase64(b);
      } else {
        curve = Array.from({ length: m.points }, (_, g) => m.value(layer, unit, g));
      }
      const boundary = output && m.decides() ? Array.from(m.boundary(unit)) : null;
      return { layer, unit, shows: probability ? 'probability' : 'activation', cells, curve, domain, min: stats.min, max: stats.max, level, above: stats.above, toward: stats.toward, boundary };
    });
    return {
      inputs: [...mapInputNames(network)],
      xRange: m.xRange,
      yRange: m.yRange,
      side: m.side,
      units,
      samples: this.samples!,
    };
  }
}

/** The samples the output maps draw: every one up to MAP_SAMPLES, else that many evenly spread. */
function drawnSamples(network: Network): UnitMapsChart['samples'] {
  const { samples, targets } = network.data;
  const { rows: inputs, width } = columnRows(network);
  const nOut = network.outputNames.length;
  const count = Math.min(samples, MAP_SAMPLES);
  const picked = Array.from({ length: count }, (_, k) => Math.floor((k * samples) / count));
  return {
    x: picked.map((i) => inputs[i * width]),
    y: width > 1 ? picked.map((i) => inputs[i * width + 1]) : [],
    targets: Array.from({ length: nOut }, (_, k) => picked.map((i) => targets[i * nOut + k])),
    total: samples,
  };
}

/** Bytes as base64 (btoa is in every browser and in Node). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary);
}
