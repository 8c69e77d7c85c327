/**
 * What every model format shares: the files a reader gets (a model and the files beside it that it
 * names), the importer and exporter shapes the registry (./formats) holds, and the error a bad file
 * gets. Pure: the CLI reads the bytes through node:fs, the extension through workspace.fs.
 */
import { type Node, type ParseError, ParseErrorCode, parseTree } from 'jsonc-parser';
import { besideFile, LineIndex, NetworkFileError, type SourcePosition } from '../errors';
import { DEFAULT_LIMITS, type Limits, overLimit, tooDeep } from '../limits';
import type { Activation } from '../math';
import type { Network } from '../network';
import type { DenseModel } from './dense';

/** A model file and the files beside it (TensorFlow.js's `.bin` weights, named by its model.json). */
export interface ModelFiles {
  /** The model's path as the person gave it: messages name it, and siblings' names are relative to its folder. */
  readonly name: string;
  readonly bytes: Uint8Array;
  /** The bytes of the file at `relativePath` from the model's folder; throws a ModelFileError if it is not there. */
  sibling(relativePath: string): Uint8Array;
}

/** An activation a person names for a layer of a file that holds none (safetensors): softmax only last, where it is the cross-entropy output. */
export type LayerActivation = Activation | 'softmax';

export type ImporterId = 'onnx' | 'tfjs' | 'keras' | 'safetensors';
export type ExporterId = 'onnx' | 'tfjs' | 'pytorch' | 'numpy';

export interface Importer {
  readonly id: ImporterId;
  /** "ONNX", as a picker lists it. */
  readonly label: string;
  /** What the model's file name ends with (".onnx"); the longest match picks the importer. */
  readonly extensions: readonly string[];
  /** The file holds no activations (safetensors): the person names one per layer. */
  readonly needsActivations?: boolean;
  /** `limits`: what the file may ask for (limits.ts); the defaults when absent. */
  read(files: ModelFiles, options: { activations?: readonly LayerActivation[]; limits?: Limits }): DenseModel;
}

export interface ExportedFile {
  /** The file's name (no folder): `${baseName}` and the format's extension. */
  readonly name: string;
  readonly contents: Uint8Array | string;
}

export interface Exporter {
  readonly id: ExporterId;
  readonly label: string;
  /** One line: what the files are and what loads them. */
  readonly detail?: string;
  /**
   * The network with `parameters` (the run's current values) as the format's files, the main one
   * first; the others are named from `baseName` too and sit beside it. `steps` is for the training
   * scripts (PyTorch, NumPy): how many steps they take.
   */
  write(network: Network, parameters: Float64Array, options: { steps: number; baseName: string }): ExportedFile[];
  /** What a person must know to use the files written for `network` (the inputs a model takes), for the export's message; none when nothing. */
  notes?(network: Network): string[];
}

/**
 * Where in a model file an error is. A model is often an archive of members (a .keras file holds
 * config.json and model.weights.h5) or binary, so a place is one of these, each in the file itself
 * or in one `member` of it:
 */
export type ModelPlace =
  /** The whole file or member: nothing narrower to point at (it is empty, not an archive, lacks a member). */
  | { readonly kind: 'file'; readonly member?: string }
  /** A line and column (the error's `position`) in a text file or member: model.json, config.json. */
  | { readonly kind: 'text'; readonly member?: string }
  /** A byte offset, from 0, in a binary file or member: an ONNX protobuf, a safetensors header. */
  | { readonly kind: 'byte'; readonly member?: string; readonly byte: number }
  /** An object (group or dataset) in an HDF5 file or member, by its path: layers/dense_1/vars/0. */
  | { readonly kind: 'hdf5'; readonly member?: string; readonly path: string };

/**
 * How a reader says where, for a ModelFileError: nothing more than a member (or nothing: the whole
 * file), a text and an offset in it (line and column are worked out from it; a LineIndex of the
 * text serves many errors), a byte, or an HDF5 object's path.
 */
export type ModelWhere =
  | { readonly member?: string }
  | { readonly text: string | LineIndex; readonly offset: number; readonly length?: number; readonly member?: string }
  | { readonly byte: number; readonly member?: string }
  | { readonly hdf5: string; readonly member?: string };

/**
 * A model file that cannot be read as a dense network, and where (a ModelPlace). It is a
 * NetworkFileError, so whatever shows those shows these, and `format(fileName)` works as theirs
 * does: `fileName` is the model's path as the person gave it, and `file`, when the error is in a
 * file beside the model (TensorFlow.js's .bin weights), is that file's path relative to the
 * model's folder, as a NetworkFileError's `file` is a data file's relative to the network file.
 * One format for every place:
 *
 *     model.json:3:5: ...                                   a line and column
 *     model.keras/config.json:12:7: ...                     in a member of an archive
 *     mlp.onnx: byte 1024: ...                              a byte
 *     model.keras/model.weights.h5: layers/dense/vars: ...  an HDF5 object
 *     mlp.onnx: ...                                         the whole file
 */
export class ModelFileError extends NetworkFileError {
  readonly place: ModelPlace;

  constructor(message: string, where: ModelWhere = {}, file?: string) {
    const member = where.member;
    let place: ModelPlace;
    let position: SourcePosition = { offset: 0, length: 0, line: 1, column: 1 };
    if ('text' in where) {
      place = { kind: 'text', member };
      position = (typeof where.text === 'string' ? new LineIndex(where.text) : where.text).position(where.offset, where.length ?? 0);
    } else if ('byte' in where) {
      place = { kind: 'byte', member, byte: where.byte };
      position = { offset: where.byte, length: 0, line: 1, column: 1 };
    } else if ('hdf5' in where) {
      place = { kind: 'hdf5', member, path: where.hdf5 };
    } else {
      place = { kind: 'file', member };
    }
    super(message, position, file);
    this.name = 'ModelFileError';
    this.place = place;
  }

  /** The byte the problem is at in a binary file or member, or undefined. */
  get byte(): number | undefined {
    return this.place.kind === 'byte' ? this.place.byte : undefined;
  }

  /** The error in one line, `fileName` being the model's path: see the class's comment. */
  override format(fileName: string): string {
    const p = this.place;
    const file = this.file === undefined ? fileName : besideFile(fileName, this.file);
    const where = p.member === undefined ? file : `${file}/${p.member}`;
    switch (p.kind) {
      case 'file': return `${where}: ${this.message}`;
      case 'text': return `${where}:${this.position.line}:${this.position.column}: ${this.message}`;
      case 'byte': return `${where}: byte ${p.byte}: ${this.message}`;
      case 'hdf5': return `${where}: ${p.path === '' ? '/' : p.path}: ${this.message}`;
    }
  }

  /** A model file is never shown inside a network file: the error stays where it is. */
  override inNetworkFile(): NetworkFileError {
    return this;
  }
}

/**
 * A strict JSON text (model.json, a .keras archive's config.json, a safetensors header) parsed to
 * jsonc-parser's tree, for errors at the node they are about: a line and column in the text (in
 * `member` of an archive), or with `base` (the text's byte offset in a binary file) a byte.
 */
export class JsonText {
  readonly root: Node;
  private readonly lines: LineIndex;

  /** `base`: the byte offset of the text in its file, for byte positions (safetensors' header); else line and column. */
  constructor(readonly text: string, readonly what: string, private readonly member?: string, private readonly base?: number, limits: Limits = DEFAULT_LIMITS) {
    this.lines = new LineIndex(text);
    const deep = tooDeep(text, limits.jsonDepth);
    if (deep >= 0) throw this.errorAt(deep, 1, `${what} nests more than ${overLimit(limits, 'jsonDepth')} here: not a model's JSON`);
    const errors: ParseError[] = [];
    const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
    if (errors.length > 0 || root === undefined) {
      const e = errors[0] ?? { offset: 0, length: 0, error: ParseErrorCode.ValueExpected };
      const found = e.offset >= text.length ? 'the end of the text' : `'${text.substr(e.offset, Math.max(1, Math.min(e.length, 20)))}'`;
      throw this.errorAt(e.offset, e.length, `${what} is not valid JSON (${describeParseError(e.error)} at ${found})`);
    }
    this.root = root;
  }

  errorAt(offset: number, length: number, message: string): ModelFileError {
    if (this.base !== undefined) return new ModelFileError(message, { byte: this.base + offset, member: this.member });
    return new ModelFileError(message, { text: this.lines, offset, length, member: this.member });
  }

  error(node: Node, message: string): ModelFileError {
    return this.errorAt(node.offset, node.length, message);
  }

  /** The property `key` of object `node`, or undefined. */
  prop(node: Node, key: string): Node | undefined {
    if (node.type !== 'object') return undefined;
    for (const p of node.children ?? []) {
      if (p.children?.[0]?.value === key) return p.children[1];
    }
    return undefined;
  }

  keys(node: Node): string[] {
    return node.type === 'object' ? (node.children ?? []).map((p) => String(p.children?.[0]?.value)) : [];
  }

  /** A short description of a value for messages: 'a string "relu"', 'an object', '3'. */
  describe(node: Node | undefined): string {
    if (node === undefined) return 'nothing';
    switch (node.type) {
      case 'string': return `"${String(node.value).slice(0, 40)}"`;
      case 'number': case 'boolean': return String(node.value);
      case 'null': return 'null';
      case 'array': return 'an array';
      case 'object': return 'an object';
      default: return node.type;
    }
  }
}

function describeParseError(code: ParseErrorCode): string {
  switch (code) {
    case ParseErrorCode.InvalidSymbol: return 'an unexpected character';
    case ParseErrorCode.InvalidNumberFormat: return 'a malformed number';
    case ParseErrorCode.PropertyNameExpected: return 'a property name expected';
    case ParseErrorCode.ValueExpected: return 'a value expected';
    case ParseErrorCode.ColonExpected: return 'a colon expected';
    case ParseErrorCode.CommaExpected: return 'a comma expected';
    case ParseErrorCode.CloseBraceExpected: return 'a closing brace expected';
    case ParseErrorCode.CloseBracketExpected: return 'a closing bracket expected';
    case ParseErrorCode.EndOfFileExpected: return 'text after the end';
    case ParseErrorCode.UnexpectedEndOfString: return 'an unterminated string';
    default: return 'a syntax error';
  }
}

/** A ModelFileError when `bytes` (the model file, or `member`/`file` of it) is larger than the modelFileBytes limit. */
export function checkModelSize(bytes: Uint8Array, limits: Limits, file?: string): void {
  if (bytes.length > limits.modelFileBytes) throw new ModelFileError(`the file is ${bytes.length.toLocaleString('en-US')} bytes, more than ${overLimit(limits, 'modelFileBytes')}`, {}, file);
}

/**
 * A ModelFileError (made by `fail`) at the first value of `values` that is NaN or infinite: a weight
 * must be a finite number, and a network file cannot even write one that is not.
 */
export function checkFinite(values: ArrayLike<number>, fail: (message: string) => ModelFileError, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) throw fail(`${what} holds ${values[i]} at index ${i}: every weight must be a finite number`);
  }
}

/** Why a model or a format cannot be used, with nothing to point at in a file: a one-line message for the CLI and the commands. */
export class FormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatError';
  }
}

/** The path of `relativePath` beside `name` (the model's path), as messages and readers name it. */
export function siblingPath(name: string, relativePath: string): string {
  const slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
  const folder = slash >= 0 ? name.slice(0, slash + 1) : '';
  return folder + relativePath.replace(/^\.\//, '');
}

/**
 * What an exported model's inputs are when the network computes input features: the features'
 * values, not the columns (a feature such as sin(x1) is no dense layer, so it stays outside the
 * model). The model's metadata says so in these words, and the export's message too.
 */
export function featuresNote(features: { readonly columns: readonly string[]; readonly sources: readonly string[] }): string {
  return `the model's ${features.sources.length} input${features.sources.length === 1 ? ' is' : 's are'} the network's features (${features.sources.join(', ')}), computed from the columns ${features.columns.join(', ')}: give it those values, as the network's first layer takes them (importing the model gives the network back its features)`;
}

/** `{"columns", "features"}` from a model's metadata as a DenseModel's `features`, or nothing when it is not that. */
export function featuresOf(json: string | null | undefined): { features?: DenseModel['features'] } {
  try {
    const v: unknown = JSON.parse(json ?? 'null');
    const strings = (a: unknown): a is string[] => Array.isArray(a) && a.every((s) => typeof s === 'string');
    if (typeof v === 'object' && v !== null && strings((v as { columns?: unknown }).columns) && strings((v as { features?: unknown }).features)) {
      const { columns, features } = v as { columns: string[]; features: string[] };
      return { features: { columns, sources: features } };
    }
  } catch {
    // not ours: no features
  }
  return {};
}

/** A tensor's shape as messages write it: "2 x 3". */
export function showShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'a scalar' : shape.join(' x ');
}
