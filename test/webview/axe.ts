/**
 * axe-core, Deque's rules engine, run in the page as accessibility testers run it: `axe.run` on the
 * whole document with its default rules (best practices included).
 */
import { readFileSync } from 'node:fs';
import type { WebviewPage } from './page';

const SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface Violation { id: string; impact: string | null; help: string; targets: string[] }

/**
 * The violations in the page as it is now. `disabled` turns single rules off, each with the reason
 * it does not fit this state (the reasons are for the reader: they are not sent anywhere).
 */
export async function axeViolations(view: WebviewPage, disabled: Record<string, string> = {}): Promise<Violation[]> {
  const { page } = view;
  // Evaluated through the debugging protocol, so the page's strict CSP does not apply to it.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(SOURCE);
  return view.outsider(() => page.evaluate(async (off) => {
    const axe = (globalThis as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const rules = Object.fromEntries(off.map((id) => [id, { enabled: false }]));
    const result = await axe.run(document, { rules, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, Object.keys(disabled)));
}

/** The violations as a person reads them in a failed test. */
export const describeViolations = (violations: Violation[]): string =>
  violations.map((v) => `${v.impact} ${v.id} (${v.help}): ${v.targets.slice(0, 4).join(', ')}${v.targets.length > 4 ? ` and ${v.targets.length - 4} more` : ''}`).join('\n');
