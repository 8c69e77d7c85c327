/**
 * The debug adapter through its DAP messages alone (@vscode/debugadapter-testsupport's DebugClient),
 * over the real training worker: launch, function breakpoints with the numbers of `backprop train
 * --steps`, exception filters, step back and reverse continue, Set Value, evaluate, data and line
 * breakpoints, and a malformed condition reported with its column.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findParameter, formatNumber, loadNetwork, Trainer, validationLoss } from '../../src/core';
import { NetworkDebugSession, type NetworkSource } from '../../src/debug/session';
import { explainView } from '../../src/session/frame';
import { RunRegistry } from '../../src/run/registry';
import type { Run } from '../../src/run/run';
import { TrainingWorker } from '../../src/training/client';
import { defaultBuiltins } from '../../src/session/breakpointTypes';
import { examplePath, ROOT } from './helpers';

const scratch = mkdtempSync(path.join(tmpdir(), 'backprop-dap-'));
function file(name: string, text: string): string {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return p;
}
const example = (name: string): string => readFileSync(examplePath(name), 'utf8');
/** The parameters after exactly `steps` steps, as `backprop train --steps` computes them. */
function trained(text: string, steps: number): number[] {
  const t = new Trainer(loadNetwork(text));
  for (let i = 0; i < steps; i++) t.step();
  return Array.from(t.params);
}
const fmt = (v: number): string => String(Number(v.toPrecision(6)));

describe('the debug adapter (DAP)', function () {
  this.timeout(30_000);
  let worker: TrainingWorker;
  let registry: RunRegistry;
  let server: net.Server;
  let dc: DebugClient;
  /** The runs the adapter opened, to drive them as the network editor would. */
  const runs = new Map<string, Run>();

  beforeEach(async () => {
    worker = new TrainingWorker(path.join(ROOT, 'out', 'src', 'training', 'worker.js'));
    registry = new RunRegistry(worker, () => ({ load: () => undefined, save: () => undefined }));
    const source: NetworkSource = {
      open: async (program) => {
        const text = readFileSync(program, 'utf8');
        const attachment = registry.attach(`file://${program}`, program);
        const { run } = attachment;
        await run.setText(text);
        runs.set(program, run);
        // The file as it is now: an edit on disk is what the adapter reads next.
        return { run, text: () => readFileSync(program, 'utf8'), release: () => attachment.dispose() };
      },
    };
    server = net.createServer((socket) => {
      const session = new NetworkDebugSession(source);
      session.setRunAsServer(true);
      session.start(socket, socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    dc = new DebugClient('node', 'unused', 'backprop');
    dc.defaultTimeout = 20_000;
    await dc.start((server.address() as net.AddressInfo).port);
  });
  afterEach(async () => {
    await dc.stop();
    server.close();
    runs.clear();
    await worker.dispose();
  });

  /** Launches `program` with breakpoints set before configurationDone, and waits for the first stop. */
  async function launch(program: string, setup: () => Promise<unknown> = async () => undefined, stopOnEntry = true): Promise<DebugProtocol.StoppedEvent> {
    const stopped = dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>;
    await Promise.all([dc.waitForEvent('initialized').then(async () => { await setup(); await dc.configurationDoneRequest(); }), dc.launch({ program, stopOnEntry })]);
    return stopped;
  }
  /** Launches `program` for a client that declares `client` capabilities (progress, invalidated events); its capabilities and the entry stop. */
  async function launchAs(program: string, client: Partial<DebugProtocol.InitializeRequestArguments>): Promise<DebugProtocol.Capabilities> {
    const caps = await dc.initializeRequest({ adapterID: 'backprop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', ...client });
    const entry = dc.waitForEvent('stopped');
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launchRequest({ program } as DebugProtocol.LaunchRequestArguments)]);
    await entry;
    return caps.body ?? {};
  }
  async function variables(scope: string): Promise<DebugProtocol.Variable[]> {
    const frames = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: frames.body.stackFrames[0].id });
    const ref = scopes.body.scopes.find((s) => s.name === scope)!.variablesReference;
    return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  }
  async function value(name: string): Promise<string> {
    return (await dc.evaluateRequest({ expression: name, context: 'watch' })).body.result;
  }
  /** Runs a request that moves training and resolves with the stop it comes to. */
  async function stopAfter(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
    const [stopped] = await Promise.all([dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, request()]);
    return stopped;
  }

  it('launches on a network file and stops at entry: one thread, the step as its frame, the training in Variables', async () => {
    const program = file('entry.nn.json', example('dosage-b3.nn.json'));
    const stopped = await launch(program);
    assert.equal(stopped.body.reason, 'entry');
    assert.deepEqual((await dc.threadsRequest()).body.threads.map((t) => t.name), ['training']);
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => [f.name, f.source?.path]), [['step 0', program]]);
    const training = Object.fromEntries((await variables('Training')).map((v) => [v.name, v.value]));
    assert.equal(training.step, '0');
    assert.match(training.loss, /^20\.42/, "StatQuest's SSR 20.4 at b3 = 0");
    const params = Object.fromEntries((await variables('Parameters')).map((v) => [v.name, v]));
    assert.equal(params.b3.value, '0');
    assert.match(params.b3.type!, /dSSR\/db3 = -15\.655/);
    // Expanded: the gradient, StatQuest's next value, and the chain rule sample by sample.
    const child = async (ref: number): Promise<DebugProtocol.Variable[]> => (await dc.variablesRequest({ variablesReference: ref })).body.variables;
    const b3 = await child(params.b3.variablesReference);
    assert.deepEqual(b3.map((v) => [v.name, v.value]).slice(0, 2), [['dSSR/db3', '-15.6551'], ['next value', '1.56551']]);
    const chain = await child(b3.find((v) => v.name === 'chain rule')!.variablesReference);
    assert.match(chain.find((v) => v.name === 'finite difference')!.value, /^-15\.655/);
    const terms = chain.filter((v) => v.name.startsWith('i = '));
    assert.equal(terms.length, 3);
    const reference = explainView(loadNetwork(example('dosage-b3.nn.json')), new Trainer(loadNetwork(example('dosage-b3.nn.json'))), 'b3')!;
    assert.deepEqual(terms.map((t) => t.value), reference.terms.map((t) => fmt(t.value)));
    const factors = await child(terms[1].variablesReference);
    assert.deepEqual(factors.map((f) => [f.name, f.value]), [...reference.terms[1].factors.map((f) => [f.label, fmt(f.value)]), ['product', fmt(reference.terms[1].value)]]);
  });

  it('shows real training: the Optimizer scope, epoch, batch, batch and validation loss, and the optimizer\'s next value', async () => {
    const doc = JSON.parse(example('dosage-adam.nn.json'));
    const rows = Array.from({ length: 8 }, (_, i) => ({ dosage: i / 7, efficacy: i % 3 === 1 ? 1 : 0 }));
    const text = JSON.stringify({ ...doc, data: rows, training: { ...doc.training, batchSize: 2, validationShare: 0.25 } });
    const program = file('adam.nn.json', text);
    await launch(program);
    for (let i = 0; i < 4; i++) await stopAfter(() => dc.nextRequest({ threadId: 1 }));
    const net = loadNetwork(text);
    const t = new Trainer(net);
    for (let i = 0; i < 4; i++) t.step();
    const training = Object.fromEntries((await variables('Training')).map((v) => [v.name, v.value]));
    // Six training samples in batches of 2: three steps an epoch, so step 4 was epoch 2's first.
    assert.equal(training.training, 'Adam (learning rate 0.05), batches of 2 shuffled (seed 0)');
    assert.deepEqual([training.step, training.epoch, training.batch], ['4', '1', '0']);
    assert.equal(training['batch loss'], fmt(t.lastBatchLoss));
    assert.equal(training['validation loss'], fmt(validationLoss(net, t.params)));
    const optimizer = Object.fromEntries((await variables('Optimizer')).map((v) => [v.name, v.value]));
    const w3 = findParameter(net, 'w3')!.index;
    const n = net.parameterCount;
    assert.equal(optimizer.w3, `m ${fmt(t.state[n + w3])}, v ${fmt(t.state[2 * n + w3])}`);
    assert.equal(optimizer.rule, training.training);
    assert.equal(await value('m(w3)'), fmt(t.state[n + w3]));
    const params = Object.fromEntries((await variables('Parameters')).map((v) => [v.name, v]));
    const children = (await dc.variablesRequest({ variablesReference: params.w3.variablesReference })).body.variables;
    const next = children.find((v) => v.name === 'next value')!;
    t.step();
    assert.equal(next.value, fmt(t.params[w3]), "Adam's next value, not lr × g away");
    assert.match(next.type!, /^m = β1 × m/);
  });

  it('a function breakpoint `175` stops Continue at step 175 with the parameters of `train --steps 175`', async () => {
    const text = example('dosage-all.nn.json');
    const program = file('fb.nn.json', text);
    let verdict: DebugProtocol.Breakpoint[] = [];
    await launch(program, async () => { verdict = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: '175' }] })).body.breakpoints; });
    assert.equal(verdict[0].verified, true);
    const stopped = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'function breakpoint');
    assert.deepEqual(stopped.body.hitBreakpointIds, [verdict[0].id]);
    assert.equal(stopped.body.description, 'Paused at step 175: breakpoint `step 175` hit');
    const expected = trained(text, 175);
    const params = await variables('Parameters');
    assert.deepEqual(params.map((v) => v.value), expected.map(fmt));
    assert.equal(Number(await value('w3')), Number(fmt(expected[2])));

    // Step Back, and Reverse Continue back to where a breakpoint would have stopped.
    await stopAfter(() => dc.stepBackRequest({ threadId: 1 }));
    assert.equal(await value('step'), '174');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'every 50' }] });
    const back = await stopAfter(() => dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal(await value('step'), '150');
    assert.equal(back.body.reason, 'function breakpoint');
    assert.deepEqual((await variables('Parameters')).map((v) => v.value), trained(text, 150).map(fmt));
  });

  it('a function breakpoint with a condition and a hit count, and a malformed one unverified with its column', async () => {
    const program = file('cond.nn.json', example('dosage-all.nn.json'));
    let verdict: DebugProtocol.Breakpoint[] = [];
    await launch(program, async () => {
      verdict = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'every 10', condition: 'loss < 5', hitCondition: '2' }, { name: 'abs(dw1 > 10' }, { name: 'dw9 > 1' }] })).body.breakpoints;
    });
    assert.deepEqual(verdict.map((b) => b.verified), [true, false, false]);
    assert.match(verdict[1].message!, /column 13: expected ',' or '\)'/);
    assert.match(verdict[2].message!, /did you mean dw\d\?/);
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const t = new Trainer(loadNetwork(example('dosage-all.nn.json')));
    let hits = 0;
    let step = 0;
    while (hits < 2) { t.step(); step++; if (step % 10 === 0 && t.evaluate() < 5) hits++; }
    assert.equal(await value('step'), String(step));
  });

  it('keeps hit counts when VS Code sends the breakpoints again, and another file\'s breakpoints leave this file\'s alone', async () => {
    const text = example('dosage-b3.nn.json');
    const program = file('again.nn.json', text.replace('"maxSteps": 1000, "minStepSize": 0.0001', '"maxSteps": 1000, "minStepSize": 0'));
    const every = { name: 'every 10', hitCondition: '>= 2' };
    await launch(program, () => dc.setFunctionBreakpointsRequest({ breakpoints: [every] }));
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await value('step'), '20');
    const again = await dc.setFunctionBreakpointsRequest({ breakpoints: [every, { name: '500' }] });
    assert.deepEqual(again.body.breakpoints.map((b) => b.verified), [true, true]);
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(await value('step'), '30', 'the third hit of every 10, not a first one');
    // A line breakpoint here, then VS Code sends another file's: this file's still stops.
    const line = text.split('\n').findIndex((l) => l.includes('"weights": [[-1.22, -2.30]]')) + 1;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line }] });
    const other = await dc.setBreakpointsRequest({ source: { path: file('other.json', '{}') }, breakpoints: [{ line: 1 }] });
    assert.equal(other.body.breakpoints[0].verified, false);
    const stopped = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.equal(await value('step'), '31');
  });

  it('an exception filter stops on NaN or Infinity (a learning rate far too large)', async () => {
    const doc = JSON.parse(example('dosage-all.nn.json'));
    doc.training = { ...doc.training, learningRate: 1000 };
    const program = file('nan.nn.json', JSON.stringify(doc));
    await launch(program, () => dc.setExceptionBreakpointsRequest({ filters: ['nan'] }));
    const stopped = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'exception');
    assert.match(stopped.body.description!, /NaN|Infinity|finite/);
    // The exception widget: which condition, the first value that stopped being finite and where.
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.equal(info.body.exceptionId, 'NaN or Infinity');
    assert.equal(info.body.breakMode, 'always');
    // b3 reached 1.5e155 at step 41: every value the step computed is a number until the squares of the residuals.
    assert.equal(info.body.description, 'the loss (Infinity) is not a finite number (step 41)');
    assert.match(info.body.details!.message!, /^NaN or Infinity: /);
    const bad = await dc.setExceptionBreakpointsRequest({ filters: [], filterOptions: [{ filterId: 'vanishing', condition: 'tiny' }] });
    assert.equal(bad.body?.breakpoints?.[0].verified, false);
  });

  it('Set Value is a what-if: the loss and gradients follow at once, the file does not change', async () => {
    const text = example('dosage-b3.nn.json');
    const program = file('set.nn.json', text);
    await launch(program);
    const frames = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = await dc.scopesRequest({ frameId: frames.body.stackFrames[0].id });
    const ref = scopes.body.scopes.find((s) => s.name === 'Parameters')!.variablesReference;
    const [set] = await Promise.all([dc.setVariableRequest({ variablesReference: ref, name: 'b3', value: '2.61' }), dc.waitForEvent('stopped')]);
    assert.equal(set.body.value, '2.61');
    assert.equal(await value('b3'), '2.61');
    // At StatQuest's optimum the slope is about 0.
    assert.ok(Math.abs(Number(await value('db3'))) < 0.05, await value('db3'));
    assert.equal(readFileSync(program, 'utf8'), text);
    // References belong to one stop: Set Value stopped the run again, so VS Code asks anew.
    assert.deepEqual((await dc.variablesRequest({ variablesReference: ref })).body.variables, []);
    const again = (await dc.scopesRequest({ frameId: (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id })).body.scopes.find((s) => s.name === 'Parameters')!.variablesReference;
    await assert.rejects(dc.setVariableRequest({ variablesReference: again, name: 'b3', value: 'lots' }), /not a number/);
  });

  it('Set Value from the Watch view (setExpression) refreshes the views with an invalidated event, not a stop', async () => {
    const program = file('setexpr.nn.json', example('dosage-b3.nn.json'));
    assert.equal((await launchAs(program, { supportsInvalidatedEvent: true })).supportsSetExpression, true);
    const stops: DebugProtocol.Event[] = [];
    dc.on('stopped', (e) => stops.push(e));
    // DebugClient has no helper for it: the request as DAP writes it.
    const setExpression = (args: DebugProtocol.SetExpressionArguments): Promise<DebugProtocol.SetExpressionResponse> => dc.send('setExpression', args) as Promise<DebugProtocol.SetExpressionResponse>;
    const [set, invalidated] = await Promise.all([setExpression({ expression: 'b3', value: '2.61' }), dc.waitForEvent('invalidated') as Promise<DebugProtocol.InvalidatedEvent>]);
    assert.equal(set.body.value, '2.61');
    assert.deepEqual(invalidated.body.areas, ['variables', 'stacks']);
    assert.equal(await value('b3'), '2.61');
    assert.ok(Math.abs(Number(await value('db3'))) < 0.05);
    assert.deepEqual(stops, [], 'no stop: the run is where it was');
    await assert.rejects(setExpression({ expression: 'loss', value: '1' }), /only a weight or bias can be set, not 'loss'/);
    await assert.rejects(setExpression({ expression: 'b3', value: 'lots' }), /not a number/);
  });

  it('completes the condition language in the Debug Console: names by prefix with the word they replace, parameters after explain', async () => {
    const program = file('complete.nn.json', example('dosage-adam.nn.json'));
    await launch(program);
    const labels = async (text: string, column = text.length + 1) => (await dc.completionsRequest({ text, column })).body.targets;
    const gradients = await labels('abs(dw');
    assert.deepEqual(gradients.map((t) => t.label), ['dw1', 'dw2', 'dw3', 'dw4']);
    assert.deepEqual(gradients.map((t) => [t.start, t.length]), [[5, 2], [5, 2], [5, 2], [5, 2]]);
    assert.equal(gradients[2].detail, 'dLoss/dw3');
    const explain = await labels('explain b');
    assert.deepEqual(explain.map((t) => t.label), ['b1', 'b2', 'b3']);
    const fresh = (await labels('')).map((t) => t.label);
    for (const name of ['explain', 'loss', 'valLoss', 'norm', 'sharpness', 'W1', 'dB2', 'm', 'v', 'w1', 'db3']) assert.ok(fresh.includes(name), name);
    // In the middle of a line: the word the cursor ends, not the line's end.
    const middle = (await dc.completionsRequest({ text: 'los + w3', column: 4 })).body.targets;
    assert.deepEqual(middle.map((t) => [t.label, t.start, t.length]), [['loss', 1, 3]]);
    assert.equal((await labels('norm(W')).find((t) => t.label === 'W2')!.type, 'variable');
  });

  it('evaluates the condition language for Watch, and explains a derivative in the Debug Console', async () => {
    const program = file('eval.nn.json', example('dosage-b3.nn.json'));
    await launch(program);
    assert.equal(await value('b3 - 0.1*db3'), fmt(0 - 0.1 * -15.655108380577747));
    assert.ok(Number(await value('norm(dW2)')) > 0);
    await assert.rejects(dc.evaluateRequest({ expression: 'norm(dW9)', context: 'watch' }), /unknown name/);
    const output = new Promise<string>((resolve) => {
      dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.output.includes('dSSR/dw3 =')) resolve(e.body.output); });
    });
    const answer = await dc.evaluateRequest({ expression: 'explain w3', context: 'repl' });
    assert.match(answer.body.result, /^dSSR\/dw3 = -16\.1088/);
    assert.match(await output, /finite difference -16\.1088/);
  });

  it('a data breakpoint on a parameter stops when it changes sign', async () => {
    const text = example('dosage-all.nn.json');
    const program = file('data.nn.json', text);
    await launch(program);
    const params = await variables('Parameters');
    const frames = await dc.stackTraceRequest({ threadId: 1 });
    const ref = (await dc.scopesRequest({ frameId: frames.body.stackFrames[0].id })).body.scopes.find((s) => s.name === 'Parameters')!.variablesReference;
    const info = await dc.dataBreakpointInfoRequest({ variablesReference: ref, name: 'b2' });
    assert.equal(info.body.dataId, 'b2');
    assert.ok(params.some((p) => p.name === 'b2'));
    const set = await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: 'b2', condition: 'sign' }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const stopped = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'data breakpoint');
    // The step where b2 first changes sign, as a Trainer finds it.
    const t = new Trainer(loadNetwork(text));
    let before = t.params[5];
    let step = 0;
    for (;;) { t.step(); step++; const now = t.params[5]; if (Math.sign(now) !== Math.sign(before)) break; before = now; }
    assert.equal(await value('step'), String(step));
  });

  it('a line breakpoint in the JSON watches the weights and biases written on its line', async () => {
    const text = example('dosage-b3.nn.json');
    const program = file('line.nn.json', text);
    await launch(program);
    const lines = text.split('\n');
    const weightsLine = lines.findIndex((l) => l.includes('"weights": [[-1.22, -2.30]]')) + 1;
    const noneLine = lines.findIndex((l) => l.includes('"data"')) + 1;
    const line = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: weightsLine }, { line: noneLine }] });
    assert.equal(line.body.breakpoints[0].verified, true, line.body.breakpoints[0].message);
    assert.match(line.body.breakpoints[0].message!, /^watches b3$/, 'w3 and w4 are not trainable: only b3 on this line moves');
    assert.equal(line.body.breakpoints[1].verified, false);
    // b3 moves on the first step: the line's breakpoint stops there.
    const stopped = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(stopped.body.reason, 'breakpoint');
    assert.deepEqual(stopped.body.hitBreakpointIds, [line.body.breakpoints[0].id]);
    assert.equal(await value('step'), '1');
  });

  it('a logpoint on the training line logs every 100th step in the Debug Console, with its numbers, and never stops', async () => {
    const text = example('dosage-all.nn.json');
    const program = file('log.nn.json', text);
    const lines = text.split('\n');
    const trainingLine = lines.findIndex((l) => l.includes('"training"')) + 1;
    let verdict: DebugProtocol.Breakpoint[] = [];
    const output: DebugProtocol.OutputEvent[] = [];
    dc.on('output', (e) => output.push(e as DebugProtocol.OutputEvent));
    const stopped = await launch(program, async () => {
      verdict = (await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [
        { line: trainingLine, hitCondition: '% 100', logMessage: 'step {step}: SSR {loss}, dw3 {dw3} {{not a part}}' },
      ] })).body.breakpoints;
    }, false);
    assert.equal(verdict[0].verified, true, verdict[0].message);
    assert.equal(verdict[0].message, "logs after each step's update");
    // stopOnEntry false: Continue at once, to the file's own stop (converged at step 642), past six logpoint lines.
    assert.notEqual(stopped.body.reason, 'breakpoint');
    assert.equal(await value('step'), '642');
    const logged = output.filter((e) => e.body.source !== undefined);
    const said = logged.map((e) => e.body.output).join('').trim().split('\n');
    const t = new Trainer(loadNetwork(text));
    const expected: string[] = [];
    while (t.stepCount < 600) {
      t.step();
      if (t.stepCount % 100 === 0) { t.evaluate(); expected.push(`step ${t.stepCount}: SSR ${formatNumber(t.loss)}, dw3 ${formatNumber(t.gradients[2])} {not a part}`); }
    }
    assert.deepEqual(said, expected);
    for (const e of logged) {
      assert.equal(e.body.source!.path, program);
      assert.equal(e.body.line, trainingLine);
      assert.equal(e.body.category, 'stdout');
    }
    // Coalesced: six lines in far fewer than six events is allowed, one per line is the most.
    assert.ok(logged.length >= 1 && logged.length <= 6);
    // A part that is not an expression: unverified, at its column in the message.
    const bad = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: trainingLine, logMessage: 'w1 is {w1 + lossx}' }] });
    assert.equal(bad.body.breakpoints[0].verified, false);
    assert.match(bad.body.breakpoints[0].message!, /^log message, column 13: unknown name 'lossx'/);
  });

  it('Restart goes back to the file and on as launched: with stopOnEntry false it trains again; after the end a request says so', async () => {
    const program = file('restart.nn.json', example('dosage-all.nn.json'));
    const first = await launch(program, async () => undefined, false);
    assert.match(first.body.description!, /converged/);
    assert.equal(await value('step'), '642');
    // Stopped at the start by the reset, then trained on to the same stop: never left at step 0.
    const converged = new Promise<DebugProtocol.StoppedEvent>((resolve) => {
      const on = (e: DebugProtocol.Event): void => {
        if (!/converged/.test((e as DebugProtocol.StoppedEvent).body.description ?? '')) return;
        dc.removeListener('stopped', on);
        resolve(e as DebugProtocol.StoppedEvent);
      };
      dc.on('stopped', on);
    });
    await dc.restartRequest({});
    const again = await converged;
    assert.match(again.body.description!, /converged/);
    assert.equal(await value('step'), '642');
    await dc.terminateRequest();
    await assert.rejects(dc.customRequest('goToStep', { step: 3 }), /the session has ended/);
  });

  it('resolves line breakpoints again after an edit of the layout, and tells VS Code with a breakpoint event', async () => {
    const text = example('dosage-b3.nn.json').replace(', "trainable": ["b3"]', '');
    const program = file('relayout.nn.json', text);
    await launch(program);
    const line = text.split('\n').findIndex((l) => l.includes('"weights": [[-1.22, -2.30]]')) + 1;
    const set = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line }] });
    assert.equal(set.body.breakpoints[0].message, 'watches w3, w4, b3');
    // A hidden layer inserted on that line: it now holds that layer's numbers (w3 to w6, b3, b4).
    const lines = text.split('\n');
    lines.splice(line - 1, 0, '    { "units": 2, "activation": "tanh", "weights": [[1, 0], [0, 1]], "biases": [0, 0] },');
    const edited = lines.join('\n');
    writeFileSync(program, edited);
    const changed = dc.waitForEvent('breakpoint') as Promise<DebugProtocol.BreakpointEvent>;
    await runs.get(program)!.setText(edited);
    const event = await changed;
    assert.equal(event.body.reason, 'changed');
    assert.equal(event.body.breakpoint.id, set.body.breakpoints[0].id);
    assert.equal(event.body.breakpoint.verified, true);
    assert.equal(event.body.breakpoint.message, 'watches w3, w4, w5, w6, b3, b4');
  });

  it('follows the run when another front-end (the network editor) steps it, and leaves it paused when the session ends', async () => {
    const program = file('shared.nn.json', example('dosage-b3.nn.json'));
    await launch(program);
    const run = runs.get(program)!;
    const stopped = await stopAfter(() => run.control('stepInto'));
    assert.equal(stopped.body.reason, 'step');
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(frames.map((f) => f.name), ['step 0 › forward › layer 1', 'step 0']);
    const layerLine = example('dosage-b3.nn.json').split('\n').findIndex((l) => l.includes('"softplus"')) + 1;
    assert.equal(frames[0].line, layerLine, 'the phase frame points at its layer in the JSON');
    await stopAfter(() => dc.stepOutRequest({ threadId: 1 }));
    assert.equal(run.frame?.step, 1);
    await dc.continueRequest({ threadId: 1 });
    await dc.disconnectRequest({});
    assert.equal(run.running, false);
  });

  it('Step Into Target lists the phases ahead and goes straight to one; Restart Frame goes back to the step\'s start; Jump to Cursor goes to a line\'s phase', async () => {
    const text = example('dosage-all.nn.json');
    const program = file('targets.nn.json', text);
    await launch(program);
    const lines = text.split('\n');
    const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    const frames = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    const targets = (await dc.stepInTargetsRequest({ frameId: frames[0].id })).body.targets;
    assert.deepEqual(targets.map((t) => t.label), [
      'the forward pass, layer 1', 'the forward pass, layer 2', 'the loss', 'the backward pass, layer 2', 'the backward pass, layer 1', 'the update',
    ]);
    assert.deepEqual(targets.map((t) => t.line), [lineOf('"softplus"'), lineOf('"identity"'), lineOf('"loss"'), lineOf('"identity"'), lineOf('"softplus"'), lineOf('"training"')]);
    // Straight to the backward pass of layer 2: one stop, nothing trained.
    const into = await stopAfter(() => dc.stepInRequest({ threadId: 1, targetId: targets[3].id }));
    assert.equal(into.body.reason, 'step');
    let stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(stack.map((f) => [f.name, f.line, f.canRestart]), [['step 0 › backward › layer 2', lineOf('"identity"'), true], ['step 0', 1, false]]);
    assert.equal(await value('step'), '0');
    // What is left ahead: the backward pass of layer 1 and the update.
    assert.deepEqual((await dc.stepInTargetsRequest({ frameId: stack[0].id })).body.targets.map((t) => t.label), ['the backward pass, layer 1', 'the update']);
    // Restart Frame: back to the step's start, the phase frame gone.
    await stopAfter(() => dc.restartFrameRequest({ frameId: stack[0].id }));
    stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepEqual(stack.map((f) => f.name), ['step 0']);
    await assert.rejects(dc.restartFrameRequest({ frameId: stack[0].id }), /only a phase of a step can be restarted/);
    // Jump to Cursor on the loss line, then on the first layer's line (its two phases).
    const onLoss = (await dc.gotoTargetsRequest({ source: { path: program }, line: lineOf('"loss"') })).body.targets;
    assert.deepEqual(onLoss.map((t) => t.label), ['the loss']);
    await stopAfter(() => dc.gotoRequest({ threadId: 1, targetId: onLoss[0].id }));
    assert.equal((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].name, 'step 0 › loss');
    const onLayer = (await dc.gotoTargetsRequest({ source: { path: program }, line: lineOf('"softplus"') })).body.targets;
    assert.deepEqual(onLayer.map((t) => t.label), ['the forward pass, layer 1', 'the backward pass, layer 1']);
    await stopAfter(() => dc.gotoRequest({ threadId: 1, targetId: onLayer[0].id }));
    assert.equal((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].name, 'step 0 › forward › layer 1');
    assert.deepEqual((await dc.gotoTargetsRequest({ source: { path: program }, line: lineOf('"data"') })).body.targets, []);
    // Step Out from there finishes the step: the numbers of one step, as ever.
    await stopAfter(() => dc.stepOutRequest({ threadId: 1 }));
    assert.deepEqual((await variables('Parameters')).map((v) => v.value), trained(text, 1).map(fmt));
  });

  it("a breakpoint on a layer's line stops where the step reaches the layer, forward and backward; on the loss line at the loss; VS Code is told which lines take one", async () => {
    const text = example('dosage-all.nn.json');
    const program = file('layers.nn.json', text);
    await launch(program);
    const lines = text.split('\n');
    const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    const located = await dc.send('breakpointLocations', { source: { path: program }, line: 1, endLine: lines.length } satisfies DebugProtocol.BreakpointLocationsArguments) as DebugProtocol.BreakpointLocationsResponse;
    const locations = located.body.breakpoints.map((b) => b.line);
    assert.deepEqual(locations, [lineOf('"softplus"'), lineOf('"identity"'), lineOf('"loss"'), lineOf('"training"')]);
    const set = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: lineOf('"identity"') }, { line: lineOf('"loss"'), condition: 'loss < 1' }, { line: lineOf('"data"') }] });
    assert.deepEqual(set.body.breakpoints.map((b) => [b.verified, b.message]), [
      [true, 'stops at forward 2 and at backward 2 of each step'],
      [true, 'stops at loss of each step where the condition holds'],
      [false, 'nothing on this line runs in a step: a breakpoint goes on a layer\'s line, the "loss" line, the "training" line, or a line of weights or biases'],
    ]);
    const names = async (): Promise<string[]> => (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames.map((f) => f.name);
    const first = await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.equal(first.body.reason, 'breakpoint');
    assert.deepEqual(first.body.hitBreakpointIds, [set.body.breakpoints[0].id]);
    assert.deepEqual(await names(), ['step 0 › forward › layer 2', 'step 0']);
    assert.equal((await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line, lineOf('"identity"'));
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.deepEqual(await names(), ['step 0 › backward › layer 2', 'step 0']);
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    assert.deepEqual(await names(), ['step 1 › forward › layer 2', 'step 1']);
    // Only the loss line's breakpoint now: it stops at the loss of the first step whose loss is under 1.
    await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: lineOf('"loss"'), condition: 'loss < 1' }] });
    await stopAfter(() => dc.continueRequest({ threadId: 1 }));
    const t = new Trainer(loadNetwork(text));
    while (t.evaluate() >= 1) t.step();
    assert.deepEqual(await names(), [`step ${t.stepCount} › loss`, `step ${t.stepCount}`]);
    assert.ok(Number(await value('loss')) < 1);
  });

  it('Cancel answers a chain rule being expanded (on a large network) as cancelled, from its progress', async () => {
    const random = (k: number): number => Math.sin(k * 12.9898) * 0.5;
    const big = JSON.stringify({
      inputs: Array.from({ length: 784 }, (_, k) => `x${k + 1}`), outputs: Array.from({ length: 10 }, (_, k) => `y${k + 1}`),
      layers: [{ units: 128, activation: 'tanh' }, { units: 64, activation: 'tanh' }, { units: 10, activation: 'identity' }],
      init: { weights: 'glorot', biases: 0, seed: 1 },
      data: { inputs: Array.from({ length: 16 }, (_, i) => Array.from({ length: 784 }, (_, k) => random(i * 784 + k))), targets: Array.from({ length: 16 }, (_, i) => Array.from({ length: 10 }, (_, k) => (k === i % 10 ? 1 : 0))) },
      loss: 'mse',
      training: { learningRate: 0.01 },
    });
    const program = file('expand.nn.json', big);
    await launchAs(program, { supportsProgressReporting: true });
    const w1 = (await variables('Parameters')).find((v) => v.name === 'w1')!;
    const chain = (await dc.variablesRequest({ variablesReference: w1.variablesReference })).body.variables.find((v) => v.name === 'chain rule')!;
    const started = dc.waitForEvent('progressStart') as Promise<DebugProtocol.ProgressStartEvent>;
    const expanding = dc.variablesRequest({ variablesReference: chain.variablesReference }).then(() => 'answered', (e: Error) => e.message);
    const progress = await started;
    assert.equal(progress.body.cancellable, true);
    assert.equal(progress.body.title, 'Expanding the chain rule');
    await dc.send('cancel', { progressId: progress.body.progressId });
    assert.equal(await expanding, 'cancelled');
    // Expanded again and left alone, it answers with every sample's term.
    const terms = (await dc.variablesRequest({ variablesReference: chain.variablesReference })).body.variables;
    assert.equal(terms.filter((v) => v.name.startsWith('i = ')).length, 16);
  });

  it('Cancel on a long Go to Step stops it where Pause would, and the progress says it can be cancelled', async () => {
    const program = file('cancel.nn.json', example('dosage-all.nn.json').replace('"maxSteps": 2000', '"maxSteps": 100000000000').replace('"minStepSize": 0.0001', '"minStepSize": 0'));
    assert.equal((await launchAs(program, { supportsProgressReporting: true })).supportsCancelRequest, true);
    const started = dc.waitForEvent('progressStart') as Promise<DebugProtocol.ProgressStartEvent>;
    const stopped = dc.waitForEvent('stopped', 60_000) as Promise<DebugProtocol.StoppedEvent>;
    await dc.customRequest('goToStep', { step: 50_000_000_000 });
    const progress = await started;
    assert.equal(progress.body.cancellable, true);
    await dc.send('cancel', { progressId: progress.body.progressId });
    await stopped;
    const step = Number(await value('step'));
    assert.ok(step > 0 && step < 50_000_000_000, `stopped where it got: step ${step}`);
  });

  it('pages the parameters of a large network, goes to any step on request, and says in the console why it stopped', async () => {
    const big = JSON.stringify({
      inputs: Array.from({ length: 30 }, (_, k) => `x${k + 1}`), outputs: ['y'],
      layers: [{ units: 30, activation: 'tanh' }, { units: 1, activation: 'identity' }],
      data: { inputs: [Array(30).fill(0.1), Array(30).fill(-0.2)], targets: [[1], [0]] },
      training: { learningRate: 0.01, maxSteps: 1000 },
    });
    const program = file('big.nn.json', big);
    await launch(program);
    const frames = await dc.stackTraceRequest({ threadId: 1 });
    const scopes = (await dc.scopesRequest({ frameId: frames.body.stackFrames[0].id })).body.scopes;
    const parameters = scopes.find((s) => s.name === 'Parameters')!;
    assert.equal(parameters.indexedVariables, 30 * 30 + 30 + 30 + 1);
    const page = (await dc.variablesRequest({ variablesReference: parameters.variablesReference, filter: 'indexed', start: 500, count: 3 })).body.variables;
    assert.deepEqual(page.map((v) => v.name), ['w501', 'w502', 'w503']);
    assert.equal(page[0].value, fmt(loadNetwork(big).initialParameters[500]));

    const said = new Promise<string>((resolve) => {
      dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.output.startsWith('Went to step 40')) resolve(e.body.output); });
    });
    await stopAfter(() => dc.customRequest('goToStep', { step: 40 }));
    assert.equal(await value('step'), '40');
    assert.deepEqual((await variables('Parameters')).slice(0, 3).map((v) => v.value), trained(big, 40).slice(0, 3).map(fmt));
    await said;
  });

  it('in VS Code, shows one set with the editor: its conditions that are on as checked filters, its list\'s breakpoints by name', async () => {
    const program = file('one-set.nn.json', example('dosage-all.nn.json'));
    const init = await dc.initializeRequest({ adapterID: 'backprop', clientID: 'vscode', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    assert.deepEqual(init.body?.exceptionBreakpointFilters, [], 'none until the run is known');
    const listed = (): Promise<DebugProtocol.ExceptionBreakpointsFilter[]> => dc.waitForEvent('capabilities').then((e) => (e as DebugProtocol.CapabilitiesEvent).body.capabilities.exceptionBreakpointFilters ?? []);
    const first = listed();
    await Promise.all([dc.waitForEvent('initialized'), dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments)]);
    assert.deepEqual(await first, [], 'only Converged is on, and it is the file\'s stopping rule, not a filter');
    const run = runs.get(program)!;
    // What VS Code sends before configurationDone is what its view held before it had the list: it
    // switches nothing off (F5 once turned off a condition the list had just switched on).
    await run.setBreakpoints([], { ...defaultBuiltins(), nan: { enabled: true } });
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    assert.equal(run.builtins.nan.enabled, true);
    await dc.configurationDoneRequest();
    await dc.setExceptionBreakpointsRequest({ filters: ['nan'] });
    // The editor's list switches a condition on: VS Code's view lists it, checked.
    const on = listed();
    await run.setBreakpoints([{ id: 'bp1', enabled: true, kind: 'step', step: 5 }], { ...defaultBuiltins(), lossUp: { enabled: true, threshold: 0 } });
    assert.deepEqual((await on).map((f) => [f.filter, f.default]), [['lossUp', true]]);
    // A function breakpoint named with this file is the list's own (not checked twice); one without a file is the session's.
    const verdicts = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: '5 (one-set.nn.json)' }, { name: '7' }, { name: '9 (elsewhere.nn.json)' }] })).body.breakpoints;
    assert.deepEqual(verdicts.map((v) => v.verified), [true, true, false]);
    assert.match(verdicts[2].message!, /a breakpoint of elsewhere\.nn\.json/);
    assert.deepEqual(run.statuses.map((x) => x.id).sort(), ['bp1', 'dap-function-2'].sort());
    // Unchecked in VS Code's view: switched off in the run (and no longer listed).
    const off = listed();
    await dc.setExceptionBreakpointsRequest({ filters: [] });
    assert.equal(run.builtins.lossUp.enabled, false);
    assert.deepEqual(await off, []);
  });
});
