import * as vscode from 'vscode';
import { EXAMPLE_FILES } from './exampleFiles';
import { VIEW_TYPE } from './protocol';

/**
 * "Backprop Debugger: Open Example Network...": the shipped examples, each opened from a copy of
 * its own in the extension's storage (`globalStorageUri/examples/`), in the network editor.
 *
 * A copy is a real file, saved: an edit is an ordinary edit (undo, save, revert), closing the text
 * beside the graph never offers to throw the network away, and the installed extension's own files
 * are never touched. An edited copy is kept, and opened as it is next time; the picker marks it and
 * offers to restore the original.
 */
interface ExampleItem extends vscode.QuickPickItem {
  file: string;
}

const RESTORE: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('discard'), tooltip: 'Restore the original (undo in the editor brings your version back)' };

export class Examples {
  constructor(private readonly extensionUri: vscode.Uri, private readonly storageUri: vscode.Uri) {}

  /** The copy `file` opens from. */
  copyOf(file: string): vscode.Uri {
    return vscode.Uri.joinPath(this.storageUri, 'examples', file);
  }

  /**
   * Opens `name` (asking which when not given) in the network editor, `beside` the active editor
   * if asked; its copy's URI, or undefined if cancelled.
   */
  async open(name?: string, beside = false): Promise<vscode.Uri | undefined> {
    const file = name ?? await this.pick();
    if (file === undefined) return undefined;
    if (!(EXAMPLE_FILES as readonly string[]).includes(file)) throw new Error(`no example called ${file}; the examples are ${EXAMPLE_FILES.join(', ')}`);
    const copy = this.copyOf(file);
    if (!await exists(copy)) await this.restore(file);
    await vscode.commands.executeCommand('vscode.openWith', copy, VIEW_TYPE, beside ? vscode.ViewColumn.Beside : undefined);
    return copy;
  }

  /** Writes a fresh copy of the original. */
  private async restore(file: string): Promise<void> {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.storageUri, 'examples'));
    await vscode.workspace.fs.writeFile(this.copyOf(file), await vscode.workspace.fs.readFile(this.original(file)));
  }

  /**
   * Puts the original's text back into an edited copy as one edit, and saves it: undo in the editor
   * brings the person's version back, so restoring loses nothing.
   */
  async restoreEdited(file: string): Promise<void> {
    const document = await vscode.workspace.openTextDocument(this.copyOf(file));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), await readText(this.original(file)));
    await vscode.workspace.applyEdit(edit);
    await document.save();
    void vscode.window.showInformationMessage(`Restored the original ${file}. Undo in its editor brings your version back.`);
  }

  private original(file: string): vscode.Uri {
    return vscode.Uri.joinPath(this.extensionUri, 'examples', file);
  }

  private async item(file: string): Promise<ExampleItem> {
    const original = await readText(this.original(file));
    const copy = this.copyOf(file);
    const edited = await exists(copy) && await readText(copy) !== original;
    const header = parseHeader(original);
    return {
      label: header.name ?? file,
      description: edited ? `${file} (your edited copy)` : file,
      detail: header.description,
      file,
      buttons: edited ? [RESTORE] : [],
    };
  }

  private async pick(): Promise<string | undefined> {
    const picker = vscode.window.createQuickPick<ExampleItem>();
    picker.title = 'Open Example Network';
    picker.placeholder = 'A network to step through (each opens from a copy you may edit)';
    picker.matchOnDescription = true;
    picker.matchOnDetail = true;
    picker.busy = true;
    picker.show();
    picker.items = await Promise.all(EXAMPLE_FILES.map((f) => this.item(f)));
    picker.busy = false;
    return new Promise<string | undefined>((resolve) => {
      let restoring: string | undefined;
      picker.onDidTriggerItemButton(({ item }) => { restoring = item.file; picker.hide(); });
      picker.onDidAccept(() => { resolve(picker.selectedItems[0]?.file); picker.hide(); });
      picker.onDidHide(() => {
        picker.dispose();
        if (restoring === undefined) { resolve(undefined); return; }
        const file = restoring;
        this.restoreEdited(file).then(() => resolve(file), () => resolve(undefined));
      });
    });
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

function parseHeader(text: string): { name?: string; description?: string } {
  try {
    const doc = JSON.parse(text) as { name?: unknown; description?: unknown };
    return { name: typeof doc.name === 'string' ? doc.name : undefined, description: typeof doc.description === 'string' ? doc.description : undefined };
  } catch {
    return {};
  }
}
