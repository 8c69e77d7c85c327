/**
 * A network's samples from a CSV or TSV file beside it: `"data": { "file": "points.csv", "inputs":
 * ["x1", "x2"], "targets": ["label"] }`. The core never touches a disk: the host hands the loader a
 * `readFile` callback (node:fs in the CLI and `backprop dap`, open documents and the workspace's
 * files in VS Code, the texts the host sent in the training worker), so every host reads a data file
 * through this one code, and the file's text is the only truth (no copy of it is kept anywhere).
 *
 * Why Papa Parse: it is the most used CSV parser on npm, kept up (5.7 in 2025), has no dependencies,
 * runs anywhere (no Node streams needed for a string), guesses the delimiter among the ones we take,
 * reports quote errors with their offset, and is the fastest of the well-kept parsers (100,000 rows x
 * 10 columns parse in a few hundred milliseconds, see bench/). csv-parse is as good but its
 * synchronous API is slower and its delimiter cannot be guessed.
 */
import { parse } from 'jsonc-parser';
import Papa from 'papaparse';
import { LineIndex, NetworkFileError, type SourcePosition } from './errors';
import type { Dataset } from './network';
import { DEFAULT_LIMITS, type Limits, overLimit } from './limits';

/** The text of a data file, by its path relative to the network file (checked by dataPath first); undefined when there is none. */
export type ReadFile = (relativePath: string) => string | undefined;

/** The delimiters a data file may use; Papa Parse guesses which from the first rows. */
export const DATA_DELIMITERS = [',', ';', '\t'] as const;

/** How much of a file's own text an error message quotes (a file that is not a CSV may hold anything). */
const QUOTE_MAX = 24;

/**
 * `path` as the network names it, checked: relative, inside the network file's folder (no `..`),
 * not a URI of some other scheme; `/`-separated with `.` segments dropped. Returns the reason it
 * is refused when it is, so the loader can point at it: a data path never reads outside the
 * network's own folder tree (a shared network file cannot make its reader read ~/.ssh/id_rsa).
 */
export function dataPath(path: string): { ok: true; path: string } | { ok: false; why: string } {
  if (path.trim().length === 0) return { ok: false, why: 'is empty: name a file beside the network, such as "points.csv"' };
  if (path.includes('\0')) return { ok: false, why: 'holds a NUL character' };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) return { ok: false, why: 'is a URI or a drive path: name a file by its path relative to the network file, such as "data/points.csv"' };
  if (/^[/\\]/.test(path)) return { ok: false, why: 'is an absolute path: name a file by its path relative to the network file, such as "data/points.csv"' };
  const segments = path.split(/[/\\]+/).filter((s) => s !== '' && s !== '.');
  if (segments.includes('..')) return { ok: false, why: 'leaves the network file\'s folder (".."): a data file must be in the network\'s folder or below it' };
  if (segments.length === 0) return { ok: false, why: 'names a folder, not a file' };
  return { ok: true, path: segments.join('/') };
}

/**
 * The data files a network's text names (data.file, validation.file), as checked paths: what a host
 * reads (readDataFiles) and watches. Tolerant: a text that is not yet a network names none.
 */
export function dataFilesOf(text: string): string[] {
  let root: unknown;
  try {
    root = parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, [], { allowTrailingComma: true });
  } catch {
    return [];
  }
  if (root === null || typeof root !== 'object') return [];
  const files: string[] = [];
  for (const section of [(root as { data?: unknown }).data, (root as { validation?: unknown }).validation]) {
    const file = section !== null && typeof section === 'object' && !Array.isArray(section) ? (section as { file?: unknown }).file : undefined;
    if (typeof file !== 'string') continue;
    const checked = dataPath(file);
    if (checked.ok && !files.includes(checked.path)) files.push(checked.path);
  }
  return files;
}

/** Data files' texts by path as read at one moment; `{ error }` where reading failed (a missing file is left out). */
export type DataFiles = Record<string, string | { error: string }>;

/**
 * The texts of the data files `text` names, read now through `readFile`: what a host sends the
 * training worker with the network's text, so the worker loads exactly what the host sees.
 */
export function readDataFiles(text: string, readFile: ReadFile): DataFiles {
  const files: DataFiles = {};
  for (const path of dataFilesOf(text)) {
    try {
      const read = readFile(path);
      if (read !== undefined) files[path] = read;
    } catch (e) {
      files[path] = { error: (e as Error).message };
    }
  }
  return files;
}

/** A ReadFile over texts read before (readDataFiles). */
export function filesReader(files: Readonly<DataFiles>): ReadFile {
  return (path) => {
    if (!Object.hasOwn(files, path)) return undefined;
    const read = files[path];
    if (typeof read !== 'string') throw new Error(read.error);
    return read;
  };
}

/** Whether two reads of data files hold the same texts. */
export function sameDataFiles(a: Readonly<DataFiles>, b: Readonly<DataFiles>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => Object.hasOwn(b, k) && (typeof a[k] === 'string' ? a[k] === b[k] : typeof b[k] !== 'string' && (a[k] as { error: string }).error === (b[k] as { error: string }).error));
}

/** A column named in the network file, and where its name is written there. */
export interface NamedColumn {
  readonly name: string;
  readonly at: SourcePosition;
}

export interface DataFileRequest {
  /** The checked relative path (dataPath), as error messages name the file. */
  readonly path: string;
  readonly text: string;
  /** Where the network file names the file (its "file" value). */
  readonly reference: SourcePosition;
  /** One per network input, in order. */
  readonly inputs: readonly NamedColumn[];
  /** One per network output (numbers), or a single column of class labels (`classes` is then not null). */
  readonly targets: readonly NamedColumn[];
  readonly outputNames: readonly string[];
  /**
   * For a column of class labels (cross-entropy, one target column, two or more outputs): the
   * classes in output order, or 'sorted' to take the file's labels in order. null: numeric targets.
   */
  readonly classes: readonly string[] | 'sorted' | null;
  /** Cross-entropy: numeric targets must be one-hot rows. */
  readonly oneHot: boolean;
  /** dataFileBytes, dataColumns and samples are checked; the defaults when absent. */
  readonly limits?: Limits;
}

export interface DataFileResult {
  readonly data: Dataset;
  /** The classes in output order, when the targets were class labels. */
  readonly classes: readonly string[] | null;
  readonly delimiter: string;
}

/**
 * Reads `request.text` as a CSV with a header row into a Dataset. Every error points into the file
 * (a `NetworkFileError` whose `file` is the data file's path), except a column the file lacks, which
 * points at its name in the network file (that is where the fix goes) and lists the columns there are.
 */
export function readDataFile(request: DataFileRequest): DataFileResult {
  const { path } = request;
  // A byte-order mark is no part of the text (VS Code's documents leave it out too, so positions agree).
  const text = request.text.charCodeAt(0) === 0xfeff ? request.text.slice(1) : request.text;
  let lines: LineIndex | undefined;
  const at = (offset: number, length = 0): SourcePosition => (lines ??= new LineIndex(text)).position(offset, length);
  const fail = (message: string, offset: number, length = 0): NetworkFileError => new NetworkFileError(message, at(offset, length), path, request.reference);
  const limits = request.limits ?? DEFAULT_LIMITS;
  if (text.length > limits.dataFileBytes) throw fail(`the file is ${text.length.toLocaleString('en-US')} characters, more than ${overLimit(limits, 'dataFileBytes')}`, limits.dataFileBytes);
  if (text.trim().length === 0) throw fail('the file is empty: expected a header row naming the columns, then one row per sample', 0);

  const nIn = request.inputs.length;
  const nOut = request.outputNames.length;
  const labelled = request.classes !== null;
  let header: string[] | undefined;
  let inputColumns: number[] = [];
  let targetColumns: number[] = [];
  // Growable: the number of rows is known only at the end (a quoted field may hold a line break).
  // Room for about 64K values to start with, however wide a row is.
  const firstRows = Math.max(1, Math.floor(65_536 / Math.max(1, nIn, nOut)));
  let inputs: Float64Array<ArrayBuffer> = new Float64Array(firstRows * nIn);
  let targets: Float64Array<ArrayBuffer> = new Float64Array(firstRows * nOut);
  const labels: string[] = [];
  const labelOffsets: number[] = [];
  let samples = 0;
  let rowStart = 0;
  let problem: NetworkFileError | undefined;
  let delimiter = ',';

  /** Where field `k` of the row starting at `start` begins: each earlier field's raw length (quotes and doubled quotes too) and a delimiter. */
  const fieldOffset = (start: number, fields: readonly string[], k: number): number => {
    let offset = start;
    for (let j = 0; j < k; j++) {
      const value = fields[j];
      offset += text.charCodeAt(offset) === 34 ? value.length + 2 + (value.match(/"/g)?.length ?? 0) : value.length;
      offset += delimiter.length;
    }
    return offset;
  };

  const parsed = Papa.parse<string[]>(text, {
    delimitersToGuess: [...DATA_DELIMITERS],
    skipEmptyLines: true,
    step: (result, parser) => {
      const start = rowStart;
      rowStart = result.meta.cursor;
      delimiter = result.meta.delimiter;
      const fields = result.data;
      const quoteError = result.errors.find((e) => e.type === 'Quotes');
      if (quoteError) {
        // Papa Parse's index is just past the opening quote: point at the quote itself.
        const index = quoteError.index ?? start;
        const quoteAt = text.lastIndexOf('"', index);
        problem = fail(quoteError.code === 'MissingQuotes' ? 'a quoted value is never closed (a " without its closing ")' : 'a quoted value goes on after its closing quote (write "" for a quote inside quotes)', quoteAt >= start ? quoteAt : index, 1);
        parser.abort();
        return;
      }
      // A line of nothing but spaces is as empty as an empty one.
      if (fields.every((f) => f.trim().length === 0)) return;
      let first = start;
      while (text.charCodeAt(first) === 10 || text.charCodeAt(first) === 13) first++;
      if (header === undefined) {
        if (fields.length > limits.dataColumns) {
          problem = fail(`the header names ${fields.length} columns, more than ${overLimit(limits, 'dataColumns')}`, fieldOffset(first, fields, limits.dataColumns));
          parser.abort();
          return;
        }
        header = fields.map((f) => f.trim());
        const seen = new Map<string, number>();
        for (let k = 0; k < header.length; k++) {
          const name = header[k];
          if (name.length === 0) { problem = fail(`column ${k + 1} has no name: the first row names every column`, fieldOffset(first, fields, k)); break; }
          if (seen.has(name)) { problem = fail(`the column "${quote(name)}" is named twice (columns ${seen.get(name)! + 1} and ${k + 1})`, fieldOffset(first, fields, k), fields[k].length); break; }
          seen.set(name, k);
        }
        if (!problem) {
          const find = (c: NamedColumn): number => {
            const k = seen.get(c.name);
            if (k === undefined) throw new NetworkFileError(`${path} has no column "${c.name}": its columns are ${describeColumns(header!)}`, c.at);
            return k;
          };
          try {
            inputColumns = request.inputs.map(find);
            targetColumns = request.targets.map(find);
          } catch (e) {
            if (!(e instanceof NetworkFileError)) throw e;
            problem = e;
          }
        }
        if (problem) parser.abort();
        return;
      }
      if (fields.length !== header.length) {
        problem = fail(`this row has ${fields.length} value${fields.length === 1 ? '' : 's'} but the header names ${header.length} column${header.length === 1 ? '' : 's'}${fields.length === 1 && header.length > 1 ? ` (is the delimiter "${delimiterName(delimiter)}" right?)` : ''}`, first);
        parser.abort();
        return;
      }
      if (samples === limits.samples) {
        problem = fail(`the file has more than ${overLimit(limits, 'samples')}`, first);
        parser.abort();
        return;
      }
      if ((samples + 1) * nIn > inputs.length) {
        inputs = grow(inputs);
        targets = grow(targets);
      }
      for (let k = 0; k < nIn; k++) {
        const v = toNumber(fields[inputColumns[k]]);
        if (v === undefined) { problem = notANumber(fields, inputColumns[k], first); parser.abort(); return; }
        inputs[samples * nIn + k] = v;
      }
      if (labelled) {
        const column = targetColumns[0];
        const label = fields[column].trim();
        if (label.length === 0) { problem = fail(`the class label in column "${quote(header[column])}" is missing`, fieldOffset(first, fields, column)); parser.abort(); return; }
        labels.push(label);
        labelOffsets.push(fieldOffset(first, fields, column));
      } else {
        for (let k = 0; k < nOut; k++) {
          const v = toNumber(fields[targetColumns[k]]);
          if (v === undefined) { problem = notANumber(fields, targetColumns[k], first); parser.abort(); return; }
          targets[samples * nOut + k] = v;
        }
        if (request.oneHot) {
          if (!isClassProbabilities(targets, samples * nOut, nOut)) {
            problem = fail(`cross-entropy needs one-hot targets (one 1 among ${request.targets.map((c) => c.name).join(', ')}, the rest 0), but this row has ${Array.from(targets.subarray(samples * nOut, (samples + 1) * nOut)).join(', ')}; or name one column of class labels in "targets"`, first);
            parser.abort();
            return;
          }
        }
      }
      samples++;
    },
  });
  void parsed;

  function notANumber(fields: readonly string[], column: number, first: number): NetworkFileError {
    const cell = fields[column];
    const offset = fieldOffset(first, fields, column);
    const shown = cell.trim();
    return fail(shown.length === 0 ? `the value in column "${quote(header![column])}" is missing: every input and target needs a number` : `"${quote(shown)}" is not a number (column "${quote(header![column])}")`, offset, cell.length);
  }

  if (problem) throw problem;
  if (header === undefined) throw fail('the file is empty: expected a header row naming the columns, then one row per sample', 0);
  if (samples === 0) throw fail(`the file has a header row but no samples: add one row per sample below it (${describeColumns(header)})`, text.length);

  let classes: string[] | null = null;
  if (labelled) {
    const found = [...new Set(labels)];
    if (request.classes === 'sorted') {
      classes = sortLabels(found);
      // Outputs named after the classes keep their own order: output "red" is class "red".
      if (classes.length === nOut && request.outputNames.every((o) => found.includes(o))) classes = [...request.outputNames];
      if (classes.length !== nOut) {
        throw new NetworkFileError(`${path}'s column "${request.targets[0].name}" holds ${classes.length} class${classes.length === 1 ? '' : 'es'} (${describeColumns(classes)}) but the network has ${nOut} outputs (${request.outputNames.join(', ')}): one output per class`, request.targets[0].at);
      }
    } else classes = [...request.classes];
    const index = new Map(classes.map((c, k) => [c, k]));
    targets = new Float64Array(samples * nOut);
    for (let i = 0; i < samples; i++) {
      const k = index.get(labels[i]);
      if (k === undefined) throw fail(`"${quote(labels[i])}" is not one of the classes (${describeColumns(classes)})`, labelOffsets[i], labels[i].length);
      targets[i * nOut + k] = 1;
    }
  }
  return { data: { samples, inputs: inputs.slice(0, samples * nIn), targets: targets.slice(0, samples * nOut) }, classes, delimiter };
}

/** A decimal number (as JSON writes them, with an optional + and spaces around), or undefined. */
function toNumber(cell: string): number | undefined {
  const s = cell.trim();
  if (!NUMBER.test(s)) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Labels that are all numbers in numeric order, else in code-unit order: the same order on every machine. */
function sortLabels(labels: readonly string[]): string[] {
  if (labels.every((l) => toNumber(l) !== undefined)) return [...labels].sort((a, b) => Number(a) - Number(b));
  return [...labels].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function grow(a: Float64Array): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/** At most QUOTE_MAX characters of a file's text. */
function quote(s: string): string {
  return s.length <= QUOTE_MAX ? s : `${s.slice(0, QUOTE_MAX - 1)}…`;
}

/** The first few of a file's column names (or classes), each quoted short. */
function describeColumns(names: readonly string[]): string {
  const shown = names.slice(0, 12).map((n) => quote(n)).join(', ');
  return names.length > 12 ? `${shown} and ${names.length - 12} more` : shown;
}

function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : d;
}

/** A data file's columns as New Network needs them: each column's name, whether every value is a number, and its labels. */
export interface DataFileColumn {
  readonly name: string;
  readonly numeric: boolean;
  /** The column's distinct values in the loader's class order (numbers numerically, else by character code); at most `maxLabels` + 1 are kept. */
  readonly labels: readonly string[];
}

/**
 * The columns of the data file `path` (its text `text`), for building a network from its header.
 * The whole file is first read by readDataFile (the same checks and errors as loading: quotes, row
 * lengths, empty files, duplicate names, limits), then its cells are classified with the loader's
 * own number rule and class order, so what this says is text is exactly what loading takes as labels.
 */
export function dataFileColumns(path: string, text: string, limits: Limits = DEFAULT_LIMITS, maxLabels = 64): { columns: DataFileColumn[]; samples: number } {
  const start: SourcePosition = new LineIndex(text).position(0);
  const { data } = readDataFile({ path, text, reference: start, inputs: [], targets: [], outputNames: [], classes: null, oneHot: false, limits });
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows = Papa.parse<string[]>(body, { delimitersToGuess: [...DATA_DELIMITERS], skipEmptyLines: true }).data.filter((r) => !r.every((f) => f.trim().length === 0));
  const header = rows[0].map((f) => f.trim());
  const columns = header.map((name, k) => {
    let numeric = true;
    const seen = new Set<string>();
    for (let i = 1; i < rows.length; i++) {
      const cell = rows[i][k].trim();
      if (numeric && toNumber(cell) === undefined) numeric = false;
      if (seen.size <= maxLabels && cell.length > 0) seen.add(cell);
    }
    return { name, numeric, labels: sortLabels([...seen]) };
  });
  return { columns, samples: data.samples };
}

/** Whether the `width` targets at `at` are class probabilities (each in [0, 1], summing to 1): what cross-entropy compares, one-hot rows among them. */
export function isClassProbabilities(targets: ArrayLike<number>, at: number, width: number): boolean {
  let sum = 0;
  for (let k = 0; k < width; k++) {
    const t = targets[at + k];
    if (!(t >= 0 && t <= 1)) return false;
    sum += t;
  }
  return Math.abs(sum - 1) <= 1e-9;
}
