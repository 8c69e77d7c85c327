/**
 * Completions for the Debug Console and the Watch view (DAP's completions request): the names of
 * the condition language for this network (parameters, their gradients, the layer groups, the
 * scalars, the instruments, the optimizer's buffers), its functions, and the console's own command
 * `explain`, each with the range of the word it replaces. No vscode import.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { type Network, optimizerBuffers } from '../core';
import { EXPRESSION_FUNCTIONS, knownNames } from '../session/expr/compile';

type Item = DebugProtocol.CompletionItem;

/** What each kind of name is, as the completion list says it. */
function itemsFor(network: Network): Item[] {
  const items: Item[] = [];
  const buffers = new Set(optimizerBuffers(network.training.optimizer));
  for (const name of knownNames(network)) {
    const p = network.parameters.find((q) => q.name === name || `d${q.name}` === name);
    if (p) {
      const gradient = name.startsWith('d');
      items.push({ label: name, type: 'variable', detail: gradient ? `dLoss/d${p.name}` : `${p.kind === 'weight' ? 'weight' : 'bias'} of layer ${p.layer}` });
    } else if (/^d?[WBXY][1-9]/.test(name)) {
      items.push({ label: name, type: 'variable', detail: 'a group of values: use it in norm(), mean(), sum(), max() or min(), or index it: Y1[2]' });
    } else if (!name.includes('(')) {
      items.push({ label: name, type: 'property' });
    }
  }
  for (const f of EXPRESSION_FUNCTIONS) items.push({ label: f, text: `${f}(`, type: 'function' });
  for (const b of buffers) items.push({ label: b, text: `${b}(`, type: 'function', detail: `the optimizer's ${b} of a parameter: ${b}(${network.parameters[0].name})` });
  return items;
}

/**
 * The completions of `text` at `column` (DAP's, from 1): the names that start with the word the
 * cursor ends, each replacing that word. After `explain ` at the start of a line, only parameters;
 * `explain` itself at the start of one.
 */
export function completions(network: Network, text: string, column: number): Item[] {
  const end = Math.max(0, Math.min(text.length, column - 1));
  let start = end;
  while (start > 0 && /[A-Za-z0-9_]/.test(text[start - 1])) start--;
  const word = text.slice(start, end);
  const before = text.slice(0, start);
  const range = { start: start + 1, length: end - start };
  if (/^\s*explain\s+$/.test(before)) {
    return network.parameters.filter((p) => p.name.startsWith(word)).map((p) => ({ label: p.name, type: 'variable', ...range }));
  }
  const items = itemsFor(network);
  if (before.trim() === '') items.push({ label: 'explain', text: 'explain ', type: 'keyword', detail: "explain w3: the chain rule of w3's derivative, written out" });
  return items.filter((i) => i.label.startsWith(word)).map((i) => ({ ...i, ...range }));
}
