/**
 * Many objects of few shapes, packed to cross a message channel cheaply: each object's JSON with
 * its numbers taken out is its shape (kept once, however many objects share it), and the numbers
 * go, in order, into bytes (one for each small whole one, eight for the others) written as base64,
 * so the whole is plain JSON that loses nothing. An explanation's terms are the case in point: every sample's
 * term has the same factors with the same labels and only other numbers, so a teaching network's
 * explanations of a stop shrink to a fraction of their JSON, numbers exact (NaN and infinities included). Pure and free of
 * imports but types: the webview bundles it as it is.
 */
import type { ExplanationView, PackedExplanations } from './views';

export interface Packed {
  /** Each distinct shape: the JSON with every number written as 0. */
  shapes: string[];
  /** Per object: its shape, and where its numbers start (in `codes`) and its floats (in `floats`). */
  entries: [shape: number, codes: number, floats: number][];
  /**
   * One byte per number, in order, as base64: 0..253 is the whole number one less (-1 to 252: a
   * layer, a unit, a sample's index, most of a term's numbers); FLOAT_CODE says the next of `floats`.
   */
  codes: string;
  /** Every other number, to the bit: a Float64Array's bytes as base64 (JSON would lose NaN and the infinities). */
  floats: string;
}

const FLOAT_CODE = 254;

/** Bytes as base64 (btoa and atob are in every browser and in Node). */
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
const small = (v: number): boolean => Number.isInteger(v) && v >= -1 && v <= 252 && !Object.is(v, -0);

/** Packs `items` (plain JSON data: objects, arrays, strings, numbers, booleans, null). */
export function pack(items: readonly unknown[]): Packed {
  const shapes: string[] = [];
  const byShape = new Map<string, number>();
  const entries: [number, number, number][] = [];
  const codes: number[] = [];
  const floats: number[] = [];
  for (const item of items) {
    const entry: [number, number, number] = [0, codes.length, floats.length];
    // The replacer sees the numbers in document order, which is the order JSON.parse's reviver sees them in.
    const shape = JSON.stringify(item, (_key, v: unknown) => {
      if (typeof v !== 'number') return v;
      if (small(v)) codes.push(v + 1);
      else { codes.push(FLOAT_CODE); floats.push(v); }
      return 0;
    });
    let index = byShape.get(shape);
    if (index === undefined) { index = shapes.length; shapes.push(shape); byShape.set(shape, index); }
    entry[0] = index;
    entries.push(entry);
  }
  return { shapes, entries, codes: toBase64(Uint8Array.from(codes)), floats: toBase64(new Uint8Array(Float64Array.from(floats).buffer)) };
}

/** The items `pack` was given, equal to them (numbers exact, NaN and infinities included). */
export function unpack<T>(packed: Packed): T[] {
  const codes = fromBase64(packed.codes);
  const floats = new Float64Array(fromBase64(packed.floats).buffer);
  return packed.entries.map(([shape, c, f]) => {
    let code = c;
    let float = f;
    return JSON.parse(packed.shapes[shape], (_key, v: unknown) => {
      if (typeof v !== 'number') return v;
      const b = codes[code++];
      return b === FLOAT_CODE ? floats[float++] : b - 1;
    }) as T;
  });
}

/** A stop's explanations, packed: the terms of all of them together (see PackedExplanations). */
export function packExplanations(explanations: Record<string, ExplanationView>): PackedExplanations {
  const heads: PackedExplanations['heads'] = {};
  const terms: unknown[] = [];
  for (const [name, { terms: own, ...head }] of Object.entries(explanations)) {
    heads[name] = { ...head, terms: [terms.length, own.length] };
    terms.push(...own);
  }
  return { heads, terms: pack(terms) };
}

/** The explanations packExplanations was given. */
export function unpackExplanations(packed: PackedExplanations): Record<string, ExplanationView> {
  const terms = unpack<ExplanationView['terms'][number]>(packed.terms);
  const out: Record<string, ExplanationView> = {};
  for (const [name, { terms: [from, count], ...head }] of Object.entries(packed.heads)) out[name] = { ...head, terms: terms.slice(from, from + count) };
  return out;
}
