import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { BackpropApi } from '../../src/extension';

export const EXTENSION_ID = 'backprop-debugger.backprop-debugger';

export function extension(): vscode.Extension<unknown> {
  const e = vscode.extensions.getExtension(EXTENSION_ID);
  if (!e) throw new Error(`extension ${EXTENSION_ID} is not loaded`);
  return e;
}

/** The extension's exports (see BackpropApi in src/extension.ts). */
export function api(): BackpropApi {
  return extension().exports as BackpropApi;
}

/** The repository (the extension under development), from out/test/vscode. */
export const ROOT = path.resolve(__dirname, '../../..');

export function examplePath(name: string): string {
  return path.join(ROOT, 'examples', name);
}

const scratch = mkdtempSync(path.join(tmpdir(), 'backprop-vscode-'));

/** Writes a file outside the workspace for a test to open. */
export function scratchFile(name: string, text: string): vscode.Uri {
  const p = path.join(scratch, name);
  writeFileSync(p, text);
  return vscode.Uri.file(p);
}

/** Polls until `check` returns a value that is not undefined/false, or fails with `what`. */
export async function waitFor<T>(
  what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, state?: () => string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state ? `; ${state()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function errors(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
}

/** Closes every editor and waits until the tabs and the network editors behind them are gone. */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await waitFor('every tab to close', () => vscode.window.tabGroups.all.every((g) => g.tabs.length === 0));
  await waitFor('every network editor to be disposed', () => api().editors().length === 0, 20_000, () => JSON.stringify(api().editors()));
}

/**
 * Opens `uri` in the network editor and waits until every editor of it has a page that said ready
 * and shows the graph, and the training commands act on it (VS Code for the browser can fail to
 * boot a webview created while another is still loading, which a person opening editors by hand
 * does not run into).
 */
export async function openNetworkEditor(uri: vscode.Uri, column = vscode.ViewColumn.Active): Promise<void> {
  const editorsOf = () => api().editors().filter((e) => e.uri === uri.toString());
  const before = editorsOf().length;
  await vscode.commands.executeCommand('vscode.openWith', uri, 'backprop.networkEditor', column);
  await waitFor('the network editor to show the graph', () => editorsOf().length > before && editorsOf().every((e) => e.ready && e.shown === 'model'), 30_000,
    () => JSON.stringify({ editors: api().editors().map(({ params: _p, ...e }) => e), runs: api().runs() }));
  await waitFor('the network editor to be active', async () => (await vscode.commands.executeCommand<{ uri: string } | undefined>('backprop.trainingStatus'))?.uri === uri.toString());
}
