/**
 * "New Network...": a valid network file from a shape a person typed (inputs, hidden layers,
 * outputs), with seeded initial weights written out and a small dataset to edit. Pure, so the
 * command, the tests and anything else make exactly the same file from the same answers.
 */
import { ACTIVATIONS, type Activation, type Loss } from './math';
import { SeededRandom } from './random';
import { GENERATED_DESCRIPTIONS, GENERATED_KINDS, type GeneratedKind, generatedTargets } from './generate';
import { type DataFileColumn, dataPath } from './dataFile';
import { LineIndex, NetworkFileError } from './errors';

export interface NetworkShape {
  inputs: string[];
  /** The hidden layers, in order (none is allowed: a linear model). */
  hidden: { units: number; activation: Activation }[];
  outputs: string[];
  /** The loss to minimise: StatQuest's sum of squared residuals unless said. */
  loss?: Loss;
  /** Gradient descent's step size (0.1 unless said). */
  learningRate?: number;
  /** The sample data to start from (the first kind that suits the shape unless said). */
  data?: DataKind;
  /** The seed of the initial weights: the same shape and seed always give the same file. */
  seed?: number;
  /** Samples from a CSV/TSV file beside the network (csvNetworkShape) instead of `data`. */
  file?: { path: string; inputs: string[]; targets: string[] };
}

/** The columns New Network suggests from a data file's header: every column of numbers but the last column as inputs, the last as the target. */
export function defaultCsvColumns(columns: readonly DataFileColumn[]): { inputs: string[]; target: string } {
  const inputs = csvInputChoices(columns).preferred;
  return { inputs, target: csvTargetChoices(columns, inputs).preferred };
}

/** The columns offered as inputs (those of numbers: inputs are numbers) and those ticked to start with (all but the file's last column). */
export function csvInputChoices(columns: readonly DataFileColumn[]): { choices: string[]; preferred: string[] } {
  const choices = columns.filter((c) => c.numeric).map((c) => c.name);
  const last = columns[columns.length - 1]?.name;
  return { choices, preferred: choices.filter((n) => n !== last) };
}

/** Why the ticked input columns cannot be the inputs (none, or none left for the target), or undefined. */
export function checkCsvInputs(columns: readonly DataFileColumn[], inputs: readonly string[]): string | undefined {
  if (inputs.length === 0) return 'tick at least one input column';
  if (inputs.length > SCAFFOLD_MAX_UNITS) return `at most ${SCAFFOLD_MAX_UNITS} input columns`;
  if (inputs.length >= columns.length) return 'leave one column for the target';
  return undefined;
}

/** The columns offered as the target (every column not an input), the file's last one first choice when it can be. */
export function csvTargetChoices(columns: readonly DataFileColumn[], inputs: readonly string[]): { choices: string[]; preferred: string } {
  const choices = columns.map((c) => c.name).filter((n) => !inputs.includes(n));
  return { choices, preferred: choices[choices.length - 1] };
}

/** At most this many data files are offered, at most this many folders below the network's. */
export const SCAFFOLD_MAX_DATA_FILES = 50;
export const SCAFFOLD_DATA_DEPTH = 3;

/** The data files New Network offers among `paths` (relative, `/`-separated): .csv and .tsv files a few folders deep at most, the nearest first, capped. */
export function csvFileChoices(paths: readonly string[]): string[] {
  const depth = (p: string): number => p.split('/').length - 1;
  return paths.filter((p) => /\.(csv|tsv)$/i.test(p) && dataPath(p).ok && depth(p) <= SCAFFOLD_DATA_DEPTH)
    .sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, SCAFFOLD_MAX_DATA_FILES);
}

/** Where New Network's samples come from: a data file in the folder, or sample data written into the network file. */
export type DataSource = 'csv' | 'sample';

/**
 * New Network's questions in order. With data files to offer, the first asks where the samples come
 * from: a CSV's header gives the inputs and outputs (so those are picked from its columns, not
 * typed), and its target decides the loss; otherwise the six questions of sample data.
 */
export type NewNetworkStep = 'source' | 'file' | 'csvInputs' | 'target' | 'inputs' | 'hidden' | 'outputs' | 'loss' | 'learningRate' | 'data';
export function newNetworkSteps(csvOffered: boolean, source: DataSource | undefined): NewNetworkStep[] {
  const head: NewNetworkStep[] = csvOffered ? ['source'] : [];
  if (source === 'csv') return [...head, 'file', 'csvInputs', 'target', 'hidden', 'learningRate'];
  return [...head, 'inputs', 'hidden', 'outputs', 'loss', 'learningRate', 'data'];
}

/** A data file New Network can build from has a column for the inputs and one for the target; otherwise why not, at the file's start. */
export function checkCsvColumns(path: string, text: string, columns: readonly DataFileColumn[]): void {
  if (columns.length < 2) {
    throw new NetworkFileError(`the file has ${columns.length === 1 ? `one column ("${columns[0].name}")` : 'no columns'}: a network needs at least one input column and a target column (is the delimiter a comma, semicolon or tab?)`, new LineIndex(text).position(0), path);
  }
}

/**
 * The network for the data file `path` (relative to the network file) with the chosen input
 * columns and target column: a text target is a classifier (one output per class, the labels
 * sorted as the loader sorts them, cross-entropy), a numeric target a regression (one output, SSR).
 */
export function csvNetworkShape(path: string, columns: readonly DataFileColumn[], inputs: readonly string[], target: string, rest: { hidden: NetworkShape['hidden']; learningRate?: number; seed?: number }): NetworkShape {
  const checked = dataPath(path);
  if (!checked.ok) throw new Error(`the data file "${path}" ${checked.why}`);
  const byName = new Map(columns.map((c) => [c.name, c]));
  if (inputs.length === 0) throw new Error('choose at least one input column');
  if (inputs.length > SCAFFOLD_MAX_UNITS) throw new Error(`at most ${SCAFFOLD_MAX_UNITS} input columns`);
  for (const name of [...inputs, target]) if (!byName.has(name)) throw new Error(`${checked.path} has no column "${name}"`);
  if (inputs.includes(target)) throw new Error(`"${target}" is an input; the target must be another column`);
  const textInput = inputs.find((name) => !byName.get(name)!.numeric);
  if (textInput !== undefined) throw new Error(`the input column "${textInput}" holds text; inputs must be numbers`);
  const file = { path: checked.path, inputs: [...inputs], targets: [target] };
  const column = byName.get(target)!;
  if (column.numeric) return { inputs: [...inputs], hidden: rest.hidden, outputs: [target], loss: 'ssr', learningRate: rest.learningRate, seed: rest.seed, file };
  const classes = column.labels;
  if (classes.length > SCAFFOLD_MAX_UNITS) throw new Error(`the target column "${target}" holds more than ${SCAFFOLD_MAX_UNITS} different values: too many classes for New Network`);
  if (classes.length < 2) throw new Error(`the target column "${target}" holds one class (${classes[0] ?? 'none'}): a classifier needs two or more`);
  const clash = classes.find((c) => inputs.includes(c));
  if (clash !== undefined) throw new Error(`the class "${clash}" is also an input column's name; outputs are named after the classes, so rename one`);
  return { inputs: [...inputs], hidden: rest.hidden, outputs: [...classes], loss: 'cross-entropy', learningRate: rest.learningRate, seed: rest.seed, file };
}

/** Rows written into the file, or one of Playground's datasets generated from a seed (`generate:spiral`). */
export type DataKind = 'bump' | 'line' | 'xor' | `generate:${GeneratedKind}`;

/** The sample data New Network can write, with what each needs. */
export const DATA_KINDS: readonly { kind: DataKind; label: string; detail: string; minInputs: number; maxInputs: number }[] = [
  { kind: 'bump', label: "StatQuest's dosage bump", detail: 'five doses: low and high fail, the middle works (one input)', minInputs: 1, maxInputs: 1 },
  { kind: 'line', label: 'A straight line', detail: 'the output rises evenly with the inputs: a model with no hidden layer can fit it', minInputs: 1, maxInputs: Infinity },
  { kind: 'xor', label: 'XOR', detail: 'the corners of the square: one when exactly one of the first two inputs is (two or more inputs)', minInputs: 2, maxInputs: Infinity },
  ...GENERATED_KINDS.map((kind) => ({
    kind: `generate:${kind}` as const, label: `Playground's ${kind} (200 generated points)`, detail: `${GENERATED_DESCRIPTIONS[kind]}; generated from a seed (two inputs)`, minInputs: 2, maxInputs: 2,
  })),
];

/**
 * The data kinds a network with `inputs` inputs can have, in the order offered; given its outputs
 * and loss, only the generated datasets whose targets fit them (generatedTargets).
 */
export function dataKindsFor(inputs: number, outputs?: number, loss: Loss = 'ssr'): DataKind[] {
  return DATA_KINDS.filter((d) => inputs >= d.minInputs && inputs <= d.maxInputs)
    .filter((d) => !d.kind.startsWith('generate:') || outputs === undefined || fitsGenerated(d.kind, inputs, outputs, loss))
    .map((d) => d.kind);
}

function fitsGenerated(kind: DataKind, inputs: number, outputs: number, loss: Loss): boolean {
  const names = (n: number, p: string): string[] => Array.from({ length: n }, (_, i) => `${p}${i}`);
  return !('error' in generatedTargets(kind.slice('generate:'.length) as GeneratedKind, names(inputs, 'x'), names(outputs, 'y'), 'identity', loss));
}

/** A learning rate as typed: a positive finite number, or what is wrong with the text. */
export function parseLearningRate(text: string): { learningRate: number } | { error: string } {
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) return { error: 'a positive number, such as 0.1 (StatQuest uses 0.1)' };
  return { learningRate: v };
}

/** At most this many units in a typed hidden layer: New Network makes teaching-sized networks. */
export const SCAFFOLD_MAX_UNITS = 64;

/** A comma-separated list of column names: the names, or the first problem with them. */
export function parseColumnNames(text: string, what: 'input' | 'output'): { names: string[] } | { error: string } {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length === 0) return { error: `at least one ${what} name, e.g. ${what === 'input' ? 'dosage' : 'efficacy'}` };
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) return { error: `"${duplicate}" appears twice; each ${what} needs its own name` };
  if (names.length > SCAFFOLD_MAX_UNITS) return { error: `at most ${SCAFFOLD_MAX_UNITS} ${what}s` };
  return { names };
}

/**
 * Hidden layers as typed: "2 softplus" or "3 tanh, 3 tanh" (units then activation, layers
 * separated by commas; an empty text means no hidden layer). The layers, or the first problem with
 * its column (from 1) so the input box can say where.
 */
export function parseHiddenLayers(text: string): { layers: NetworkShape['hidden'] } | { error: string } {
  const layers: NetworkShape['hidden'] = [];
  if (text.trim() === '') return { layers };
  let offset = 0;
  for (const part of text.split(',')) {
    const column = offset + (part.length - part.trimStart().length) + 1;
    offset += part.length + 1;
    const m = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(part);
    if (!m) return { error: `column ${column}: expected a unit count then an activation, like "2 softplus"` };
    const units = Number(m[1]);
    if (units < 1 || units > SCAFFOLD_MAX_UNITS) return { error: `column ${column}: a layer has 1 to ${SCAFFOLD_MAX_UNITS} units, not ${m[1]}` };
    const activation = (m[2] || 'softplus').toLowerCase();
    if (!(ACTIVATIONS as readonly string[]).includes(activation)) return { error: `column ${column}: unknown activation "${m[2]}"; use ${ACTIVATIONS.join(', ')}` };
    layers.push({ units, activation: activation as Activation });
  }
  return { layers };
}

/**
 * The file's text. Weights are drawn from a seeded normal scaled by 1/sqrt(fan-in) (so deeper
 * layers start in their activations' useful range) and rounded to 3 decimals; biases start at 0,
 * as StatQuest starts them. The dataset, for the person to replace with their own: one input gets
 * StatQuest's dosage shape (a bump: low and high fail, the middle works), shifted per output;
 * several inputs get XOR of the first two at the corners of the unit square, and one half between.
 */
export function scaffoldNetwork(shape: NetworkShape): string {
  const random = new SeededRandom(shape.seed ?? 1);
  const round = (v: number): number => Math.round(v * 1000) / 1000 || 0;
  const widths = [shape.inputs.length, ...shape.hidden.map((l) => l.units), shape.outputs.length];
  const layers = [...shape.hidden, { units: shape.outputs.length, activation: 'identity' as Activation }].map((layer, l) => {
    const fanIn = widths[l];
    const weights = Array.from({ length: layer.units }, () => Array.from({ length: fanIn }, () => round(random.normal() / Math.sqrt(fanIn))));
    return { units: layer.units, activation: layer.activation, weights, biases: new Array(layer.units).fill(0) };
  });
  const kind = shape.data ?? dataKindsFor(shape.inputs.length)[0];
  const loss = shape.loss ?? 'ssr';
  if (!shape.file && !dataKindsFor(shape.inputs.length, shape.outputs.length, loss).includes(kind)) {
    throw new Error(kind.startsWith('generate:') ? `${kind.slice(9)} data needs two inputs and the outputs it fits (classes: 1 or 2; regression: 1, not cross-entropy)` : `${kind} data needs ${kind === 'bump' ? 'one input' : 'two or more inputs'}`);
  }
  const classes = loss === 'cross-entropy' ? shape.outputs.length : 0;
  if (loss === 'cross-entropy' && classes < 2) throw new Error('cross-entropy needs two or more outputs, one per class');
  const generated = !shape.file && kind.startsWith('generate:') ? { generate: kind.slice('generate:'.length), samples: 200, noise: 0.1, seed: shape.seed ?? 1 } : null;
  const points = generated || shape.file ? [] : shape.inputs.length === 1 ? [0, 0.25, 0.5, 0.75, 1].map((v) => [v]) : grid(shape.inputs.length);
  const data = points.map((row) => {
    const sample: Record<string, number> = {};
    shape.inputs.forEach((name, k) => { sample[name] = row[k]; });
    // Classes: the first output's target (0..1) picks the class, written one-hot.
    const cls = classes ? Math.min(classes - 1, Math.floor(target(kind, row, 0) * classes)) : -1;
    shape.outputs.forEach((name, k) => { sample[name] = classes ? Number(k === cls) : round(target(kind, row, k)); });
    return sample;
  });
  const file = {
    name: 'A new network',
    description: shape.file ? `Made by New Network from ${shape.file.path}: step through its training.` : 'Made by New Network: replace the data with your own, then step through its training.',
    inputs: shape.inputs,
    outputs: shape.outputs,
    layers,
    data: shape.file ? { file: shape.file.path, inputs: shape.file.inputs, targets: shape.file.targets } : generated ?? data,
    loss,
    training: { learningRate: shape.learningRate ?? 0.1, maxSteps: 1000, minStepSize: 0.0001 },
  };
  return formatNetwork(file);
}

/** Corners and the centre of the unit cube (at most 9 points), so two inputs give XOR's four corners and a middle. */
function grid(n: number): number[][] {
  const corners = Array.from({ length: Math.min(8, 2 ** n) }, (_, c) => Array.from({ length: n }, (_, k) => (c >> k) & 1));
  return [...corners, new Array(n).fill(0.5)];
}

/** Output `k`'s target at `row`: each output a little different, so several outputs are not copies. */
function target(kind: DataKind, row: number[], k: number): number {
  switch (kind) {
    case 'bump': return bump(row[0], k);
    case 'xor': return parity(row, k);
    default: return row.reduce((a, b) => a + b, 0) / row.length + 0.1 * k;
  }
}

/** XOR of the first two inputs at the corners (flipped for every other output), one half in the middle. */
function parity(row: number[], k: number): number {
  if (row[0] === 0.5) return 0.5;
  return ((row[0] ^ row[1]) + k) % 2;
}

function bump(x: number, k: number): number {
  const centre = 0.5 + 0.15 * k;
  return Math.exp(-((x - centre) ** 2) / 0.05);
}

/**
 * JSON as the examples are written: one line per layer, per data row and per setting, so the text
 * beside the graph reads like the file a person would write.
 */
function formatNetwork(file: Record<string, unknown>): string {
  const line = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(line).join(', ')}]`;
    if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${line(x)}`).join(', ')} }`;
    return JSON.stringify(v);
  };
  const entries = Object.entries(file).map(([key, value]) => {
    if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') {
      return `  ${JSON.stringify(key)}: [\n${value.map((v) => `    ${line(v)}`).join(',\n')}\n  ]`;
    }
    return `  ${JSON.stringify(key)}: ${line(value)}`;
  });
  return `{\n${entries.join(',\n')}\n}\n`;
}
