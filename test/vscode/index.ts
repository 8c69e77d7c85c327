/**
 * The integration suite's entry point, in @vscode/test-electron's layout: VS Code loads this module
 * in its extension host (desktop, or code-server's node extension host) and calls run().
 * Results go to the console and, when BACKPROP_TEST_LOG names a file, to that file too, because a
 * browser-hosted VS Code keeps the extension host's console to itself.
 */
import { appendFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const log = process.env.BACKPROP_TEST_LOG;
  const write = (line: string): void => {
    console.log(line);
    if (log) appendFileSync(log, `${line}\n`);
  };
  class LogReporter extends Mocha.reporters.Base {
    constructor(runner: Mocha.Runner) {
      super(runner);
      runner.on('suite', (s) => { if (s.title) write(`${'  '.repeat(depth(s))}${s.title}`); });
      runner.on('pass', (t) => write(`${'  '.repeat(depth(t.parent!) + 1)}ok ${t.title} (${t.duration ?? 0} ms)`));
      runner.on('fail', (t, err: Error) => write(`${'  '.repeat(depth(t.parent!) + 1)}FAILED ${t.title}\n${err.stack ?? err.message}`));
      runner.on('end', () => write(`${this.stats.passes} passed, ${this.stats.failures} failed`));
    }
  }
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: LogReporter });
  const grep = process.env.BACKPROP_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}

function depth(s: Mocha.Suite): number {
  let d = 0;
  for (let p = s.parent; p; p = p.parent) d++;
  return d;
}
