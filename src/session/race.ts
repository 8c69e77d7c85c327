/**
 * Compare optimizers: the race ConvNetJS runs between SGD, momentum, Adagrad and Adadelta, with
 * what makes it a fair one. Every line starts where the run's history starts (its parameters, its
 * step), uses the file's learning rate, schedule, regularization, clipping and batches (a batch is
 * a function of the step: see BatchPlan), so the only difference between two lines is the
 * optimizer's rule. The file's own optimizer keeps the file's settings and the history's optimizer
 * state, so its line is the run's own; the others take PyTorch's defaults and start from zero.
 *
 * Each line records the whole training set's loss (penalty included) every `stride` steps, the
 * stride doubling so at most RACE_POINTS are kept. The race runs as far as the run has gone (at
 * least RACE_MIN_STEPS, at most the step limit) within a time budget per call; what is left is
 * pending, for the next call. Pure: no vscode, no DOM.
 */
import { OPTIMIZER_DEFAULTS, OPTIMIZER_LABELS, type OptimizerType, type History, type Network, Trainer } from '../core';
import { type CompareChart, type CompareLine, RACE_MOST } from './chartTypes';
import type { TrainingSession } from './training';

/** The race runs at least this far past the history's first step, so a fresh file shows a race at once. */
export const RACE_MIN_STEPS = 200;
/** At most this many recorded losses per line (the stride doubles past it). */
export const RACE_POINTS = 400;

/** One optimizer's line: its trainer and the losses recorded so far. */
class Runner {
  readonly steps: number[] = [];
  readonly losses: number[] = [];
  stride = 1;
  divergedAt: number | null = null;

  constructor(readonly optimizer: OptimizerType, readonly own: boolean, readonly trainer: Trainer, readonly from: number) {
    this.record();
  }

  get reached(): number {
    return this.trainer.stepCount;
  }

  /** Steps until `to`, or `deadline` (checked every `chunk` steps), or a loss that is no longer a number. */
  advance(to: number, chunk: number, deadline: number, now: () => number): void {
    const t = this.trainer;
    while (this.divergedAt === null && t.stepCount < to) {
      const end = Math.min(to, t.stepCount + chunk);
      while (t.stepCount < end) {
        const size = t.step();
        if (!(size < Infinity) || !(t.lastBatchLoss < Infinity)) { this.divergedAt = t.stepCount; break; }
        if ((t.stepCount - this.from) % this.stride === 0) this.record();
      }
      if (now() >= deadline) return;
    }
  }

  /** The training set's loss at the step the trainer is at, kept; every other one goes when there are too many. */
  private record(): void {
    this.steps.push(this.trainer.stepCount);
    this.losses.push(this.trainer.trainingLoss());
    if (this.steps.length <= RACE_POINTS) return;
    this.stride *= 2;
    let k = 0;
    for (let i = 0; i < this.steps.length; i++) {
      if ((this.steps[i] - this.from) % this.stride !== 0) continue;
      this.steps[k] = this.steps[i];
      this.losses[k] = this.losses[i];
      k++;
    }
    this.steps.length = k;
    this.losses.length = k;
  }

  /** The line as drawn: what is recorded, and the step reached when it falls between two records. */
  line(): CompareLine {
    const steps = this.steps.slice();
    const losses = this.losses.slice();
    const last = this.trainer.stepCount;
    if (steps[steps.length - 1] !== last) { steps.push(last); losses.push(this.trainer.trainingLoss()); }
    return { optimizer: this.optimizer, label: OPTIMIZER_LABELS[this.optimizer], own: this.own, steps, losses, divergedAt: this.divergedAt };
  }
}

export class OptimizerRace {
  private runners = new Map<OptimizerType, Runner>();
  /** The history (and so the network and starting state) the runners belong to. */
  private history: History | undefined;
  private network: Network | undefined;

  constructor(private readonly session: TrainingSession, private readonly now: () => number = () => performance.now()) {}

  /**
   * The race of the file's optimizer and `others` (those of them that differ from it, at most
   * RACE_MOST - 1), run on for at most `budgetMs`. `pending`: some line is still short of the finish.
   */
  compute(others: readonly OptimizerType[], budgetMs: number): { chart: CompareChart; pending: boolean } {
    const { session } = this;
    const h = session.history;
    const network = session.network;
    if (h !== this.history || network !== this.network) {
      this.history = h;
      this.network = network;
      this.runners.clear();
    }
    const own = network.training.optimizer.type;
    const wanted = [own, ...others.filter((o, i) => o !== own && others.indexOf(o) === i)].slice(0, RACE_MOST);
    for (const kind of [...this.runners.keys()]) if (!wanted.includes(kind)) this.runners.delete(kind);
    const from = h.baseStep;
    const finish = Math.max(Math.min(from + RACE_MIN_STEPS, network.training.maxSteps), h.latest);
    const runners = wanted.map((kind) => this.runners.get(kind) ?? this.start(kind, kind === own));
    // A step's work (parameters x samples) sets how many steps go between two looks at the clock.
    const chunk = Math.max(1, Math.min(256, Math.floor(2e5 / (network.parameterCount * network.data.samples))));
    const deadline = this.now() + budgetMs;
    // Round by round, so every line gets as far as the others when the budget ends.
    let short = runners.filter((r) => r.divergedAt === null && r.reached < finish);
    while (short.length > 0 && this.now() < deadline) {
      for (const r of short) r.advance(Math.min(finish, r.reached + chunk), chunk, deadline, this.now);
      short = short.filter((r) => r.divergedAt === null && r.reached < finish);
    }
    const t = network.training;
    return {
      chart: {
        from,
        finish,
        learningRate: t.learningRate,
        batchSize: t.batchSize !== null && t.batchSize < network.data.samples ? t.batchSize : null,
        lines: runners.map((r) => r.line()),
      },
      pending: short.length > 0,
    };
  }

  /** A line from the history's first state: the file's optimizer with its state there, another from zero. */
  private start(kind: OptimizerType, own: boolean): Runner {
    const h = this.history!;
    const network = this.network!;
    const file = new Trainer(network);
    h.stateAt(h.baseStep, file);
    let trainer = file;
    if (!own) {
      const other: Network = { ...network, training: { ...network.training, optimizer: OPTIMIZER_DEFAULTS[kind] } };
      trainer = new Trainer(other, file.params);
      trainer.stepCount = h.baseStep;
    }
    const runner = new Runner(kind, own, trainer, h.baseStep);
    this.runners.set(kind, runner);
    return runner;
  }
}
