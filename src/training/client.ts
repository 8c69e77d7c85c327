/**
 * The extension host's side of the training worker: starts it when first needed, sends each run's
 * requests and routes each reply to the request that asked (the one request/reply helper, typed by
 * the request map) and each event to its run. A request fails, never gets a made-up reply, when the
 * worker cannot answer it.
 *
 * If the worker dies, every pending request fails and every run is told its state is gone: the
 * worker starts again (at most a few times a minute) and each run loads itself again from its text.
 * Past that the worker has given up: a state of its own, in which requests fail at once (no fresh
 * worker that knows no run is started behind anyone's back) until someone asks to retry. No vscode
 * import, so the bench and the tests drive exactly what the extension runs.
 */
import { Worker } from 'node:worker_threads';
import { RequestError, Requests } from '../rpc';
import type { FromWorker, Reply, RequestKind, RunEvent, WorkerRequestMap, WorkerRequests } from './protocol';

const MAX_RESTARTS = 3;
const RESTART_WINDOW_MS = 60_000;

/** A request the worker could not answer: it failed there, or the worker stopped. */
export class WorkerError extends RequestError {}

export interface RunListener {
  event(event: RunEvent): void;
  /**
   * The worker stopped: the run's state in it is gone. `failure` is null when a new worker takes
   * over (load again), or says why it will not start again (until retry()).
   */
  workerLost(failure: string | null): void;
  /** After giving up, the worker may start again (retry()): load again. */
  workerBack(): void;
}

export class TrainingWorker {
  private worker: Worker | undefined;
  private requests: Requests<WorkerRequestMap> | undefined;
  private nextRun = 1;
  private readonly runs = new Map<number, RunListener>();
  private disposed = false;
  private recentDeaths: number[] = [];
  /** Why the worker will not start again, once it kept stopping (null while all is well). */
  failure: string | null = null;

  /** `script` is the bundled worker (dist/worker.js), or out/src/training/worker.js in tests. */
  constructor(private readonly script: string, private readonly log: (message: string) => void = () => undefined) {}

  /** A new run's link to the worker: its requests, and its events to `listener`. */
  open(listener: RunListener): WorkerLink {
    const id = this.nextRun++;
    this.runs.set(id, listener);
    return new WorkerLink(this, id);
  }

  /** Whether a worker thread is up (for tests: giving up starts none). */
  get started(): boolean {
    return this.worker !== undefined;
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
    if (this.failure !== null) return Promise.reject(new WorkerError(this.failure));
    const requests = this.ensure();
    return requests.request(kind, { ...params, run } as WorkerRequestMap[K]['params']).catch((e: Error) => {
      throw e instanceof WorkerError ? e : new WorkerError(e.message);
    });
  }

  /** After giving up: start again, and tell every run to load itself again. */
  retry(): void {
    if (this.failure === null || this.disposed) return;
    this.failure = null;
    this.recentDeaths = [];
    for (const listener of [...this.runs.values()]) listener.workerBack();
  }

  /** @internal */
  forget(run: number): void {
    this.runs.delete(run);
  }

  /** @internal For tests: the worker thread dies as a crash would end it. */
  kill(): Promise<number> | undefined {
    return this.worker?.terminate();
  }

  private ensure(): Requests<WorkerRequestMap> {
    if (this.worker && this.requests) return this.requests;
    const worker = new Worker(this.script);
    const requests = new Requests<WorkerRequestMap>((m) => worker.postMessage(m));
    this.worker = worker;
    this.requests = requests;
    worker.on('message', (m: FromWorker) => this.receive(requests, m));
    worker.on('error', (e) => this.log(`training worker failed: ${e.stack ?? e.message}`));
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.requests = undefined;
      requests.failAll(new WorkerError(`the training worker stopped (exit code ${code})`));
      if (this.disposed) return;
      // A worker that keeps dying at once (a broken install) is not restarted for ever.
      const now = Date.now();
      this.recentDeaths = this.recentDeaths.filter((t) => now - t < RESTART_WINDOW_MS);
      this.recentDeaths.push(now);
      const again = this.recentDeaths.length <= MAX_RESTARTS;
      if (!again) this.failure = `The training worker keeps stopping (exit code ${code}); it was not started again.`;
      this.log(`training worker exited with code ${code}${again ? '; starting it again' : '; giving up until Retry'}`);
      for (const listener of [...this.runs.values()]) listener.workerLost(this.failure);
    });
    return requests;
  }

  private receive(requests: Requests<WorkerRequestMap>, m: FromWorker): void {
    switch (m.type) {
      case 'event':
        this.runs.get(m.run)?.event(m.event);
        return;
      case 'reply':
        requests.settle(m);
        return;
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
    this.requests?.failAll(new WorkerError('the training worker has been shut down'));
    this.requests = undefined;
    await worker?.terminate();
  }
}

/** One run's link to the worker: its requests. */
export class WorkerLink {
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
