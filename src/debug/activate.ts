/**
 * VS Code's side of the debugger, as mock-debug's activation is: the configuration provider (F5 on
 * a network file with no launch.json debugs that file), the inline adapter (a NetworkDebugSession
 * on the same runs the network editors show), inline values and hovers in the JSON text while a
 * session is stopped.
 */
import * as vscode from 'vscode';
import { loadNetwork, looksLikeNetwork, readDataFiles } from '../core';
import { documentDataReader } from '../dataFiles';
import type { DocumentRuns } from '../editor/documentRuns';
import { VIEW_TYPE } from '../protocol';
import type { Run } from '../run/run';
import { networkLines } from './positions';
import { fmt, type LaunchArguments, NetworkDebugSession, type NetworkSource } from './session';

export const DEBUG_TYPE = 'backprop';

/** The network file a person is looking at: the active network editor's, or a network's text. */
function activeNetworkFile(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === VIEW_TYPE) return input.uri;
  const doc = vscode.window.activeTextEditor?.document;
  // A JSON file that is plainly something else (package.json) is not taken for a network.
  return doc && (/\.nn\.json$/i.test(doc.uri.path) || (/\.json$/i.test(doc.uri.path) && looksLikeNetwork(doc.getText()))) ? doc.uri : undefined;
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    // F5 with no launch.json: debug the network in front of the person, running to the first breakpoint.
    if (!config.type && !config.request && !config.name) {
      const file = activeNetworkFile();
      if (!file) {
        void vscode.window.showInformationMessage('Open a network file (.nn.json) to debug its training.');
        return undefined;
      }
      return { type: DEBUG_TYPE, request: 'launch', name: 'Debug training', program: file.fsPath, stopOnEntry: false, internalConsoleOptions: 'neverOpen' };
    }
    // The graph keeps its room: the Debug Console opens only when the configuration asks for it
    // (VS Code's own `internalConsoleOptions`); the stop's sentence is in the page and the Call Stack.
    config.internalConsoleOptions ??= 'neverOpen';
    if (!config.program) {
      const file = activeNetworkFile();
      if (!file) {
        void vscode.window.showInformationMessage("The launch configuration needs a 'program': the network file to debug.");
        return undefined;
      }
      config.program = file.fsPath;
    }
    return config;
  }
}

/** The runs of open documents, for the adapter: the same run the network editors show. */
function sourceOf(runs: DocumentRuns): NetworkSource {
  return {
    open: async (program) => {
      const uri = vscode.Uri.file(program);
      const document = await vscode.workspace.openTextDocument(uri);
      const attachment = runs.attach(document);
      await attachment.run.setText(document.getText(), document.version, readDataFiles(document.getText(), documentDataReader(uri)));
      // The document by its URI each time: VS Code may close this one and open another for the file.
      const text = (): string => (vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()) ?? document).getText();
      return { run: attachment.run, text, readFile: documentDataReader(uri), release: () => attachment.dispose() };
    },
  };
}

/** The run of `document` if one is open and shows a network, with where its numbers are written. */
function runWithLines(runs: DocumentRuns, document: vscode.TextDocument): { run: Run; lines: ReturnType<typeof networkLines> } | undefined {
  const run = runs.registry.find(document.uri.toString());
  if (!run?.frame || !run.structure) return undefined;
  try {
    return { run, lines: networkLines(document.getText(), loadNetwork(document.getText(), { readFile: documentDataReader(document.uri) })) };
  } catch {
    return undefined;
  }
}


/** While a session is stopped: each weight and bias written in the file shows its value now and its gradient. */
class InlineValues implements vscode.InlineValuesProvider {
  constructor(private readonly runs: DocumentRuns) {}

  provideInlineValues(document: vscode.TextDocument, viewport: vscode.Range): vscode.InlineValue[] {
    const found = runWithLines(this.runs, document);
    const values = found?.run.frame?.values;
    const gradients = found?.run.frame?.gradients;
    if (!found || !values || !gradients) return [];
    const sym = found.run.structure!.lossSymbol;
    const out: vscode.InlineValue[] = [];
    found.lines.parameters.forEach((p, i) => {
      if (!p || p.line < viewport.start.line || p.line > viewport.end.line) return;
      const name = found.run.structure!.params[i].name;
      const end = new vscode.Position(p.line, p.column + p.length);
      out.push(new vscode.InlineValueText(new vscode.Range(end, end), `${name} = ${fmt(values[i], 4)}, d${sym}/d${name} = ${fmt(gradients[i], 4)}`));
    });
    return out;
  }
}

/** Hovering a number the file writes for a weight or bias: its value and gradient in the run now. */
class NumberHover implements vscode.HoverProvider {
  constructor(private readonly runs: DocumentRuns) {}

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const found = runWithLines(this.runs, document);
    const f = found?.run.frame;
    if (!found || !f?.values || !f.gradients) return undefined;
    const offset = document.offsetAt(position);
    const i = found.lines.parameters.findIndex((p) => p !== undefined && offset >= p.offset && offset <= p.offset + p.length);
    if (i < 0) return undefined;
    const p = found.lines.parameters[i]!;
    const name = found.run.structure!.params[i].name;
    const sym = found.run.structure!.lossSymbol;
    const md = new vscode.MarkdownString(`**${name}** at step ${f.step}: ${f.values[i]}  \nd${sym}/d${name} = ${f.gradients[i]}${f.phase ? '  \n(inside a step: Step Out finishes it)' : ''}`);
    return new vscode.Hover(md, new vscode.Range(document.positionAt(p.offset), document.positionAt(p.offset + p.length)));
  }
}

export function activateDebugger(context: vscode.ExtensionContext, runs: DocumentRuns): void {
  // A network file's own language; and JSON's, for one a person switched to plain JSON mode.
  const selector: vscode.DocumentSelector = [{ language: 'nn-json' }, { language: 'json', pattern: '**/*.nn.json' }, { language: 'jsonc', pattern: '**/*.nn.json' }];
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new ConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new NetworkDebugSession(sourceOf(runs))),
    }),
    vscode.languages.registerInlineValuesProvider(selector, new InlineValues(runs)),
    vscode.languages.registerHoverProvider(selector, new NumberHover(runs)),
  );
}

/** A launch configuration for `file`, as the tests and the walkthrough start one. */
export function launchConfiguration(file: vscode.Uri, stopOnEntry = true): vscode.DebugConfiguration & LaunchArguments {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Debug training', program: file.fsPath, stopOnEntry, internalConsoleOptions: 'neverOpen' };
}
