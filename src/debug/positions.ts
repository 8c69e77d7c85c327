/**
 * Where a network's layers and parameters are written in its file, as lines: for the Call Stack
 * (a frame points at its layer), line breakpoints in the JSON (a line's weights and biases) and
 * inline values. Lines count from 0, as VS Code's API does; the adapter adds 1 for DAP.
 */
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { Network } from '../core';
import type { Phase } from '../session/stepper';

export interface NetworkLines {
  /** The line of each layer's object (`layers[l]`), by layer from 0. */
  layers: number[];
  /**
   * The lines of the step's update: where `"training"` is written and its `learningRate` (a
   * breakpoint there stops after each step, as a layer's line would stop in its phase).
   */
  training: number[];
  /** The line of `"loss"` (the step's loss phase), or null when the file leaves it out. */
  loss: number | null;
  /** Each parameter's number in the text (undefined where `init` made it): its line, column and length. */
  parameters: ({ line: number; column: number; offset: number; length: number } | undefined)[];
}

/** The line and column (from 0) of every offset in `text`, by a search over the line starts. */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}

export function networkLines(text: string, network: Network): NetworkLines {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const tree = parseTree(text);
  const layers = network.layers.map((_, l) => {
    const node = tree && findNodeAtLocation(tree, ['layers', l]);
    return node ? lineOf(starts, node.offset) : 0;
  });
  const parameters = network.parameterPositions.map((p) => {
    if (!p) return undefined;
    const line = lineOf(starts, p.offset);
    return { line, column: p.offset - starts[line], offset: p.offset, length: p.length };
  });
  const training = new Set<number>();
  const settings = tree && findNodeAtLocation(tree, ['training']);
  // The property's key: its parent is the "training": {...} pair.
  if (settings?.parent) training.add(lineOf(starts, settings.parent.offset));
  const rate = tree && findNodeAtLocation(tree, ['training', 'learningRate']);
  if (rate?.parent) training.add(lineOf(starts, rate.parent.offset));
  const loss = tree && findNodeAtLocation(tree, ['loss']);
  return { layers, training: [...training], loss: loss?.parent ? lineOf(starts, loss.parent.offset) : null, parameters };
}

/** The parameters (by index) whose numbers are written on `line`. */
export function parametersOnLine(lines: NetworkLines, line: number): number[] {
  const found: number[] = [];
  lines.parameters.forEach((p, i) => { if (p?.line === line) found.push(i); });
  return found;
}

/**
 * The phases of a step written on `line`, by the file's lines: a layer's line is its forward and its
 * backward phase, the loss line the loss, the training line the update.
 */
export function phasesOnLine(lines: NetworkLines, line: number): Phase[] {
  const phases: Phase[] = [];
  lines.layers.forEach((l, k) => { if (l === line) phases.push({ kind: 'forward', layer: k + 1 }, { kind: 'backward', layer: k + 1 }); });
  if (lines.loss === line) phases.push({ kind: 'loss' });
  if (lines.training.includes(line)) phases.push({ kind: 'update' });
  return phases;
}

/** Where a phase is written: its layer's line, the loss line, the training line (from 0). */
export function lineOfPhase(lines: NetworkLines, phase: Phase): number {
  switch (phase.kind) {
    case 'forward': case 'backward': return lines.layers[phase.layer - 1] ?? 0;
    case 'loss': return lines.loss ?? lines.layers[lines.layers.length - 1] ?? 0;
    case 'update': return lines.training[0] ?? 0;
  }
}

/** Whether a breakpoint on `line` can work: a layer's line, the loss or training line, or a line of trainable numbers. */
export function takesBreakpoint(lines: NetworkLines, network: Network, line: number): boolean {
  return phasesOnLine(lines, line).length > 0 || parametersOnLine(lines, line).some((i) => network.training.trainable[i] === 1);
}
