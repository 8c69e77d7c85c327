/**
 * What the debugger's own machinery costs, in process: checking breakpoints inside Continue's step
 * loop, going to a step of a long history, and how big the frames are that the worker sends.
 */
import type { Network } from '../src/core';
import type { BreakpointSpec } from '../src/session/breakpointTypes';
import { buildFrame, buildStructure } from '../src/session/frame';
import { TrainingSession } from '../src/session/training';

/** A step breakpoint and a conditional one that are armed for the whole measurement and never hit. */
export const ARMED: BreakpointSpec[] = [
  { id: 'at', enabled: true, kind: 'step', step: 1e12 },
  { id: 'if', enabled: true, kind: 'condition', expression: 'abs(dw1) > 1e9 && step > 100' },
];

/** A logpoint that writes the step and the loss every 100 steps (training goes on). */
export const LOGPOINT: BreakpointSpec[] = [{ id: 'log', enabled: true, kind: 'every', every: 100, logMessage: 'step {step}: loss {loss}' }];

export interface BreakpointCost {
  bareStepsPerSecond: number;
  armedStepsPerSecond: number;
  /** How much longer a step takes with the breakpoints checked after it. */
  overheadPercent: number;
}

/**
 * Continue's loop (TrainingSession.advance) with and without ARMED, in turns of ~20 ms so a noisy
 * neighbour slows both alike; the median of each.
 */
export function benchBreakpointCost(network: Network, seconds: number, specs: BreakpointSpec[] = ARMED): BreakpointCost {
  const bare = new TrainingSession(network, { maxBytes: 16 * 1024 * 1024 });
  const armed = new TrainingSession(network, { maxBytes: 16 * 1024 * 1024 });
  const statuses = armed.setBreakpoints(specs);
  if (statuses.some((s) => !s.verified)) throw new Error(`a bench breakpoint does not compile: ${JSON.stringify(statuses)}`);
  const rate = (s: TrainingSession): number => {
    const from = s.trainer.stepCount;
    const t0 = performance.now();
    const stop = s.advance(20, () => performance.now());
    if (stop) throw new Error(`Continue stopped in the bench: ${stop.text}`);
    // What logpoints wrote goes, as the worker sends it every 100 ms (each turn is 20 ms).
    s.breakpoints.takeLogs();
    return (s.trainer.stepCount - from) / ((performance.now() - t0) / 1000);
  };
  for (const s of [bare, armed]) { if (s.startContinue()) throw new Error('nothing to continue'); rate(s); }
  const rates: [number[], number[]] = [[], []];
  const until = performance.now() + seconds * 1000;
  while (performance.now() < until || rates[0].length < 7) {
    rates[0].push(rate(bare));
    rates[1].push(rate(armed));
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1];
  const bareStepsPerSecond = median(rates[0]);
  const armedStepsPerSecond = median(rates[1]);
  return { bareStepsPerSecond, armedStepsPerSecond, overheadPercent: (bareStepsPerSecond / armedStepsPerSecond - 1) * 100 };
}

export interface GoToFigures {
  steps: number;
  historyBytes: number;
  maxBytes: number;
  checkpointInterval: number;
  /** Go to Step, to `tries` steps spread over the history: median and worst. */
  medianMs: number;
  worstMs: number;
  /** Whether every step reached had exactly the parameters it had when it was first trained. */
  exact: boolean;
}

/** Trains `steps` steps with history, then goes to steps spread across it, checking each against its first visit. */
export function benchGoTo(network: Network, steps: number, tries: number): GoToFigures {
  const session = new TrainingSession(network);
  const targets = Array.from({ length: tries }, (_, i) => Math.round(((i * 7919) % tries) / tries * steps) + 1);
  const expected = new Map<number, Float64Array>();
  // Trained forward in stretches that end at each target (Go to Step past the latest trains on).
  for (const step of [...new Set(targets)].sort((a, b) => a - b)) {
    session.goTo(step);
    expected.set(step, Float64Array.from(session.trainer.params));
  }
  session.goTo(steps);
  const times: number[] = [];
  let exact = true;
  for (const step of targets) {
    const t0 = performance.now();
    session.goTo(step);
    times.push(performance.now() - t0);
    const want = expected.get(step)!;
    if (session.trainer.params.some((v, i) => v !== want[i])) exact = false;
  }
  times.sort((a, b) => a - b);
  const h = session.history;
  return { steps, historyBytes: h.bytes, maxBytes: h.maxBytes, checkpointInterval: h.interval, medianMs: times[times.length >> 1], worstMs: times[times.length - 1], exact };
}

export interface FrameSizes {
  name: string;
  params: number;
  structureBytes: number;
  /** A frame sent while Continue runs, and one sent at a stop (which carries explanations when they are cheap). */
  runningFrameBytes: number;
  stoppedFrameBytes: number;
}

/** The JSON sizes of what the worker sends for `network`. */
export function frameSizes(name: string, network: Network): FrameSizes {
  const session = new TrainingSession(network);
  session.step();
  const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value));
  return {
    name, params: network.parameterCount,
    structureBytes: size(buildStructure(network)),
    runningFrameBytes: size(buildFrame(session, true, [])),
    stoppedFrameBytes: size(buildFrame(session, false, [])),
  };
}
