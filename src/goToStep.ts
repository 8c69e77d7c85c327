/**
 * Go to Step's words: the range a person can jump to and what a step beyond it does. Pure (no
 * vscode import), so the words are unit-tested and any front-end can say them.
 */
import type { StopReason } from './core/train';
import { formatCount } from './core/numbers';

/** "Steps 0 to 642 are kept (now at 37); a step beyond 642 trains on to it". */
export function goToStepPrompt(current: number, earliest: number, latest: number): string {
  return `Steps ${formatCount(earliest)} to ${formatCount(latest)} are kept (now at ${formatCount(current)}); a step beyond ${formatCount(latest)} trains on to it`;
}

export interface StepCheck {
  message: string;
  /** An error stops the jump; info only says what the jump will do. */
  severity: 'error' | 'info';
}

/** What is wrong with `text` as a step, or what going there will do; undefined when there is nothing to say. */
export function goToStepCheck(text: string, earliest: number, latest: number, stopReason: StopReason | null): StepCheck | undefined {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) < earliest) return { message: `a whole number, ${formatCount(earliest)} or more`, severity: 'error' };
  const step = Number(text);
  if (step <= latest) return undefined;
  if (stopReason === 'converged') return { message: `Training converged by step ${formatCount(latest)}: it trains on past convergence to step ${formatCount(step)}, where the parameters have barely moved`, severity: 'info' };
  if (stopReason === 'diverged') return { message: `Training diverged by step ${formatCount(latest)}: it cannot train on past that`, severity: 'error' };
  return { message: `Trains on from step ${formatCount(latest)} to ${formatCount(step)}`, severity: 'info' };
}
