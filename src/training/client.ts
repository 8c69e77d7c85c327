/**
 * The extension host's side of the training worker: starts it when first needed, routes frames to
 * the network editor that owns them, and starts it again (reloading every open network) should it
 * ever die. No vscode import, so the bench drives exactly what the extension runs.
 */
import { Worker } from 'node:worker_threads';
import type { ExplanationView, NetworkModel, TrainingAction } from '../protocol';
import type { FromWorker, ToWorker } from './protocol';

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

export interface TrainingListener {
  frame(model: NetworkModel): void;
  error(message: string): void;
}

export class TrainingWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private nextRequest = 1;
  private readonly handles = new Map<number, TrainingHandle>();
  private readonly pending = new Map<number, (value: unknown) => void>();

  /** `script` is the bundled worker (dist/worker.js), or out/src/training/worker.js in tests. */
  constructor(private readonly script: string, private readonly log: (message: string) => void = () => undefined) {}

  open(listener: TrainingListener): TrainingHandle {
    const handle = new TrainingHandle(this, this.nextId++, listener);
    this.handles.set(handle.id, handle);
    return handle;
  }

  /** The round trip of a message through the worker, in ms: answered between slices of training. */
  async ping(): Promise<{ ms: number; running: number }> {
    const started = performance.now();
    const { running } = await this.request<{ running: number }>((requestId) => ({ type: 'ping', requestId }));
    return { ms: performance.now() - started, running };
  }

  /** @internal */
  request<T>(build: (requestId: number) => ToWorker): Promise<T> {
    const requestId = this.nextRequest++;
    return new Promise<T>((resolve) => {
      this.pending.set(requestId, resolve as (value: unknown) => void);
      this.post(build(requestId));
    });
  }

  /** @internal */
  post(message: ToWorker): void {
    if (message.type === 'close' && !this.worker) return;
    this.ensure().postMessage(message);
  }

  /** @internal */
  forget(id: number): void {
    this.handles.delete(id);
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    this.worker = worker;
    worker.on('message', (m: FromWorker) => this.receive(m));
    worker.on('error', (e) => this.log(`training worker failed: ${e.stack ?? e.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const resolve of this.pending.values()) resolve({ explanation: null, running: 0 });
      this.pending.clear();
      if (code !== 0 && !this.disposed) {
        // A worker that keeps dying at once (a broken install) is not restarted for ever.
        const now = Date.now();
        this.recentDeaths = this.recentDeaths.filter((t) => now - t < RESTART_WINDOW_MS);
        this.recentDeaths.push(now);
        const restart = this.recentDeaths.length <= MAX_RESTARTS;
        this.log(`training worker exited with code ${code}${restart ? '; starting it again' : ''}`);
        // Training state is gone with it; each network starts again from its file's parameters.
        for (const h of this.handles.values()) {
          h.listener.error(restart ? 'The training worker stopped; training starts again from the file.' : `The training worker keeps stopping (exit code ${code}); reopen the editor to try again.`);
          if (restart && h.text !== undefined) h.load(h.text);
        }
      }
    });
    return worker;
  }

  private receive(m: FromWorker): void {
    switch (m.type) {
      case 'frame': this.handles.get(m.id)?.listener.frame(m.model); return;
      case 'error': this.handles.get(m.id)?.listener.error(m.message); return;
      case 'explanation':
      case 'pong': {
        const resolve = this.pending.get(m.requestId);
        this.pending.delete(m.requestId);
        resolve?.(m);
        return;
      }
    }
  }

  private disposed = false;
  private recentDeaths: number[] = [];

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.handles.clear();
    await worker?.terminate();
  }
}

/** One network's training in the worker. */
export class TrainingHandle {
  /** The last text loaded (and its file's name), to reload should the worker start again. */
  text: string | undefined;
  file = 'network';

  constructor(private readonly owner: TrainingWorker, readonly id: number, readonly listener: TrainingListener) {}

  /** Loads (or reloads, after an edit) the network: training starts again from its parameters. */
  load(text: string, file = this.file): void {
    this.text = text;
    this.file = file;
    this.owner.post({ type: 'load', id: this.id, text, file });
  }

  control(action: TrainingAction): void {
    this.owner.post({ type: 'control', id: this.id, action });
  }

  async explain(parameter: string): Promise<ExplanationView | null> {
    const m = await this.owner.request<{ explanation: ExplanationView | null }>((requestId) => ({ type: 'explain', id: this.id, requestId, parameter }));
    return m.explanation;
  }

  close(): void {
    this.owner.forget(this.id);
    this.owner.post({ type: 'close', id: this.id });
  }
}
