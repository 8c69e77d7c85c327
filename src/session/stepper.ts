/**
 * Step Into: one gradient-descent step walked through its phases, as a debugger walks a function's
 * lines: the forward pass layer by layer, the loss, the backward pass layer by layer from the
 * output, and the update. Pure: the phases only say how far the step has got; the numbers are the
 * trainer's (the whole state at the step's parameters is computed on entering it).
 */
import type { Network } from '../core';

export type Phase =
  /** Layer `layer` (from 1) has computed its x_{j,i} and y_{j,i} for every sample. */
  | { kind: 'forward'; layer: number }
  /** Every sample's prediction is compared with its target: the loss and dLoss/dPredicted. */
  | { kind: 'loss' }
  /** Layer `layer`'s weights and biases have received their gradients (from the output backwards). */
  | { kind: 'backward'; layer: number }
  /** Each trainable parameter moves by -learning rate x its gradient (old -> new), not yet applied. */
  | { kind: 'update' };

/** The phase after `phase` within a step, or null when the step is done (the update applied). */
export function nextPhase(network: Network, phase: Phase | null): Phase | null {
  const layers = network.layers.length;
  if (phase === null) return { kind: 'forward', layer: 1 };
  switch (phase.kind) {
    case 'forward': return phase.layer < layers ? { kind: 'forward', layer: phase.layer + 1 } : { kind: 'loss' };
    case 'loss': return { kind: 'backward', layer: layers };
    case 'backward': return phase.layer > 1 ? { kind: 'backward', layer: phase.layer - 1 } : { kind: 'update' };
    case 'update': return null;
  }
}

/** "the forward pass, layer 2", for the status line and the call stack. */
export function describePhase(phase: Phase): string {
  switch (phase.kind) {
    case 'forward': return `the forward pass, layer ${phase.layer}`;
    case 'loss': return 'the loss';
    case 'backward': return `the backward pass, layer ${phase.layer}`;
    case 'update': return 'the update';
  }
}

/** How far a step has got, as the frame carries it: layers with unit values, and from which layer gradients are computed. */
export function progressOf(network: Network, phase: Phase | null): { unitsThrough: number; gradientsFrom: number } | null {
  if (phase === null) return null;
  const layers = network.layers.length;
  switch (phase.kind) {
    case 'forward': return { unitsThrough: phase.layer, gradientsFrom: layers + 1 };
    case 'loss': return { unitsThrough: layers, gradientsFrom: layers + 1 };
    case 'backward': return { unitsThrough: layers, gradientsFrom: phase.layer };
    case 'update': return { unitsThrough: layers, gradientsFrom: 1 };
  }
}

/** Every phase of a step, in the order Step Into walks them. */
export function phasesOf(network: Network): Phase[] {
  const phases: Phase[] = [];
  for (let p = nextPhase(network, null); p !== null; p = nextPhase(network, p)) phases.push(p);
  return phases;
}

/** Whether two phases (or step boundaries, null) are the same. */
export function samePhase(a: Phase | null, b: Phase | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && ('layer' in a ? a.layer : 0) === ('layer' in b ? b.layer : 0);
}
