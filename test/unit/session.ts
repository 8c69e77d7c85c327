/** Helpers for tests of training sessions: Continue to a stop, the dosage file with other settings, a reference trainer. */
import { readFileSync } from 'node:fs';
import { loadNetwork, type Network, Trainer } from '../../src/core';
import type { Stop, TrainingSession } from '../../src/session/training';
import { examplePath } from './helpers';

/** A clock that advances by `tick` ms at each reading, so slices end by step count, not by the machine's speed. */
export function fakeClock(tick: number): () => number {
  let t = 0;
  return () => (t += tick);
}

/** Continue until something stops it. */
export function runToStop(session: TrainingSession): Stop {
  const start = session.startContinue();
  if (start) return start;
  let stop: Stop | null = null;
  while (!stop) stop = session.advance(5, fakeClock(1));
  return stop;
}

/** The dosage file with other training settings. */
export function dosageWith(training: Record<string, unknown>): Network {
  const doc = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
  return loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, ...training } }));
}

/** A trainer after exactly `steps` steps: what `backprop train --steps N` ends at. */
export function after(network: Network, steps: number): Trainer {
  const t = new Trainer(network);
  for (let i = 0; i < steps; i++) t.step();
  t.evaluate();
  return t;
}

