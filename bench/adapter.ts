/**
 * VS Code's debugger on a large network, through DAP as VS Code speaks it: how long the Variables
 * view waits for a page of parameters, a parameter's chain rule, the layers and a sample, on the
 * extension's own worker (dist/worker.js).
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { NetworkDebugSession } from '../src/debug/session';
import { RunRegistry } from '../src/run/registry';
import { TrainingWorker } from '../src/training/client';

export interface AdapterFigures {
  params: number;
  /** Milliseconds, median and worst, for each request a person's click in Variables sends. */
  parametersPage: { medianMs: number; worstMs: number };
  /** A parameter expanded: its gradient and next value. */
  parameter: { medianMs: number; worstMs: number };
  /** Its chain rule expanded: the explanation over every sample (and path). */
  chainRule: { medianMs: number; worstMs: number };
  layers: { medianMs: number; worstMs: number };
  sample: { medianMs: number; worstMs: number };
}

function summary(ms: number[]): { medianMs: number; worstMs: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)], worstMs: sorted[sorted.length - 1] };
}

export async function benchAdapter(text: string, params: number, rounds: number): Promise<AdapterFigures> {
  const program = path.join(mkdtempSync(path.join(tmpdir(), 'backprop-bench-')), 'large.nn.json');
  writeFileSync(program, text);
  const worker = new TrainingWorker(path.resolve(__dirname, '..', 'dist', 'worker.js'), (m) => console.error(m));
  const registry = new RunRegistry(worker, () => ({ load: () => undefined, save: () => undefined }));
  const server = net.createServer((socket) => {
    const session = new NetworkDebugSession({
      open: async (file) => {
        const attachment = registry.attach(`file://${file}`, file);
        const { run } = attachment;
        await run.setText(text);
        return { run, text: () => text, release: () => attachment.dispose() };
      },
    });
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dc = new DebugClient('node', 'unused', 'backprop');
  dc.defaultTimeout = 60_000;
  await dc.start((server.address() as net.AddressInfo).port);
  try {
    const stopped = dc.waitForEvent('stopped');
    await Promise.all([dc.waitForEvent('initialized').then(() => dc.configurationDoneRequest()), dc.launch({ program, stopOnEntry: true })]);
    await stopped;
    const time = async (request: () => Promise<unknown>): Promise<number> => { const t0 = performance.now(); await request(); return performance.now() - t0; };
    const figures = { parametersPage: [] as number[], parameter: [] as number[], chainRule: [] as number[], layers: [] as number[], sample: [] as number[] };
    for (let r = 0; r < rounds; r++) {
      // What VS Code sends after each stop: the stack, the scopes, then what is expanded.
      const frames = await dc.stackTraceRequest({ threadId: 1 });
      const scopes = (await dc.scopesRequest({ frameId: frames.body.stackFrames[0].id })).body.scopes;
      const ref = (name: string): number => scopes.find((s) => s.name === name)!.variablesReference;
      const start = (r * 997) % (params - 100);
      let page: { variablesReference: number }[] = [];
      figures.parametersPage.push(await time(async () => { page = (await dc.variablesRequest({ variablesReference: ref('Parameters'), filter: 'indexed', start, count: 100 })).body.variables; }));
      let children: { name: string; variablesReference: number }[] = [];
      figures.parameter.push(await time(async () => { children = (await dc.variablesRequest({ variablesReference: page[0].variablesReference })).body.variables; }));
      const chain = children.find((c) => c.name === 'chain rule')!;
      figures.chainRule.push(await time(() => dc.variablesRequest({ variablesReference: chain.variablesReference })));
      figures.layers.push(await time(() => dc.variablesRequest({ variablesReference: ref('Layers') })));
      const samples = (await dc.variablesRequest({ variablesReference: ref('Samples'), filter: 'indexed', start: r, count: 1 })).body.variables;
      figures.sample.push(await time(() => dc.variablesRequest({ variablesReference: samples[0].variablesReference })));
      // The next stop: one step on, so nothing is answered from a cache of the last.
      await Promise.all([dc.waitForEvent('stopped'), dc.nextRequest({ threadId: 1 })]);
    }
    return { params, parametersPage: summary(figures.parametersPage), parameter: summary(figures.parameter), chainRule: summary(figures.chainRule), layers: summary(figures.layers), sample: summary(figures.sample) };
  } finally {
    await dc.stop();
    server.close();
    await worker.dispose();
  }
}
