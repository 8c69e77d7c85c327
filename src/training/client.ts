/**
 * The extension host's side of the training worker: starts it when first needed, sends each run's
 * requests and routes each reply to the request that asked (typed by the request map) and each
 * event to its run. A request fails, never gets a made-up reply, when the worker cannot answer it;
 * if the worker dies, every pending request fails, and the worker starts again (at most a few
 * times a minute), telling each run so it can load itself again. No vscode import, so the bench and
 * the tests drive exactly what the extension runs.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, Reply, RequestKind, RunEvent, ToWorker, WorkerRequests } from './protocol';

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/** A request the worker could not answer: it failed there, or the worker stopped. */
export class WorkerError extends Error {}

export interface RunListener {
  event(event: RunEvent): void;
  /** The worker stopped and started again (or will not, `again` false): the run's state is gone. */
  workerRestarted(again: boolean, message: string): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export class TrainingWorker {
  private worker: Worker | undefined;
  private nextRun = 1;
  private nextRequest = 1;
  private readonly runs = new Map<number, RunListener>();
  private readonly pending = new Map<number, Pending>();
  private disposed = false;
  private recentDeaths: number[] = [];

  /** `script` is the bundled worker (dist/worker.js), or out/src/training/worker.js in tests. */
  constructor(private readonly script: string, private readonly log: (message: string) => void = () => undefined) {}

  /** A new run's handle: its requests, and its events to `listener`. */
  open(listener: RunListener): WorkerRun {
    const id = this.nextRun++;
    this.runs.set(id, listener);
    return new WorkerRun(this, id);
  }

  /** The round trip of a message through the worker, in ms: answered between slices of training. */
  async ping(): Promise<{ ms: number; running: number }> {
    const started = performance.now();
    const { running } = await this.request(0, 'ping', {});
    return { ms: performance.now() - started, running };
  }

  /** Sends one request for `run`; resolves with its reply, or fails with a WorkerError. */
  request<K extends RequestKind>(run: number, kind: K, params: WorkerRequests[K]['params']): Promise<Reply<K>> {
    if (this.disposed) return Promise.reject(new WorkerError('the training worker has been shut down'));
    const requestId = this.nextRequest++;
    return new Promise<Reply<K>>((resolve, reject) => {
      this.pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      this.ensure().postMessage({ kind, run, requestId, params } as ToWorker);
    });
  }

  /** @internal */
  forget(run: number): void {
    this.runs.delete(run);
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
      const failure = new WorkerError(`the training worker stopped (exit code ${code})`);
      for (const p of this.pending.values()) p.reject(failure);
      this.pending.clear();
      if (this.disposed || code === 0) return;
      // A worker that keeps dying at once (a broken install) is not restarted for ever.
      const now = Date.now();
      this.recentDeaths = this.recentDeaths.filter((t) => now - t < RESTART_WINDOW_MS);
      this.recentDeaths.push(now);
      const again = this.recentDeaths.length <= MAX_RESTARTS;
      this.log(`training worker exited with code ${code}${again ? '; starting it again' : ''}`);
      for (const listener of this.runs.values()) {
        listener.workerRestarted(again, again ? 'The training worker stopped; training starts again from the file.' : `The training worker keeps stopping (exit code ${code}); reopen the editor to try again.`);
      }
    });
    return worker;
  }

  private receive(m: FromWorker): void {
    switch (m.kind) {
      case 'event':
        this.runs.get(m.run)?.event(m.event);
        return;
      case 'reply': {
        const pending = this.pending.get(m.requestId);
        this.pending.delete(m.requestId);
        if (!pending) return;
        if (m.ok) pending.resolve(m.value);
        else pending.reject(new WorkerError(m.error));
        return;
      }
      default: {
        const never: never = m;
        throw new Error(`unknown message from the training worker: ${JSON.stringify(never)}`);
      }
    }
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.runs.clear();
    for (const p of this.pending.values()) p.reject(new WorkerError('the training worker has been shut down'));
    this.pending.clear();
    await worker?.terminate();
  }
}

/** One run's requests to the worker. */
export class WorkerRun {
  constructor(private readonly owner: TrainingWorker, readonly id: number) {}

  request<K extends RequestKind>(kind: K, params: WorkerRequests[K]['params']): Promise<Reply<K>> {
    return this.owner.request(this.id, kind, params);
  }

  /** Stops the run in the worker and forgets it here. */
  close(): void {
    this.owner.forget(this.id);
    this.request('close', {}).catch(() => undefined);
  }
}
