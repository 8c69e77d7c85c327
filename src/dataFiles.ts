import * as vscode from 'vscode';
import { dataFilesOf, type ReadFile } from './core';
import { diskDataPath, diskDataReader } from './diskDataFiles';

/**
 * Why a data file is not read while the workspace is in Restricted Mode: a network file from
 * anyone may name one, and what it names waits until the person trusts the folder (the loader puts
 * this after `cannot read "points.csv": `, at the file's "file" value).
 */
export const WAITS_FOR_TRUST = 'this folder is in Restricted Mode, and a data file a network names is read only once you trust the folder (Manage Workspace Trust)';

/**
 * The data files of a network document, as VS Code has them: an open document's text (unsaved
 * edits too: the editor's text is the truth, as it is for the network file), else the file on disk.
 * Read synchronously when asked, so the diagnostics, the editor's check and the run all load what
 * is there now; nothing is kept (no copy to go stale).
 *
 * Nothing is read in Restricted Mode (`refused` hears each path refused so), and a file on disk is
 * read only when its real path stays in the network file's folder, an open document's text too: a
 * link that leads out is refused even when what it points to is open in an editor.
 */
export function documentDataReader(networkUri: vscode.Uri, refused?: (relative: string) => void): ReadFile {
  const disk = networkUri.scheme === 'file' ? diskDataReader(networkUri.fsPath) : undefined;
  return (relative) => {
    if (!vscode.workspace.isTrusted) {
      refused?.(relative);
      throw new Error(WAITS_FOR_TRUST);
    }
    const target = dataFileUri(networkUri, relative);
    // Throws for a link that leads out of the network's folder, before any text is taken.
    if (disk) diskDataPath(networkUri.fsPath, relative);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString());
    if (open) return open.getText();
    if (disk) return disk(relative);
    throw new Error(`only a file on disk or one open in an editor can be read, and ${target.scheme}: files are neither`);
  };
}

/** Where the network at `networkUri` finds its data file `relative` (a path dataPath checked). */
export function dataFileUri(networkUri: vscode.Uri, relative: string): vscode.Uri {
  return vscode.Uri.joinPath(networkUri, '..', ...relative.split('/'));
}

/** The data files `text` (the network at `networkUri`) names, as URIs. */
export function dataFileUris(networkUri: vscode.Uri, text: string): vscode.Uri[] {
  return dataFilesOf(text).map((f) => dataFileUri(networkUri, f));
}
