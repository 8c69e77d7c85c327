/**
 * How a network file's breakpoint is named in VS Code's Breakpoints view: what is typed in the
 * editor's list, and the file in brackets, `every 50 (examples/dosage-all.nn.json)` (a function
 * breakpoint has no file of its own). No vscode import: the adapter reads these names too.
 */
import { typedBreakpoint } from '../session/breakpointText';
import type { BreakpointSpec } from '../session/breakpointTypes';

export function breakpointName(spec: BreakpointSpec, file: string): string {
  return `${typedBreakpoint(spec)} (${file})`;
}

/** What a name says: the breakpoint as typed and the file it belongs to; null for a name that names no file. */
export function parseBreakpointName(name: string): { text: string; file: string } | null {
  const m = /^(.*\S)\s+\(([^()]+\.json)\)$/.exec(name.trim());
  return m ? { text: m[1], file: m[2] } : null;
}
