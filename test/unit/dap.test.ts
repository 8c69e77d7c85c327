/**
 * `backprop dap` from the built CLI (dist/cli.js): the debug adapter as a program of its own, for any
 * DAP client. Over a port with DebugClient (which cannot pass a command its arguments), and over
 * stdin/stdout with DAP's messages written out by hand, as a client such as nvim-dap sends them.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import assert from 'node:assert/strict';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatNumber, loadNetwork, Trainer } from '../../src/core';
import { examplePath, ROOT } from './helpers';
import { listenOnLoopback } from '../../src/cli/dap';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'backprop-cli-dap-'));
const example = (name: string): string => readFileSync(examplePath(name), 'utf8');
function file(name: string, text: string): string {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return p;
}
const fmt = (v: number): string => String(Number(v.toPrecision(6)));

/** Resolves with what `child` writes to stdout once it holds `pattern`. */
function printed(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); const m = pattern.exec(out); if (m) resolve(m); });
    child.once('exit', (code) => reject(new Error(`backprop dap exited (${code}) before printing ${pattern}: ${out}`)));
  });
}

describe('backprop dap (the built CLI)', function () {
  this.timeout(60_000);
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(() => { child?.kill(); child = undefined; });

  it('serves DebugClient on a port: a breakpoint with the numbers of train, completions, an edit saved on disk, Cancel of a long Go to Step', async () => {
    child = spawn(process.execPath, [CLI, 'dap', '--port', '0']);
    const [, port] = await printed(child, /listening on 127\.0\.0\.1:(\d+)/);
    const dc = new DebugClient('node', 'unused', 'backprop');
    dc.defaultTimeout = 20_000;
    await dc.start(Number(port));
    try {
      // A step limit far away, so a long Go to Step has room to be cancelled.
      const text = example('dosage-all.nn.json').replace('"maxSteps": 2000', '"maxSteps": 100000000000').replace('"minStepSize": 0.0001', '"minStepSize": 0');
      const program = file('port.nn.json', text);
      let verdict: DebugProtocol.Breakpoint[] = [];
      const entry = dc.waitForEvent('stopped');
      await Promise.all([
        dc.waitForEvent('initialized').then(async () => {
          verdict = (await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: '175' }] })).body.breakpoints;
          await dc.configurationDoneRequest();
        }),
        dc.launch({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments),
      ]);
      await entry;
      assert.equal(verdict[0].verified, true);
      const [stopped] = await Promise.all([dc.waitForEvent('stopped') as Promise<DebugProtocol.StoppedEvent>, dc.continueRequest({ threadId: 1 })]);
      assert.equal(stopped.body.description, 'Paused at step 175: breakpoint `step 175` hit');
      const t = new Trainer(loadNetwork(text));
      for (let i = 0; i < 175; i++) t.step();
      assert.equal((await dc.evaluateRequest({ expression: 'w3', context: 'watch' })).body.result, fmt(t.params[2]));
      assert.deepEqual((await dc.completionsRequest({ text: 'd', column: 2 })).body.targets.filter((c) => c.label.startsWith('dw')).map((c) => c.label), ['dw1', 'dw2', 'dw3', 'dw4']);
      // Cancel a long Go to Step (with no arguments, as DAP allows): it stops where it got, as Pause would.
      const jumped = dc.waitForEvent('stopped');
      await dc.customRequest('goToStep', { step: 50_000_000_000 });
      await dc.send('cancel', {});
      await jumped;
      const step = Number((await dc.evaluateRequest({ expression: 'step', context: 'watch' })).body.result);
      assert.ok(step > 175 && step < 50_000_000_000, `stopped where it got: step ${step}`);
      // An edit saved on disk reaches the run: the learning rate now. The adapter resolves its line
      // breakpoints again once it has read the edit, and says so: that event is what is waited for.
      const trainingLine = text.split('\n').findIndex((l) => l.includes('"training"')) + 1;
      await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: trainingLine, logMessage: 'lr {learningRate}' }] });
      const reread = dc.waitForEvent('breakpoint');
      writeFileSync(program, text.replace('"learningRate": 0.1', '"learningRate": 0.05'));
      await reread;
      assert.equal((await dc.evaluateRequest({ expression: 'learningRate', context: 'watch' })).body.result, '0.05');
    } finally {
      await dc.stop();
    }
  });

  it('listens on the loopback address only (127.0.0.1, what the port server is given)', async () => {
    const server = net.createServer();
    try {
      const address = await listenOnLoopback(server, 0);
      assert.equal(address.address, '127.0.0.1');
      assert.equal(address.family, 'IPv4');
      assert.ok(address.port > 0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('launch reads the program and the data files it names in its folder, and refuses one outside it (a link, "..") without reading it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'backprop-dap-outside-'));
    mkdirSync(path.join(dir, 'net'));
    const secret = 'x1,x2,y\nTOPSECRET,1,1\n';
    writeFileSync(path.join(dir, 'secret.csv'), secret);
    symlinkSync(path.join(dir, 'secret.csv'), path.join(dir, 'net', 'link.csv'));
    writeFileSync(path.join(dir, 'net', 'points.csv'), 'x1,x2,y\n0,1,1\n2,3,5\n');
    const network = (file: string): string => JSON.stringify({
      inputs: ['x1', 'x2'], outputs: ['y'], layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }],
      data: { file, inputs: ['x1', 'x2'], targets: ['y'] },
    }, null, 2);
    child = spawn(process.execPath, [CLI, 'dap', '--port', '0']);
    const [, port] = await printed(child, /listening on 127\.0\.0\.1:(\d+)/);
    const launch = async (file: string, name: string): Promise<DebugProtocol.Response> => {
      const program = path.join(dir, 'net', name);
      writeFileSync(program, network(file));
      const dc = new DebugClient('node', 'unused', 'backprop');
      dc.defaultTimeout = 20_000;
      await dc.start(Number(port));
      try {
        await dc.initializeRequest();
        return await dc.send('launch', { program, stopOnEntry: true }).then((r: DebugProtocol.Response) => r, (e: Error) => ({ success: false, message: e.message }) as DebugProtocol.Response);
      } finally {
        await dc.stop();
      }
    };
    const ok = await launch('points.csv', 'ok.nn.json');
    assert.equal(ok.success, true, ok.message);
    for (const [file, why] of [['link.csv', /cannot read "link\.csv": it is a link to a file outside the network file's folder/], ['../secret.csv', /data\.file leaves the network file's folder/]] as const) {
      const refused = await launch(file, `refused-${file.length}.nn.json`);
      assert.equal(refused.success, false);
      assert.match(refused.message ?? '', why);
      assert.doesNotMatch(refused.message ?? '', /TOPSECRET/);
    }
  });

  it('speaks DAP on stdin and stdout: launch, a logpoint on the training line, its lines in output events, exception details of a NaN stop', async () => {
    const doc = JSON.parse(example('dosage-all.nn.json'));
    doc.training = { ...doc.training, learningRate: 1000 };
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    const program = file('stdio.nn.json', text);
    const trainingLine = text.split('\n').findIndex((l) => l.includes('"training"')) + 1;
    child = spawn(process.execPath, [CLI, 'dap']);
    // DAP's framing, by hand: a Content-Length header, a blank line, the JSON.
    const received: DebugProtocol.ProtocolMessage[] = [];
    let buffer = Buffer.alloc(0);
    const waiters: (() => void)[] = [];
    child.stdout.on('data', (d: Buffer) => {
      buffer = Buffer.concat([buffer, d]);
      for (;;) {
        const head = buffer.indexOf('\r\n\r\n');
        if (head < 0) break;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, head).toString())![1]);
        if (buffer.length < head + 4 + length) break;
        received.push(JSON.parse(buffer.subarray(head + 4, head + 4 + length).toString()));
        buffer = buffer.subarray(head + 4 + length);
      }
      waiters.splice(0).forEach((w) => w());
    });
    let seq = 1;
    const send = (command: string, args: unknown): number => {
      const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
      child!.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return seq++;
    };
    const until = async <T extends DebugProtocol.ProtocolMessage>(test: (m: DebugProtocol.ProtocolMessage) => boolean): Promise<T> => {
      for (;;) {
        const found = received.find(test);
        if (found) return found as T;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    const response = <T extends DebugProtocol.Response>(request: number): Promise<T> => until<T>((m) => m.type === 'response' && (m as DebugProtocol.Response).request_seq === request);

    const init = await response<DebugProtocol.InitializeResponse>(send('initialize', { adapterID: 'backprop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' }));
    for (const capability of ['supportsLogPoints', 'supportsCompletionsRequest', 'supportsExceptionInfoRequest', 'supportsCancelRequest', 'supportsStepInTargetsRequest']) {
      assert.equal((init.body as Record<string, unknown>)[capability], true, capability);
    }
    const launch = send('launch', { program, stopOnEntry: false });
    await until((m) => m.type === 'event' && (m as DebugProtocol.Event).event === 'initialized');
    const set = await response<DebugProtocol.SetBreakpointsResponse>(send('setBreakpoints', { source: { path: program }, breakpoints: [{ line: trainingLine, hitCondition: '% 10', logMessage: 'step {step}: w3 {w3}' }] }));
    assert.equal(set.body.breakpoints[0].verified, true);
    await response(send('setExceptionBreakpoints', { filters: ['nan'] }));
    await response(send('configurationDone', {}));
    assert.equal((await response<DebugProtocol.LaunchResponse>(launch)).success, true);
    const stopped = await until<DebugProtocol.StoppedEvent>((m) => m.type === 'event' && (m as DebugProtocol.Event).event === 'stopped');
    assert.equal(stopped.body.reason, 'exception');
    // b3 reaches 1.5e155 by step 41: the loss is the first value that is not a number.
    const info = await response<DebugProtocol.ExceptionInfoResponse>(send('exceptionInfo', { threadId: 1 }));
    assert.equal(info.body.description, 'the loss (Infinity) is not a finite number (step 41)');
    const logged = received.filter((m): m is DebugProtocol.OutputEvent => m.type === 'event' && (m as DebugProtocol.Event).event === 'output' && (m as DebugProtocol.OutputEvent).body.source !== undefined);
    const t = new Trainer(loadNetwork(text));
    const expected: string[] = [];
    while (t.stepCount < 40) { t.step(); if (t.stepCount % 10 === 0) expected.push(`step ${t.stepCount}: w3 ${formatNumber(t.params[2])}`); }
    assert.deepEqual(logged.map((e) => e.body.output).join('').trim().split('\n'), expected);
    assert.ok(logged.every((e) => e.body.line === trainingLine && e.body.source!.path === program));
    await response(send('disconnect', {}));
    const code = await new Promise<number | null>((resolve) => child!.once('exit', resolve));
    assert.equal(code, 0, 'it ends when its client disconnects');
  });
});
