/**
 * VS Code's breakpoints, as the run's: a function breakpoint's name is typed like a breakpoint in
 * the network editor's list (`175`, `every 10`, `loss < 0.01`, `watch w3`), with its condition
 * joined to it; a data breakpoint (Variables view, "Break on Value Change") and a line breakpoint on
 * a weight's line in the JSON watch parameters; the built-in conditions are exception filters,
 * their thresholds the filters' conditions. No vscode import: the adapter's tests run without it.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { findParameter, type Network } from '../core';
import { parseBreakpointText } from '../session/breakpointText';
import type { Phase } from '../session/stepper';
import { BUILTIN_KINDS, BUILTINS, type BreakpointSpec, type BuiltinKind, type BuiltinSetting, type BuiltinSettings } from '../session/breakpointTypes';

/** A DAP breakpoint's spec for the run, or why it cannot be one (an unverified breakpoint's message). */
export type Translated = { spec: BreakpointSpec } | { error: string };

/** `175` with condition `loss < 1` checks `step == 175 && (loss < 1)`. */
export function functionBreakpoint(b: DebugProtocol.FunctionBreakpoint & { logMessage?: string }, id: string): Translated {
  const log = b.logMessage !== undefined ? { logMessage: b.logMessage } : {};
  const parsed = { ...parseBreakpointText(b.name, id, true, b.hitCondition?.trim() || undefined), ...log };
  const condition = b.condition?.trim();
  if (!condition) return { spec: parsed };
  const base = { id, enabled: true, ...(parsed.hitCondition ? { hitCondition: parsed.hitCondition } : {}), ...log };
  switch (parsed.kind) {
    case 'step': return { spec: { ...base, kind: 'condition', expression: `step == ${parsed.step} && (${condition})` } };
    case 'every': return { spec: { ...base, kind: 'condition', expression: `step % ${parsed.every} == 0 && (${condition})` } };
    case 'condition': return { spec: { ...base, kind: 'condition', expression: `(${parsed.expression}) && (${condition})` } };
    case 'watch': return { error: `a watch takes no condition: write it as 'watch ${parsed.parameter} crosses 0.5' or 'moves 0.1'` };
    case 'phase': return { spec: { ...base, kind: 'phase', phase: parsed.phase, expression: parsed.expression !== undefined ? `(${parsed.expression}) && (${condition})` : condition } };
  }
}

/**
 * A watch on one parameter from a data or line breakpoint's condition: none breaks whenever the
 * value changes; `sign`, `crosses 0.5` and `moves 0.1` as in the list.
 */
export function watchBreakpoint(parameter: string, condition: string | undefined, hitCondition: string | undefined, id: string, logMessage?: string): Translated {
  const c = condition?.trim() ?? '';
  const base = { id, enabled: true, ...(hitCondition?.trim() ? { hitCondition: hitCondition.trim() } : {}), ...(logMessage !== undefined ? { logMessage } : {}), kind: 'watch' as const, parameter };
  if (c === '') return { spec: { ...base, watch: 'move', value: 0 } };
  if (/^(changes\s+)?sign$/i.test(c)) return { spec: { ...base, watch: 'sign' } };
  const m = /^(crosses|moves)\s+(-?[\d.]+(?:e-?\d+)?)$/i.exec(c);
  if (m && Number.isFinite(Number(m[2]))) return { spec: { ...base, watch: m[1].toLowerCase() === 'crosses' ? 'cross' : 'move', value: Number(m[2]) } };
  return { error: `a watch on ${parameter} takes 'sign', 'crosses 0.5' or 'moves 0.1' as its condition, not '${c}'` };
}

/**
 * A breakpoint on the line of the step's update (`"training"`, `learningRate`): after every step,
 * or, with a condition, after every step where it holds (DAP's meaning of a condition: checked each
 * time the line runs).
 */
export function updateBreakpoint(condition: string | undefined, hitCondition: string | undefined, id: string, logMessage?: string): Translated {
  const c = condition?.trim() ?? '';
  const base = { id, enabled: true, ...(hitCondition?.trim() ? { hitCondition: hitCondition.trim() } : {}), ...(logMessage !== undefined ? { logMessage } : {}) };
  return { spec: c === '' ? { ...base, kind: 'every', every: 1 } : { ...base, kind: 'condition', expression: c, whileTrue: true } };
}

/** A breakpoint on a phase's line (a layer's, the loss line): where Continue reaches that phase of a step, where the condition holds. */
export function phaseBreakpoint(phase: Phase, condition: string | undefined, hitCondition: string | undefined, id: string, logMessage?: string): Translated {
  const c = condition?.trim() ?? '';
  const base = { id, enabled: true, ...(hitCondition?.trim() ? { hitCondition: hitCondition.trim() } : {}), ...(logMessage !== undefined ? { logMessage } : {}) };
  return { spec: { ...base, kind: 'phase', phase, ...(c !== '' ? { expression: c } : {}) } };
}

/** The built-in conditions VS Code offers as exception filters (converged is the file's own stopping rule, not one of them). */
export const FILTER_KINDS = BUILTIN_KINDS.filter((k) => k !== 'converged');

/**
 * The built-in conditions as exception filters: those `on` only (VS Code: its Breakpoints view shows
 * the ones switched on, checked; the editor's list is where all of them are), or all of them,
 * unchecked, for a client that has no such list.
 */
export function exceptionFilters(on?: BuiltinSettings): DebugProtocol.ExceptionBreakpointsFilter[] {
  return FILTER_KINDS.filter((kind) => !on || on[kind].enabled).map((kind) => {
    const info = BUILTINS[kind];
    const thresholds = [info.threshold, info.threshold2].filter((t) => t !== undefined);
    const setting = on?.[kind];
    return {
      filter: kind,
      label: info.title,
      description: info.explains.replace('{t}', String(setting?.threshold ?? info.threshold?.default)).replace('{t2}', String(setting?.threshold2 ?? info.threshold2?.default)),
      default: on !== undefined,
      ...(thresholds.length ? {
        supportsCondition: true,
        conditionDescription: `${thresholds.map((t) => `${t.label} (default ${t.default})`).join(', ')}; separate two with a comma`,
      } : {}),
    };
  });
}

/** The built-in conditions VS Code switched on, with thresholds from the filters' conditions; errors by filter. */
export function exceptionSettings(args: DebugProtocol.SetExceptionBreakpointsArguments): { builtins: Partial<BuiltinSettings>; errors: Map<string, string> } {
  const builtins: Partial<BuiltinSettings> = {};
  const errors = new Map<string, string>();
  const options = [...(args.filterOptions ?? []), ...args.filters.map((filterId) => ({ filterId, condition: undefined }))];
  for (const { filterId, condition } of options) {
    if (!(FILTER_KINDS as readonly string[]).includes(filterId) || builtins[filterId as BuiltinKind]) continue;
    const kind = filterId as BuiltinKind;
    const info = BUILTINS[kind];
    const setting: BuiltinSetting = { enabled: true, threshold: info.threshold?.default, threshold2: info.threshold2?.default };
    const parts = condition?.trim() ? condition.split(',').map((p) => p.trim()) : [];
    const wanted = [info.threshold, info.threshold2].filter((t) => t !== undefined).length;
    if (parts.length > wanted || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) {
      errors.set(kind, `${info.title} takes ${wanted === 0 ? 'no threshold' : wanted === 1 ? 'one number' : 'one or two numbers, separated by a comma'}, not '${condition}'`);
      continue;
    }
    if (parts[0] !== undefined) setting.threshold = Number(parts[0]);
    if (parts[1] !== undefined) setting.threshold2 = Number(parts[1]);
    builtins[kind] = setting;
  }
  return { builtins, errors };
}

/** Whether `name` is one of the network's parameters (a data breakpoint's target). */
export function isParameter(network: Network, name: string): boolean {
  return findParameter(network, name) !== undefined;
}
