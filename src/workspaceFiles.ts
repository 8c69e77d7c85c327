import * as vscode from 'vscode';

/** Whether a file or folder is at `uri` (through VS Code's file system, so remote and virtual ones too). */
export async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
