import * as vscode from 'vscode';
import { exists } from './workspaceFiles';
import { EXAMPLE_FILES } from './exampleFiles';
import { VIEW_TYPE } from './protocol';
import { dataFilesOf } from './core/dataFile';

/**
 * "Backprop Debugger: Open Example Network...": the shipped examples, each opened from a copy in
 * the network editor.
 *
 * With a folder open the copy goes into the workspace, where the person can see it, find it again
 * and keep it: the root holds an unedited copy already → that one opens; otherwise a save dialog
 * asks where, defaulting to the root under a name no file has (a custom editor cannot retitle its
 * tab, so two copies must differ by name), and never overwrites. Without a folder the copy lives in
 * the extension's storage (`globalStorageUri/examples/`); an edited one is kept and opened as it is
 * next time, and the picker marks it and offers to restore the original.
 *
 * An example that reads a data file (points.csv) has it copied beside its copy, never over a file of
 * that name that differs (the person is told, and the network reads theirs).
 *
 * Either way a copy is a real file, saved: an edit is an ordinary edit (undo, save, revert),
 * closing the text beside the graph never offers to throw the network away, and the installed
 * extension's own files are never touched.
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
   * if asked; its copy's URI, or undefined if cancelled. `to` (for scripts and tests) names the
   * file to copy into instead of asking; it too is never overwritten.
   */
  async open(name?: string, beside = false, to?: vscode.Uri): Promise<vscode.Uri | undefined> {
    const file = name ?? await this.pick();
    if (file === undefined) return undefined;
    if (!(EXAMPLE_FILES as readonly string[]).includes(file)) throw new Error(`no example called ${file}; the examples are ${EXAMPLE_FILES.join(', ')}`);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const copy = to || folder ? await this.workspaceCopy(file, to, folder) : await this.storageCopy(file);
    if (!copy) return undefined;
    await vscode.commands.executeCommand('vscode.openWith', copy, VIEW_TYPE, beside ? vscode.ViewColumn.Beside : undefined);
    return copy;
  }

  private async storageCopy(file: string): Promise<vscode.Uri> {
    const copy = this.copyOf(file);
    if (!await exists(copy)) await this.restore(file);
    else await this.copyData(file, copy);
    return copy;
  }

  /** The workspace's copy of `file`: the root's if unedited, else a new one where the person says. */
  private async workspaceCopy(file: string, to: vscode.Uri | undefined, folder: vscode.Uri | undefined): Promise<vscode.Uri | undefined> {
    const original = await vscode.workspace.fs.readFile(this.original(file));
    if (!to && folder) {
      const atRoot = vscode.Uri.joinPath(folder, file);
      if (await exists(atRoot) && sameBytes(await vscode.workspace.fs.readFile(atRoot), original)) { await this.copyData(file, atRoot); return atRoot; }
    }
    let target = to ?? await vscode.window.showSaveDialog({
      title: `Where to put your copy of ${parseHeader(new TextDecoder().decode(original)).name ?? file}`,
      defaultUri: await freeName(vscode.Uri.joinPath(folder!, file)),
      saveLabel: 'Copy Here',
      filters: { 'Network files': ['json'] },
    });
    if (!target) return undefined;
    // The save dialog asks before replacing a file; a copy of an example still never replaces one.
    if (await exists(target)) {
      const taken = target;
      target = await freeName(target);
      void vscode.window.showInformationMessage(`${vscode.workspace.asRelativePath(taken)} is taken, so your copy is ${vscode.workspace.asRelativePath(target)}.`);
    }
    await vscode.workspace.fs.writeFile(target, original);
    await this.copyData(file, target);
    return target;
  }

  /** The data files example `file` reads, beside its copy `copy`: each written where none is, none overwritten. */
  private async copyData(file: string, copy: vscode.Uri, overwrite = false): Promise<void> {
    for (const data of dataFilesOf(await readText(this.original(file)))) {
      const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.extensionUri, 'examples', ...data.split('/')));
      const target = vscode.Uri.joinPath(copy, '..', ...data.split('/'));
      if (!overwrite && await exists(target)) {
        if (!sameBytes(await vscode.workspace.fs.readFile(target), bytes)) void vscode.window.showInformationMessage(`${file} reads ${data}; a file of that name is already beside your copy, so it reads that one (the example's was not copied over it).`);
        continue;
      }
      await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target, '..'));
      await vscode.workspace.fs.writeFile(target, bytes);
    }
  }

  /** Writes a fresh copy of the original. */
  private async restore(file: string): Promise<void> {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.storageUri, 'examples'));
    await vscode.workspace.fs.writeFile(this.copyOf(file), await vscode.workspace.fs.readFile(this.original(file)));
    await this.copyData(file, this.copyOf(file), true);
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
    // Only storage copies are kept per example; a workspace's copies are the person's own files.
    const edited = !vscode.workspace.workspaceFolders?.length && await exists(copy) && await readText(copy) !== original;
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

/** `uri` if no file has it, else the first of `name-2.nn.json`, `name-3.nn.json`, ... none has. */
async function freeName(uri: vscode.Uri): Promise<vscode.Uri> {
  if (!await exists(uri)) return uri;
  const base = uri.path.slice(uri.path.lastIndexOf('/') + 1);
  const m = /^(.*?)(\.nn\.json|\.json)?$/.exec(base)!;
  for (let n = 2; ; n++) {
    const next = vscode.Uri.joinPath(uri, '..', `${m[1]}-${n}${m[2] ?? ''}`);
    if (!await exists(next)) return next;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
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
