/**
 * Compare optimizers (src/session/race.ts): every line is what a trainer of that optimizer, from
 * the same parameters, steps, batches and settings, computes; the file's own line is the run's;
 * a time budget decides how far a call gets, never what a line holds.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { loadNetwork, type Network, Trainer } from '../../src/core';
import type { CompareChart } from '../../src/session/chartTypes';
import { SessionCharts } from '../../src/session/charts';
import { RACE_MIN_STEPS, RACE_POINTS } from '../../src/session/race';
import { TrainingSession } from '../../src/session/training';
import { examplePath } from './helpers';
import { dosageWith, fakeClock, runToStop } from './session';

/** An example file with its training settings changed, loaded from text (not from the race's own copy). */
function exampleWith(name: string, training: Record<string, unknown>): Network {
  const doc = JSON.parse(readFileSync(examplePath(name), 'utf8'));
  return loadNetwork(JSON.stringify({ ...doc, training: { ...doc.training, ...training } }));
}

function race(session: TrainingSession, optimizers: Parameters<SessionCharts['compute']>[0]['optimizers'], charts = new SessionCharts(session)): CompareChart {
  const data = charts.compute({ panels: ['compare'], parameters: [], optimizers });
  assert.equal(data.pending, false);
  return data.compare!;
}

/** The whole training set's loss after each of `steps` (a set) steps of a trainer of `network`. */
function lossesAt(network: Network, steps: readonly number[]): number[] {
  const t = new Trainer(network);
  return steps.map((s) => {
    while (t.stepCount < s) t.step();
    return t.trainingLoss();
  });
}

describe('Compare optimizers (the race)', () => {
  it("runs the file's optimizer and the ones picked from the same start: SGD's line is the run's, Adam's and momentum's are theirs", () => {
    const network = dosageWith({});
    const chart = race(new TrainingSession(network), ['adam', 'momentum']);
    assert.deepEqual(chart.lines.map((l) => [l.optimizer, l.own]), [['sgd', true], ['adam', false], ['momentum', false]]);
    assert.equal(chart.from, 0);
    assert.equal(chart.finish, RACE_MIN_STEPS);
    assert.equal(chart.batchSize, null);
    for (const line of chart.lines) {
      assert.equal(line.steps[0], 0);
      assert.equal(line.steps[line.steps.length - 1], RACE_MIN_STEPS);
      const reference = line.optimizer === 'sgd' ? network : dosageWith({ optimizer: line.optimizer });
      assert.deepEqual(line.losses, lossesAt(reference, line.steps), line.optimizer);
    }
    // Every line starts at the file's loss: StatQuest's dosage network, all seven parameters.
    assert.equal(new Set(chart.lines.map((l) => l.losses[0])).size, 1);
    // Adam's first step is lr whatever the gradient: its line leaves SGD's at once.
    assert.notEqual(chart.lines[1].losses[1], chart.lines[0].losses[1]);
  });

  it('shares the batches: on the classifier (batches of 10, shuffled, L2, a validation share) each line is its own trainer on the same batches', () => {
    const network = loadNetwork(readFileSync(examplePath('classifier-batches.nn.json'), 'utf8'));
    const chart = race(new TrainingSession(network), ['sgd', 'rmsprop']);
    assert.equal(chart.batchSize, 10);
    assert.deepEqual(chart.lines.map((l) => l.optimizer), ['adam', 'sgd', 'rmsprop']);
    for (const line of chart.lines) {
      const reference = exampleWith('classifier-batches.nn.json', { optimizer: line.optimizer });
      // The file says Adam with its own settings; the others take PyTorch's defaults, as loaded from text.
      assert.deepEqual(line.losses, lossesAt(line.own ? network : reference, line.steps), line.optimizer);
    }
  });

  it("goes as far as the run has gone, from where its history starts, with the file's optimizer state there", () => {
    const network = exampleWith('classifier-batches.nn.json', { maxSteps: 700 });
    const session = new TrainingSession(network);
    const charts = new SessionCharts(session);
    assert.equal(race(session, ['sgd'], charts).finish, RACE_MIN_STEPS);
    const stop = runToStop(session);
    assert.equal(stop.step, 700);
    const chart = race(session, ['sgd'], charts);
    assert.equal(chart.finish, 700, 'the run went further than the least');
    const own = chart.lines[0];
    assert.ok(own.steps.length <= RACE_POINTS + 1);
    // The run's own line is the run: its loss where the run is now.
    assert.equal(own.losses[own.losses.length - 1], session.trainer.trainingLoss());
    // A value set by hand starts a new history (from step 700): the race starts there, Adam's state and all.
    session.setParameter(0, 0.5);
    const moved = race(session, ['sgd'], charts);
    assert.equal(moved.from, 700);
    assert.equal(moved.finish, 700, 'never past the step limit');
    assert.deepEqual(moved.lines.map((l) => l.losses), [[session.trainer.trainingLoss()], [session.trainer.trainingLoss()]]);
  });

  it('keeps at most RACE_POINTS losses a line, every stride steps, the stride doubling', () => {
    const network = dosageWith({ maxSteps: 5000, minStepSize: 0 });
    const session = new TrainingSession(network);
    runToStop(session);
    const chart = race(session, ['adam']);
    for (const line of chart.lines) {
      assert.ok(line.steps.length <= RACE_POINTS + 1, `${line.steps.length} points`);
      const stride = line.steps[1] - line.steps[0];
      assert.ok(stride >= 5000 / RACE_POINTS && (stride & (stride - 1)) === 0, `stride ${stride}`);
      for (let i = 1; i < line.steps.length - 1; i++) assert.equal(line.steps[i] - line.steps[i - 1], stride);
      assert.deepEqual(line.losses, lossesAt(line.own ? network : dosageWith({ maxSteps: 5000, minStepSize: 0, optimizer: 'adam' }), line.steps));
    }
  });

  it('a time budget decides how far a call gets, never what the lines hold', () => {
    const network = dosageWith({ maxSteps: 3000, minStepSize: 0 });
    const session = new TrainingSession(network);
    runToStop(session);
    const whole = race(session, ['adam', 'rmsprop']);
    const sliced = new SessionCharts(session, fakeClock(1));
    let data = sliced.compute({ panels: ['compare'], parameters: [], optimizers: ['adam', 'rmsprop'] }, 4);
    assert.equal(data.pending, true, 'a few milliseconds do not reach step 3000');
    // Round by round: every line is as far as the others, within a round.
    const reached = data.compare!.lines.map((l) => l.steps[l.steps.length - 1]);
    assert.ok(Math.max(...reached) - Math.min(...reached) <= 256, `reached ${reached.join(', ')}`);
    let calls = 1;
    while (data.pending) { data = sliced.compute({ panels: ['compare'], parameters: [], optimizers: ['adam', 'rmsprop'] }, 4); calls++; }
    assert.ok(calls > 2);
    assert.deepEqual(data.compare, whole);
  });

  it('ends a line where its loss stops being a number, and says where', () => {
    // A learning rate SGD cannot take on the dosage network; Adam's steps stay the size of lr.
    const network = dosageWith({ learningRate: 5 });
    const chart = race(new TrainingSession(network), ['adam']);
    const sgd = chart.lines[0];
    assert.notEqual(sgd.divergedAt, null);
    assert.ok(sgd.steps[sgd.steps.length - 1] <= sgd.divergedAt!);
    assert.equal(chart.lines[1].divergedAt, null);
    assert.equal(chart.lines[1].steps[chart.lines[1].steps.length - 1], RACE_MIN_STEPS);
  });

  it("races four lines at most, the file's first, each once", () => {
    const chart = race(new TrainingSession(dosageWith({ optimizer: 'adam' })), ['adam', 'sgd', 'sgd', 'momentum', 'rmsprop', 'adamw']);
    assert.deepEqual(chart.lines.map((l) => l.optimizer), ['adam', 'sgd', 'momentum', 'rmsprop']);
    assert.deepEqual(race(new TrainingSession(dosageWith({})), []).lines.map((l) => l.optimizer), ['sgd'], 'nothing picked: the file alone');
  });
});
