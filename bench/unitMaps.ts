/**
 * What each unit's picture costs: one refresh in the worker (a forward pass of the grid, every
 * unit's bytes, words and the output's boundary) as Continue makes it, the bytes it sends, and
 * Continue's steps per second in the editor's training worker with the pictures shown and without.
 * `npm run bench -- --unit-maps` runs only this.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, SeededRandom } from '../src/core';
import { SessionCharts } from '../src/session/charts';
import type { ChartRequest } from '../src/session/chartTypes';
import { TrainingSession } from '../src/session/training';
import { benchEditorContinue } from './editor';

const ROOT = path.resolve(__dirname, '..');
export const MAPS_ONLY: ChartRequest = { panels: [], parameters: [], units: true };

export interface UnitMapFigures {
  name: string;
  units: number;
  side: number;
  medianMs: number;
  worstMs: number;
  bytes: number;
  /** Continue in the editor's worker, steps per second, with the pictures and without. */
  withMaps: number;
  without: number;
  refreshes: number;
}

/** A network file whose stopping rules never fire, so Continue runs for the whole measurement. */
function endless(doc: Record<string, unknown>): string {
  return JSON.stringify({ ...doc, training: { ...(doc.training as object), maxSteps: 1e12, minStepSize: 0 } });
}

/** 2-16-16-1 tanh with a sigmoid output, on 200 points of two seeded clusters. */
function wideFile(): Record<string, unknown> {
  const random = new SeededRandom(23);
  const inputs = Array.from({ length: 200 }, (_, i) => [random.next() * 2 - 1 + (i % 2 ? 1 : -1), random.next() * 2 - 1]);
  return {
    name: '2-16-16-1', inputs: ['x1', 'x2'], outputs: ['class'],
    layers: [{ units: 16, activation: 'tanh' }, { units: 16, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }],
    init: { weights: 'glorot', biases: 0, seed: 5 },
    data: { inputs, targets: inputs.map((_, i) => [i % 2]) },
    loss: 'mse',
    training: { learningRate: 0.1 },
  };
}

/** One refresh's cost as Continue makes them: some steps, then the pictures, `tries` times. */
function refreshCost(text: string, tries: number): { medianMs: number; worstMs: number; bytes: number; units: number; side: number } {
  const session = new TrainingSession(loadNetwork(text));
  const charts = new SessionCharts(session);
  const first = charts.compute(MAPS_ONLY).units!;
  const times: number[] = [];
  for (let i = 0; i < tries; i++) {
    for (let k = 0; k < 100; k++) session.step();
    const started = performance.now();
    charts.compute(MAPS_ONLY);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[times.length >> 1], worstMs: times[times.length - 1], bytes: JSON.stringify(first).length, units: first.units.length, side: first.side };
}

export async function benchUnitMaps(quick: boolean, say: (line: string) => void): Promise<UnitMapFigures[]> {
  const example = (name: string): Record<string, unknown> => JSON.parse(readFileSync(path.join(ROOT, 'examples', name), 'utf8'));
  const cases: [string, string][] = [
    ['xor (2-3-1)', endless(example('xor.nn.json'))],
    ['classifier (2-4-3, softmax)', endless(example('classifier.nn.json'))],
    ['2-16-16-1 tanh, 200 samples', endless(wideFile())],
  ];
  const figures: UnitMapFigures[] = [];
  const seconds = quick ? 1 : 3;
  for (const [name, text] of cases) {
    const cost = refreshCost(text, quick ? 50 : 200);
    const without = await benchEditorContinue(text, seconds);
    const withMaps = await benchEditorContinue(text, seconds, [], MAPS_ONLY);
    const f: UnitMapFigures = { name, ...cost, withMaps: withMaps.stepsPerSecond, without: without.stepsPerSecond, refreshes: withMaps.chartFrames };
    figures.push(f);
    const change = (f.withMaps / f.without - 1) * 100;
    say(`unit maps of ${name} (${f.units} units, ${f.side} x ${f.side} grid): ${f.medianMs.toFixed(2)} ms median, ${f.worstMs.toFixed(2)} ms worst per refresh in the worker, ${(f.bytes / 1024).toFixed(1)} KB sent; editor Continue ${Math.round(f.withMaps).toLocaleString('en-US')} steps/s with them against ${Math.round(f.without).toLocaleString('en-US')} without (${change >= 0 ? '+' : ''}${change.toFixed(1)}%), ${f.refreshes} refreshes in ${seconds} s`);
  }
  return figures;
}
