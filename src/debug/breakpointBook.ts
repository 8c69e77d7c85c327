/**
 * The debug session's breakpoints, kept by kind as VS Code sends them (function, data, line,
 * exception filters), each with a stable DAP id (by what it is, so re-sending keeps its hit count),
 * translated into the run's breakpoint specs, and the verdicts VS Code shows for them. No vscode
 * import and no DAP session: the session passes requests in and sends the answers.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Breakpoint } from '@vscode/debugadapter';
import { findParameter, type Network } from '../core';
import { type BreakpointSpec, type BreakpointStatus, type BuiltinSettings, phaseWords } from '../session/breakpointTypes';
import { exceptionSettings, functionBreakpoint, phaseBreakpoint, type Translated, updateBreakpoint, watchBreakpoint } from './breakpoints';
import { type NetworkLines, parametersOnLine, phasesOnLine } from './positions';
import { parseBreakpointName } from './breakpointNames';
import { typedBreakpoint } from '../session/breakpointText';

export class BreakpointBook {
  /** Stable numbers for DAP breakpoints, by what they are. */
  private readonly ids = new Map<string, number>();
  private nextId = 1;
  private functions: { id: number; t: Translated | { of: 'this' | 'other'; text: string; file: string } }[] = [];
  private data: { id: number; t: Translated }[] = [];
  private lines: { id: number; line: number; t: Translated[] }[] = [];
  /** What VS Code sent last, to resolve again after an edit of the file's layout. */
  private sentLines: DebugProtocol.SourceBreakpoint[] = [];
  private sentData: DebugProtocol.DataBreakpoint[] = [];
  private exceptions: Partial<BuiltinSettings> = {};
  private exceptionErrors = new Map<string, string>();

  /** What the run checks for these: every translated breakpoint, and the exception filters' conditions. */
  get specs(): BreakpointSpec[] {
    const specs: BreakpointSpec[] = [];
    for (const s of [...this.functions, ...this.data]) if ('spec' in s.t) specs.push(s.t.spec);
    for (const s of this.lines) for (const t of s.t) if ('spec' in t) specs.push(t.spec);
    return specs;
  }

  get builtins(): Partial<BuiltinSettings> {
    return this.exceptions;
  }

  /**
   * VS Code's function breakpoints. One whose name carries a file (`every 50 (dosage-all.nn.json)`)
   * is that file's, in its run's list already (VS Code's view and the editor's list show one set):
   * `isThis` says whether the file is the one debugged. The others are the session's own.
   */
  setFunctions(breakpoints: DebugProtocol.FunctionBreakpoint[], isThis: (file: string) => boolean): void {
    this.functions = breakpoints.map((b) => {
      const id = this.idFor(`f|${b.name}|${b.condition ?? ''}|${b.hitCondition ?? ''}`);
      const named = parseBreakpointName(b.name);
      if (named) return { id, t: { of: isThis(named.file) ? 'this' as const : 'other' as const, text: named.text, file: named.file } };
      return { id, t: functionBreakpoint(b, `dap-function-${id}`) };
    });
  }

  /** The verdicts VS Code shows: a file's breakpoint is as its run's list says (`listed`: the run's breakpoints and their statuses). */
  functionVerdicts(statuses: BreakpointStatus[], listed: { specs: readonly BreakpointSpec[]; statuses: readonly BreakpointStatus[] }): DebugProtocol.Breakpoint[] {
    return this.functions.map((s) => {
      if ('spec' in s.t || 'error' in s.t) return verdict(s.id, s.t, statuses);
      const t = s.t;
      if (t.of === 'other') return unverified(s.id, `a breakpoint of ${t.file}, not of the network this session debugs`);
      const spec = listed.specs.find((x) => typedBreakpoint(x) === t.text);
      if (!spec) return unverified(s.id, 'not in the network editor\'s list of this file');
      return verdict(s.id, { spec }, [...listed.statuses]);
    });
  }

  setData(breakpoints: DebugProtocol.DataBreakpoint[], network: Network | undefined): void {
    this.sentData = breakpoints;
    this.data = breakpoints.map((b) => {
      const id = this.idFor(`d|${b.dataId}|${b.condition ?? ''}|${b.hitCondition ?? ''}`);
      return { id, t: watchOf(network, b.dataId, b.condition, b.hitCondition, `dap-data-${id}`) };
    });
  }

  dataVerdicts(statuses: BreakpointStatus[]): DebugProtocol.Breakpoint[] {
    return this.data.map((s) => verdict(s.id, s.t, statuses));
  }

  /**
   * Line breakpoints of the network file: a line that holds weights or biases watches each of its
   * trainable ones (a line with none is unverified). `line` is the client's line, `toLine` turns
   * it into the file's line from 0.
   */
  setLines(breakpoints: DebugProtocol.SourceBreakpoint[], toLine: (clientLine: number) => number, lines: NetworkLines | undefined, network: Network | undefined): void {
    this.sentLines = breakpoints;
    this.lines = breakpoints.map((b) => {
      const id = this.idFor(`l|${b.line}|${b.condition ?? ''}|${b.hitCondition ?? ''}|${b.logMessage ?? ''}`);
      const line = toLine(b.line);
      if (lines?.training.includes(line)) return { id, line: b.line, t: [updateBreakpoint(b.condition, b.hitCondition, `dap-line-${id}-0`, b.logMessage)] };
      const indices = lines && network ? parametersOnLine(lines, line) : [];
      // A line that runs in the step (a layer's, the loss line) with no numbers on it: its phases.
      const phases = lines && indices.length === 0 ? phasesOnLine(lines, line) : [];
      if (phases.length) return { id, line: b.line, t: phases.map((p, k) => phaseBreakpoint(p, b.condition, b.hitCondition, `dap-line-${id}-${k}`, b.logMessage)) };
      // The line's trainable parameters (the others never change). A logpoint writes once, with the first one's watch.
      const trainable = indices.filter((i) => network!.training.trainable[i] === 1).map((i) => network!.parameters[i].name);
      const t: Translated[] = trainable.length
        ? (b.logMessage !== undefined ? trainable.slice(0, 1) : trainable).map((name, k) => watchOf(network, name, b.condition, b.hitCondition, `dap-line-${id}-${k}`, b.logMessage))
        : [{ error: indices.length ? `${indices.map((i) => network!.parameters[i].name).join(', ')} ${indices.length === 1 ? 'is' : 'are'} not trainable: nothing on this line changes` : 'nothing on this line runs in a step: a breakpoint goes on a layer\'s line, the "loss" line, the "training" line, or a line of weights or biases' }];
      return { id, line: b.line, t };
    });
  }

  lineVerdicts(statuses: BreakpointStatus[]): DebugProtocol.Breakpoint[] {
    return this.lines.map((s) => {
      const verdicts = s.t.map((t) => verdict(s.id, t, statuses));
      const bad = verdicts.find((v) => !v.verified);
      const bp = bad ?? verdicts[0];
      if (!bad) bp.message = lineMeaning(s.t);
      bp.line = s.line;
      return bp;
    });
  }

  /**
   * The file's network or its lines changed (an edit): the line and data breakpoints VS Code sent
   * are resolved again (a line may now hold other parameters, or none; a watched parameter may be
   * gone). Whether any is there to resolve.
   */
  resolveAgain(toLine: (clientLine: number) => number, lines: NetworkLines | undefined, network: Network | undefined): boolean {
    this.setLines(this.sentLines, toLine, lines, network);
    this.setData(this.sentData, network);
    return this.sentLines.length + this.sentData.length > 0;
  }

  /** The client's line of the run's breakpoint `specId`, when it is one of this file's line breakpoints. */
  lineOf(specId: string): number | undefined {
    const id = dapId(specId);
    return id === undefined ? undefined : this.lines.find((s) => s.id === id)?.line;
  }

  setExceptions(args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const { builtins, errors } = exceptionSettings(args);
    this.exceptions = builtins;
    this.exceptionErrors = errors;
  }

  exceptionVerdicts(args: DebugProtocol.SetExceptionBreakpointsArguments): DebugProtocol.Breakpoint[] {
    const order = [...(args.filterOptions ?? []).map((o) => o.filterId), ...args.filters];
    return order.map((f) => {
      const error = this.exceptionErrors.get(f);
      const b = new Breakpoint(error === undefined) as DebugProtocol.Breakpoint;
      if (error) b.message = error;
      return b;
    });
  }

  private idFor(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) { id = this.nextId++; this.ids.set(key, id); }
    return id;
  }
}

/** The DAP id of the run's breakpoint `specId` (`dap-function-3`, `dap-line-7-0`: 3, 7), if it is one of VS Code's. */
export function dapId(specId: string): number | undefined {
  const m = /^dap-(?:function|data|line)-(\d+)/.exec(specId);
  return m ? Number(m[1]) : undefined;
}

/** A watch on `name`, unless it can never fire: an unknown or untrainable parameter never changes. */
function watchOf(network: Network | undefined, name: string, condition: string | undefined, hitCondition: string | undefined, id: string, logMessage?: string): Translated {
  const p = network && findParameter(network, name);
  if (!p) return { error: `${name} is not a parameter of this network` };
  if (network!.training.trainable[p.index] !== 1) return { error: `${name} is not trainable (see "trainable" in the file): its value never changes` };
  return watchBreakpoint(name, condition, hitCondition, id, logMessage);
}

/** What a verified line breakpoint does, as VS Code shows it on hover: "watches b3", "logs after each step's update". */
function lineMeaning(t: Translated[]): string {
  const specs = t.flatMap((x) => ('spec' in x ? [x.spec] : []));
  const verb = specs[0]?.logMessage !== undefined ? 'logs' : 'stops';
  if (specs[0]?.kind === 'phase') return `${verb} at ${specs.map((s) => (s.kind === 'phase' ? phaseWords(s.phase) : '')).join(' and at ')} of each step${specs[0].expression !== undefined ? ' where the condition holds' : ''}`;
  if (specs[0]?.kind !== 'watch') return `${verb} after each step's update${specs[0]?.kind === 'condition' ? ' where the condition holds' : ''}`;
  const names = specs.map((s) => (s.kind === 'watch' ? s.parameter : '')).join(', ');
  return verb === 'logs' ? `logs (instead of stopping) when its watch on ${names} fires` : `watches ${names}`;
}

function unverified(id: number, message: string): DebugProtocol.Breakpoint {
  const b = new Breakpoint(false) as DebugProtocol.Breakpoint;
  b.id = id;
  b.message = message;
  return b;
}

function verdict(id: number, t: Translated, statuses: BreakpointStatus[]): DebugProtocol.Breakpoint {
  const status = 'spec' in t ? statuses.find((s) => s.id === t.spec.id) : undefined;
  const message = 'error' in t ? t.error : status?.verified === false ? status.message : undefined;
  const b = new Breakpoint(message === undefined) as DebugProtocol.Breakpoint;
  b.id = id;
  if (message !== undefined) b.message = message;
  return b;
}
