/** Activation: registers what the extension contributes, nothing else. */
import * as vscode from 'vscode';
import { activateDebugger, DEBUG_TYPE, launchConfiguration } from './debug/activate';
import { BreakpointSync } from './debug/breakpointSync';
import { NetworkDiagnostics } from './diagnostics';
import { BootWatch } from './editor/bootWatch';
import { NetworkEditorProvider } from './editor/provider';
import { openTextBeside } from './editor/panel';
import { Examples } from './examples';
import { goToStepCheck, goToStepPrompt } from './goToStep';
import { ModelCommands } from './modelCommands';
import { newNetwork } from './newNetwork';
import { type TrainingAction, type TrainingFrame, VIEW_TYPE } from './protocol';
import type { Phase } from './session/stepper';
import type { Activity } from './session/training';
import { followLimitsSetting } from './limitsSetting';

/** What the extension hands to whoever asks for its exports: the integration tests look inside. */
export interface BackpropApi {
  editors(): {
    uri: string; ready: boolean; readies: number;
    /** How often the page was loaded again because it did not start. */
    reloads: number;
    shown: 'nothing' | 'model' | 'invalid'; step: number | null; running: boolean; loss: number | null;
    params: number[] | null; pinned: string | null; stop: string | null; phase: Phase | null; run: string;
    /** What is under way (Continue, a long Go to Step...) and how far it has got. */
    activity: Activity | null;
    /** Why the run last restarted from the file ("the data changed"), null if it has not. */
    restartedBecause: string | null;
    /** The built-in conditions the run has on. */
    builtinsOn: string[];
    /** The training samples of the run's network (null before it loads), and why the text is not a network now (null when it is). */
    samples: number | null;
    problem: string | null;
    /** What the page's charts asked for, and the latest charts the worker sent (their step, the curve's parameter and slope, the loss's points). */
    charts: { panels: string[]; parameters: string[]; optimizers?: string[]; step: number; pending: boolean; profile: { parameter: string; slope: number } | null; lossPoints: number | null;
      /** Compare optimizers: each line's optimizer, the step it reached and its loss there. */
      compare: { optimizer: string; reached: number; loss: number }[] | null;
    } | null;
  }[];
  /** A message into the network editor of `uri` as if its page had sent it: validated like any. */
  fromPage(uri: string, message: unknown): Promise<void>;
  /** The runs: one per document, whatever number of editors show it. */
  runs(): { uri: string; attachments: number; step: number | null; running: boolean }[];
  /** How many runs the training worker is working on now (answered between its slices). */
  workerRunning(): Promise<number>;
  /** Resolves once every edit typed so far has reached its run and every frame the worker sent before has reached the editors. */
  sync(): Promise<void>;
  /** For the tests: the next `broken` pages render without their script, and a silent page is loaded again after `patienceMs`. */
  pageBoot(options: { broken: number; patienceMs: number }): void;
}

/** The training controls, as commands: the editor toolbar's buttons and keys call these. */
const TRAINING_COMMANDS: [string, TrainingAction][] = [
  ['backprop.step', 'step'], ['backprop.stepInto', 'stepInto'], ['backprop.stepOut', 'stepOut'],
  ['backprop.continue', 'continue'], ['backprop.pause', 'pause'], ['backprop.stepBack', 'stepBack'],
  ['backprop.reverseContinue', 'reverseContinue'], ['backprop.reset', 'reset'],
];

export function activate(context: vscode.ExtensionContext): BackpropApi {
  const log = vscode.window.createOutputChannel('Backprop Debugger', { log: true });
  // Before anything loads a network: the limits it is checked against.
  context.subscriptions.push(followLimitsSetting(log));
  const editors = NetworkEditorProvider.register(context, log);
  const examples = new Examples(context.extensionUri, context.globalStorageUri);
  activateDebugger(context, editors.runs);
  // A network file's language (nn-json) takes part in VS Code's JSON language server (schema,
  // completion, formatting; see jsonLanguageParticipants), which starts by itself only for JSON files.
  const json = vscode.extensions.getExtension('vscode.json-language-features');
  if (json && !json.isActive) Promise.resolve(json.activate()).catch((e: Error) => log.warn(`the JSON language features did not start: ${e.message}`));
  // The editor's list and VS Code's Breakpoints view: one set.
  context.subscriptions.push(new BreakpointSync(editors.runs, () => editors.active?.document.uri));
  const noEditor = (): Thenable<unknown> => vscode.window.showInformationMessage('Open a network in the Network Debugger first (Backprop Debugger: Open Example Network...).');
  const models = new ModelCommands(editors, [context.globalStorageUri, ...(context.storageUri ? [context.storageUri] : [])], log);
  context.subscriptions.push(
    log,
    new NetworkDiagnostics(editors.runs.onDidChangeData),
    // A test (or a keybinding) may name the model and the activations, or the network and the format: then nothing is asked.
    vscode.commands.registerCommand('backprop.importModel', (uri?: unknown, options?: { activations?: unknown }) =>
      models.importModel(uri instanceof vscode.Uri ? uri : undefined, typeof options?.activations === 'string' ? options.activations : undefined)),
    vscode.commands.registerCommand('backprop.export', (uri?: unknown, format?: unknown) =>
      models.exportNetwork(uri instanceof vscode.Uri ? uri : undefined, typeof format === 'string' ? format : undefined)),
    // The walkthrough passes { beside: true }, so the graph opens next to its steps.
    vscode.commands.registerCommand('backprop.openExample', (name?: unknown, options?: { beside?: unknown; to?: unknown }) =>
      examples.open(typeof name === 'string' ? name : undefined, options?.beside === true, options?.to instanceof vscode.Uri ? options.to : undefined)),
    vscode.commands.registerCommand('backprop.newNetwork', (uri?: unknown) => newNetwork(uri instanceof vscode.Uri ? uri : undefined)),
    vscode.commands.registerCommand('backprop.openInNetworkDebugger', (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
      if (!target) return vscode.window.showInformationMessage('Open a network file (.nn.json or .json) first.');
      return vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
    }),
    vscode.commands.registerCommand('backprop.openTextBeside', (uri?: vscode.Uri) => {
      const target = uri instanceof vscode.Uri ? uri : editors.active?.document.uri;
      if (!target) return noEditor();
      return openTextBeside(target);
    }),
    ...TRAINING_COMMANDS.map(([command, action]) => vscode.commands.registerCommand(command, async () => {
      const panel = editors.active;
      if (!panel) return noEditor();
      await panel.control(action);
      return undefined;
    })),
    vscode.commands.registerCommand('backprop.goToStep', async (step?: unknown) => {
      const panel = editors.active;
      const debug = vscode.debug.activeDebugSession;
      // With no network editor open, Go to Step acts on the run VS Code's debugger shows.
      if (!panel?.run.frame && debug?.type === DEBUG_TYPE) {
        const program = typeof debug.configuration.program === 'string' ? vscode.Uri.file(debug.configuration.program).toString() : '';
        const f = editors.runs.registry.find(program)?.frame;
        const target = typeof step === 'number' ? step : await askStep(f);
        if (target !== undefined) await debug.customRequest('goToStep', { step: target });
        return undefined;
      }
      if (!panel?.run.frame) return noEditor();
      const target = typeof step === 'number' ? step : await askStep(panel.run.frame);
      if (target !== undefined) await panel.run.goTo(target);
      return undefined;
    }),
    // F5 in the network editor: VS Code's own debugger on this network, training on to the first breakpoint.
    vscode.commands.registerCommand('backprop.debug', async (uri?: unknown) => {
      const target = uri instanceof vscode.Uri ? uri : editors.active?.document.uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target) return noEditor();
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(target), launchConfiguration(target, false));
    }),
    vscode.commands.registerCommand('backprop.writeParameters', async () => {
      const panel = editors.active;
      if (!panel) return noEditor();
      return panel.writeParameters();
    }),
    // With a number of digits (a test, a keybinding's args) it writes those; else the person picks.
    vscode.commands.registerCommand('backprop.writeParametersRounded', async (digits?: unknown) => {
      const panel = editors.active;
      if (!panel) return noEditor();
      return panel.writeParameters(typeof digits === 'number' ? digits : 'ask');
    }),
    vscode.commands.registerCommand('backprop.trainingStatus.reveal', () => {
      const panel = editors.active;
      if (panel) return vscode.commands.executeCommand('vscode.openWith', panel.document.uri, VIEW_TYPE);
      return undefined;
    }),
    vscode.commands.registerCommand('backprop.explainParameter', async (name?: unknown) => {
      const panel = editors.active;
      const structure = panel?.run.structure;
      if (!panel || !structure) return noEditor();
      const parameter = typeof name === 'string' ? name : (await vscode.window.showQuickPick(structure.params.map((p) => ({ label: p.name, description: p.kind })), { title: 'Explain the derivative of...' }))?.label;
      if (parameter) await panel.pin(parameter);
      return undefined;
    }),
    // What the active network editor's run shows: its step, loss, whether Continue is under way, its last stop.
    vscode.commands.registerCommand('backprop.trainingStatus', () => {
      const panel = editors.active;
      const f = panel?.run.frame;
      return panel && f ? { uri: panel.document.uri.toString(), step: f.step, loss: f.loss, running: f.running, stopReason: f.stopReason, stop: f.stop?.text ?? null, phase: f.phase } : undefined;
    }),
  );
  openRequested().catch((e: Error) => log.error(`BACKPROP_OPEN: ${e.message}`));
  return {
    editors: () => [...editors.panels].map((s) => ({
      uri: s.document.uri.toString(), ready: s.ready, readies: s.readies, reloads: s.boot.reloads, shown: s.shown, pinned: s.pinned,
      step: s.run.frame?.step ?? null, running: s.running, loss: s.run.frame?.loss ?? null, params: s.run.frame?.values ?? null,
      stop: s.run.frame?.stop?.text ?? null, phase: s.run.frame?.phase ?? null, run: s.run.uri, restartedBecause: s.run.restartedBecause,
      activity: s.run.frame?.running ? s.run.frame.activity : null,
      builtinsOn: (Object.keys(s.run.builtins) as (keyof typeof s.run.builtins)[]).filter((k) => s.run.builtins[k].enabled),
      samples: s.run.structure?.samples ?? null, problem: s.run.problem ?? null,
      charts: s.run.chartRequest && s.run.charts ? {
        ...s.run.chartRequest, step: s.run.charts.step, pending: s.run.charts.pending, lossPoints: s.run.charts.loss?.steps.length ?? null,
        profile: s.run.charts.profile ? { parameter: s.run.charts.profile.parameter, slope: s.run.charts.profile.slope } : null,
        compare: s.run.charts.compare ? s.run.charts.compare.lines.map((l) => ({ optimizer: l.optimizer, reached: l.steps[l.steps.length - 1], loss: l.losses[l.losses.length - 1] })) : null,
      } : null,
    })),
    fromPage: async (uri, message) => {
      const panel = [...editors.panels].find((s) => s.document.uri.toString() === uri);
      if (!panel) throw new Error(`no network editor shows ${uri}`);
      await panel.receive(message);
    },
    runs: () => editors.runs.registry.all().map((r) => ({ uri: r.uri, attachments: r.attachments, step: r.frame?.step ?? null, running: r.running })),
    workerRunning: () => editors.worker.ping().then((p) => p.running),
    // Edits still in their debounce go first, so the runs follow the texts as they are.
    sync: () => { editors.runs.flushAll(); return editors.worker.ping().then(() => undefined); },
    pageBoot: ({ broken, patienceMs }) => { BootWatch.brokenPages = broken; BootWatch.patienceMs = patienceMs; },
  };
}

/**
 * `npm run demo` names a network to show when VS Code starts (BACKPROP_OPEN). VS Code for the
 * browser opens files named in its URL before any extension has registered its editors, so the
 * demo hands the file to the extension, which opens it in the network editor.
 */
async function openRequested(): Promise<void> {
  const file = process.env.BACKPROP_OPEN;
  if (!file) return;
  const uri = vscode.Uri.file(file);
  const open = vscode.window.tabGroups.all.some((g) => g.tabs.some((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
  if (!open) await vscode.commands.executeCommand('vscode.openWith', uri, VIEW_TYPE);
}

/** Go to Step...: a step number from the person, checked as typed, with the range kept. */
function askStep(f: Pick<TrainingFrame, 'step' | 'earliest' | 'latest' | 'stopReason'> | undefined): Thenable<number | undefined> {
  const { step = 0, earliest = 0, latest = 0, stopReason = null } = f ?? {};
  return vscode.window.showInputBox({
    title: 'Go to Step',
    prompt: goToStepPrompt(step, earliest, latest),
    value: String(step),
    validateInput: (text) => {
      const check = goToStepCheck(text, earliest, latest, stopReason);
      return check && { message: check.message, severity: check.severity === 'error' ? vscode.InputBoxValidationSeverity.Error : vscode.InputBoxValidationSeverity.Info };
    },
  }).then((text) => (text === undefined ? undefined : Number(text)));
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
