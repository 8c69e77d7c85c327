/**
 * What every model format shares: the files a reader gets (a model and the files beside it that it
 * names), the importer and exporter shapes the registry (./formats) holds, and the error a bad file
 * gets. Pure: the CLI reads the bytes through node:fs, the extension through workspace.fs.
 */
import { LineIndex, NetworkFileError, type SourcePosition } from '../errors';
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
  read(files: ModelFiles, options: { activations?: readonly Activation[] }): DenseModel;
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
}

/**
 * A model file that cannot be read as a dense network, and where: a line and column in a JSON file
 * (model.json), a byte in a binary one (the weights, an ONNX protobuf), or the whole file. It is a
 * NetworkFileError, so whatever shows those shows these; `format` names the file itself, which may
 * be a sibling of the one the person chose.
 */
export class ModelFileError extends NetworkFileError {
  /** The byte the problem is at in a binary file, or undefined. */
  readonly byte: number | undefined;

  constructor(message: string, override readonly file: string, where?: { text: string; offset: number; length?: number } | { byte: number }) {
    const position: SourcePosition = where === undefined ? { offset: 0, length: 0, line: 0, column: 0 }
      : 'byte' in where ? { offset: where.byte, length: 0, line: 0, column: 0 }
        : new LineIndex(where.text).position(where.offset, where.length ?? 0);
    super(message, position);
    this.name = 'ModelFileError';
    this.byte = where !== undefined && 'byte' in where ? where.byte : undefined;
  }

  /** `model.json:3:5: message`, `mlp.onnx: at byte 1024: message`, or `mlp.onnx: message`. */
  override format(): string {
    if (this.position.line > 0) return `${this.file}:${this.position.line}:${this.position.column}: ${this.message}`;
    if (this.byte !== undefined) return `${this.file}: at byte ${this.byte}: ${this.message}`;
    return `${this.file}: ${this.message}`;
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

/** A tensor's shape as messages write it: "2 x 3". */
export function showShape(shape: readonly number[]): string {
  return shape.length === 0 ? 'a scalar' : shape.join(' x ');
}
