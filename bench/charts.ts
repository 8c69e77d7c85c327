/**
 * What the charts cost in the worker: every panel's data for a session whose history holds a
 * million steps (the loss thinned by LTTB, the series sampled from checkpoints), the first time
 * (every sample of the series new) and then as Continue refreshes it, and how much travels.
 */
import type { Network } from '../src/core';
import { SessionCharts } from '../src/session/charts';
import { CHART_PANELS, type ChartRequest, DEFAULT_RACE } from '../src/session/chartTypes';
import { TrainingSession } from '../src/session/training';

export const EVERY_PANEL: ChartRequest = { panels: [...CHART_PANELS], parameters: ['w3', 'b3'], optimizers: [...DEFAULT_RACE] };

export interface ChartFigures {
  steps: number;
  firstMs: number;
  medianMs: number;
  worstMs: number;
  lossPoints: number;
  bytes: number;
}

export function benchCharts(network: Network, steps: number, tries: number): ChartFigures {
  const session = new TrainingSession(network);
  session.goTo(steps);
  const charts = new SessionCharts(session);
  let started = performance.now();
  const data = charts.compute(EVERY_PANEL);
  const firstMs = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < tries; i++) {
    // As Continue goes on: a few more steps, then a refresh.
    for (let k = 0; k < 1000; k++) session.step();
    started = performance.now();
    charts.compute(EVERY_PANEL);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { steps, firstMs, medianMs: times[times.length >> 1], worstMs: times[times.length - 1], lossPoints: data.loss!.steps.length, bytes: JSON.stringify(data).length };
}
