import type * as vscode from 'vscode';
import { type DataFiles, filesReader, loadNetwork, type Network, NetworkFileError, readDataFiles, sameDataFiles } from './core';
import { documentDataReader } from './dataFiles';

/**
 * `error` is where the network file shows it; `cause` the error itself, in a data file the network
 * names when `cause.file` says so (then `error` sits at that "file" value).
 */
export type Parsed = { network: Network; error?: undefined; cause?: undefined; waitsForTrust?: undefined } | {
  network?: undefined; error: NetworkFileError; cause: NetworkFileError;
  /** The data file (its path as the network names it) whose read stopped the load because the folder is not trusted (Restricted Mode). */
  waitsForTrust?: string;
};

/**
 * One parse per document version and data files' texts: the diagnostics and every network editor of
 * a document read the same text after each edit, so they share the result instead of loading it each.
 */
const cache = new WeakMap<vscode.TextDocument, { version: number; files: DataFiles; parsed: Parsed }>();

export function parseDocument(document: vscode.TextDocument): Parsed {
  const text = document.getText();
  const refused = new Set<string>();
  const files = readDataFiles(text, documentDataReader(document.uri, (path) => refused.add(path)));
  const hit = cache.get(document);
  if (hit && hit.version === document.version && sameDataFiles(hit.files, files)) return hit.parsed;
  let parsed: Parsed;
  // The loader stops at the first file it cannot read: when that is one refused for trust, that is the error.
  let waitsForTrust: string | undefined;
  const read = filesReader(files);
  try {
    parsed = { network: loadNetwork(text, { readFile: (path) => { if (refused.has(path)) waitsForTrust = path; return read(path); } }) };
  } catch (e) {
    if (!(e instanceof NetworkFileError)) throw e;
    parsed = { error: e.inNetworkFile(), cause: e, ...(waitsForTrust === undefined ? {} : { waitsForTrust }) };
  }
  cache.set(document, { version: document.version, files, parsed });
  return parsed;
}
