/**
 * Write Parameters to File: trained parameters back into a network file's text, keeping the file
 * as the person wrote it: every number a parameter is written as is replaced where it stands (its
 * formatting, comments and everything else untouched, byte for byte), and a layer whose weights or
 * biases came from `init` gets them written out (jsonc-parser's modify, indented like the file).
 */
import { applyEdits, type FormattingOptions, modify } from 'jsonc-parser';
import { loadNetwork } from './format';

/** A number as the file should hold it: the shortest text that reads back as exactly the same double. */
export function formatParameter(v: number, name: string): string {
  if (!Number.isFinite(v)) throw new RangeError(`${name} is ${v}, which a network file cannot hold; step back to a finite state first`);
  return Object.is(v, -0) ? '0' : String(v);
}

/** The file's indentation, so written-out arrays look like the rest of it. */
function formatting(text: string): FormattingOptions {
  const indent = /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ';
  return { insertSpaces: !indent.includes('\t'), tabSize: indent.includes('\t') ? 1 : indent.length, eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/**
 * `text` with its network's parameters set to `values` (by index: w1.., then b1..). Throws a
 * NetworkFileError if `text` is not a valid network, a RangeError if a value is not finite.
 */
export function writeParameters(text: string, values: ArrayLike<number>): string {
  const network = loadNetwork(text);
  if (values.length !== network.parameterCount) throw new RangeError(`expected ${network.parameterCount} values, got ${values.length}`);
  const names = network.parameters.map((p) => p.name);
  // Numbers already written: replaced where they stand, last first so earlier offsets hold.
  const written = network.parameterPositions
    .map((position, i) => ({ position, i }))
    .filter((e): e is { position: NonNullable<typeof e.position>; i: number } => e.position !== undefined)
    .sort((a, b) => b.position.offset - a.position.offset);
  let out = text;
  for (const { position, i } of written) {
    out = out.slice(0, position.offset) + formatParameter(values[i], names[i]) + out.slice(position.offset + position.length);
  }
  // Layers whose weights or biases came from `init`: written out in full.
  const options = formatting(text);
  network.layers.forEach((layer, l) => {
    const weightsMissing = network.parameterPositions[layer.weightOffset] === undefined;
    const biasesMissing = network.parameterPositions[layer.biasOffset] === undefined;
    if (weightsMissing) {
      const rows = Array.from({ length: layer.units }, (_, j) => Array.from({ length: layer.inputs }, (_, k) => {
        const i = layer.weightOffset + j * layer.inputs + k;
        formatParameter(values[i], names[i]);
        return values[i];
      }));
      out = applyEdits(out, modify(out, ['layers', l, 'weights'], rows, { formattingOptions: options }));
    }
    if (biasesMissing) {
      const biases = Array.from({ length: layer.units }, (_, j) => {
        const i = layer.biasOffset + j;
        formatParameter(values[i], names[i]);
        return values[i];
      });
      out = applyEdits(out, modify(out, ['layers', l, 'biases'], biases, { formattingOptions: options }));
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
