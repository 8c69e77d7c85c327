/**
 * Errors in a model file (.keras, .safetensors, ...), with where in it they are. A model file is
 * often an archive of members (config.json, model.weights.h5) or binary, so a position is one of:
 * a line and column in a text member, a byte offset, or an HDF5 object's path. It is a
 * NetworkFileError, so everything that reports a network file's errors (the CLI's one line, the
 * extension's message) reports these too; `format` writes the model's kind of position.
 */
import { type Node, type ParseError, ParseErrorCode, parseTree } from 'jsonc-parser';
import { LineIndex, NetworkFileError, type SourcePosition } from '../errors';

export type ModelPlace =
  /** A line and column in a text member (config.json) or in the file itself. */
  | { readonly kind: 'text'; readonly member?: string }
  /** A byte offset in a binary member or file, from 0. */
  | { readonly kind: 'byte'; readonly member?: string; readonly byte: number }
  /** An object (group or dataset) in an HDF5 member. */
  | { readonly kind: 'hdf5'; readonly member: string; readonly path: string };

export class ModelFileError extends NetworkFileError {
  constructor(message: string, readonly place: ModelPlace, position: SourcePosition = { offset: place.kind === 'byte' ? place.byte : 0, length: 0, line: 1, column: 1 }) {
    super(message, position);
    this.name = 'ModelFileError';
  }

  /**
   * `model.keras/config.json:12:7: ...`, `net.safetensors: byte 8: ...`,
   * `model.keras/model.weights.h5: layers/dense_1/vars/0: ...`.
   */
  override format(fileName: string): string {
    const p = this.place;
    const file = p.member ? `${fileName}/${p.member}` : fileName;
    switch (p.kind) {
      case 'text': return `${file}:${this.position.line}:${this.position.column}: ${this.message}`;
      case 'byte': return `${file}: byte ${p.byte}: ${this.message}`;
      case 'hdf5': return `${file}: ${p.path === '' ? '/' : p.path}: ${this.message}`;
    }
  }
}

/** A strict JSON text (a zip member or a header) parsed to jsonc-parser's tree, for errors with positions. */
export class JsonText {
  readonly root: Node;
  private readonly lines: LineIndex;

  /** `base`: the byte offset of the text in its file, for byte positions (safetensors' header); else line and column. */
  constructor(readonly text: string, readonly what: string, private readonly member?: string, private readonly base?: number) {
    this.lines = new LineIndex(text);
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
    if (this.base !== undefined) return new ModelFileError(message, { kind: 'byte', member: this.member, byte: this.base + offset });
    return new ModelFileError(message, { kind: 'text', member: this.member }, this.lines.position(offset, length));
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
