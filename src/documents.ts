import type * as vscode from 'vscode';
import { loadNetwork, type Network, NetworkFileError } from './core';

export type Parsed = { network: Network; error?: undefined } | { network?: undefined; error: NetworkFileError };

/**
 * One parse per document version: the diagnostics and every network editor of a document read
 * the same text after each edit, so they share the result instead of loading it each.
 */
const cache = new WeakMap<vscode.TextDocument, { version: number; parsed: Parsed }>();

export function parseDocument(document: vscode.TextDocument): Parsed {
  const hit = cache.get(document);
  if (hit && hit.version === document.version) return hit.parsed;
  let parsed: Parsed;
  try {
    parsed = { network: loadNetwork(document.getText()) };
  } catch (e) {
    if (!(e instanceof NetworkFileError)) throw e;
    parsed = { error: e };
  }
  cache.set(document, { version: document.version, parsed });
  return parsed;
}
