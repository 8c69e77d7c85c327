import * as vscode from 'vscode';
import { type Attachment, RunRegistry } from '../run/registry';
import type { BreakpointStore, Run } from '../run/run';
import { parseSavedBreakpoints } from '../session/breakpointSchemas';
import { type BreakpointSpec, type BuiltinSettings, defaultBuiltins } from '../session/breakpointTypes';
import type { TrainingWorker } from '../training/client';
import { readDataFiles } from '../core';
import { dataFileUris, documentDataReader } from '../dataFiles';

/** How long after the last keystroke the run follows the text: well inside the 100 ms budget. */
const UPDATE_DELAY_MS = 40;


interface Feed {
  subscription: vscode.Disposable;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Sends the document's text now. */
  flush(): void;
  /** The data files the text last sent names (by URI string), each watched on disk. */
  data: Map<string, vscode.Disposable>;
}

/**
 * Ties runs to documents: one run per document, fed the document's text as it changes (once, however
 * many editors show it), with its breakpoints kept in the workspace's state (never in the network
 * file). Editors, commands and the status bar attach to a document's run through this.
 */
export class DocumentRuns implements vscode.Disposable {
  readonly registry: RunRegistry;
  private readonly feeds = new Map<string, Feed>();

  /** Trust granted (Restricted Mode ends): every run reads the data files it waited for. */
  private readonly trusted: vscode.Disposable;

  constructor(private readonly worker: TrainingWorker, private readonly state: vscode.Memento, private readonly log: vscode.LogOutputChannel) {
    this.registry = new RunRegistry(worker, (uri) => this.store(uri));
    this.trusted = vscode.workspace.onDidGrantWorkspaceTrust(() => {
      for (const [uri, entry] of this.feeds) { entry.flush(); this.dataEmitter.fire(uri); }
    });
  }

  /** A file's breakpoints changed (in a run, or kept for a file with none): VS Code's Breakpoints view follows. */
  private readonly breakpointsEmitter = new vscode.EventEmitter<string>();
  readonly onDidChangeBreakpoints = this.breakpointsEmitter.event;
  /** A data file of a fed network changed (in an editor, or on disk): the network's URI, for the checks that follow its text. */
  private readonly dataEmitter = new vscode.EventEmitter<string>();
  readonly onDidChangeData = this.dataEmitter.event;

  /** The document's run, kept while the returned attachment is. */
  attach(document: vscode.TextDocument): Attachment {
    const uri = document.uri.toString();
    const attachment = this.registry.attach(uri, document.uri.scheme === 'file' ? document.uri.fsPath : document.uri.path);
    const { run } = attachment;
    if (!this.feeds.has(uri)) {
      this.feed(document.uri, run);
      const watched = run.onBreakpoints.on(() => this.breakpointsEmitter.fire(uri));
      const entry = this.feeds.get(uri)!;
      const inner = entry.subscription;
      entry.subscription = { dispose: () => { inner.dispose(); watched.dispose(); } };
    }
    return {
      run,
      dispose: () => {
        attachment.dispose();
        if (run.attachments === 0) this.stopFeeding(uri);
      },
    };
  }

  /**
   * Sends the text now and after each edit, a little after typing stops; with it the texts of the
   * data files it names (an open document's, unsaved too, else the file on disk), again after each
   * edit of one of them, in an editor or on disk. The document is looked up
   * by its URI each time: VS Code may close a document and open a new one for the same file while
   * the run lives on (held by a debug session), and an old TextDocument's text is no longer the file's.
   */
  private feed(uri: vscode.Uri, run: Run): void {
    const key = uri.toString();
    const send = (): void => {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
      if (!document) return;
      const text = document.getText();
      watchData(text);
      run.setText(text, document.version, readDataFiles(text, documentDataReader(uri))).catch((e: Error) => this.log.error(`training ${key}: ${e.message}`));
    };
    const later = (): void => {
      clearTimeout(entry.timer);
      entry.timer = setTimeout(send, UPDATE_DELAY_MS);
    };
    const dataChanged = (): void => {
      later();
      this.dataEmitter.fire(key);
    };
    // Each data file on disk too (one not open in an editor changes only there); the watchers follow the text's "file" values.
    const watchData = (text: string): void => {
      const wanted = new Set(dataFileUris(uri, text).map((u) => u.toString()));
      for (const [data, watcher] of entry.data) if (!wanted.has(data)) { watcher.dispose(); entry.data.delete(data); }
      for (const data of wanted) {
        if (entry.data.has(data)) continue;
        const target = vscode.Uri.parse(data);
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(target, '..'), target.path.slice(target.path.lastIndexOf('/') + 1)));
        const subscriptions = [watcher, watcher.onDidChange(dataChanged), watcher.onDidCreate(dataChanged), watcher.onDidDelete(dataChanged)];
        entry.data.set(data, { dispose: () => subscriptions.forEach((s) => s.dispose()) });
      }
    };
    const errors = run.onError.on((message) => { void vscode.window.showErrorMessage(`Backprop Debugger: ${message}`); });
    const changes = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.contentChanges.length === 0) return;
      const changed = e.document.uri.toString();
      if (changed === key) later();
      else if (entry.data.has(changed)) dataChanged();
    });
    // A document opened again (after VS Code closed it) is the file's text now.
    const opened = vscode.workspace.onDidOpenTextDocument((d) => { if (d.uri.toString() === key) send(); });
    // A data file's editor closed without saving: the file on disk is its text again.
    const closed = vscode.workspace.onDidCloseTextDocument((d) => { if (entry.data.has(d.uri.toString())) dataChanged(); });
    const entry: Feed = {
      timer: undefined,
      flush: send,
      data: new Map(),
      subscription: { dispose: () => { changes.dispose(); opened.dispose(); closed.dispose(); errors.dispose(); for (const w of entry.data.values()) w.dispose(); } },
    };
    this.feeds.set(key, entry);
    send();
  }

  /** Sends a document's pending edit now (Write Parameters, a test's sync): the run then follows its text. */
  flush(uri: vscode.Uri): void {
    const entry = this.feeds.get(uri.toString());
    if (entry?.timer !== undefined) entry.flush();
  }

  /** After the training worker gave up: start it again, every run loading its text. */
  retryWorker(): void {
    this.worker.retry();
  }

  /** Every pending edit, now. */
  flushAll(): void {
    for (const entry of this.feeds.values()) if (entry.timer !== undefined) entry.flush();
  }

  private stopFeeding(uri: string): void {
    const entry = this.feeds.get(uri);
    if (!entry) return;
    clearTimeout(entry.timer);
    entry.subscription.dispose();
    this.feeds.delete(uri);
  }

  // ---- each file's breakpoints, with or without a run (one set, shown in the list and in VS Code's view) ----

  /** The files whose breakpoints are kept, by URI. */
  breakpointFiles(): string[] {
    return this.state.keys().filter((k) => k.startsWith('breakpoints:')).map((k) => k.slice('breakpoints:'.length));
  }

  /** A file's breakpoints: its run's, or those kept for it. */
  breakpointsOf(uri: string): { specs: BreakpointSpec[]; builtins: BuiltinSettings } {
    const run = this.registry.find(uri);
    if (run) return { specs: run.specs, builtins: run.builtins };
    return this.store(uri).load() ?? { specs: [], builtins: defaultBuiltins() };
  }

  /** Sets a file's breakpoints: through its run when it has one (which checks them), else kept for it. */
  async setBreakpointsOf(uri: string, specs: BreakpointSpec[], builtins = this.breakpointsOf(uri).builtins): Promise<void> {
    const run = this.registry.find(uri);
    if (run) { await run.setBreakpoints(specs, builtins); return; }
    this.store(uri).save(specs, builtins);
    this.breakpointsEmitter.fire(uri);
  }

  /** A document's breakpoints in the workspace's state, checked when read back (the state is only data). */
  private store(uri: string): BreakpointStore {
    const key = `breakpoints:${uri}`;
    return {
      load: () => {
        return parseSavedBreakpoints(this.state.get(key));
      },
      save: (specs: BreakpointSpec[], builtins: BuiltinSettings) => { void this.state.update(key, { specs, builtins }); },
    };
  }

  dispose(): void {
    for (const uri of [...this.feeds.keys()]) this.stopFeeding(uri);
    this.trusted.dispose();
    this.breakpointsEmitter.dispose();
    this.dataEmitter.dispose();
  }
}
