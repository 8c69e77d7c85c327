/**
 * How the weights and biases of a layer given by `init` are written out: as the examples are written
 * by hand, a row of weights per unit and the biases on one line. jsonc-parser's formatter puts every
 * number of every array on a line of its own (and spreads a one-line layer over lines), which turned
 * the 18 lines of dosage-all.nn.json into 45; here jsonc-parser still decides where the property goes
 * and where its comma stands, and only the value's text and the break before the property are ours.
 */
import { findNodeAtLocation, modify, parseTree } from 'jsonc-parser';

/** The file's indentation step and line ending, so what is written out looks like the rest of it. */
export interface TextStyle {
  indent: string;
  eol: string;
}

export function textStyle(text: string): TextStyle {
  return { indent: /\n([ \t]+)\S/.exec(text)?.[1] ?? '  ', eol: text.includes('\r\n') ? '\r\n' : '\n' };
}

/**
 * Weights up to this many characters stay on the property's line, `[[3.34], [-3.53]]` as the
 * examples have them: with the units and the activation beside them the line reads at a glance.
 * Longer (exact doubles of a wide layer run to 20 characters a number), a row per line.
 */
export const INLINE_WEIGHTS = 60;

/** A layer's weights, `rows[j]` being unit j's (already written as text), the closing bracket at `base`. */
export function weightsText(rows: readonly (readonly string[])[], base: string, style: TextStyle): string {
  const row = (r: readonly string[]): string => `[${r.join(', ')}]`;
  const inline = `[${rows.map(row).join(', ')}]`;
  if (rows.length <= 1 || inline.length <= INLINE_WEIGHTS) return inline;
  return `[${style.eol}${rows.map((r) => base + style.indent + row(r)).join(`,${style.eol}`)}${style.eol}${base}]`;
}

/** A layer's biases: always one line, however many. */
export function biasesText(biases: readonly string[]): string {
  return `[${biases.join(', ')}]`;
}

/** The whitespace that starts the line holding `offset`. */
function indentationAt(text: string, offset: number): string {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(start))![0];
}

/**
 * `text` with layer `layer`'s `key` (absent from it) written out: the weights before the biases if
 * these are there, as a person orders them, else after the last property. In a layer written on one
 * line the property joins that line; in one with a property per line it gets a line of its own,
 * indented as its neighbours. `valueText` gets the indentation of the line the property starts on.
 * `text` must be a network the loader accepted (so the layer is an object with properties).
 */
export function insertLayerProperty(text: string, layer: number, key: 'weights' | 'biases', valueText: (base: string) => string, style: TextStyle): string {
  const object = findNodeAtLocation(parseTree(text)!, ['layers', layer]);
  const properties = object?.children ?? [];
  if (object?.type !== 'object' || properties.length === 0) throw new Error(`layers[${layer}] is not a layer object with properties`);
  const names = properties.map((p) => p.children![0].value as string);
  const at = key === 'weights' && names.includes('biases') ? names.indexOf('biases') : names.length;
  // jsonc-parser places the property and its comma; `null` stands for the value until it has its text.
  const [edit] = modify(text, ['layers', layer, key], null, { getInsertionIndex: () => at });
  const neighbour = properties[Math.max(at - 1, 0)];
  const ownLines = text.slice(object.offset, properties[0].offset).includes('\n');
  const base = indentationAt(text, ownLines ? neighbour.offset : edit.offset);
  const gap = ownLines ? style.eol + base : ' ';
  // modify's content is `,"key": null` after a property, or `"key": null,` before the first.
  const content = edit.content.replace(',', `,${gap}`).replace('null', valueText(base));
  return text.slice(0, edit.offset) + content + text.slice(edit.offset + edit.length);
}
