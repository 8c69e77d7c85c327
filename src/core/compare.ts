/**
 * What an edit changed, for a run that should go on where it can: only the training settings (the
 * run goes on with the new ones), only what is shown (a name), the starting parameters back to one
 * the run has been at, or something that needs a new start (and which, to say so).
 */
import type { Dataset, Network } from './network';

export type Difference =
  | { kind: 'same' }
  /** The name, description or notation: nothing training reads. */
  | { kind: 'cosmetic' }
  /** The learning rate, step limit, stop size, trainable parameters, regularization, schedule or clipping, and nothing else. */
  | { kind: 'training' }
  /** Anything else: `why` says what, for "restarted: the data changed". */
  | { kind: 'restart'; why: string };

/** Element by element (Object.is, so NaN equals NaN and -0 differs from 0). */
export function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameDataset(a: Dataset | null, b: Dataset | null): boolean {
  if (a === null || b === null) return a === b;
  return a.samples === b.samples && sameArray(a.inputs, b.inputs) && sameArray(a.targets, b.targets);
}

/**
 * How `next` differs from `current`, where the run may treat `next`'s starting parameters as its
 * own when they equal any of `known` (the parameters it started from, or the ones it wrote).
 */
export function difference(current: Network, next: Network, known: readonly ArrayLike<number>[] = [current.initialParameters]): Difference {
  if (current.inputNames.join('\n') !== next.inputNames.join('\n') || current.outputNames.join('\n') !== next.outputNames.join('\n')) return { kind: 'restart', why: 'the inputs or outputs changed' };
  if (current.layers.length !== next.layers.length || current.layers.some((l, i) => l.units !== next.layers[i].units || l.activation !== next.layers[i].activation || l.activationParam !== next.layers[i].activationParam)) return { kind: 'restart', why: 'the layers changed' };
  if (current.loss !== next.loss) return { kind: 'restart', why: 'the loss changed' };
  if (current.data.samples !== next.data.samples || !sameArray(current.data.inputs, next.data.inputs) || !sameArray(current.data.targets, next.data.targets)) return { kind: 'restart', why: 'the data changed' };
  if (!known.some((k) => sameArray(k, next.initialParameters))) return { kind: 'restart', why: 'the parameters in the file changed' };
  const a = current.training;
  const b = next.training;
  // The optimizer's buffers and the batch of every step are part of the run's state and history.
  if (JSON.stringify(a.optimizer) !== JSON.stringify(b.optimizer)) return { kind: 'restart', why: 'the optimizer changed' };
  if (a.batchSize !== b.batchSize || a.shuffle !== b.shuffle || a.seed !== b.seed) return { kind: 'restart', why: 'the batches changed' };
  if (a.validationShare !== b.validationShare || !sameDataset(current.validation, next.validation)) return { kind: 'restart', why: 'the validation set changed' };
  if (JSON.stringify([a.regularization, a.schedule, a.clip]) !== JSON.stringify([b.regularization, b.schedule, b.clip])) return { kind: 'training' };
  if (a.learningRate !== b.learningRate || a.maxSteps !== b.maxSteps || a.minStepSize !== b.minStepSize || !sameArray(a.trainable, b.trainable)) return { kind: 'training' };
  if (current.name !== next.name || current.description !== next.description || current.notation !== next.notation) return { kind: 'cosmetic' };
  if ((current.classes ?? []).join('\n') !== (next.classes ?? []).join('\n')) return { kind: 'cosmetic' };
  return { kind: 'same' };
}
