/**
 * Import Model... and Export...: the model formats (core/models/formats) through VS Code. Import
 * reads a model and the files beside it through workspace.fs (so remote and virtual folders too),
 * writes a new network file beside it (never over one) and opens it in the network editor. Export
 * writes the run's current parameters as the picked format beside the network file (never over a
 * file), and says where, with Open and Reveal, as chart exports do.
 */
import { homedir } from 'node:os';
import * as vscode from 'vscode';
import { currentLimits, loadNetwork, NetworkFileError } from './core';
import { networkTextFromModel } from './core/models/convert';
import {
  EXPORTERS, type Exporter, exporterFor, exportBaseName, FormatError, type Importer, importerFor, IMPORTERS, type LayerActivation, ModelFileError, networkNameFor, parseActivations, siblingPath,
} from './core/models/formats';
import { exportFolder, isInside } from './editor/exportFolder';
import type { NetworkEditorProvider } from './editor/provider';
import { VIEW_TYPE } from './protocol';
import { exists } from './workspaceFiles';

/** A sibling file the reader asked for and that is not read yet: read it, then read the model again. */
class NeedsFile extends Error {
  constructor(readonly path: string) {
    super(`needs ${path}`);
  }
}

/**
 * The model at `uri` as network text. The readers are synchronous and workspace.fs is not, so a
 * reader that asks for a file not read yet is stopped, the file is read, and it starts again (a
 * TensorFlow.js model needs one more pass per weight file; an ONNX model none).
 */
async function readModel(uri: vscode.Uri, importer: Importer, activations: readonly LayerActivation[] | undefined): Promise<string> {
  const bytes = await readBounded(uri);
  const siblings = new Map<string, Uint8Array | null>();
  for (;;) {
    try {
      const model = importer.read({
        name: shown(uri),
        bytes,
        sibling: (relative) => {
          const path = siblingPath(uri.path, relative);
          const found = siblings.get(path);
          if (found === undefined) throw new NeedsFile(path);
          if (found === null) throw new ModelFileError('no such file', {}, relative);
          return found;
        },
      }, { activations, limits: currentLimits() });
      return networkTextFromModel(model);
    } catch (e) {
      if (!(e instanceof NeedsFile)) throw e;
      const sibling = uri.with({ path: e.path });
      siblings.set(e.path, (await exists(sibling)) ? await readBounded(sibling, e.path) : null);
    }
  }
}

/** A model file's bytes, refused by its size before it is read when it is past the modelFileBytes limit. */
async function readBounded(uri: vscode.Uri, relative?: string): Promise<Uint8Array> {
  const max = currentLimits().modelFileBytes;
  const { size } = await vscode.workspace.fs.stat(uri);
  if (size > max) throw new ModelFileError(`is ${size.toLocaleString('en-US')} bytes, more than the limit of ${max.toLocaleString('en-US')} (the backprop.limits setting's modelFileBytes raises it)`, {}, relative);
  return vscode.workspace.fs.readFile(uri);
}

/** `base.nn.json`, or `base-2.nn.json`, `base-3.nn.json`... : the first name nothing is at. */
async function freeName(folder: vscode.Uri, names: (suffix: string) => string[]): Promise<string[]> {
  for (let n = 1; ; n++) {
    const candidate = names(n === 1 ? '' : `-${n}`);
    const taken = await Promise.all(candidate.map((name) => exists(vscode.Uri.joinPath(folder, name))));
    if (!taken.some(Boolean)) return candidate;
  }
}

function folderOf(uri: vscode.Uri): vscode.Uri {
  return uri.with({ path: uri.path.slice(0, uri.path.lastIndexOf('/')) || '/' });
}

function nameOf(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** A file as a person finds it: its path in the workspace, or its full path outside. */
function shown(uri: vscode.Uri): string {
  return vscode.workspace.asRelativePath(uri);
}

export class ModelCommands {
  constructor(private readonly editors: NetworkEditorProvider, private readonly hidden: readonly vscode.Uri[], private readonly log: vscode.LogOutputChannel) {}

  /** The new network file's URI, or undefined when nothing was imported (cancelled, or an error was shown). */
  async importModel(given?: vscode.Uri, activationsText?: string): Promise<vscode.Uri | undefined> {
    const filters: Record<string, string[]> = {};
    for (const i of IMPORTERS) filters[i.label] = i.extensions.map((e) => e.replace(/^\./, ''));
    const uri = given ?? (await vscode.window.showOpenDialog({
      canSelectMany: false, canSelectFolders: false, filters, openLabel: 'Import',
      title: 'Import a dense model as a network file', defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    }))?.[0];
    if (!uri) return undefined;
    let importer: Importer;
    try {
      importer = importerFor(nameOf(uri));
    } catch (e) {
      if (e instanceof FormatError) { void vscode.window.showErrorMessage(e.message); return undefined; }
      throw e;
    }
    let activations: LayerActivation[] | undefined;
    if (importer.needsActivations) {
      const text = activationsText ?? await vscode.window.showInputBox({
        title: `${nameOf(uri)} holds no activations`,
        prompt: 'One activation a layer, first to last, separated by commas; softmax last for a classifier (it becomes the softmax output and cross-entropy)',
        value: 'relu,identity',
        validateInput: (value) => { try { parseActivations(value); return undefined; } catch (e) { return (e as Error).message; } },
      });
      if (text === undefined) return undefined;
      try {
        activations = parseActivations(text);
      } catch (e) {
        void vscode.window.showErrorMessage(`Cannot import ${nameOf(uri)}: ${(e as Error).message}`);
        return undefined;
      }
    }
    let text: string;
    try {
      text = await readModel(uri, importer, activations);
    } catch (e) {
      if (e instanceof ModelFileError) { void vscode.window.showErrorMessage(`Cannot import ${nameOf(uri)}: ${e.format(shown(uri))}`); return undefined; }
      if (e instanceof RangeError || e instanceof FormatError) { void vscode.window.showErrorMessage(`Cannot import ${nameOf(uri)}: ${e.message}`); return undefined; }
      throw e;
    }
    const folder = folderOf(uri);
    const stem = networkNameFor(nameOf(uri), importer).replace(/\.nn\.json$/, '');
    const [name] = await freeName(folder, (suffix) => [`${stem}${suffix}.nn.json`]);
    const target = vscode.Uri.joinPath(folder, name);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
    this.log.info(`imported ${uri.toString()} as ${target.toString()}`);
    await vscode.commands.executeCommand('vscode.openWith', target, VIEW_TYPE);
    return target;
  }

  /** The files written, or undefined when nothing was (cancelled, or an error was shown). */
  async exportNetwork(given?: vscode.Uri, formatId?: string): Promise<vscode.Uri[] | undefined> {
    const uri = given ?? this.editors.active?.document.uri ?? (vscode.window.activeTextEditor?.document.fileName.endsWith('.nn.json') ? vscode.window.activeTextEditor.document.uri : undefined);
    if (!uri) {
      void vscode.window.showInformationMessage('Open a network (.nn.json) to export it: Backprop Debugger exports the network being trained.');
      return undefined;
    }
    let exporter: Exporter | undefined;
    try {
      exporter = formatId !== undefined ? exporterFor(formatId)
        : (await vscode.window.showQuickPick(EXPORTERS.map((e) => ({ label: e.label, description: e.id, detail: e.detail, exporter: e })), {
          title: `Export ${nameOf(uri)} as...`, placeHolder: 'The format to write the network in, with its current parameters',
        }))?.exporter;
    } catch (e) {
      if (e instanceof FormatError) { void vscode.window.showErrorMessage(e.message); return undefined; }
      throw e;
    }
    if (!exporter) return undefined;
    const document = await vscode.workspace.openTextDocument(uri);
    let network;
    try {
      network = loadNetwork(document.getText());
    } catch (e) {
      if (e instanceof NetworkFileError) { void vscode.window.showErrorMessage(`Cannot export ${nameOf(uri)}: ${e.format(nameOf(uri))}`); return undefined; }
      throw e;
    }
    // The run's parameters where a network editor trains this file; else the file's own.
    const panel = [...this.editors.panels].find((p) => p.document.uri.toString() === uri.toString());
    let parameters = Float64Array.from(network.initialParameters);
    if (panel?.hasNetwork) {
      try {
        const { values } = await panel.run.parameters();
        if (values.length === network.parameterCount) parameters = Float64Array.from(values);
      } catch (e) {
        this.log.warn(`export: the run's parameters could not be had (${(e as Error).message}); exporting the file's`);
      }
    }
    const workspaces = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
    const folder = vscode.Uri.from(exportFolder(uri, workspaces, this.hidden, vscode.Uri.file(homedir())));
    const base = exportBaseName(nameOf(uri));
    let files;
    try {
      const probe = exporter.write(network, parameters, { steps: network.training.maxSteps, baseName: base });
      const names = await freeName(folder, (suffix) => probe.map((f) => f.name.replace(base, `${base}${suffix}`)));
      const free = freeBase(names[0], probe[0].name, base);
      files = free === base ? probe : exporter.write(network, parameters, { steps: network.training.maxSteps, baseName: free });
    } catch (e) {
      if (e instanceof RangeError || e instanceof FormatError) { void vscode.window.showErrorMessage(`Cannot export ${nameOf(uri)} to ${exporter.label}: ${e.message}`); return undefined; }
      throw e;
    }
    const targets = files.map((f) => vscode.Uri.joinPath(folder, f.name));
    await Promise.all(files.map((f, i) => vscode.workspace.fs.writeFile(targets[i], typeof f.contents === 'string' ? new TextEncoder().encode(f.contents) : f.contents)));
    this.log.info(`exported ${uri.toString()} as ${exporter.id}: ${targets.map((t) => t.toString()).join(', ')}`);
    const notes = (exporter.notes?.(network) ?? []).map((note) => ` Note: ${note}.`).join('');
    const steps = exporter.id === 'pytorch' || exporter.id === 'numpy' ? ` It trains for the file's maxSteps, ${network.training.maxSteps} (python3 ${files[0].name} STEPS for another count).` : '';
    void this.announce(`Exported ${nameOf(uri)} ${panel?.hasNetwork ? 'with the run\'s current parameters ' : ''}as ${exporter.label}: ${targets.map(shown).join(', ')}.${steps}${notes}`, targets)
      .catch((e: Error) => this.log.warn(`after exporting: ${e.message}`));
    return targets;
  }

  /** Says where the files went, with Open (in VS Code) and Reveal (in the system's file manager, or the Explorer). */
  private async announce(message: string, targets: vscode.Uri[]): Promise<void> {
    const commands = await vscode.commands.getCommands(true);
    const inWorkspace = (vscode.workspace.workspaceFolders ?? []).some((f) => isInside(targets[0], f.uri));
    const reveal = targets[0].scheme === 'file' && commands.includes('revealFileInOS') ? 'revealFileInOS' : inWorkspace && commands.includes('revealInExplorer') ? 'revealInExplorer' : undefined;
    const choice = await vscode.window.showInformationMessage(message, 'Open', ...(reveal ? ['Reveal'] : []));
    if (choice === 'Open') await vscode.commands.executeCommand('vscode.open', targets[0]);
    else if (choice === 'Reveal' && reveal) await vscode.commands.executeCommand(reveal, targets[0]);
  }
}

/** The base name that gave `freeMain` for the main file `probeMain` (written from `base`): `xor-2` from `xor-2.onnx`. */
function freeBase(freeMain: string, probeMain: string, base: string): string {
  return freeMain.slice(0, freeMain.length - (probeMain.length - base.length));
}
