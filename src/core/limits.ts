/**
 * How much work a file may ask of Backprop Debugger: one table of limits that every reader (the
 * network file, its CSV data files, generated datasets, each model format) checks a declared size
 * against before it allocates, so a hostile or mistaken file (units: 1e9, a tensor declared
 * 2^40 elements, a zip that inflates to gigabytes, 10,000 nested brackets) gets a positioned error
 * at once instead of exhausting memory or the stack. Each is far above what an interactive
 * debugger steps through usefully; a person raises them with the `backprop.limits` setting (a
 * restricted setting: an untrusted folder's own settings cannot raise them) or the CLI's
 * `--limits name=value,...`. docs/security.md#limits lists them.
 */

export interface Limits {
  /** Weights and biases in a network (or a model being imported). */
  readonly parameters: number;
  /** Samples x units: the activations a training step keeps. */
  readonly activations: number;
  /** Layers in a network or model. */
  readonly layers: number;
  /** Units in one layer, and a network's inputs. */
  readonly layerWidth: number;
  /** Samples in a dataset: inline rows, generated samples, a data file's rows. */
  readonly samples: number;
  /** Characters of one data file (CSV or TSV). */
  readonly dataFileBytes: number;
  /** Columns of one data file. */
  readonly dataColumns: number;
  /** Bytes of a model file (and of the files beside it that it names). */
  readonly modelFileBytes: number;
  /** Elements one tensor of a model file may declare. */
  readonly tensorElements: number;
  /** Entries in a zip archive (.keras). */
  readonly zipEntries: number;
  /** Bytes the entries read from a zip archive may inflate to, together. */
  readonly zipBytes: number;
  /** Nesting of arrays and objects in a JSON text (network file, model.json, config.json, a safetensors header). */
  readonly jsonDepth: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  parameters: 10_000_000,
  activations: 10_000_000,
  layers: 1_000,
  layerWidth: 100_000,
  samples: 1_000_000,
  dataFileBytes: 200_000_000,
  dataColumns: 10_000,
  modelFileBytes: 500_000_000,
  tensorElements: 10_000_000,
  zipEntries: 10_000,
  zipBytes: 500_000_000,
  jsonDepth: 64,
});

export type LimitName = keyof Limits;
export const LIMIT_NAMES = Object.keys(DEFAULT_LIMITS) as LimitName[];

/** What each limit counts, for messages and the docs. */
export const LIMIT_UNITS: Record<LimitName, string> = {
  parameters: 'parameters', activations: 'activations', layers: 'layers', layerWidth: 'units in a layer', samples: 'samples',
  dataFileBytes: 'characters', dataColumns: 'columns', modelFileBytes: 'bytes', tensorElements: 'elements', zipEntries: 'entries',
  zipBytes: 'inflated bytes', jsonDepth: 'levels of nesting',
};

/** The limits a host has set for this process (the extension's setting, a CLI flag); the defaults until then. */
let configured: Limits = DEFAULT_LIMITS;

/**
 * Sets the limits every load in this process uses unless it is given its own. `limits` is checked
 * (checkLimits); missing names keep their defaults.
 */
export function setLimits(limits: Partial<Limits> | undefined): void {
  configured = limitsWith(limits);
}

export function currentLimits(): Limits {
  return configured;
}

/** The defaults with `partial`'s values (each a whole number, 1 or more) in their place. */
export function limitsWith(partial: Partial<Limits> | undefined): Limits {
  if (partial === undefined) return DEFAULT_LIMITS;
  const problem = checkLimits(partial);
  if (problem) throw new RangeError(problem);
  return Object.freeze({ ...DEFAULT_LIMITS, ...partial });
}

/** Why `value` is not a set of limits (an unknown name, a value that is not a whole number 1 or more), or undefined when it is. */
export function checkLimits(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'the limits must be an object such as { "parameters": 20000000 }';
  for (const [name, v] of Object.entries(value)) {
    if (!(LIMIT_NAMES as string[]).includes(name)) return `unknown limit "${name}": the limits are ${LIMIT_NAMES.join(', ')}`;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) return `the limit ${name} must be a whole number, 1 or more, not ${JSON.stringify(v)}`;
  }
  return undefined;
}

/**
 * `parameters=20000000,samples=2e6`: the CLI's `--limits`, as partial limits, or a RangeError
 * saying which part is wrong.
 */
export function parseLimits(text: string): Partial<Limits> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z]+)\s*=\s*([0-9.eE+_]+)\s*$/.exec(part);
    if (!m) throw new RangeError(`"${part.trim().slice(0, 40)}" is not name=value (e.g. --limits parameters=20000000,samples=2000000)`);
    out[m[1]] = Number(m[2].replace(/_/g, ''));
  }
  const problem = checkLimits(out);
  if (problem) throw new RangeError(problem);
  return out;
}

/** "10,000,000 parameters (the limit parameters; raise it with the backprop.limits setting or --limits)". */
export function overLimit(limits: Limits, name: LimitName): string {
  return `${limits[name].toLocaleString('en-US')} ${LIMIT_UNITS[name]} (the limit "${name}": see Limits in docs/security.md to raise it)`;
}

/**
 * Where a JSON text first nests deeper than `max` arrays and objects (the offset of the bracket
 * that goes one too deep), or -1. A linear scan that skips strings, run before a recursive parse
 * so that deep nesting is an error at its place rather than a stack overflow.
 */
export function tooDeep(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return i;
    } else if (c === 125 || c === 93) {
      if (depth > 0) depth--;
    }
  }
  return -1;
}

/** The product of `dims` (a tensor's element count) or Infinity when a dimension is negative, not whole, or the product passes 2^53. */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) return Infinity;
    n *= d;
    if (n > Number.MAX_SAFE_INTEGER) return Infinity;
  }
  return n;
}
