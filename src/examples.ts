import * as vscode from 'vscode';
import { VIEW_TYPE } from './protocol';

/**
 * "Backprop Debugger: Open Example Network...": the shipped examples, opened in the network
 * editor as untitled copies named `*.nn.json` (so the schema and diagnostics apply to the text,
 * and nothing edits the installed extension's own files). Saving asks where to put the copy.
 */
export async function openExample(extensionUri: vscode.Uri, name?: string): Promise<vscode.Uri | undefined> {
  const folder = vscode.Uri.joinPath(extensionUri, 'examples');
  const entries = await vscode.workspace.fs.readDirectory(folder);
  const files = entries.filter(([f, type]) => type === vscode.FileType.File && f.endsWith('.nn.json')).map(([f]) => f).sort(byTeachingOrder);
  let file = name;
  if (file === undefined) {
    const items = await Promise.all(files.map(async (f) => {
      const doc = parseHeader(await readText(vscode.Uri.joinPath(folder, f)));
      return { label: doc.name ?? f, description: f, detail: doc.description, file: f };
    }));
    const picked = await vscode.window.showQuickPick(items, { title: 'Open Example Network', matchOnDescription: true, matchOnDetail: true, placeHolder: 'A network to step through' });
    file = picked?.file;
  }
  if (file === undefined) return undefined;
  if (!files.includes(file)) throw new Error(`no example called ${file}; the examples are ${files.join(', ')}`);
  const text = await readText(vscode.Uri.joinPath(folder, file));
  const target = vscode.Uri.from({ scheme: 'untitled', path: file });
  const document = await vscode.workspace.openTextDocument(target);
  if (document.getText() !== text) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(target, new vscode.Range(0, 0, document.lineCount, 0), text);
    await vscode.workspace.applyEdit(edit);
  }
  await vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
  return target;
}

/** StatQuest's walk-through first, in the order the videos take it; anything else after, by name. */
const TEACHING_ORDER = ['dosage-b3.nn.json', 'dosage-w3-w4-b3.nn.json', 'dosage-all.nn.json', '3b1b-chain.nn.json', 'xor.nn.json', 'classifier.nn.json'];

function byTeachingOrder(a: string, b: string): number {
  const rank = (f: string): number => (TEACHING_ORDER.includes(f) ? TEACHING_ORDER.indexOf(f) : TEACHING_ORDER.length);
  return rank(a) - rank(b) || a.localeCompare(b);
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
