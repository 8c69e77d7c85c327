/**
 * Real training against an independent reference: PyTorch's update rules (torch 2.x, torch.optim
 * and torch.optim.lr_scheduler, clip_grad_norm_) written here as PyTorch's own code computes them,
 * one parameter at a time with a state dict per parameter, not derived from src/core/optimizers.ts.
 * Only the data loss's gradient on a batch comes from the engine, on a network whose data is that
 * batch, by the engine under test (backpropagation itself is checked against finite differences
 * in gradients.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  activate, activationSlope, applyUpdate, BatchPlan, finiteDifference, findParameter, History, learningRateAt, loadNetwork, validationLoss, NetworkFileError, type Network, optimizerBuffers, type OptimizerSettings, splitValidation, Trainer,
} from '../../src/core';
import { runCli } from '../../src/cli/commands';
import { SessionCharts } from '../../src/session/charts';
import { TrainingSession } from '../../src/session/training';
import { randomNetwork } from './arbitraries';
import { close, examplePath } from './helpers';
import { after, dosageWith, runToStop } from './session';

type Doc = Record<string, unknown> & { training?: Record<string, unknown> };

// ---- the reference ---------------------------------------------------------------------------

/** The data loss and its gradient over the samples `rows` of the training set, by a plain full-batch trainer on just those rows. */
function batchGradient(network: Network, params: Float64Array, rows: readonly number[], engine: 'js' | 'wasm' = 'js'): { loss: number; g: Float64Array } {
  const nIn = network.inputNames.length;
  const nOut = network.outputNames.length;
  const inputs = Float64Array.from(rows.flatMap((i) => Array.from(network.data.inputs.subarray(i * nIn, (i + 1) * nIn))));
  const targets = Float64Array.from(rows.flatMap((i) => Array.from(network.data.targets.subarray(i * nOut, (i + 1) * nOut))));
  const plain: Network = {
    ...network, data: { samples: rows.length, inputs, targets }, validation: null,
    training: { ...network.training, optimizer: { type: 'sgd' }, batchSize: null, shuffle: false, regularization: { l1: 0, l2: 0 }, schedule: { type: 'constant' }, clip: null },
  };
  const t = new Trainer(plain, params, { engine });
  const loss = t.evaluate();
  return { loss, g: Float64Array.from(t.gradients) };
}

interface ParamState { step: number; momentum_buffer?: number; square_avg: number; grad_avg: number; exp_avg: number; exp_avg_sq: number; max_exp_avg_sq: number }

/** torch.optim.lr_scheduler's closed forms: the rate of the update that takes step t to t + 1. */
function schedulerLr(base: number, schedule: Record<string, number | string> | undefined, t: number): number {
  if (!schedule) return base;
  const { type } = schedule;
  if (type === 'step') return base * (schedule.factor as number) ** Math.floor(t / (schedule.every as number));
  if (type === 'exponential') return base * (schedule.factor as number) ** t;
  const T = schedule.steps as number;
  const min = (schedule.min as number | undefined) ?? 0;
  return t >= T ? min : min + (base - min) * (1 + Math.cos(Math.PI * t / T)) / 2;
}

/**
 * Trains `steps` steps as PyTorch would: per step the batch's gradient, + d(l1 |w| + l2 w^2)/dw
 * on the weights, clip_grad_norm_ over the trainable parameters, then optimizer.step() at the
 * scheduler's rate. Returns the parameters after each step.
 */
function pytorchReference(network: Network, doc: Doc, steps: number, engine: 'js' | 'wasm'): Float64Array[] {
  const settings = (doc.training ?? {}) as Record<string, unknown>;
  const spec: Record<string, unknown> = typeof settings.optimizer === 'object' ? settings.optimizer as Record<string, unknown> : { type: settings.optimizer ?? 'sgd' };
  const lr0 = (settings.learningRate as number | undefined) ?? 0.1;
  const reg = (settings.regularization ?? {}) as { l1?: number; l2?: number };
  const clip = (settings.clip as { norm: number } | undefined)?.norm;
  const trainable = network.training.trainable;
  const n = network.parameterCount;
  const plan = new BatchPlan(network.data.samples, network.training);
  const rows = new Int32Array(network.data.samples);
  const p = Float64Array.from(network.initialParameters);
  const state: ParamState[] = Array.from({ length: n }, () => ({ step: 0, square_avg: 0, grad_avg: 0, exp_avg: 0, exp_avg_sq: 0, max_exp_avg_sq: 0 }));
  const out: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    const count = plan.batchOf(t, rows);
    const { g } = batchGradient(network, p, Array.from(rows.subarray(0, count)), engine);
    for (let i = 0; i < network.weightCount; i++) g[i] += (reg.l1 ?? 0) * Math.sign(p[i]) + 2 * (reg.l2 ?? 0) * p[i];
    if (clip !== undefined) {
      // total_norm = norm of the norms; clip_coef = max_norm / (total_norm + 1e-6), clamped to 1.
      let total = 0;
      for (let i = 0; i < n; i++) if (trainable[i]) total += g[i] ** 2;
      const coef = Math.min(clip / (Math.sqrt(total) + 1e-6), 1);
      for (let i = 0; i < n; i++) if (trainable[i]) g[i] *= coef;
    }
    const lr = schedulerLr(lr0, settings.schedule as Record<string, number | string> | undefined, t);
    for (let i = 0; i < n; i++) {
      if (!trainable[i]) continue;
      p[i] = optimizerStep(spec, state[i], p[i], g[i], lr);
    }
    out.push(Float64Array.from(p));
  }
  return out;
}

/** ATen's lerp kernel: from the start when the weight is below one half, else from the end. */
function atenLerp(self: number, end: number, weight: number): number {
  return Math.abs(weight) < 0.5 ? self + weight * (end - self) : end - (end - self) * (1 - weight);
}

/** One parameter's optimizer.step(), following torch/optim/{sgd,rmsprop,adam,adamw}.py's single-tensor code. */
function optimizerStep(spec: Record<string, unknown>, s: ParamState, param: number, grad: number, lr: number): number {
  const num = (key: string, fallback: number): number => (spec[key] as number | undefined) ?? fallback;
  const flag = (key: string): boolean => spec[key] === true;
  switch (spec.type) {
    case 'sgd': return param - lr * grad;
    case 'momentum': {
      const momentum = num('momentum', 0.9);
      const dampening = num('dampening', 0);
      let buf: number;
      if (s.momentum_buffer === undefined) buf = grad; // torch.clone(grad).detach()
      else buf = s.momentum_buffer * momentum + (1 - dampening) * grad; // buf.mul_(momentum).add_(grad, alpha=1 - dampening)
      s.momentum_buffer = buf;
      const d = flag('nesterov') ? grad + momentum * buf : buf;
      return param - lr * d;
    }
    case 'rmsprop': {
      const alpha = num('alpha', 0.99);
      const eps = num('epsilon', 1e-8);
      const momentum = num('momentum', 0);
      s.square_avg = s.square_avg * alpha + (1 - alpha) * grad * grad; // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
      let avg: number;
      if (flag('centered')) {
        s.grad_avg = atenLerp(s.grad_avg, grad, 1 - alpha); // grad_avg.lerp_(grad, 1 - alpha)
        avg = Math.sqrt(s.square_avg - s.grad_avg * s.grad_avg) + eps; // addcmul(grad_avg, grad_avg, value=-1).sqrt_().add_(eps)
      } else avg = Math.sqrt(s.square_avg) + eps;
      if (momentum > 0) {
        s.momentum_buffer = (s.momentum_buffer ?? 0) * momentum + grad / avg; // buf.mul_(momentum).addcdiv_(grad, avg)
        return param - lr * s.momentum_buffer;
      }
      return param - lr * grad / avg; // param.addcdiv_(grad, avg, value=-lr)
    }
    default: {
      const beta1 = num('beta1', 0.9);
      const beta2 = num('beta2', 0.999);
      const eps = num('epsilon', 1e-8);
      s.step += 1;
      let p = param;
      if (spec.type === 'adamw') p *= 1 - lr * num('weightDecay', 0.01); // param.mul_(1 - lr * weight_decay)
      s.exp_avg = atenLerp(s.exp_avg, grad, 1 - beta1); // exp_avg.lerp_(grad, 1 - beta1)
      s.exp_avg_sq = s.exp_avg_sq * beta2 + (1 - beta2) * grad * grad; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad.conj(), value=1 - beta2)
      const biasCorrection1 = 1 - beta1 ** s.step;
      const biasCorrection2 = 1 - beta2 ** s.step;
      const stepSize = lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
      let denom: number;
      if (flag('amsgrad')) {
        s.max_exp_avg_sq = Math.max(s.max_exp_avg_sq, s.exp_avg_sq); // torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=...)
        denom = Math.sqrt(s.max_exp_avg_sq) / biasCorrection2Sqrt + eps;
      } else denom = Math.sqrt(s.exp_avg_sq) / biasCorrection2Sqrt + eps;
      return p - stepSize * s.exp_avg / denom; // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
  }
}

// ---- random training settings ------------------------------------------------------------------

const optimizerSpec: fc.Arbitrary<Record<string, unknown> | string> = fc.oneof(
  fc.constant('sgd'),
  fc.constantFrom('momentum', 'rmsprop', 'adam', 'adamw'),
  fc.record({ type: fc.constant('momentum'), momentum: fc.double({ min: 0.1, max: 0.95, noNaN: true }), dampening: fc.constantFrom(0, 0.1, 0.5) }),
  fc.record({ type: fc.constant('momentum'), momentum: fc.double({ min: 0.1, max: 0.95, noNaN: true }), nesterov: fc.constant(true) }),
  fc.record({ type: fc.constant('rmsprop'), alpha: fc.double({ min: 0.5, max: 0.99, noNaN: true }), momentum: fc.constantFrom(0, 0.5, 0.9), centered: fc.boolean() }),
  fc.record({ type: fc.constantFrom('adam', 'adamw'), beta1: fc.double({ min: 0.5, max: 0.95, noNaN: true }), beta2: fc.double({ min: 0.9, max: 0.9999, noNaN: true }), amsgrad: fc.boolean() }),
  fc.record({ type: fc.constant('adamw'), weightDecay: fc.double({ min: 0, max: 0.2, noNaN: true }), amsgrad: fc.boolean() }),
);

const trainingSpec = (samples: number): fc.Arbitrary<Record<string, unknown>> => fc.record({
  optimizer: optimizerSpec,
  learningRate: fc.double({ min: 0.001, max: 0.05, noNaN: true }),
  batchSize: fc.integer({ min: 1, max: samples }),
  shuffle: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
  regularization: fc.option(fc.record({ l1: fc.constantFrom(0, 0.01, 0.1), l2: fc.constantFrom(0, 0.01, 0.1) }), { nil: undefined }),
  schedule: fc.option(fc.oneof(
    fc.record({ type: fc.constant('step'), every: fc.integer({ min: 1, max: 50 }), factor: fc.double({ min: 0.3, max: 0.99, noNaN: true }) }),
    fc.record({ type: fc.constant('exponential'), factor: fc.double({ min: 0.98, max: 1, noNaN: true }) }),
    fc.record({ type: fc.constant('cosine'), steps: fc.integer({ min: 1, max: 300 }), min: fc.constantFrom(0, 0.0001) }),
  ), { nil: undefined }),
  clip: fc.option(fc.record({ norm: fc.double({ min: 0.05, max: 2, noNaN: true }) }), { nil: undefined }),
}, { requiredKeys: ['optimizer', 'learningRate', 'batchSize', 'shuffle', 'seed'] });

function within(actual: number, expected: number, relative: number, where: string): void {
  const scale = Math.max(Math.abs(expected), 1e-6);
  assert.ok(Math.abs(actual - expected) <= relative * scale, `${where}: ${actual}, expected ${expected} (relative ${Math.abs(actual - expected) / scale})`);
}

describe('real training: optimizers, batches, regularization, schedules and clipping', () => {
  it("match PyTorch's formulas to 1e-9 per parameter over 200 steps on random networks, on both engines", function () {
    this.timeout(120_000);
    fc.assert(fc.property(randomNetwork.chain((spec) => fc.record({ spec: fc.constant(spec), training: trainingSpec(spec.network.data.samples) })), ({ spec, training }) => {
      const doc: Doc = { ...JSON.parse(spec.text), training };
      const network = loadNetwork(JSON.stringify(doc));
      for (const engine of ['js', 'wasm'] as const) {
        // The batch's gradient from the same engine: the two sum in different orders, and 200
        // steps can grow that last-bit difference past 1e-9 (engine.test.ts compares the engines).
        const reference = pytorchReference(network, doc, 200, engine);
        const t = new Trainer(network, network.initialParameters, { engine });
        for (let s = 0; s < 200; s++) {
          t.step();
          const expected = reference[s];
          // A run that blows up is compared while its numbers still mean something.
          if (!expected.every(Number.isFinite) || expected.some((v) => Math.abs(v) > 1e6)) break;
          for (let i = 0; i < expected.length; i++) within(t.params[i], expected[i], 1e-9, `${engine}, ${JSON.stringify(training)}, step ${s + 1}, ${network.parameters[i].name}`);
        }
      }
    }), { numRuns: 40 });
  });

  it("Adam's first step moves every parameter by the learning rate, whatever its gradient", () => {
    const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
    const doc = JSON.parse(text);
    const network = loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, optimizer: 'adam', learningRate: 0.01 } }));
    const t = new Trainer(network);
    t.evaluate();
    const g = Float64Array.from(t.gradients);
    const before = Float64Array.from(t.params);
    t.step();
    // m-hat = g and v-hat = g^2 after one update, so the step is lr x g / (|g| + eps).
    for (let i = 0; i < g.length; i++) within(before[i] - t.params[i], 0.01 * Math.sign(g[i]) * Math.abs(g[i]) / (Math.abs(g[i]) + 1e-8), 1e-12, network.parameters[i].name);
    assert.ok(Math.max(...g.map(Math.abs)) / Math.min(...g.map(Math.abs)) > 3, `the gradients differ (${Array.from(g, (v) => v.toFixed(3)).join(', ')}), the steps do not`);
  });

  it('keeps the optimizer in the history: going back lands on the numbers training forward gave (Adam with batches)', () => {
    const text = readFileSync(examplePath('dosage-all.nn.json'), 'utf8');
    const doc = JSON.parse(text);
    const network = loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, optimizer: { type: 'adam', amsgrad: true }, batchSize: 2, learningRate: 0.05, maxSteps: 1e9 } }));
    for (const engine of ['js', 'wasm'] as const) {
      const forward = new Trainer(network, network.initialParameters, { engine });
      const states: Float64Array[] = [Float64Array.from(forward.state)];
      for (let s = 0; s < 500; s++) { forward.step(); states.push(Float64Array.from(forward.state)); }
      const t = new Trainer(network, network.initialParameters, { engine });
      const history = new History(t, { checkpointEvery: 16, recent: 8 });
      for (let s = 0; s < 500; s++) { t.step(); history.record(); }
      for (const step of [499, 137, 1, 0, 250, 251, 17]) {
        history.restore(step);
        assert.deepEqual(Array.from(t.state), Array.from(states[step]), `${engine}: state after step ${step}`);
        // And forward again from there: the same next step (same batch, same optimizer state).
        if (step < 500) {
          t.step();
          assert.deepEqual(Array.from(t.state), Array.from(states[step + 1]), `${engine}: step ${step + 1} again`);
        }
      }
      assert.equal(t.layout.buffers.join(), 'm,v,vmax');
    }
  });

  it('names each optimizer\'s buffers as the docs do', () => {
    const o = (s: OptimizerSettings): string => optimizerBuffers(s).join();
    assert.equal(o({ type: 'sgd' }), '');
    assert.equal(o({ type: 'momentum', momentum: 0.9, dampening: 0, nesterov: false }), 'velocity');
    assert.equal(o({ type: 'rmsprop', alpha: 0.99, epsilon: 1e-8, momentum: 0.9, centered: true }), 'square,average,velocity');
    assert.equal(o({ type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false }), 'm,v');
  });
});

describe('batches', () => {
  it('go through every sample once an epoch, the last batch smaller, in file order without shuffle', () => {
    const rows = new Int32Array(10);
    const ordered = new BatchPlan(7, { batchSize: 3, shuffle: false, seed: 0 });
    assert.equal(ordered.batchesPerEpoch, 3);
    const batches = [0, 1, 2, 3].map((t) => Array.from(rows.subarray(0, ordered.batchOf(t, rows))));
    assert.deepEqual(batches, [[0, 1, 2], [3, 4, 5], [6], [0, 1, 2]]);
    assert.deepEqual([0, 2, 3, 5, 6].map((t) => [ordered.epochOf(t), ordered.batchIndexOf(t), ordered.epochAfter(t + 1)]), [[0, 0, 0], [0, 2, 1], [1, 0, 1], [1, 2, 2], [2, 0, 2]]);
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 20 }), (n, size, seed, epoch) => {
      const plan = new BatchPlan(n, { batchSize: Math.min(size, n), shuffle: true, seed });
      const seen: number[] = [];
      const out = new Int32Array(n);
      for (let b = 0; b < plan.batchesPerEpoch; b++) seen.push(...out.subarray(0, plan.batchOf(epoch * plan.batchesPerEpoch + b, out)));
      assert.deepEqual([...seen].sort((a, c) => a - c), Array.from({ length: n }, (_, i) => i), 'a permutation');
      // The same step tells the same batch, from a fresh plan too: no state but the step number.
      const again = new BatchPlan(n, { batchSize: Math.min(size, n), shuffle: true, seed });
      const t = epoch * plan.batchesPerEpoch;
      const a = Array.from(out.subarray(0, again.batchOf(t, out)));
      assert.deepEqual(a, seen.slice(0, a.length));
    }));
    const shuffled = new BatchPlan(20, { batchSize: 20, shuffle: true, seed: 1 });
    assert.notDeepEqual(Array.from(shuffled.permutation(0)), Array.from(shuffled.permutation(1)), 'each epoch has its own order');
    assert.notDeepEqual(Array.from(new BatchPlan(20, { batchSize: 5, shuffle: true, seed: 2 }).permutation(0)), Array.from(new BatchPlan(20, { batchSize: 5, shuffle: true, seed: 3 }).permutation(0)), 'another seed, another order');
  });

  it('train on the batch the step names: its loss is the file loss over those samples (SSR sums, MSE averages)', () => {
    const doc = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    for (const loss of ['ssr', 'mse'] as const) {
      const network = loadNetwork(JSON.stringify({ ...doc, loss, training: { ...doc.training, batchSize: 2, shuffle: false } }));
      for (const engine of ['js', 'wasm'] as const) {
        const t = new Trainer(network, network.initialParameters, { engine });
        const expected = [[0, 1], [2], [0, 1]].map((rows) => batchGradient(network, network.initialParameters, rows).loss);
        assert.equal(t.evaluate(), expected[0]);
        assert.deepEqual(Array.from(t.batch.subarray(0, t.batchCount)), [0, 1]);
        t.stepCount = 1;
        t.invalidate();
        assert.equal(t.evaluate(), expected[1], `${loss}, ${engine}: the batch of one`);
        assert.equal(t.trainingLoss(), batchGradient(network, network.initialParameters, [0, 1, 2]).loss, 'the whole set');
        assert.equal(t.evaluate(), expected[1], 'then back to the batch');
      }
    }
  });
});

describe('the training settings in the file', () => {
  const base = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
  const load = (training: Record<string, unknown>, extra: Record<string, unknown> = {}): Network => loadNetwork(JSON.stringify({ ...base, ...extra, training: { ...base.training, ...training } }, null, 2));
  const rejects = (training: Record<string, unknown>, message: RegExp, at: string, extra: Record<string, unknown> = {}): void => {
    const text = JSON.stringify({ ...base, ...extra, training: { ...base.training, ...training } }, null, 2);
    assert.throws(() => loadNetwork(text), (e: unknown) => {
      assert.ok(e instanceof NetworkFileError);
      assert.match(e.message, message);
      const lines = text.split('\n');
      assert.equal(lines[e.position.line - 1].slice(e.position.column - 1, e.position.column - 1 + at.length), at, `points at ${at}`);
      return true;
    });
  };

  it('fill PyTorch\'s defaults for what they leave out', () => {
    assert.deepEqual(load({ optimizer: 'adam' }).training.optimizer, { type: 'adam', beta1: 0.9, beta2: 0.999, epsilon: 1e-8, amsgrad: false });
    assert.deepEqual(load({ optimizer: { type: 'adamw', beta2: 0.99 } }).training.optimizer, { type: 'adamw', beta1: 0.9, beta2: 0.99, epsilon: 1e-8, amsgrad: false, weightDecay: 0.01 });
    assert.deepEqual(load({ optimizer: { type: 'momentum' } }).training.optimizer, { type: 'momentum', momentum: 0.9, dampening: 0, nesterov: false });
    assert.deepEqual(load({ optimizer: 'rmsprop' }).training.optimizer, { type: 'rmsprop', alpha: 0.99, epsilon: 1e-8, momentum: 0, centered: false });
    const batched = load({ batchSize: 2 }).training;
    assert.equal(batched.shuffle, true, 'shuffled when batches are smaller than the set');
    assert.equal(load({ batchSize: 3 }).training.shuffle, false);
    assert.deepEqual(load({ schedule: { type: 'cosine', steps: 100 } }).training.schedule, { type: 'cosine', steps: 100, min: 0 });
  });

  it('refuse what PyTorch refuses or makes no sense, at its position, saying what would do', () => {
    rejects({ optimizer: 'adma' }, /unknown optimizer "adma" in training\.optimizer: expected one of sgd, momentum, rmsprop, adam, adamw \(did you mean "adam"\?\)/, '"adma"');
    rejects({ optimizer: { type: 'adam', momentum: 0.9 } }, /unknown property "momentum" in training\.optimizer \(adam\)/, '"momentum"');
    rejects({ learningRate: -0.1 }, /training\.learningRate must be a positive number, not -0\.1/, '-0.1');
    rejects({ batchSize: 0 }, /training\.batchSize must be a whole number of at least 1, not 0/, '0');
    rejects({ batchSize: 4 }, /training\.batchSize is 4 but the training set has 3 samples: give 3 or fewer/, '4');
    rejects({ validationShare: 1 }, /training\.validationShare must be between 0 and 1/, '1');
    rejects({ validationShare: 0 }, /training\.validationShare must be between 0 and 1/, '0');
    rejects({ optimizer: { type: 'momentum', nesterov: true, dampening: 0.1 } }, /nesterov needs a momentum above 0 and a dampening of 0/, 'true');
    rejects({ optimizer: { type: 'adam', beta1: 1 } }, /training\.optimizer\.beta1 must be at least 0 and below 1/, '1');
    rejects({ regularization: { l2: -1 } }, /training\.regularization\.l2 must be zero or more/, '-1');
    rejects({ schedule: { type: 'linear' } }, /unknown type "linear" in training\.schedule\.type: expected one of step, exponential, cosine/, '"linear"');
    rejects({ clip: { norm: 0 } }, /training\.clip\.norm must be a positive number/, '0');
    rejects({ validationShare: 0.5 }, /give one or the other/, '0.5', { validation: [{ dosage: 0.5, efficacy: 1 }] });
  });

  it('hold out a validation share after a seeded shuffle: the last floor(share x n), at least one, never trained on', () => {
    const rows = Array.from({ length: 10 }, (_, i) => ({ dosage: i / 10, efficacy: i % 2 }));
    const network = load({ validationShare: 0.25, seed: 7 }, { data: rows });
    assert.equal(network.data.samples, 8);
    assert.equal(network.validation!.samples, 2);
    const held = splitValidation({ samples: 10, inputs: Float64Array.from(rows, (r) => r.dosage), targets: Float64Array.from(rows, (r) => r.efficacy) }, 0.25, 7, 1, 1).held;
    const kept = rows.map((r) => r.dosage).filter((_, i) => !held.includes(i));
    assert.deepEqual(Array.from(network.data.inputs), kept, 'the training set in file order');
    assert.deepEqual(Array.from(network.validation!.inputs), Array.from(held, (i) => rows[i].dosage));
    assert.equal(load({ validationShare: 0.01 }, { data: rows }).validation!.samples, 1, 'at least one');
    assert.notDeepEqual(Array.from(load({ validationShare: 0.3, seed: 1 }, { data: rows }).validation!.inputs), Array.from(load({ validationShare: 0.3, seed: 2 }, { data: rows }).validation!.inputs), 'the seed decides which');
    const own = load({}, { validation: { inputs: [[0.2]], targets: [[1]] } });
    assert.equal(own.validation!.samples, 1);
    assert.equal(own.data.samples, 3);
  });
});

describe('real training in a session and the CLI', () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({ dosage: i / 11, efficacy: Math.sin(i) > 0 ? 1 : 0 }));
  const doc = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
  const network = (training: Record<string, unknown>): Network => loadNetwork(JSON.stringify({ ...doc, data: rows, training: { ...doc.training, maxSteps: 1e6, minStepSize: 0, ...training } }));

  it('reads epoch, batch, batchLoss, loss, valLoss, learningRate and the optimizer\'s buffers in conditions', () => {
    const net = network({ optimizer: 'adam', batchSize: 5, validationShare: 0.25, learningRate: 0.05, schedule: { type: 'step', every: 4, factor: 0.5 } });
    assert.equal(net.data.samples, 9);
    const session = new TrainingSession(net);
    for (let i = 0; i < 7; i++) session.step();
    const t = session.trainer;
    // 9 samples in batches of 5: two batches an epoch, so step 7 was epoch 3's first.
    assert.equal(session.evaluate('epoch'), 3);
    assert.equal(session.evaluate('batch'), 0);
    assert.equal(session.evaluate('learningRate'), 0.05 * 0.5, 'the next update (step 8) is in the second stretch of four');
    const rowsOf = (step: number): number[] => { const out = new Int32Array(9); return Array.from(out.subarray(0, t.batches.batchOf(step, out))); };
    const before = new Trainer(net);
    for (let i = 0; i < 6; i++) before.step();
    // The engines sum in their own orders: the same numbers to the last bits.
    assert.ok(close(session.evaluate('batchLoss'), batchGradient(net, before.params, rowsOf(6)).loss, 1e-12), 'the batch of step 7, before its update');
    assert.ok(close(session.evaluate('loss'), batchGradient(net, t.params, Array.from({ length: 9 }, (_, i) => i)).loss, 1e-12), 'the whole training set, after');
    const held: Network = { ...net, data: net.validation!, validation: null };
    assert.ok(close(session.evaluate('valLoss'), new Trainer(held, t.params, { engine: 'js' }).lossOnly(), 1e-12));
    const w3 = net.parameters.find((p) => p.name === 'w3')!.index;
    assert.equal(session.evaluate('m(w3)'), t.state[net.parameterCount + w3]);
    assert.equal(session.evaluate('v(w3)'), t.state[2 * net.parameterCount + w3]);
    assert.throws(() => session.evaluate('velocity(w3)'), /unknown function 'velocity'/);
    assert.throws(() => session.evaluate('m(3)'), /m\(\) takes a parameter such as m\(w1\)/);
  });

  it('stops on a condition over the validation loss, at the state `backprop train --steps N` ends at', () => {
    const net = network({ optimizer: { type: 'momentum', nesterov: true }, batchSize: 3, validationShare: 0.25, learningRate: 0.1 });
    const session = new TrainingSession(net);
    session.setBreakpoints([{ id: 'over', kind: 'condition', enabled: true, expression: 'valLoss > loss * 1.5 && epoch > 10' }]);
    const stop = runToStop(session);
    assert.equal(stop.reason, 'breakpoint');
    const t = after(net, stop.step);
    assert.deepEqual(Array.from(session.trainer.params), Array.from(t.params));
    const held: Network = { ...net, data: net.validation!, validation: null };
    const val = new Trainer(held, t.params, { engine: 'js' }).lossOnly();
    assert.ok(val > t.trainingLoss() * 1.5 && t.batches.epochAfter(stop.step) > 10, `at step ${stop.step}`);
    const previous = after(net, stop.step - 1);
    const valBefore = new Trainer(held, previous.params, { engine: 'js' }).lossOnly();
    assert.ok(!(valBefore > previous.trainingLoss() * 1.5 && previous.batches.epochAfter(stop.step - 1) > 10), 'it became true at that step');
  });

  it('trains the file with the CLI: --json adds epoch, batchLoss, valLoss; --batches lists every step\'s samples', () => {
    const text = JSON.stringify({ ...doc, data: rows, training: { optimizer: 'adamw', batchSize: 4, validationShare: 0.25, learningRate: 0.02, maxSteps: 10 } });
    const out: string[] = [];
    const code = runCli(['train', 'f.nn.json', '--json', '--batches'], { readFile: () => text, writeFile: () => undefined, stdout: (s) => out.push(s), stderr: (s) => out.push(s) });
    assert.equal(code, 0, out.join(''));
    const r = JSON.parse(out.join(''));
    const net = loadNetwork(text);
    const t = after(net, 10);
    assert.equal(r.steps, 10);
    assert.equal(r.epoch, 3, '9 samples in batches of 4: three batches an epoch');
    assert.equal(r.loss, t.trainingLoss());
    assert.equal(r.batchLoss, t.lastBatchLoss);
    assert.ok(close(r.valLoss, new Trainer({ ...net, data: net.validation!, validation: null }, t.params, { engine: 'js' }).lossOnly(), 1e-12));
    assert.equal(r.batches.length, 10);
    assert.deepEqual(r.batches.slice(0, 3).flat().sort((a: number, b: number) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8], 'the first epoch sees every training sample once');
    assert.deepEqual(r.batches.map((b: number[]) => b.length), [4, 4, 1, 4, 4, 1, 4, 4, 1, 4]);
    assert.deepEqual(Object.values(r.parameters), Array.from(t.params));
  });

  it('explains the next update with its numbers in `backprop explain`', () => {
    const text = JSON.stringify({ ...doc, training: { optimizer: 'adam', learningRate: 0.01, regularization: { l2: 0.1 } } });
    const out: string[] = [];
    assert.equal(runCli(['explain', 'f.nn.json', '--param', 'w3', '--steps', '2'], { readFile: () => text, writeFile: () => undefined, stdout: (s) => out.push(s), stderr: (s) => out.push(s) }), 0);
    const said = out.join('');
    const net = loadNetwork(text);
    const t = after(net, 2);
    const w3 = net.parameters.find((p) => p.name === 'w3')!.index;
    t.evaluate();
    const g = t.gradients[w3];
    assert.match(said, /dSSR\/dw3 = Σ_i dSSR\/dPredicted × dPredicted\/dw3 \+ 2 × 0\.1 × w3/);
    assert.match(said, /^reg\. +-?\d/m);
    assert.match(said, /update \(adam\): {2}m = β1 × m/);
    assert.match(said, new RegExp(`^ {2}t +3$`, 'm'));
    assert.match(said, new RegExp(`^ {2}g +${g.toPrecision(6).replace(/0+$/, '').replace('.', '\\.').replace('-', '\\-')}`, 'm'));
    const next = new Trainer(net);
    for (let i = 0; i < 3; i++) next.step();
    assert.match(said, new RegExp(`-> ${Number(next.params[w3].toPrecision(6))}`.replace('.', '\\.').replace(/-(?=\d)/g, '\\-')));
  });
});

describe('the activations people meet next', () => {
  it('compute PyTorch\'s values and slopes (leaky ReLU, ELU, GELU by tanh, SiLU), the slope checked by finite differences', () => {
    // torch.nn.functional: leaky_relu(-2, 0.01), elu(-1), gelu(1, approximate='tanh'), silu(1).
    assert.equal(activate('leaky-relu', -2), -0.02);
    assert.ok(close(activate('elu', -1), Math.exp(-1) - 1, 1e-15));
    assert.ok(close(activate('gelu', 1), 0.8411919906082768, 1e-15));
    assert.ok(close(activate('silu', 1), 0.7310585786300049, 1e-15));
    for (const kind of ['leaky-relu', 'elu', 'gelu', 'silu'] as const) {
      for (const x of [-3, -0.7, 0.4, 2.5]) {
        const param = kind === 'leaky-relu' ? 0.2 : kind === 'elu' ? 0.5 : 0;
        const h = 1e-6;
        const fd = (activate(kind, x + h, param) - activate(kind, x - h, param)) / (2 * h);
        assert.ok(close(activationSlope(kind, x, activate(kind, x, param), param), fd, 1e-8), `${kind}'(${x})`);
      }
    }
  });

  it('take a layer\'s slope and alpha, train alike in both engines, and refuse them on another activation', () => {
    const doc = (layers: unknown[]): string => JSON.stringify({ inputs: ['x'], outputs: ['y'], layers, data: [{ x: -1, y: 0.5 }, { x: 0.3, y: -0.2 }, { x: 2, y: 1 }], training: { learningRate: 0.05 } });
    const net = loadNetwork(doc([{ units: 3, activation: 'leaky-relu', slope: 0.2 }, { units: 2, activation: 'elu', alpha: 0.5 }, { units: 2, activation: 'gelu' }, { units: 1, activation: 'silu' }]));
    assert.deepEqual(net.layers.map((l) => l.activationParam), [0.2, 0.5, 0, 0]);
    const js = new Trainer(net, net.initialParameters, { engine: 'js' });
    const wasm = new Trainer(net, net.initialParameters, { engine: 'wasm' });
    for (let i = 0; i < 100; i++) { js.step(); wasm.step(); }
    for (let i = 0; i < net.parameterCount; i++) assert.ok(close(js.params[i], wasm.params[i], 1e-10), net.parameters[i].name);
    js.evaluate();
    for (const p of net.parameters) assert.ok(close(js.gradients[p.index], finiteDifference(net, js.params, p.index, 1e-6), 1e-6), p.name);
    assert.throws(() => loadNetwork(doc([{ units: 1, activation: 'relu', slope: 0.1 }])), /layers\[0\]\.slope goes with the "leaky-relu" activation, not "relu"/);
    assert.throws(() => loadNetwork(doc([{ units: 1, activation: 'elu', alpha: 0 }])), /layers\[0\]\.alpha must be a positive number/);
  });
});

describe('input normalization', () => {
  const doc = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
  it('rescales the inputs from the training samples: standard to mean 0 and deviation 1, minmax to [0, 1]; validation alike', () => {
    const standard = loadNetwork(JSON.stringify({ ...doc, normalize: 'standard', validation: [{ dosage: 0.25, efficacy: 1 }] }));
    const sd = Math.sqrt(((0 - 0.5) ** 2 + 0 + (1 - 0.5) ** 2) / 3);
    assert.deepEqual(standard.normalization, { kind: 'standard', offset: [0.5], scale: [sd] });
    assert.deepEqual(Array.from(standard.data.inputs), [-0.5 / sd, 0, 0.5 / sd]);
    assert.deepEqual(Array.from(standard.validation!.inputs), [(0.25 - 0.5) / sd], 'by the training set\'s numbers');
    const minmax = loadNetwork(JSON.stringify({ ...doc, data: [{ dosage: 2, efficacy: 0 }, { dosage: 6, efficacy: 1 }, { dosage: 4, efficacy: 0 }], normalize: 'minmax' }));
    assert.deepEqual(Array.from(minmax.data.inputs), [0, 1, 0.5]);
    assert.equal(loadNetwork(JSON.stringify(doc)).normalization, null);
    assert.throws(() => loadNetwork(JSON.stringify({ ...doc, normalize: 'zscore' })), /unknown normalize "zscore" in normalize: expected one of standard, minmax/);
  });
});

describe('the loss chart of real training', () => {
  it('draws each step\'s batch loss, and the whole training set\'s and the validation set\'s sampled over the history', () => {
    const net = loadNetwork(readFileSync(examplePath('classifier-batches.nn.json'), 'utf8'));
    const session = new TrainingSession(net);
    for (let i = 0; i < 60; i++) session.step();
    const loss = new SessionCharts(session).compute({ panels: ['loss'], parameters: [] }).loss!;
    const sampled = loss.sampled!;
    assert.equal(sampled.batches, true);
    assert.equal(sampled.steps[0], 0);
    assert.equal(sampled.steps[sampled.steps.length - 1], 60);
    for (const [k, step] of sampled.steps.entries()) {
      const t = after(net, step);
      assert.ok(close(sampled.training[k], t.trainingLoss(), 1e-12), `training set at step ${step}`);
      assert.ok(close(sampled.validation![k], validationLoss(net, t.params), 1e-12), `validation at step ${step}`);
    }
    // The batch losses are each step's own batch's, before its update: not the whole set's.
    const t = new Trainer(net);
    t.step();
    assert.equal(loss.losses[0], t.lastBatchLoss);
    assert.notEqual(loss.losses[0], sampled.training[0]);
    // Plain full-batch training draws the one line it always drew.
    const plain = new TrainingSession(loadNetwork(readFileSync(examplePath('dosage-all.nn.json'), 'utf8')));
    plain.step();
    assert.equal(new SessionCharts(plain).compute({ panels: ['loss'], parameters: [] }).loss!.sampled, undefined);
  });
});

describe('the learning rate over steps', () => {
  it('is drawn in the instruments when a schedule changes it, each sampled step at the rate of its update', () => {
    const doc = JSON.parse(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'));
    const net = loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, schedule: { type: 'cosine', steps: 40, min: 0.01 } } }));
    const session = new TrainingSession(net);
    for (let i = 0; i < 50; i++) session.step();
    const series = new SessionCharts(session).compute({ panels: ['instruments'], parameters: [] }).series!;
    assert.deepEqual(series.network.learningRate, series.steps.map((t) => learningRateAt(0.1, { type: 'cosine', steps: 40, min: 0.01 }, t)));
    assert.equal(series.network.learningRate![series.steps.indexOf(50)], 0.01, 'held at min after its steps');
    const plain = new TrainingSession(loadNetwork(JSON.stringify(doc)));
    plain.step();
    assert.equal(new SessionCharts(plain).compute({ panels: ['instruments'], parameters: [] }).series!.network.learningRate, undefined);
  });
});

describe("Adam in the WebAssembly engine", () => {
  it('makes the TypeScript rule\'s numbers bit for bit: pairs of parameters at once, the odd one and the frozen ones alone, AMSGrad and AdamW', () => {
    const doc = JSON.parse(readFileSync(examplePath('classifier.nn.json'), 'utf8'));
    const base = loadNetwork(JSON.stringify(doc));
    const frozen = base.parameters.filter((p) => p.index % 7 !== 3).map((p) => p.name);
    for (const optimizer of [{ type: 'adam' }, { type: 'adam', amsgrad: true }, { type: 'adamw', weightDecay: 0.1 }, { type: 'adam', beta1: 0.3 }]) {
      for (const trainable of [undefined, frozen]) {
        const net = loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, optimizer, learningRate: 0.01, ...(trainable ? { trainable } : {}) } }));
        const t = new Trainer(net, net.initialParameters, { engine: 'wasm' });
        for (let s = 0; s < 25; s++) {
          t.evaluate();
          const state = Float64Array.from(t.state);
          const g = Float64Array.from(t.gradients);
          const largest = applyUpdate(net.training.optimizer, state, g, net.training.trainable, 0.01);
          assert.equal(t.step(), largest, `${JSON.stringify(optimizer)} step ${s + 1}: the largest move`);
          assert.deepEqual(Array.from(t.state), Array.from(state), `${JSON.stringify(optimizer)}${trainable ? ', some frozen' : ''}, step ${s + 1}`);
        }
      }
    }
  });
});

describe('the instruments of an optimizer', () => {
  it("measure the step the optimizer takes, not lr × g: Adam's first update size is lr × √(trainable parameters)", () => {
    const net = loadNetwork(readFileSync(examplePath('dosage-adam.nn.json'), 'utf8'));
    const session = new TrainingSession(net);
    const charts = new SessionCharts(session);
    const series = charts.compute({ panels: ['instruments'], parameters: [] }).series!;
    // Every parameter moves by lr (0.05) on Adam's first step: the norm of the move is 0.05 √7.
    assert.ok(close(series.network.updateSize[0], 0.05 * Math.sqrt(7), 1e-6), `${series.network.updateSize[0]}`);
    const t = new Trainer(net);
    t.evaluate();
    assert.ok(Math.abs(series.network.updateSize[0] - 0.05 * Math.sqrt(t.gradients.reduce((s, g) => s + g * g, 0))) > 0.1, 'not lr × ‖g‖');
    // The pink curve's next point is where Adam's step lands.
    const profile = charts.compute({ panels: ['profile'], parameters: ['w3'] }).profile!;
    t.step();
    assert.equal(profile.next, t.params[findParameter(net, 'w3')!.index]);
  });

  it('put the sharpness beside the limit of the file\'s optimizer: the one a bisection finds on a quadratic, none for Adam', () => {
    // The largest curvature h at which PyTorch's rule, run on f(x) = h x² / 2 from x = 1, still
    // brings x back towards 0: found by bisection over the rule written out here, not the core's.
    const settles = (h: number, lr: number, mu: number, dampening: number, nesterov: boolean): boolean => {
      let x = 1;
      let v = 0;
      for (let t = 0; t < 4000; t++) {
        const g = h * x;
        v = t === 0 ? g : mu * v + (1 - dampening) * g;
        x -= lr * (nesterov ? g + mu * v : v);
        if (!(Math.abs(x) < 1e6)) return false;
      }
      return Math.abs(x) < 1;
    };
    const bisect = (lr: number, mu: number, dampening: number, nesterov: boolean): number => {
      let lo = 0;
      let hi = 1000;
      for (let i = 0; i < 50; i++) { const mid = (lo + hi) / 2; if (settles(mid, lr, mu, dampening, nesterov)) lo = mid; else hi = mid; }
      return lo;
    };
    const cases: [Record<string, unknown> | string, number, number, boolean][] = [
      ['sgd', 0, 0, false],
      [{ type: 'momentum' }, 0.9, 0, false],
      [{ type: 'momentum', momentum: 0.5, dampening: 0.5 }, 0.5, 0.5, false],
      [{ type: 'momentum', momentum: 0.9, nesterov: true }, 0.9, 0, true],
    ];
    for (const [optimizer, mu, dampening, nesterov] of cases) {
      const series = new SessionCharts(new TrainingSession(dosageWith({ optimizer }))).compute({ panels: ['instruments'], parameters: [] }).series!;
      assert.ok(close(series.stabilityLimit!, bisect(0.1, mu, dampening, nesterov), 1e-3), `${JSON.stringify(optimizer)}: ${series.stabilityLimit} (${series.stabilityRule})`);
    }
    const adam = new SessionCharts(new TrainingSession(dosageWith({ optimizer: 'adam' }))).compute({ panels: ['instruments'], parameters: [] }).series!;
    assert.equal(adam.stabilityLimit, null);
    assert.match(adam.stabilityRule, /^none: Adam rescales each parameter's step/);
  });
});
