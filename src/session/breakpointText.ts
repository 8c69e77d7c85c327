/**
 * A breakpoint as a person types it, in the network editor's list and in VS Code's Breakpoints view
 * (a function breakpoint's name): one parser for both. Pure and small: the webview bundles it.
 */
import { type BreakpointSpec, describeBreakpoint } from './breakpointTypes';

/**
 * What a person types as a breakpoint: `175` or `step 175`, `every 50`, `watch w3` (sign change),
 * `watch w3 crosses 0.5`, `watch w3 moves 0.1`, a phase of each step (`at forward 2`, `at loss`,
 * `at backward 1 if norm(dW1) < 1e-6`, `at update`), any condition (`loss < 0.01`: when it becomes
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
  m = /^at\s+(forward|backward)\s+(?:layer\s+)?(\d+)(?:\s+if\s+(.+))?$/i.exec(t);
  if (m) return { ...base, kind: 'phase', phase: { kind: m[1].toLowerCase() as 'forward' | 'backward', layer: Number(m[2]) }, ...(m[3] ? { expression: m[3].trim() } : {}) };
  m = /^at\s+(loss|update)(?:\s+if\s+(.+))?$/i.exec(t);
  if (m) return { ...base, kind: 'phase', phase: { kind: m[1].toLowerCase() as 'loss' | 'update' }, ...(m[2] ? { expression: m[2].trim() } : {}) };
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
    case 'phase': return describeBreakpoint(spec);
  }
}
