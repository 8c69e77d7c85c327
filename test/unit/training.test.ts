/** The training session: Continue, Step, Step Into and Out, Step Back, Reverse Continue, Go to Step, edits. */
import assert from 'node:assert/strict';
import { loadNetwork, Trainer, writeParameters } from '../../src/core';
import { type BreakpointSpec, defaultBuiltins } from '../../src/session/breakpointTypes';
import { nextPhase, type Phase } from '../../src/session/stepper';
import { TrainingSession } from '../../src/session/training';
import { readFileSync } from 'node:fs';
import { examplePath, loadExample } from './helpers';
import { after, dosageWith, fakeClock, runToStop } from './session';

const dosage = loadExample('dosage-all.nn.json');

describe('training session', () => {
  it('Continue stops where Trainer.run stops, with the same reason and parameters', () => {
    for (const name of ['dosage-b3.nn.json', 'dosage-all.nn.json', 'xor.nn.json']) {
      const network = loadExample(name);
      const reference = new Trainer(network);
      const expected = reference.run();
      const session = new TrainingSession(network);
      const stop = runToStop(session);
      assert.equal(stop.reason, expected.stopReason, name);
      assert.equal(session.stopReason, expected.stopReason, name);
      assert.equal(session.trainer.stepCount, expected.steps, name);
      assert.deepEqual(session.trainer.params, reference.params, name);
      assert.match(stop.text, new RegExp(`^Stopped at step ${expected.steps}: `));
      // At the step limit Continue takes no step; Step still does.
      if (stop.reason === 'max-steps') {
        assert.equal(session.startContinue()?.reason, 'max-steps');
        assert.equal(session.trainer.stepCount, expected.steps);
      }
    }
  });

  it('ends a slice when its time is spent, and picks up where it left off', () => {
    const network = dosageWith({ maxSteps: 1e9, minStepSize: 0 });
    const session = new TrainingSession(network);
    assert.equal(session.startContinue(), null);
    assert.equal(session.advance(10, fakeClock(1)), null);
    const first = session.trainer.stepCount;
    assert.ok(first > 0);
    assert.equal(session.advance(10, fakeClock(1)), null);
    assert.ok(session.trainer.stepCount > first);
    assert.deepEqual(session.trainer.params, after(network, session.trainer.stepCount).params);
  });

  it('steps back exactly, and resets to the file\'s parameters', () => {
    const session = new TrainingSession(dosage);
    for (let i = 0; i < 300; i++) session.step();
    session.stepBack();
    assert.equal(session.trainer.stepCount, 299);
    assert.deepEqual(session.trainer.params, after(dosage, 299).params);
    assert.equal(session.status().loss, after(dosage, 299).loss);
    assert.equal(session.reset().text, "Reset to step 0: the file's parameters");
    assert.deepEqual(session.trainer.params, dosage.initialParameters);
    session.stepBack();
    assert.equal(session.trainer.stepCount, 0);
  });

  it('says diverged, never converged, when the learning rate blows the loss up', () => {
    const stop = runToStop(new TrainingSession(dosageWith({ learningRate: 50, maxSteps: 10000 })));
    assert.equal(stop.reason, 'diverged');
    assert.match(stop.text, /diverged/);
  });

  it('Step Into walks one step through its phases: forward layer by layer, the loss, backward from the output, the update', () => {
    const session = new TrainingSession(dosage);
    const phases: (Phase | null)[] = [];
    do phases.push(session.stepInto().phase); while (session.phase !== null);
    assert.deepEqual(phases, [
      { kind: 'forward', layer: 1 }, { kind: 'forward', layer: 2 }, { kind: 'loss' },
      { kind: 'backward', layer: 2 }, { kind: 'backward', layer: 1 }, { kind: 'update' }, null,
    ]);
    assert.equal(session.trainer.stepCount, 1, 'the update is applied when Step Into leaves it');
    assert.deepEqual(session.trainer.params, after(dosage, 1).params);
    assert.equal(nextPhase(dosage, { kind: 'update' }), null);
  });

  it('Step Out finishes the step Step Into is in; Step Over inside a step goes to the next phase', () => {
    const session = new TrainingSession(dosage);
    session.stepInto();
    assert.deepEqual(session.step().phase, { kind: 'forward', layer: 2 });
    const out = session.stepOut();
    assert.equal(out.phase, null);
    assert.equal(out.step, 1);
    assert.deepEqual(session.trainer.params, after(dosage, 1).params);
    assert.match(session.stepInto().text, /^Paused at step 1, in the forward pass, layer 1$/);
    // Step Back inside a step returns to its start.
    assert.equal(session.stepBack().step, 1);
    assert.equal(session.phase, null);
  });

  it('Go to Step reaches any step of the history exactly, and trains on to one past it', () => {
    const network = dosageWith({ maxSteps: 1e9, minStepSize: 0 });
    const session = new TrainingSession(network);
    for (let i = 0; i < 2000; i++) session.step();
    for (const step of [0, 1, 137, 1024, 1999, 2000]) {
      assert.equal(session.goTo(step).text, `Went to step ${step}`);
      assert.deepEqual(session.trainer.params, after(network, step).params, `step ${step}`);
    }
    session.goTo(2500);
    assert.deepEqual(session.trainer.params, after(network, 2500).params);
  });

  it('an edit of only the training settings trains on from the step it is at, with the new ones', () => {
    const session = new TrainingSession(dosage);
    for (let i = 0; i < 10; i++) session.step();
    const faster = dosageWith({ learningRate: 0.2 });
    session.retrain(faster);
    session.step();
    const reference = after(dosage, 10);
    reference.retrain(faster);
    reference.step();
    assert.deepEqual(session.trainer.params, reference.params);
    assert.equal(session.trainer.stepCount, 11);
    assert.equal(session.history.baseStep, 10, 'Step Back reaches back to the edit');
    // Reset still means the file's parameters at step 0, trained with the new settings from there.
    session.reset();
    assert.equal(session.trainer.stepCount, 0);
    assert.deepEqual(Array.from(session.trainer.params), Array.from(faster.initialParameters));
    session.step();
    const fresh = new Trainer(faster);
    fresh.step();
    assert.deepEqual(session.trainer.params, fresh.params);
  });

  it('Go to Step far ahead runs in slices that Pause stops where they got, with no cap on how far', () => {
    const network = dosageWith({ maxSteps: 1e12, minStepSize: 0 });
    const session = new TrainingSession(network);
    assert.equal(session.startGoTo(3_000_000), null, 'under way, not done at once');
    assert.equal(session.advance(5, fakeClock(1)), null);
    const got = session.activity!;
    assert.equal(got.kind, 'goto');
    assert.equal(got.label, 'Going to step 3,000,000');
    assert.ok(got.fraction! > 0 && got.fraction! < 1, `fraction ${got.fraction}`);
    const paused = session.pause();
    const at = session.trainer.stepCount;
    assert.ok(at > 0 && at < 3_000_000);
    assert.equal(paused.reason, 'pause');
    assert.match(paused.text, new RegExp(`^Paused at step ${at} \\(going to step 3,000,000 stopped at \\d+%\\)$`));
    assert.equal(session.activity, null);
    assert.deepEqual(session.trainer.params, after(network, at).params, 'where it stopped is a real state of the run');
    // Worked to its end (as the CLI does), it gets there, past any old cap.
    assert.equal(session.goTo(1_500_000).step, 1_500_000);
  });

  it('Pause during a replay (Step Back, Go to Step back, Reverse Continue) puts back the state it started from', () => {
    const network = dosageWith({ maxSteps: 1e9, minStepSize: 0 });
    // No ring of recent steps and a wide checkpoint interval: going back one step replays many.
    const session = new TrainingSession(network, { checkpointEvery: 4096, recent: 0 });
    // A breakpoint long past, so Reverse Continue has most of the history to search.
    session.setBreakpoints([{ id: 'early', enabled: true, kind: 'step', step: 5 }]);
    for (let i = 0; i < 4000; i++) session.step();
    const at4000 = Float64Array.from(session.trainer.params);
    for (const start of [() => session.startStepBack(1), () => session.startGoTo(3999), () => session.startReverseContinue()]) {
      assert.equal(start(), null);
      assert.equal(session.advance(1, fakeClock(1)), null, 'one slice is not enough');
      assert.ok(session.activity!.fraction! < 1);
      const paused = session.pause();
      assert.match(paused.text, /^Paused at step 4000 \((going back to step 3,999|going to step 3,999|searching back for a breakpoint) stopped; nothing changed\)$/);
      assert.equal(session.trainer.stepCount, 4000);
      assert.deepEqual(session.trainer.params, at4000);
    }
    // Left to finish, Step Back gets there exactly.
    assert.equal(session.startStepBack(1), null);
    let stop = null;
    while (!stop) stop = session.advance(1, fakeClock(1));
    assert.equal(stop.step, 3999);
    assert.deepEqual(session.trainer.params, after(network, 3999).params);
  });

  it('Reset goes to the parameters the file holds now, after Write Parameters put the trained ones there', () => {
    const session = new TrainingSession(dosage);
    for (let i = 0; i < 5; i++) session.step();
    const written = loadNetwork(writeParameters(readFileSync(examplePath('dosage-all.nn.json'), 'utf8'), session.trainer.params));
    session.rename(written);
    assert.equal(session.trainer.stepCount, 5, 'writing keeps the step');
    session.reset();
    assert.equal(session.trainer.stepCount, 0);
    assert.deepEqual(Array.from(session.trainer.params), Array.from(written.initialParameters));
  });

  it('Set Value is a what-if: the loss and gradients follow at once, and Reset goes back to the file', () => {
    const session = new TrainingSession(dosage);
    for (let i = 0; i < 3; i++) session.step();
    const b3 = dosage.parameters.findIndex((p) => p.name === 'b3');
    const stop = session.setParameter(b3, 2.61);
    assert.equal(stop.text, 'Set b3 = 2.61 at step 3: the loss and gradients are at the new value');
    const reference = after(dosage, 3);
    reference.params[b3] = 2.61;
    reference.invalidate();
    assert.equal(session.trainer.evaluate(), reference.evaluate());
    assert.deepEqual(session.trainer.gradients, reference.gradients);
    assert.equal(session.evaluate('b3 - 0.1 * db3'), 2.61 - 0.1 * reference.gradients[b3]);
    assert.throws(() => session.setParameter(b3, Number.NaN), /finite/);
    session.reset();
    assert.equal(session.trainer.stepCount, 0);
    assert.deepEqual(Array.from(session.trainer.params), Array.from(dosage.initialParameters));
  });
});

describe('breakpoints in the run', () => {
  const slow = dosageWith({ maxSteps: 1e9, minStepSize: 0 });
  const bp = (spec: Partial<BreakpointSpec> & Pick<BreakpointSpec, 'kind'>, id = 'b'): BreakpointSpec => ({ id, enabled: true, ...spec } as BreakpointSpec);

  it('breaking at 175 shows the state after 175 steps: the numbers of train --steps 175', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'step', step: 175 })]);
    const stop = runToStop(session);
    assert.equal(stop.reason, 'breakpoint');
    assert.equal(stop.step, 175);
    assert.equal(stop.text, 'Paused at step 175: breakpoint `step 175` hit');
    const reference = after(slow, 175);
    assert.deepEqual(session.trainer.params, reference.params);
    assert.equal(session.trainer.evaluate(), reference.loss);
    assert.deepEqual(session.trainer.gradients, reference.gradients);
  });

  it('breaks every N steps, and Continue goes on to the next', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'every', every: 50 })]);
    assert.deepEqual([runToStop(session).step, runToStop(session).step, runToStop(session).step], [50, 100, 150]);
  });

  it('breaks when a condition becomes true, not again while it stays true', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'condition', expression: 'loss < 0.5' })]);
    const stop = runToStop(session);
    const before = after(slow, stop.step - 1);
    assert.ok(session.trainer.evaluate() < 0.5 && before.loss >= 0.5, 'the first state where it holds');
    session.setBreakpoints([bp({ kind: 'condition', expression: 'loss < 0.5' }), bp({ kind: 'step', step: stop.step + 100 }, 'limit')]);
    assert.equal(runToStop(session).step, stop.step + 100, 'still true: it does not break again');
  });

  it('says when a condition already holds, and "while" breaks at every step it holds', () => {
    const session = new TrainingSession(slow);
    const loss0 = session.trainer.evaluate();
    // True at the start: "becomes true" does not stop until it has stopped holding; the status says so.
    session.setBreakpoints([bp({ kind: 'condition', expression: `loss <= ${loss0}` }, 'now'), bp({ kind: 'condition', expression: 'loss > 1e9' }, 'never')]);
    assert.deepEqual(session.breakpointStatus().map((s) => [s.id, s.trueNow]), [['now', true], ['never', false]]);
    session.setBreakpoints([bp({ kind: 'condition', expression: `loss <= ${loss0}`, whileTrue: true }, 'while'), bp({ kind: 'step', step: 4 }, 'end')]);
    const stops = [runToStop(session), runToStop(session), runToStop(session)].map((s) => [s.step, s.hits.map((h) => h.id).join(',')]);
    assert.deepEqual(stops, [[1, 'while'], [2, 'while'], [3, 'while']]);
    assert.equal(runToStop(session).text, 'Paused at step 4: breakpoint `while loss <= ' + loss0 + '` hit; breakpoint `step 4` hit');
  });

  it('breaks on a sign change, a crossing and a move of a watched parameter', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'watch', parameter: 'b3', watch: 'cross', value: 0.5 })]);
    const crossed = runToStop(session);
    const i = slow.parameters.find((p) => p.name === 'b3')!.index;
    assert.ok(after(slow, crossed.step - 1).params[i] < 0.5 && session.trainer.params[i] >= 0.5);
    assert.match(crossed.text, /b3 crosses 0\.5 \(/);
    const s2 = new TrainingSession(slow);
    s2.setBreakpoints([bp({ kind: 'watch', parameter: 'w1', watch: 'move', value: 0.05 })]);
    const moved = runToStop(s2);
    const w1 = slow.parameters.find((p) => p.name === 'w1')!.index;
    assert.ok(Math.abs(s2.trainer.params[w1] - after(slow, moved.step - 1).params[w1]) > 0.05);
  });

  it('counts hits, and a hit condition picks which break', () => {
    for (const [hitCondition, steps] of [['3', [30]], ['>= 3', [30, 40]], ['% 2', [20, 40]]] as const) {
      const session = new TrainingSession(slow);
      session.setBreakpoints([bp({ kind: 'every', every: 10, hitCondition })]);
      const got = steps.map(() => runToStop(session).step);
      assert.deepEqual(got, [...steps], hitCondition);
      assert.equal(session.breakpoints.status()[0].hits, got[got.length - 1] / 10);
    }
    const bad = new TrainingSession(slow).setBreakpoints([bp({ kind: 'every', every: 10, hitCondition: 'often' })]);
    assert.equal(bad[0].verified, false);
    assert.match(bad[0].message!, /hit condition 'often'/);
  });

  it('reports a malformed condition as unverified, with its column, and never breaks on it', () => {
    const session = new TrainingSession(slow);
    const [status] = session.setBreakpoints([bp({ kind: 'condition', expression: 'loss < 0.0.1' })]);
    assert.deepEqual([status.verified, status.column], [false, 8]);
    assert.equal(session.breakpoints.active, false);
  });

  it('leaves disabled breakpoints out', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([{ ...bp({ kind: 'step', step: 5 }), enabled: false }, bp({ kind: 'step', step: 9 }, 'on')]);
    assert.equal(runToStop(session).step, 9);
  });

  it('Continue started inside a step checks that step: a step breakpoint, a condition, a watch and a built-in', () => {
    const i = slow.parameters.find((p) => p.name === 'b3')!.index;
    const loss175 = after(slow, 175).loss;
    const b3at175 = after(slow, 175).params[i];
    const cases: [string, BreakpointSpec[], Record<string, unknown>?][] = [
      ['step 175', [bp({ kind: 'step', step: 175 })]],
      ['a condition that becomes true on that step', [bp({ kind: 'condition', expression: `loss <= ${loss175}` })]],
      ['a watch crossed on that step', [bp({ kind: 'watch', parameter: 'b3', watch: 'cross', value: b3at175 })]],
      ['every 25 steps', [bp({ kind: 'every', every: 25 })]],
    ];
    for (const [what, specs] of cases) {
      const session = new TrainingSession(slow);
      session.setBreakpoints(specs);
      session.goTo(174);
      session.stepInto();
      session.stepInto();
      const stop = runToStop(session);
      assert.deepEqual([stop.reason, stop.step], ['breakpoint', 175], what);
      assert.deepEqual(session.trainer.params, after(slow, 175).params, what);
    }
    // A built-in condition: the loss went up, on the step finished from inside.
    const steep = dosageWith({ learningRate: 0.3, maxSteps: 1e9, minStepSize: 0 });
    const probe = new Trainer(steep);
    let up = 0;
    for (let prev = probe.evaluate(); up === 0 && probe.stepCount < 10_000;) { probe.step(); const now = probe.evaluate(); if (now > prev) up = probe.stepCount; prev = now; }
    assert.ok(up >= 1, 'the loss goes up somewhere at this learning rate');
    const session = new TrainingSession(steep);
    session.setBreakpoints([], { ...defaultBuiltins(), lossUp: { enabled: true, threshold: 0 } });
    session.goTo(up - 1);
    session.stepInto();
    const stop = runToStop(session);
    assert.deepEqual([stop.reason, stop.step], ['breakpoint', up]);
  });

  it('Step lands on a breakpoint and says so; the hit is counted as Continue would', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'step', step: 3 })]);
    session.step();
    session.step();
    const stop = session.step();
    assert.equal(stop.text, 'Paused at step 3: breakpoint `step 3` hit');
    assert.equal(session.breakpoints.status()[0].hits, 1);
  });

  it('steps back and forward to identical numbers', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'step', step: 300 })]);
    runToStop(session);
    const at300 = Float64Array.from(session.trainer.params);
    for (let i = 0; i < 40; i++) session.stepBack();
    for (let i = 0; i < 40; i++) session.step();
    assert.deepEqual(session.trainer.params, at300);
  });

  it('Reverse Continue goes back to the last step where a breakpoint would have stopped', () => {
    const session = new TrainingSession(slow);
    session.setBreakpoints([bp({ kind: 'every', every: 70 }), bp({ kind: 'step', step: 1000 }, 'end')]);
    for (let i = 0; i < 1000; i++) session.step();
    const back = session.reverseContinue();
    assert.deepEqual([back.reason, back.step], ['breakpoint', 980]);
    assert.deepEqual(session.trainer.params, after(slow, 980).params);
    assert.equal(session.reverseContinue().step, 910);
    // A condition: the latest step before here where it became true.
    const s2 = new TrainingSession(slow);
    s2.setBreakpoints([bp({ kind: 'condition', expression: 'loss < 0.5' })]);
    const forward = runToStop(s2).step;
    for (let i = 0; i < 500; i++) s2.step();
    assert.equal(s2.reverseContinue().step, forward);
    const none = s2.reverseContinue();
    assert.deepEqual([none.reason, none.step], ['reverse', 0]);
    assert.match(none.text, /^Back at step 0: no breakpoint would have stopped before step \d+$/);
  });
});
