/**
 * The runs, one per document (keyed by its URI), made when something first attaches and ended when
 * the last thing lets go. No vscode import.
 */
import type { TrainingWorker } from '../training/client';
import { type BreakpointStore, Run } from './run';

export class RunRegistry {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly worker: TrainingWorker, private readonly storeFor: (uri: string) => BreakpointStore) {}

  /** The run of `uri` (made if there is none); attach to it to keep it. */
  get(uri: string, file: string): Run {
    let run = this.runs.get(uri);
    if (!run) {
      run = new Run(uri, this.worker, file, this.storeFor(uri), (r) => {
        if (this.runs.get(r.uri) === r) this.runs.delete(r.uri);
        r.dispose();
      });
      this.runs.set(uri, run);
    }
    return run;
  }

  find(uri: string): Run | undefined {
    return this.runs.get(uri);
  }

  all(): Run[] {
    return [...this.runs.values()];
  }
}
