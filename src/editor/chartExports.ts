/**
 * Saving what a network editor's charts drew: one chart's picture or data through the save
 * dialog, or every open chart's picture into a folder the person picks, beside the network file
 * by default (see exportFolder). Nothing is written unless a place is chosen, a file that exists
 * is replaced only when the person says so, and afterwards a notification says where, with Open
 * and Reveal. What the page sends was validated (protocol.ts) and is checked again here as bytes.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { exists } from '../workspaceFiles';
import type { CopyFailure } from '../protocol';
import { CHART_TITLES, type ChartPanel } from '../session/chartTypes';
import { exportFolder, isInside } from './exportFolder';

/** The first bytes of every PNG file. */
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The bytes of a PNG data URL, or undefined when it is not one. */
export function pngBytes(data: string): Uint8Array | undefined {
  const m = /^data:image\/png;base64,([A-Za-z0-9+/]+={0,2})$/.exec(data);
  if (!m) return undefined;
  const bytes = Buffer.from(m[1], 'base64');
  return PNG_SIGNATURE.every((b, i) => bytes[i] === b) ? bytes : undefined;
}

export class ChartExports {
  constructor(
    private readonly document: vscode.TextDocument,
    /** Folders that are no place for a person's pictures (the extension's storage, where examples' copies live). */
    private readonly hidden: readonly vscode.Uri[],
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The folder the save dialogs open in: beside the network file (see exportFolder). */
  get folder(): vscode.Uri {
    const workspaces = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
    return vscode.Uri.from(exportFolder(this.document.uri, workspaces, this.hidden, vscode.Uri.file(homedir())));
  }

  /** One chart's picture (a PNG data URL) or data (CSV text), where the save dialog says. */
  async saveOne(format: 'png' | 'csv', name: string, data: string): Promise<vscode.Uri | undefined> {
    const bytes = format === 'png' ? pngBytes(data) : new TextEncoder().encode(data);
    if (!bytes) { this.log.warn('ignored a chart picture that is not a PNG'); return undefined; }
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.folder, `${name}.${format}`),
      filters: format === 'png' ? { 'PNG image': ['png'] } : { 'CSV (comma-separated values)': ['csv'] },
      title: `Save the chart's ${format === 'png' ? 'picture' : 'data'}`,
    });
    if (!target) return undefined;
    await vscode.workspace.fs.writeFile(target, bytes);
    // Not awaited: a notification may stay unanswered.
    void this.announce(`Saved the chart's ${format === 'png' ? 'picture' : 'data'} as ${shown(target)}.`, [target]);
    return target;
  }

  /**
   * Export all: every picture into one folder the person picks (the folder beside the network file
   * first), each under its chart's name; files already there are replaced only if they say so.
   */
  async saveAll(pictures: readonly { name: string; data: string }[]): Promise<vscode.Uri[] | undefined> {
    const files = pictures.map((p) => ({ name: `${p.name}.png`, bytes: pngBytes(p.data) }));
    if (files.length === 0 || files.some((f) => !f.bytes)) { this.log.warn('ignored an Export all whose pictures are not all PNGs'); return undefined; }
    const chosen = await vscode.window.showOpenDialog({
      defaultUri: this.folder,
      canSelectFolders: true,
      canSelectFiles: false,
      canSelectMany: false,
      openLabel: 'Save Here',
      title: `Export all charts: the folder for ${files.length === 1 ? 'one PNG picture' : `${files.length} PNG pictures`} (${files.map((f) => f.name).join(', ')})`,
    });
    const folder = chosen?.[0];
    if (!folder) return undefined;
    const targets = files.map((f) => vscode.Uri.joinPath(folder, f.name));
    const there = (await Promise.all(targets.map((t) => exists(t)))).flatMap((e, i) => (e ? [files[i].name] : []));
    if (there.length > 0) {
      const replace = await vscode.window.showWarningMessage(
        `${there.join(', ')} ${there.length === 1 ? 'exists' : 'exist'} already in ${shown(folder)}. Replace ${there.length === 1 ? 'it' : 'them'}?`,
        { modal: true }, 'Replace',
      );
      if (replace !== 'Replace') return undefined;
    }
    await Promise.all(targets.map((t, i) => vscode.workspace.fs.writeFile(t, files[i].bytes!)));
    // Not awaited: a notification may stay unanswered.
    void this.announce(`Saved ${files.length === 1 ? 'the chart' : `${files.length} charts`} as PNG pictures in ${shown(folder)}: ${files.map((f) => f.name).join(', ')}.`, targets);
    return targets;
  }

  /** Copy as image could not copy in the page: says why, and offers to save the picture instead. Resolves true when the person chose to. */
  async copyFailed(panel: ChartPanel, reason: CopyFailure): Promise<boolean> {
    const why = reason === 'unsupported' ? 'this window gives webviews no clipboard for pictures'
      : reason === 'denied' ? 'the clipboard was refused (the window may not have had the focus)' : 'writing the clipboard failed';
    const save = 'Save as PNG...';
    return (await vscode.window.showWarningMessage(`Could not copy the chart "${CHART_TITLES[panel]}" as a picture: ${why}.`, save)) === save;
  }

  /**
   * Says where the files went, with Open (each in VS Code) and Reveal (the first in the system's
   * file manager; in VS Code for the browser, which has none, in the Explorer when the workspace
   * holds it).
   */
  private announce(message: string, targets: vscode.Uri[]): Promise<void> {
    return this.offer(message, targets).catch((e: Error) => this.log.warn(`after saving a chart: ${e.message}`));
  }

  private async offer(message: string, targets: vscode.Uri[]): Promise<void> {
    const reveal = await this.revealCommand(targets[0]);
    const choice = await vscode.window.showInformationMessage(message, 'Open', ...(reveal ? ['Reveal'] : []));
    if (choice === 'Open') {
      for (const [i, t] of targets.entries()) await vscode.commands.executeCommand('vscode.open', t, { preview: targets.length === 1, preserveFocus: i > 0 });
    } else if (choice === 'Reveal' && reveal) {
      await vscode.commands.executeCommand(reveal, targets[0]);
    }
  }

  private async revealCommand(target: vscode.Uri): Promise<string | undefined> {
    const commands = await vscode.commands.getCommands(true);
    if (target.scheme === 'file' && commands.includes('revealFileInOS')) return 'revealFileInOS';
    const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((f) => isInside(target, f.uri));
    return inWorkspace && commands.includes('revealInExplorer') ? 'revealInExplorer' : undefined;
  }
}

/** A file or folder as a person finds it: its path in the workspace, or its full path outside. */
function shown(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri);
}
