/**
 * The numbers conditions, the Variables view and the CLI read about the state a trainer is at,
 * filled in one place so every front-end means the same by `loss`: the whole training set's loss
 * at the state (with batches a forward pass of its own, so it is computed only when something
 * reads it), `batchLoss` the last step's batch's before its update, `valLoss` the validation set's.
 */
import { type Trainer, validationLoss } from '../core';
import type { Scalars } from './expr/compile';

/**
 * Fills `s` for the state `t` is at, after a step whose largest move was `size`; evaluates `t` when
 * something reads the loss, gradients or unit values (`evaluation`), and the validation set's loss
 * when something reads valLoss (`validation`), and learningRate, epoch, batch and batchLoss when
 * something reads them (`training`).
 */
export function readScalars(t: Trainer, s: Scalars, size: number, evaluation: boolean, validation: boolean, training = true): void {
  // With batches the whole set's loss is its own forward pass, before the batch's evaluation
  // (which it would otherwise overwrite in the passes' buffers).
  const whole = evaluation && !t.batches.full ? t.trainingLoss() : NaN;
  if (evaluation) t.evaluate();
  const steps = t.stepCount;
  s.step = steps;
  s.loss = t.batches.full ? t.loss : whole;
  s.stepSize = size;
  s.valLoss = validation ? validationLoss(t.network, t.params) : NaN;
  // After each step of Continue only when a condition reads them: together they cost a tenth of a dosage step.
  if (!training) return;
  s.learningRate = t.learningRate;
  s.epoch = t.batches.epochAfter(steps);
  s.batch = steps > 0 ? t.batches.batchIndexOf(steps - 1) : NaN;
  s.batchLoss = steps > 0 ? t.lastBatchLoss : NaN;
}
