/** The `backprop` command-line tool: a thin process wrapper around cli/commands.ts. */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { runCli } from './cli/commands';
import { serveDap } from './cli/dap';
import { parseLimits, setLimits } from './core/limits';

const args = process.argv.slice(2);

/**
 * `backprop dap [--port N] [--limits LIST]`: the debug adapter, for as long as its client keeps it
 * (see cli/dap.ts); --limits sets the limits every network it loads is checked against (limits.ts).
 */
function dap(rest: string[]): void {
  let port: number | undefined;
  let problem = rest.length % 2 === 1;
  for (let i = 0; i + 1 < rest.length && !problem; i += 2) {
    if (rest[i] === '--port' && port === undefined && /^\d+$/.test(rest[i + 1]) && Number(rest[i + 1]) <= 65535) port = Number(rest[i + 1]);
    else if (rest[i] === '--limits') {
      try {
        setLimits(parseLimits(rest[i + 1]));
      } catch (e) {
        process.stderr.write(`backprop: dap: malformed --limits: ${(e as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
    } else problem = true;
  }
  if (problem) {
    process.stderr.write("backprop: dap takes no file (the client's launch request names it), at most --port N (a port number, 0 for any) and --limits LIST\n");
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
    sizeOf: (path) => {
      try {
        return statSync(path).size;
      } catch {
        return undefined;
      }
    },
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
