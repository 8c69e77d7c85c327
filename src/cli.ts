/** The `backprop` command-line tool: a thin process wrapper around cli/commands.ts. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { runCli } from './cli/commands';
import { serveDap } from './cli/dap';

const args = process.argv.slice(2);

/** `backprop dap [--port N]`: the debug adapter, for as long as its client keeps it (see cli/dap.ts). */
function dap(rest: string[]): void {
  const port = rest[0] === '--port' && /^\d+$/.test(rest[1] ?? '') && Number(rest[1]) <= 65535 && rest.length === 2 ? Number(rest[1]) : undefined;
  if (rest.length > 0 && port === undefined) {
    process.stderr.write("backprop: dap takes no file (the client's launch request names it) and at most --port N (a port number, 0 for any)\n");
    process.exitCode = 1;
    return;
  }
  serveDap({ port, say: (text) => process.stdout.write(text) }).catch((e: Error) => {
    process.stderr.write(`backprop: dap: ${e.message}\n`);
    process.exitCode = 1;
  });
}

if (args[0] === 'dap') dap(args.slice(1));
else try {
  process.exitCode = runCli(args, {
    readFile: (path) => readFileSync(path, 'utf8'),
    writeFile: (path, contents) => writeFileSync(path, contents),
    readBytes: (path) => readFileSync(path),
    stat: (path) => {
      try {
        return statSync(path).isDirectory() ? 'directory' : 'file';
      } catch {
        return undefined;
      }
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
} catch (e) {
  // A bug, not a user mistake: still one line, never a stack trace (BACKPROP_DEBUG=1 shows it).
  process.stderr.write(`backprop: internal error: ${(e as Error).message}\n`);
  if (process.env.BACKPROP_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exitCode = 1;
}
