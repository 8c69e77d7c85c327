/**
 * Write Parameters to File: trained parameters back into a network file's text, keeping the file
 * as the person wrote it: every number a parameter is written as is replaced where it stands (its
 * formatting and everything else untouched, byte for byte; a number that already reads as the value
 * keeps its text), and a layer whose weights or biases came from `init` gets them written out, laid
 * out as a person writes them (./parameterLayout: a row per unit, the biases on one line).
 */
import { loadNetwork, type LoadOptions } from './format';
import { biasesText, insertLayerProperty, textStyle, weightsText } from './parameterLayout';
import { roundParameters } from './rounding';

/** A number as the file should hold it: the shortest text that reads back as exactly the same double. */
export function formatParameter(v: number, name: string): string {
  if (!Number.isFinite(v)) throw new RangeError(`${name} is ${v}, which a network file cannot hold; step back to a finite state first`);
  return Object.is(v, -0) ? '0' : String(v);
}

export interface WriteOptions extends LoadOptions {
  /** Round every parameter to this many significant digits (1 to 17) first; exact when absent. */
  digits?: number;
}

/**
 * `text` with its network's parameters set to `values` (by index: w1.., then b1..). Throws a
 * NetworkFileError if `text` is not a valid network, a RangeError if a value is not finite or
 * `digits` is not a whole number from 1 to 17.
 */
export function writeParameters(text: string, values: ArrayLike<number>, options: WriteOptions = {}): string {
  const network = loadNetwork(text, { readFile: options.readFile });
  if (values.length !== network.parameterCount) throw new RangeError(`expected ${network.parameterCount} values, got ${values.length}`);
  const numbers = options.digits === undefined ? Array.from(values) : Array.from(roundParameters(values, options.digits));
  const texts = numbers.map((v, i) => formatParameter(v, network.parameters[i].name));
  // Numbers already written: replaced where they stand, last first so earlier offsets hold. One
  // that already reads as the value (`-2.30` for -2.3, `1.5e0`) is left as the person wrote it.
  const written = network.parameterPositions
    .map((position, i) => ({ position, i }))
    .filter((e): e is { position: NonNullable<typeof e.position>; i: number } => e.position !== undefined)
    .sort((a, b) => b.position.offset - a.position.offset);
  let out = text;
  for (const { position, i } of written) {
    const end = position.offset + position.length;
    if (Number(out.slice(position.offset, end)) === numbers[i]) continue;
    out = out.slice(0, position.offset) + texts[i] + out.slice(end);
  }
  // Layers whose weights or biases came from `init`: written out in full (`init` stays, for any
  // layer whose numbers the person deletes later).
  const style = textStyle(text);
  network.layers.forEach((layer, l) => {
    if (network.parameterPositions[layer.weightOffset] === undefined) {
      const rows = Array.from({ length: layer.units }, (_, j) => texts.slice(layer.weightOffset + j * layer.inputs, layer.weightOffset + (j + 1) * layer.inputs));
      out = insertLayerProperty(out, l, 'weights', (base) => weightsText(rows, base, style), style);
    }
    if (network.parameterPositions[layer.biasOffset] === undefined) {
      out = insertLayerProperty(out, l, 'biases', () => biasesText(texts.slice(layer.biasOffset, layer.biasOffset + layer.units)), style);
    }
  });
  return out;
}

/** The one replacement that turns `before` into `after`: what differs between their common start and end. */
export function minimalEdit(before: string, after: string): { offset: number; length: number; content: string } {
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before[start] === after[start]) start++;
  let end = 0;
  while (end < shortest - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { offset: start, length: before.length - start - end, content: after.slice(start, after.length - end) };
}
