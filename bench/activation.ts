/**
 * What activating the extension costs: loading the bundle (dist/extension.js) and running
 * activate(), in a fresh Node process each time (a cold module cache, as when VS Code starts the
 * extension), against a stand-in for the `vscode` module that answers every call. VS Code's own
 * share (the extension host, the API's real work) is not in this figure; ours is.
 */
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import * as path from 'node:path';

export interface ActivationFigures {
  bundleBytes: number;
  /** Median over the runs, in ms: require() of the bundle, then activate(). */
  loadMs: number;
  activateMs: number;
  runs: number;
}

/** Runs inside the child process: the stand-in `vscode` and the timing. */
const CHILD = `
const Module = require('node:module');
const stub = () => new Proxy(function () {}, {
  get: (_, key) => key === 'then' ? undefined : key === Symbol.iterator ? function* () {} : key === Symbol.toPrimitive ? () => '' : stub(),
  apply: () => stub(),
  construct: () => stub(),
  // Assignments (statusBarItem.name = ...) are taken and forgotten.
  set: () => true,
});
// A bundle reads the module through esbuild's interop, which copies its own properties onto an
// object with the module's prototype: the stand-in answers from its prototype, so every name works.
const vscode = Object.create(new Proxy({}, { get: (_, key) => key === 'then' || key === '__esModule' ? undefined : stub() }));
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const t0 = performance.now();
const extension = require(process.argv[1]);
const t1 = performance.now();
extension.activate(stub());
const t2 = performance.now();
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1 }));
process.exit(0);
`;

export function benchActivation(root: string, runs: number): ActivationFigures {
  const bundle = path.join(root, 'dist', 'extension.js');
  const samples: { loadMs: number; activateMs: number }[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', CHILD, bundle], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`activating ${bundle} failed:\n${r.stderr}`);
    samples.push(JSON.parse(r.stdout));
  }
  const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1];
  return {
    bundleBytes: statSync(bundle).size,
    loadMs: median(samples.map((s) => s.loadMs)),
    activateMs: median(samples.map((s) => s.activateMs)),
    runs,
  };
}
