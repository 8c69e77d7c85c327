/**
 * `backprop dap`: the debug adapter VS Code runs inside the extension, as a program of its own for
 * every other DAP client (Neovim's nvim-dap, Emacs's dap-mode, ...): DAP on stdin and stdout, or
 * with `--port N` on 127.0.0.1 (a session per connection). Same worker, same runs, same
 * capabilities; a network file and its data files are read from disk, and an edit of either saved
 * while debugging reaches its run as an edit does in VS Code. No vscode import.
 */
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { NetworkDebugSession, type NetworkSource } from '../debug/session';
import { RunRegistry } from '../run/registry';
import { TrainingWorker } from '../training/client';
import { dataFilesOf, type DataFiles, readDataFiles, sameDataFiles } from '../core';
import { diskDataReader } from '../diskDataFiles';

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
      const reader = diskDataReader(program);
      let files: DataFiles = readDataFiles(text, reader);
      const attachment = registry.attach(pathToFileURL(program).toString(), program);
      const { run } = attachment;
      await run.setText(text, undefined, files);
      const watchers = new Map<string, FSWatcher>();
      // A save of the network or of a data file it names (editors often write a new file in its
      // place): read both again, and pass on what changed.
      const changed = (): void => {
        let now: string;
        try { now = readFileSync(program, 'utf8'); } catch { return; }
        const nowFiles = readDataFiles(now, reader);
        watchData(now);
        if (now === text && sameDataFiles(nowFiles, files)) return;
        text = now;
        files = nowFiles;
        void run.setText(now, undefined, nowFiles);
      };
      const watchOne = (file: string): FSWatcher | undefined => {
        try {
          return watch(file, changed);
        } catch {
          // A file system that cannot watch (or no such file yet): the session still debugs what it read.
          return undefined;
        }
      };
      const watchData = (now: string): void => {
        const wanted = new Set(dataFilesOf(now).map((f) => path.join(path.dirname(program), ...f.split('/'))));
        for (const [file, w] of watchers) if (file !== program && !wanted.has(file)) { w.close(); watchers.delete(file); }
        for (const file of wanted) if (!watchers.has(file)) { const w = watchOne(file); if (w) watchers.set(file, w); }
      };
      const own = watchOne(program);
      if (own) watchers.set(program, own);
      watchData(text);
      return { run, text: () => text, readFile: reader, release: () => { for (const w of watchers.values()) w.close(); attachment.dispose(); } };
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
  const { address, port } = await listenOnLoopback(server, options.port);
  options.say?.(`backprop dap: listening on ${address}:${port}\n`);
  return port;
}

/**
 * Listens on the loopback address only (127.0.0.1: never 0.0.0.0 or ::): a debug adapter runs
 * what a client sends it, so no other machine may reach it. Resolves with the address listened on.
 */
export async function listenOnLoopback(server: net.Server, port: number): Promise<net.AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server.address() as net.AddressInfo;
}
