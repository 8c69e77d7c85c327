import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadNetwork, type Network } from '../../src/core';
import { EXAMPLE_FILES } from '../../src/exampleFiles';
import { diskDataReader } from '../../src/diskDataFiles';

/** The repository root, from out/test/unit at run time. */
export const ROOT = path.resolve(__dirname, '../../..');

export function examplePath(name: string): string {
  return path.join(ROOT, 'examples', name);
}

export function loadExample(name: string): Network {
  return loadNetwork(readFileSync(examplePath(name), 'utf8'), { readFile: diskDataReader(examplePath(name)) });
}

export const EXAMPLES: readonly string[] = EXAMPLE_FILES;

/** The dosage network with b3 (and any other named parameter) replaced. */
export function withParameters(network: Network, values: Record<string, number>): Float64Array {
  const params = Float64Array.from(network.initialParameters);
  for (const [name, v] of Object.entries(values)) {
    const p = network.parameters.find((q) => q.name === name);
    if (!p) throw new Error(`no parameter ${name}`);
    params[p.index] = v;
  }
  return params;
}

/** |a - b| within `tol` of the larger magnitude (or of 1, near zero). */
export function close(a: number, b: number, tol: number): boolean {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));
}
