/**
 * A breakpoint as a person types it, in the network editor's list and in VS Code's Breakpoints view
 * (a function breakpoint's name): one parser for both. Pure and small: the webview bundles it.
 */
import type { BreakpointSpec } from './breakpointTypes';

/**
 * What a person types as a breakpoint: `175` or `step 175`, `every 50`, `watch w3` (sign change),
 * `watch w3 crosses 0.5`, `watch w3 moves 0.1`, any condition (`loss < 0.01`: when it becomes
 * true), or `while` and a condition (at every step it holds).
 */
export function parseBreakpointText(text: string, id: string, enabled = true, hitCondition?: string): BreakpointSpec {
  const t = text.trim();
  const base = { id, enabled, ...(hitCondition ? { hitCondition } : {}) };
  let m = /^(?:step\s+)?(\d+)$/i.exec(t);
  if (m) return { ...base, kind: 'step', step: Number(m[1]) };
  m = /^every\s+(\d+)(?:\s+steps?)?$/i.exec(t);
  if (m) return { ...base, kind: 'every', every: Number(m[1]) };
  m = /^while\s+(.+)$/i.exec(t);
  if (m) return { ...base, kind: 'condition', expression: m[1].trim(), whileTrue: true };
  m = /^watch\s+([wb]\d+)(?:\s+(sign|crosses|moves)(?:\s+(-?[\d.]+(?:e-?\d+)?))?)?$/i.exec(t);
  if (m) {
    const watch = m[2]?.toLowerCase() === 'crosses' ? 'cross' : m[2]?.toLowerCase() === 'moves' ? 'move' : 'sign';
    return { ...base, kind: 'watch', parameter: m[1], watch, ...(m[3] !== undefined ? { value: Number(m[3]) } : {}) };
  }
  return { ...base, kind: 'condition', expression: t };
}

/** How a breakpoint is typed back into its edit box (the inverse of parseBreakpointText). */
export function typedBreakpoint(spec: BreakpointSpec): string {
  switch (spec.kind) {
    case 'step': return String(spec.step);
    case 'every': return `every ${spec.every}`;
    case 'condition': return spec.whileTrue ? `while ${spec.expression}` : spec.expression;
    case 'watch': return `watch ${spec.parameter}${spec.watch === 'sign' ? '' : ` ${spec.watch === 'cross' ? 'crosses' : 'moves'} ${spec.value}`}`;
  }
}
