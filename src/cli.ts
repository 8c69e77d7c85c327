/** The `backprop` command-line tool: a thin process wrapper around cli/commands.ts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { runCli } from './cli/commands';

try {
  process.exitCode = runCli(process.argv.slice(2), {
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, text) => writeFileSync(path, text),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (e) {
  // A bug, not a user mistake: still one line, never a stack trace (BACKPROP_DEBUG=1 shows it).
  process.stderr.write(`backprop: internal error: ${(e as Error).message}\n`);
  if (process.env.BACKPROP_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
}
