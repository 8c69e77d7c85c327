/**
 * The built-in conditions: each fires on a network built to trigger it, and not on one built not
 * to (run to the end of its steps, or to convergence).
 */
import { parseSavedBreakpoints } from '../../src/session/breakpointSchemas';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatNumber, loadNetwork, Trainer } from '../../src/core';
import { parseBreakpointText, typedBreakpoint } from '../../src/session/breakpointText';
import { BUILTIN_KINDS, BUILTINS, type BuiltinKind, type BuiltinSetting, defaultBuiltins } from '../../src/session/breakpointTypes';
import { explainBuiltin, LOG_LINES_KEPT } from '../../src/session/breakpoints';
import { type Stop, TrainingSession } from '../../src/session/training';
import { examplePath } from './helpers';
import { runToStop } from './session';

type Doc = Record<string, unknown> & { training: Record<string, unknown> };
const example = (name: string, training: Record<string, unknown> = {}): Doc => {
  const doc = JSON.parse(readFileSync(examplePath(name), 'utf8')) as Doc;
  return { ...doc, training: { ...doc.training, ...training } };
};
const dosage = (training: Record<string, unknown> = {}): Doc => example('dosage-all.nn.json', training);
/** x -> relu -> identity, every target `target`: a negative one drives the ReLU unit's output to 0 everywhere. */
const relu = (target: number, learningRate: number): Doc => ({
  inputs: ['x'], outputs: ['y'],
  layers: [{ units: 1, activation: 'relu', weights: [[1]], biases: [0.1] }, { units: 1, activation: 'identity', weights: [[1]], biases: [0] }],
  data: [{ x: 0, y: target }, { x: 0.5, y: target }, { x: 1, y: target }],
  training: { learningRate, maxSteps: 2000 },
});
/** One sigmoid unit: a target of 1 with a big learning rate pushes it flat. */
const sigmoid = (target: number, learningRate: number): Doc => ({
  inputs: ['x'], outputs: ['y'],
  layers: [{ units: 1, activation: 'sigmoid', weights: [[1]], biases: [0] }],
  data: [{ x: 1, y: target }, { x: 2, y: target }],
  training: { learningRate, maxSteps: 5000, minStepSize: 0 },
});

/** classifier-batches (Adam on batches of 10, 40% held out) with another L2. */
const batches = (l2?: number): Doc => {
  const doc = example('classifier-batches.nn.json');
  return l2 === undefined ? doc : { ...doc, training: { ...(doc.training as object), regularization: { l2 } } };
};
/** The dosage network validated on its own samples: the validation loss falls as the training loss does. */
const selfValidated = (): Doc => {
  const doc = dosage({ maxSteps: 600 });
  return { ...doc, validation: doc.data };
};

/** Continue on `doc` with only the built-in `kind` on (thresholds from `setting`), to its stop. */
function continueWith(doc: Doc, kind: BuiltinKind, setting: Partial<BuiltinSetting> = {}): Stop {
  const session = new TrainingSession(loadNetwork(JSON.stringify(doc)));
  const builtins = defaultBuiltins();
  builtins[kind] = { ...builtins[kind], enabled: true, ...setting };
  session.setBreakpoints([], builtins);
  return runToStop(session);
}

interface Case {
  kind: BuiltinKind;
  setting?: Partial<BuiltinSetting>;
  fires: { doc: Doc; step: number; says: RegExp };
  quiet: Doc;
}

const CASES: Case[] = [
  // A learning rate of 5 sends the dosage network's loss to Infinity, and then NaN.
  { kind: 'nan', fires: { doc: dosage({ learningRate: 5 }), step: 106, says: /the loss \(Infinity\) is not a finite number/ }, quiet: dosage() },
  { kind: 'lossUp', fires: { doc: dosage({ learningRate: 0.5 }), step: 1, says: /the loss went up \(11\.11 -> 86\.8\)/ }, quiet: dosage({ learningRate: 0.01, maxSteps: 3000 }) },
  // Nothing trainable: the loss stays 11.11.
  { kind: 'plateau', setting: { threshold: 50 }, fires: { doc: dosage({ trainable: [], minStepSize: 0, maxSteps: 1000 }), step: 50, says: /not gone below 11\.11 for 50 steps/ }, quiet: dosage({ learningRate: 0.01, maxSteps: 500 }) },
  // Without L2 the classifier learns its wrong labels by heart: the two losses part ways; with L2 0.1 they do not.
  { kind: 'overfit', fires: { doc: batches(0), step: 855, says: /the validation loss rose while the training loss fell for 10 steps \(validation 54\.6\d, training 0\.038/ }, quiet: batches() },
  { kind: 'overtraining', fires: { doc: batches(0), step: 21, says: /the validation loss has not gone below 6\.993 for 5 epochs/ }, quiet: selfValidated() },
  { kind: 'deadRelu', fires: { doc: relu(-10, 0.5), step: 1, says: /unit 1 of layer 1 \(ReLU\) is dead/ }, quiet: relu(3, 0.05) },
  { kind: 'saturated', setting: { threshold: 1e-3 }, fires: { doc: sigmoid(1, 50), step: 1, says: /1 sigmoid or tanh unit is saturated \(slope below 0\.001/ }, quiet: sigmoid(0.5, 1) },
  // Near the optimum every gradient fades.
  { kind: 'vanishing', setting: { threshold: 1e-4 }, fires: { doc: dosage({ minStepSize: 0, maxSteps: 20000 }), step: 726, says: /layer 1's gradients vanish \(mean \|gradient\| 9\.768e-5\)/ }, quiet: dosage({ maxSteps: 300 }) },
  { kind: 'exploding', fires: { doc: dosage({ learningRate: 5 }), step: 2, says: /layer 2's gradients explode \(mean \|gradient\| 3225\)/ }, quiet: dosage() },
  { kind: 'updateRatio', fires: { doc: dosage({ learningRate: 1 }), step: 1, says: /layer 1's weights moved by 4\.729 of their size in one step/ }, quiet: example('xor.nn.json') },
  { kind: 'stalled', setting: { threshold: 1e-7, threshold2: 20 }, fires: { doc: dosage({ minStepSize: 0, maxSteps: 20000 }), step: 1378, says: /w2 has moved by less than 1e-7 per step for 20 steps/ }, quiet: dosage({ maxSteps: 300 }) },
];

describe('built-in conditions', () => {
  for (const c of CASES) {
    it(`${BUILTINS[c.kind].title}: breaks when ${explainBuiltin(c.kind, { ...defaultBuiltins()[c.kind], ...c.setting })}`, () => {
      const stop = continueWith(c.fires.doc, c.kind, c.setting);
      assert.deepEqual([stop.reason, stop.step, stop.hits[0]?.id], ['breakpoint', c.fires.step, c.kind], stop.text);
      assert.match(stop.text, c.fires.says);
      const quiet = continueWith(c.quiet, c.kind, c.setting);
      assert.notEqual(quiet.reason, 'breakpoint', quiet.text);
      assert.ok(quiet.step > 0);
    });
  }

  it('Update too large or too small: also breaks when a layer\'s weights barely move', () => {
    // dosage-b3 trains b3 alone: the weights do not move at all.
    const stop = continueWith(example('dosage-b3.nn.json'), 'updateRatio');
    assert.deepEqual([stop.reason, stop.step], ['breakpoint', 1]);
    assert.match(stop.text, /layer 1's weights barely move \(by 0 of their size in one step\)/);
  });

  it('Converged is on by default (the file\'s minStepSize stops Continue); switched off, training runs to maxSteps', () => {
    assert.equal(defaultBuiltins().converged.enabled, true);
    assert.deepEqual(BUILTIN_KINDS.filter((k) => BUILTINS[k].onByDefault), ['converged']);
    const on = runToStop(new TrainingSession(loadNetwork(JSON.stringify(dosage()))));
    assert.deepEqual([on.reason, on.step], ['converged', 642]);
    const session = new TrainingSession(loadNetwork(JSON.stringify(dosage({ maxSteps: 1000 }))));
    session.setBreakpoints([], { ...defaultBuiltins(), converged: { enabled: false } });
    assert.deepEqual([runToStop(session).reason, session.trainer.stepCount], ['max-steps', 1000]);
  });

  it('fires on a crossing, not again while the condition holds: Continue after a hit goes on', () => {
    // dosage-b3's weights never move: "barely move" holds from step 1 to the end.
    const session = new TrainingSession(loadNetwork(JSON.stringify(example('dosage-b3.nn.json'))));
    session.setBreakpoints([], { ...defaultBuiltins(), updateRatio: { enabled: true } });
    assert.equal(runToStop(session).step, 1);
    const next = runToStop(session);
    assert.equal(next.reason, 'converged', next.text);
    assert.ok(next.step > 10);
  });
});

describe('a breakpoint as a person types it', () => {
  it('reads each kind, and types each back as it was written', () => {
    const cases: [string, object][] = [
      ['175', { kind: 'step', step: 175 }], ['step 175', { kind: 'step', step: 175 }], ['every 50', { kind: 'every', every: 50 }],
      ['watch w3', { kind: 'watch', parameter: 'w3', watch: 'sign' }], ['watch w3 crosses 0.5', { kind: 'watch', parameter: 'w3', watch: 'cross', value: 0.5 }],
      ['loss < 0.7', { kind: 'condition', expression: 'loss < 0.7' }], ['while loss < 0.7', { kind: 'condition', expression: 'loss < 0.7', whileTrue: true }],
    ];
    for (const [text, spec] of cases) {
      const parsed = parseBreakpointText(text, 'b');
      assert.deepEqual(parsed, { id: 'b', enabled: true, ...spec }, text);
      assert.deepEqual(parseBreakpointText(typedBreakpoint(parsed), 'b'), parsed, `${text} typed back`);
    }
  });
});

describe('breakpoints kept in the workspace', () => {
  it('keep their breakpoints and built-ins when a later version adds built-in conditions (those take their defaults)', () => {
    const before = Object.fromEntries(Object.entries(defaultBuiltins()).filter(([k]) => k !== 'overfit' && k !== 'overtraining'));
    before.plateau = { enabled: true, threshold: 50 };
    const specs = [{ id: 'a', kind: 'step', enabled: true, step: 175 }];
    const saved = parseSavedBreakpoints({ specs, builtins: before })!;
    assert.deepEqual(saved.specs, specs);
    assert.deepEqual(saved.builtins.plateau, { enabled: true, threshold: 50 });
    assert.deepEqual(saved.builtins.overfit, defaultBuiltins().overfit);
    assert.equal(parseSavedBreakpoints({ specs: 'nonsense', builtins: before }), undefined, 'what is not breakpoints is not taken');
    assert.equal(parseSavedBreakpoints({ specs, builtins: { ...before, bogus: { enabled: true } } }), undefined);
  });
});

describe('logpoints', () => {
  const session = (training: Record<string, unknown> = {}): TrainingSession => new TrainingSession(loadNetwork(JSON.stringify(dosage(training))));

  it('write their message where they would break, with each {part} evaluated there, and training goes on', () => {
    const s = session({ maxSteps: 300, minStepSize: 0 });
    s.setBreakpoints([{ id: 'log', enabled: true, kind: 'every', every: 100, logMessage: '{step}: loss {loss} {{x}} w1 {w1 * 2}' }], defaultBuiltins());
    const stop = runToStop(s);
    assert.equal(stop.reason, 'max-steps', 'a logpoint never stops');
    const taken = s.breakpoints.takeLogs()!;
    assert.equal(taken.dropped, 0);
    assert.deepEqual(taken.lines.map((l) => [l.id, l.step]), [['log', 100], ['log', 200], ['log', 300]]);
    s.goTo(200);
    assert.equal(taken.lines[1].text, `200: loss ${formatNumber(s.trainer.evaluate())} {x} w1 ${formatNumber(2 * s.trainer.params[0])}`);
    assert.equal(s.breakpoints.takeLogs(), null, 'taken once');
  });

  it('honour conditions and hit conditions, and stay out of Reverse Continue (which replays steps already logged)', () => {
    const s = session({ maxSteps: 400, minStepSize: 0 });
    s.setBreakpoints([
      { id: 'log', enabled: true, kind: 'condition', expression: 'step > 150', whileTrue: true, hitCondition: '% 100', logMessage: 'at {step}' },
      { id: 'stop', enabled: true, kind: 'step', step: 390 },
    ], defaultBuiltins());
    assert.equal(runToStop(s).step, 390);
    assert.deepEqual(s.breakpoints.takeLogs()!.lines.map((l) => l.text), ['at 250', 'at 350']);
    // Back from 390: no logpoint stops the search, and nothing is logged again.
    const back = s.reverseContinue();
    assert.equal(back.step, 0);
    assert.equal(s.breakpoints.takeLogs(), null);
  });

  it('keep the first LOG_LINES_KEPT lines between two takes and count the rest', () => {
    const s = session({ maxSteps: LOG_LINES_KEPT + 25, minStepSize: 0 });
    s.setBreakpoints([{ id: 'log', enabled: true, kind: 'every', every: 1, logMessage: '{step}' }], defaultBuiltins());
    runToStop(s);
    const taken = s.breakpoints.takeLogs()!;
    assert.equal(taken.lines.length, LOG_LINES_KEPT);
    assert.equal(taken.dropped, 25);
    assert.equal(taken.lines[LOG_LINES_KEPT - 1].text, String(LOG_LINES_KEPT));
  });

  it('report a malformed message where it is: an unclosed brace, an empty part, an unknown name at its column', () => {
    const s = session();
    const statuses = s.setBreakpoints(['loss {loss', 'loss {}', 'x {lossx}', 'a } b'].map((logMessage, i) => ({ id: `l${i}`, enabled: true, kind: 'every' as const, every: 1, logMessage })), defaultBuiltins());
    assert.deepEqual(statuses.map((x) => x.verified), [false, false, false, false]);
    assert.match(statuses[0].message!, /^log message, column 6: a '\{' that is never closed/);
    assert.match(statuses[1].message!, /^log message, column 6: an empty \{\}/);
    assert.match(statuses[2].message!, /^log message, column 4: unknown name 'lossx'/);
    assert.match(statuses[3].message!, /^log message, column 3: a '\}' with no '\{'/);
  });
});

describe('phase breakpoints (a layer\'s line, the loss line)', () => {
  const session = (training: Record<string, unknown> = {}): TrainingSession => new TrainingSession(loadNetwork(JSON.stringify(dosage(training))));
  const spec = (text: string, id = text) => parseBreakpointText(text, id.replace(/\W+/g, '-'));

  it('stop Continue inside the step where it reaches the phase, with the state Step Into shows there', () => {
    const s = session();
    s.setBreakpoints([spec('at backward 1'), spec('at forward 2')], defaultBuiltins());
    const first = runToStop(s);
    assert.equal(first.reason, 'breakpoint');
    assert.deepEqual([first.step, first.phase], [0, { kind: 'forward', layer: 2 }]);
    assert.match(first.text, /^Paused at step 0, in the forward pass, layer 2: breakpoint `at forward 2` hit$/);
    // Continue: on to the next phase breakpoint of the same step, then the next step's.
    const second = runToStop(s);
    assert.deepEqual([second.step, second.phase], [0, { kind: 'backward', layer: 1 }]);
    const third = runToStop(s);
    assert.deepEqual([third.step, third.phase], [1, { kind: 'forward', layer: 2 }]);
    // The parameters are the step's before its update: those of one step of training.
    const t = new Trainer(loadNetwork(JSON.stringify(dosage())));
    t.step();
    assert.deepEqual(Array.from(s.trainer.params), Array.from(t.params));
    // Step Out finishes the step: two steps' numbers.
    s.stepOut();
    t.step();
    assert.deepEqual(Array.from(s.trainer.params), Array.from(t.params));
  });

  it('take a condition on what the phase has computed, and say why one names what it has not', () => {
    const s = session({ maxSteps: 400 });
    const statuses = s.setBreakpoints([spec('at loss if loss < 1'), spec('at forward 1 if loss < 1'), spec('at forward 2 if norm(dW1) > 0'), spec('at backward 3'), spec('at forward 1 if max(Y2[1]) > 0')], defaultBuiltins());
    assert.deepEqual(statuses.map((x) => x.verified), [true, false, false, false, false]);
    assert.equal(statuses[1].message, 'at forward 1 the loss is not computed yet: it is, from the loss phase on (at loss)');
    assert.equal(statuses[2].message, 'at forward 2 dW1 is not computed yet: the backward pass reaches layer 1 later (at backward 1)');
    assert.equal(statuses[3].message, "this network's step has no backward 3 (it has 2 layers)");
    assert.equal(statuses[4].message, 'at forward 1 Y2[1] is not computed yet: the forward pass reaches layer 2 later (at forward 2)');
    const stop = runToStop(s);
    assert.equal(stop.phase?.kind, 'loss');
    // The first step whose loss (at its parameters before the update) is under 1.
    const t = new Trainer(loadNetwork(JSON.stringify(dosage())));
    while (t.evaluate() >= 1) t.step();
    assert.equal(stop.step, t.stepCount);
  });

  it('are typed as they read, and stay out of Reverse Continue', () => {
    for (const text of ['at forward 2', 'at backward 1 if norm(dW1) < 1e-6', 'at loss', 'at update if step > 3']) assert.equal(typedBreakpoint(parseBreakpointText(text, 'x')), text);
    assert.deepEqual(parseBreakpointText('at forward layer 2', 'x'), { id: 'x', enabled: true, kind: 'phase', phase: { kind: 'forward', layer: 2 } });
    const s = session({ maxSteps: 50, minStepSize: 0 });
    s.setBreakpoints([spec('at loss'), spec('every 40')], defaultBuiltins());
    assert.equal(runToStop(s).phase?.kind, 'loss');
    s.stepOut();
    s.setBreakpoints([spec('every 40')], defaultBuiltins());
    assert.equal(runToStop(s).step, 40);
    s.setBreakpoints([spec('at loss')], defaultBuiltins());
    // Back from 40: no phase breakpoint stops the search (it runs at step boundaries).
    assert.equal(s.reverseContinue().step, 0);
  });
});
