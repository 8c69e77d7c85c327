import * as vscode from 'vscode';
import { dataFilesOf, type ReadFile } from './core';
import { diskDataReader } from './diskDataFiles';

/**
 * The data files of a network document, as VS Code has them: an open document's text (unsaved
 * edits too: the editor's text is the truth, as it is for the network file), else the file on disk.
 * Read synchronously when asked, so the diagnostics, the editor's check and the run all load what
 * is there now; nothing is kept (no copy to go stale).
 */
export function documentDataReader(networkUri: vscode.Uri): ReadFile {
  const disk = networkUri.scheme === 'file' ? diskDataReader(networkUri.fsPath) : undefined;
  return (relative) => {
    const target = dataFileUri(networkUri, relative);
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
