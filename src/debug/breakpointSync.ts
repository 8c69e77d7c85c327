/**
 * One set of breakpoints: the network editor's list and VS Code's Breakpoints view show the same
 * ones. Each file's breakpoints belong to its run (or are kept for the file when it has none); each
 * shows in VS Code's view as a function breakpoint whose name carries its file, `every 50
 * (dosage-all.nn.json)`, since a function breakpoint has no file of its own. A breakpoint added,
 * switched off or removed in either place is added, switched off or removed in the other. A
 * function breakpoint typed in VS Code's view without a file, while a network editor is in front,
 * becomes that file's; with none in front it stays VS Code's own, for any network a debug session
 * debugs (the adapter takes it, as it takes every DAP client's).
 */
import * as vscode from 'vscode';
import type { DocumentRuns } from '../editor/documentRuns';
import { parseBreakpointText, typedBreakpoint } from '../session/breakpointText';
import type { BreakpointSpec } from '../session/breakpointTypes';
import { functionBreakpoint } from './breakpoints';
import { breakpointName, parseBreakpointName } from './breakpointNames';

interface Mapped {
  uri: string;
  specId: string;
  /** What the VS Code breakpoint says, to tell a person's change from the state we set. */
  name: string;
  enabled: boolean;
  hitCondition: string | undefined;
}

export class BreakpointSync implements vscode.Disposable {
  /** VS Code's breakpoints that stand for a file's, by VS Code's id. */
  private readonly mapped = new Map<string, Mapped>();
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Function breakpoints VS Code's view has added but the person has not named yet. */
  private readonly unnamed = new Set<string>();

  /** `activeFile` is the network file in front (the active network editor's), if any. */
  constructor(private readonly runs: DocumentRuns, private readonly activeFile: () => vscode.Uri | undefined) {
    // VS Code keeps its breakpoints across reloads, and the runs keep theirs: pair them up first.
    for (const bp of vscode.debug.breakpoints) {
      if (!(bp instanceof vscode.FunctionBreakpoint)) continue;
      const named = parseBreakpointName(bp.functionName);
      if (!named) continue;
      const uri = this.uriOf(named.file);
      const spec = uri && this.runs.breakpointsOf(uri).specs.find((s) => typedBreakpoint(s) === named.text);
      if (uri && spec) this.mapped.set(bp.id, { uri, specId: spec.id, name: bp.functionName, enabled: bp.enabled, hitCondition: bp.hitCondition });
      else void this.adopt(bp);
    }
    for (const uri of this.runs.breakpointFiles()) this.push(uri);
    this.subscriptions.push(
      this.runs.onDidChangeBreakpoints((uri) => this.push(uri)),
      vscode.debug.onDidChangeBreakpoints((e) => void this.pull(e)),
    );
  }

  /** A file's breakpoints into VS Code's view: added, renamed (removed and added), switched, removed. */
  private push(uri: string): void {
    const specs = this.runs.breakpointsOf(uri).specs;
    const have = new Map([...this.mapped].filter(([, m]) => m.uri === uri).map(([id, m]) => [m.specId, { id, m }]));
    const add: vscode.Breakpoint[] = [];
    const remove: vscode.Breakpoint[] = [];
    const byId = new Map(vscode.debug.breakpoints.map((b) => [b.id, b]));
    for (const spec of specs) {
      const name = breakpointName(spec, this.fileName(uri));
      const old = have.get(spec.id);
      have.delete(spec.id);
      if (old && old.m.name === name && old.m.enabled === spec.enabled && old.m.hitCondition === spec.hitCondition) continue;
      if (old) {
        const bp = byId.get(old.id);
        if (bp) remove.push(bp);
        this.mapped.delete(old.id);
      }
      const bp = new vscode.FunctionBreakpoint(name, spec.enabled, undefined, spec.hitCondition);
      this.mapped.set(bp.id, { uri, specId: spec.id, name, enabled: spec.enabled, hitCondition: spec.hitCondition });
      add.push(bp);
    }
    for (const { id } of have.values()) {
      const bp = byId.get(id);
      if (bp) remove.push(bp);
      this.mapped.delete(id);
    }
    if (remove.length) vscode.debug.removeBreakpoints(remove);
    if (add.length) vscode.debug.addBreakpoints(add);
  }

  /** A person's change in VS Code's view, into the file's breakpoints. */
  private async pull(e: vscode.BreakpointsChangeEvent): Promise<void> {
    for (const bp of e.removed) {
      this.unnamed.delete(bp.id);
      const m = this.mapped.get(bp.id);
      if (!m) continue;
      this.mapped.delete(bp.id);
      const { specs } = this.runs.breakpointsOf(m.uri);
      await this.runs.setBreakpointsOf(m.uri, specs.filter((s) => s.id !== m.specId));
    }
    for (const bp of e.changed) {
      if (!(bp instanceof vscode.FunctionBreakpoint)) continue;
      const m = this.mapped.get(bp.id);
      // VS Code's view adds a function breakpoint with no name, then names it when the person presses Enter.
      if (!m) { if (this.unnamed.delete(bp.id)) await this.adopt(bp); continue; }
      if (bp.functionName === m.name && bp.enabled === m.enabled && bp.hitCondition === m.hitCondition && !bp.condition) continue;
      const named = parseBreakpointName(bp.functionName);
      Object.assign(m, { name: bp.functionName, enabled: bp.enabled, hitCondition: bp.hitCondition });
      const { specs } = this.runs.breakpointsOf(m.uri);
      const updated = this.specOf(bp, named?.text ?? bp.functionName, m.specId);
      if (updated) await this.runs.setBreakpointsOf(m.uri, specs.map((s) => (s.id === m.specId ? updated : s)));
    }
    for (const bp of e.added) {
      if (this.mapped.has(bp.id) || !(bp instanceof vscode.FunctionBreakpoint)) continue;
      await this.adopt(bp);
    }
  }

  /** A function breakpoint VS Code has that no file's list has yet: the file it names, or the one in front. */
  private async adopt(bp: vscode.FunctionBreakpoint): Promise<void> {
    if (!bp.functionName.trim()) { this.unnamed.add(bp.id); return; } // still being typed
    const named = parseBreakpointName(bp.functionName);
    const uri = named ? this.uriOf(named.file) : this.activeFile()?.toString();
    if (!uri) return;
    const { specs } = this.runs.breakpointsOf(uri);
    const spec = this.specOf(bp, named?.text ?? bp.functionName, nextId(specs));
    if (!spec) return;
    if (named) this.mapped.set(bp.id, { uri, specId: spec.id, name: bp.functionName, enabled: bp.enabled, hitCondition: bp.hitCondition });
    // One without its file is replaced by one with it (push adds it), so the view says whose it is.
    else vscode.debug.removeBreakpoints([bp]);
    await this.runs.setBreakpointsOf(uri, [...specs, spec]);
  }

  /** The file's breakpoint a VS Code function breakpoint stands for (its condition joined to it), or undefined if it cannot be one. */
  private specOf(bp: vscode.FunctionBreakpoint, text: string, id: string): BreakpointSpec | undefined {
    if (!bp.condition?.trim()) return parseBreakpointText(text, id, bp.enabled, bp.hitCondition?.trim() || undefined);
    const t = functionBreakpoint({ name: text, condition: bp.condition, hitCondition: bp.hitCondition }, id);
    return 'spec' in t ? { ...t.spec, enabled: bp.enabled } : undefined;
  }

  /** How a file is named in a breakpoint: its path in the workspace. */
  private fileName(uri: string): string {
    return vscode.workspace.asRelativePath(vscode.Uri.parse(uri), false);
  }

  /** The file a breakpoint's name names: one whose breakpoints are kept, one open, or one in the workspace. */
  private uriOf(file: string): string | undefined {
    const known = [...this.runs.breakpointFiles(), ...vscode.workspace.textDocuments.map((d) => d.uri.toString())];
    const found = known.find((u) => this.fileName(u) === file);
    if (found) return found;
    const folder = vscode.workspace.workspaceFolders?.[0];
    return folder && !file.startsWith('/') ? vscode.Uri.joinPath(folder.uri, file).toString() : undefined;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/** An id no breakpoint of `specs` has (bpN, as the editor's list makes them). */
function nextId(specs: readonly BreakpointSpec[]): string {
  let n = 0;
  for (const s of specs) { const m = /^bp(\d+)$/.exec(s.id); if (m) n = Math.max(n, Number(m[1])); }
  return `bp${n + 1}`;
}
