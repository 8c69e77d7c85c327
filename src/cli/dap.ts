/**
 * `backprop dap`: the debug adapter VS Code runs inside the extension, as a program of its own for
 * every other DAP client (Neovim's nvim-dap, Emacs's dap-mode, ...): DAP on stdin and stdout, or
 * with `--port N` on 127.0.0.1 (a session per connection). Same worker, same runs, same
 * capabilities; a network file is read from disk, and an edit saved while debugging reaches its
 * run as an edit does in VS Code. No vscode import.
 */
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NetworkDebugSession, type NetworkSource } from '../debug/session';
import { RunRegistry } from '../run/registry';
import { TrainingWorker } from '../training/client';

/** The worker's script beside this bundle (dist/worker.js), or where tsc puts it (out/src/training/worker.js). */
function workerScript(): string {
  const bundled = path.join(__dirname, 'worker.js');
  return existsSync(bundled) ? bundled : path.join(__dirname, '..', 'training', 'worker.js');
}

/** Network files from disk: each run follows its file's saved text while a session holds it. */
function diskSource(registry: RunRegistry): NetworkSource {
  return {
    open: async (program) => {
      let text = readFileSync(program, 'utf8');
      const attachment = registry.attach(pathToFileURL(program).toString(), program);
      const { run } = attachment;
      await run.setText(text);
      let watcher: FSWatcher | undefined;
      try {
        // A save (editors often write a new file in its place): read again, and pass on what changed.
        watcher = watch(program, () => {
          let now: string;
          try { now = readFileSync(program, 'utf8'); } catch { return; }
          if (now === text) return;
          text = now;
          void run.setText(now);
        });
      } catch {
        // A file system that cannot watch: the session still debugs the text it read.
      }
      return { run, text: () => text, release: () => { watcher?.close(); attachment.dispose(); } };
    },
  };
}

/**
 * Serves DAP: over `input`/`output` (stdio), or on 127.0.0.1:`port` (0: any free port). Resolves
 * with the port listened on (null for stdio) once it is ready; `say` tells the person where.
 */
export async function serveDap(options: { port?: number; input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; say?: (text: string) => void }): Promise<number | null> {
  const worker = new TrainingWorker(workerScript(), (m) => process.stderr.write(`backprop dap: ${m}\n`));
  const registry = new RunRegistry(worker, () => ({ load: () => undefined, save: () => undefined }));
  const source = diskSource(registry);
  if (options.port === undefined) {
    const session = new NetworkDebugSession(source);
    session.start(options.input ?? process.stdin, options.output ?? process.stdout);
    return null;
  }
  const server = net.createServer((socket) => {
    const session = new NetworkDebugSession(source);
    session.setRunAsServer(true);
    session.start(socket, socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  options.say?.(`backprop dap: listening on 127.0.0.1:${port}\n`);
  return port;
}
