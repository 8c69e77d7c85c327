/**
 * The runs, one per document (keyed by its URI). A run is handed out only attached: made when
 * something first attaches, ended when the last attachment lets go, so no run outlives everything
 * that shows or drives it. No vscode import.
 */
import type { TrainingWorker } from '../training/client';
import { type BreakpointStore, Run } from './run';

/** A hold on a document's run: the run, and letting go of it (once). */
export interface Attachment {
  readonly run: Run;
  dispose(): void;
}

export class RunRegistry {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly worker: TrainingWorker, private readonly storeFor: (uri: string) => BreakpointStore) {}

  /** The run of `uri` (made if there is none), kept while the attachment is. */
  attach(uri: string, file: string): Attachment {
    let run = this.runs.get(uri);
    if (!run) {
      run = new Run(uri, this.worker, file, this.storeFor(uri), (r) => {
        if (this.runs.get(r.uri) === r) this.runs.delete(r.uri);
        r.dispose();
      });
      this.runs.set(uri, run);
    }
    const held = run.attach();
    return { run, dispose: () => held.dispose() };
  }

  /** The run of `uri` if something holds it: to read (inline values, hovers), never to keep. */
  find(uri: string): Run | undefined {
    return this.runs.get(uri);
  }

  all(): Run[] {
    return [...this.runs.values()];
  }
}
