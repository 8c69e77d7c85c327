import * as vscode from 'vscode';
import { VIEW_TYPE } from '../protocol';
import type { Run } from '../run/run';
import { TrainingWorker } from '../training/client';
import { DocumentRuns } from './documentRuns';
import { NetworkEditorPanel } from './panel';
import { ViewStates } from './viewStates';

/**
 * Context keys for the run the training commands act on: VS Code's editor title and keybindings
 * enable Step, Continue, Pause, Step Back and Reset from them, so the title's buttons follow the
 * run's real state as the page's own toolbar does.
 */
/** How often the status bar follows a run while it trains (ms). */
const STATUS_MS = 250;

const CONTEXT = {
  running: 'backprop.training.running',
  hasNetwork: 'backprop.training.hasNetwork',
  canStepBack: 'backprop.training.canStepBack',
  /** Step Into has gone into a step (Step Out finishes it). */
  inStep: 'backprop.training.inStep',
  /** For the walkthrough: a step has been taken, training converged. */
  stepped: 'backprop.training.stepped',
  converged: 'backprop.training.converged',
} as const;

/**
 * The network editor for `*.nn.json`: a CustomTextEditorProvider, so the TextDocument stays the
 * model and VS Code keeps undo/redo, save, dirty state, hot exit and "Reopen Editor With...".
 * Every editor of a document shows and drives that document's one run.
 */
export class NetworkEditorProvider implements vscode.CustomTextEditorProvider, vscode.Disposable {
  readonly panels = new Set<NetworkEditorPanel>();
  /**
   * The network editor the training commands act on: the one last focused, while it is open (so
   * the walkthrough's buttons, clicked on the Welcome page, still reach it).
   */
  active: NetworkEditorPanel | undefined;
  /** One training worker for every run: on two cores, one thread trains while the other serves. */
  readonly worker: TrainingWorker;
  readonly runs: DocumentRuns;
  private readonly views: ViewStates;
  private readonly status: vscode.StatusBarItem;
  private readonly subscriptions: vscode.Disposable[] = [];
  private activeSubscriptions: { dispose(): void }[] = [];

  constructor(
    private readonly extensionUri: vscode.Uri, private readonly log: vscode.LogOutputChannel, storage: vscode.Uri, state: vscode.Memento,
    /** The extension's storage folders (where examples' copies live): charts are not saved there by default. */
    private readonly hidden: readonly vscode.Uri[],
  ) {
    this.views = new ViewStates(storage);
    this.worker = new TrainingWorker(vscode.Uri.joinPath(extensionUri, 'dist', 'worker.js').fsPath, (m) => log.error(m));
    this.runs = new DocumentRuns(this.worker, state, log);
    this.status = vscode.window.createStatusBarItem('backprop.status', vscode.StatusBarAlignment.Left, 50);
    this.status.name = 'Backprop Debugger: training';
    this.status.command = 'backprop.trainingStatus.reveal';
    this.subscriptions.push(this.status, this.runs);
  }

  static register(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): NetworkEditorProvider {
    // The workspace's own storage where there is a workspace, else the extension's.
    const hidden = [context.globalStorageUri, ...(context.storageUri ? [context.storageUri] : [])];
    const provider = new NetworkEditorProvider(context.extensionUri, log, context.storageUri ?? context.globalStorageUri, context.workspaceState, hidden);
    context.subscriptions.push(provider);
    context.subscriptions.push(vscode.window.registerCustomEditorProvider(VIEW_TYPE, provider, {
      // Re-created on show: the page restores its view (getState) and is shown what the run shows.
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }));
    return provider;
  }

  resolveCustomTextEditor(document: vscode.TextDocument, webviewPanel: vscode.WebviewPanel): void {
    const panel = new NetworkEditorPanel(document, webviewPanel, this.extensionUri, this.log, this.views, this.runs, this.hidden, (s) => {
      this.panels.delete(s);
      if (this.active === s) this.setActive([...this.panels].pop());
    });
    this.panels.add(panel);
    if (webviewPanel.active || !this.active) this.setActive(panel);
    webviewPanel.onDidChangeViewState(() => { if (webviewPanel.active) this.setActive(panel); });
  }

  /** The run the commands act on: the active network editor's. */
  get activeRun(): Run | undefined {
    return this.active?.run;
  }

  private setActive(panel: NetworkEditorPanel | undefined): void {
    if (this.active === panel) return;
    this.active = panel;
    this.activeSubscriptions.forEach((s) => s.dispose());
    this.activeSubscriptions = panel ? [panel.onDidChange(() => this.updateContext())] : [];
    this.updateContext();
  }

  private readonly context = new Map<string, boolean>();
  private statusAt = 0;
  private statusTimer: ReturnType<typeof setTimeout> | undefined;

  private updateContext(): void {
    const s = this.active;
    const f = s?.hasNetwork ? s.run.frame : undefined;
    this.setContext(CONTEXT.hasNetwork, f !== undefined);
    this.setContext(CONTEXT.running, f?.running ?? false);
    this.setContext(CONTEXT.canStepBack, f !== undefined && (f.step > f.earliest || f.phase !== null));
    this.setContext(CONTEXT.inStep, (f?.phase ?? null) !== null);
    this.setContext(CONTEXT.stepped, f !== undefined && f.step > 0);
    this.setContext(CONTEXT.converged, f?.stopReason === 'converged');
    this.updateStatus();
  }

  /**
   * The status bar: the active run's step and state, a click away from its editor. While training
   * runs it changes at most every STATUS_MS (each change is a message to the workbench, which also
   * carries the page's messages); a stop shows at once.
   */
  private updateStatus(): void {
    const s = this.active;
    const f = s?.run.frame;
    if (!s || !f) { this.status.hide(); return; }
    const now = performance.now();
    if (f.running && now - this.statusAt < STATUS_MS) {
      clearTimeout(this.statusTimer);
      this.statusTimer = setTimeout(() => this.updateStatus(), STATUS_MS);
      return;
    }
    clearTimeout(this.statusTimer);
    this.statusAt = now;
    const name = s.document.uri.path.split('/').pop();
    const a = f.running ? f.activity : null;
    if (a && a.kind !== 'continue' && a.fraction !== null) {
      // A long jump says how far it has got, as the page does.
      this.status.text = `$(sync~spin) ${name}: ${a.label}: ${Math.floor(a.fraction * 100)}%`;
      this.status.tooltip = `${a.label} (at step ${f.step.toLocaleString('en-US')}): F6 or Pause stops it`;
    } else {
      this.status.text = f.running ? `$(debug-pause) ${name}: step ${f.step}, running` : `$(debug-stackframe) ${name}: step ${f.step}`;
      this.status.tooltip = f.running ? `Training ${name}: Continue is under way (F6 pauses)` : f.stop?.text ?? `${name} at step ${f.step}`;
    }
    this.status.show();
  }

  /** setContext only when a value changes: frames arrive many times a second during Continue. */
  private setContext(key: string, value: boolean): void {
    if (this.context.get(key) === value) return;
    this.context.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  dispose(): void {
    clearTimeout(this.statusTimer);
    this.activeSubscriptions.forEach((s) => s.dispose());
    this.subscriptions.forEach((s) => s.dispose());
    void this.worker.dispose();
  }
}
