/**
 * Which samples each step trains on. One step is one update on one batch; an epoch is one pass
 * over the training set in `ceil(n / batchSize)` batches, the last one smaller when batchSize does
 * not divide n. With shuffle, epoch e goes through a permutation of its own, drawn from the
 * project's seeded generator with a seed made of the file's seed and e; without, batches go in
 * file order. So the batch of any step is a function of the step number alone: going back in time
 * needs no generator state, and any step's batch can be told without replaying the ones before.
 */
import { SeededRandom } from './random';

export interface BatchSettings {
  /** Samples per batch, or null for the whole training set (full batch, StatQuest's way). */
  readonly batchSize: number | null;
  readonly shuffle: boolean;
  readonly seed: number;
}

export class BatchPlan {
  readonly batchesPerEpoch: number;
  /** Samples per batch (the last of an epoch may have fewer). */
  readonly size: number;
  /** Whether every step sees every sample in file order: today's full batch, nothing to gather. */
  readonly full: boolean;
  /** The permutation of the epoch last asked about (allocated once). */
  private readonly order: Int32Array;
  private orderEpoch = -1;
  private readonly random = new SeededRandom(0);

  constructor(readonly samples: number, readonly settings: BatchSettings) {
    const size = this.size = Math.min(settings.batchSize ?? samples, samples);
    this.batchesPerEpoch = Math.ceil(samples / size);
    this.full = size === samples && (!settings.shuffle || samples === 1);
    this.order = new Int32Array(samples);
  }

  /** The epochs done once `steps` updates are done (0 until the first pass ends). */
  epochAfter(steps: number): number {
    return Math.floor(steps / this.batchesPerEpoch);
  }

  /** The epoch step t (0-based: the update taking t to t + 1) belongs to, and its batch's 0-based index in it. */
  epochOf(t: number): number {
    return Math.floor(t / this.batchesPerEpoch);
  }

  batchIndexOf(t: number): number {
    return t % this.batchesPerEpoch;
  }

  /**
   * Writes into `out` the indices (into the training set, in file order) of the samples step t
   * uses, in the order it uses them; returns how many. Allocates nothing.
   */
  batchOf(t: number, out: Int32Array): number {
    const size = this.size;
    const epoch = this.epochOf(t);
    const from = this.batchIndexOf(t) * size;
    const count = Math.min(size, this.samples - from);
    const order = this.permutation(epoch);
    for (let i = 0; i < count; i++) out[i] = order[from + i];
    return count;
  }

  /** The order epoch `epoch` visits the samples in (a view: copy it to keep it). */
  permutation(epoch: number): Int32Array {
    if (epoch !== this.orderEpoch) {
      const order = this.order;
      for (let i = 0; i < order.length; i++) order[i] = i;
      if (this.settings.shuffle) {
        this.random.reset(epochSeed(this.settings.seed, epoch));
        shuffle(order, this.random);
      }
      this.orderEpoch = epoch;
    }
    return this.order;
  }
}

/** A seed for epoch e that differs in every bit pattern from its neighbours' (an integer hash). */
function epochSeed(seed: number, epoch: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(epoch + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

/** Fisher-Yates, in place, with the project's generator. */
export function shuffle(values: Int32Array, random: SeededRandom): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}
