import * as vscode from 'vscode';
import { RunRegistry } from '../run/registry';
import type { BreakpointStore, Run } from '../run/run';
import { BreakpointSpecSchema, BuiltinSettingsSchema } from '../session/breakpointSchemas';
import type { BreakpointSpec, BuiltinSettings } from '../session/breakpointTypes';
import type { TrainingWorker } from '../training/client';
import * as v from 'valibot';

/** How long after the last keystroke the run follows the text: well inside the 100 ms budget. */
const UPDATE_DELAY_MS = 40;

const SavedBreakpoints = v.object({ specs: v.array(BreakpointSpecSchema), builtins: BuiltinSettingsSchema });

/**
 * Ties runs to documents: one run per document, fed the document's text as it changes (once, however
 * many editors show it), with its breakpoints kept in the workspace's state (never in the network
 * file). Editors, commands and the status bar attach to a document's run through this.
 */
export class DocumentRuns implements vscode.Disposable {
  readonly registry: RunRegistry;
  private readonly feeds = new Map<string, { subscription: vscode.Disposable; timer: ReturnType<typeof setTimeout> | undefined }>();

  constructor(worker: TrainingWorker, private readonly state: vscode.Memento, private readonly log: vscode.LogOutputChannel) {
    this.registry = new RunRegistry(worker, (uri) => this.store(uri));
  }

  /** The document's run, kept while the returned attachment is. */
  attach(document: vscode.TextDocument): { run: Run; dispose(): void } {
    const uri = document.uri.toString();
    const run = this.registry.get(uri, document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.path);
    const attachment = run.attach();
    if (!this.feeds.has(uri)) this.feed(document, run);
    return {
      run,
      dispose: () => {
        attachment.dispose();
        if (run.attachments === 0) this.stopFeeding(uri);
      },
    };
  }

  /** Sends the text now and after each edit, a little after typing stops. */
  private feed(document: vscode.TextDocument, run: Run): void {
    const uri = document.uri.toString();
    const send = (): void => {
      run.setText(document.getText()).catch((e: Error) => this.log.error(`training ${uri}: ${e.message}`));
    };
    const errors = run.onError.on((message) => { void vscode.window.showErrorMessage(`Backprop Debugger: ${message}`); });
    const changes = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document.uri.toString() !== uri || e.contentChanges.length === 0) return;
      clearTimeout(entry.timer);
      entry.timer = setTimeout(send, UPDATE_DELAY_MS);
    });
    const entry: { subscription: vscode.Disposable; timer: ReturnType<typeof setTimeout> | undefined } = {
      timer: undefined,
      subscription: { dispose: () => { changes.dispose(); errors.dispose(); } },
    };
    this.feeds.set(uri, entry);
    send();
  }

  private stopFeeding(uri: string): void {
    const entry = this.feeds.get(uri);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.subscription.dispose();
    this.feeds.delete(uri);
  }

  /** A document's breakpoints in the workspace's state, checked when read back (the state is only data). */
  private store(uri: string): BreakpointStore {
    const key = `breakpoints:${uri}`;
    return {
      load: () => {
        const saved = v.safeParse(SavedBreakpoints, this.state.get(key));
        return saved.success ? saved.output : undefined;
      },
      save: (specs: BreakpointSpec[], builtins: BuiltinSettings) => { void this.state.update(key, { specs, builtins }); },
    };
  }

  dispose(): void {
    for (const uri of [...this.feeds.keys()]) this.stopFeeding(uri);
  }
}
