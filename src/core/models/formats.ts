/**
 * The model formats: each importer reads a file (and, for some, files beside it) into a DenseModel;
 * each exporter writes a network with its parameters as one or more files. One list of each, which
 * the CLI (`backprop import`, `backprop export`) and the extension's commands read, so a format is
 * added in one place.
 */
import type { Activation } from '../math';
import type { Network } from '../network';
import type { DenseModel } from './dense';
import { kerasImporter } from './keras';
import { numpyExporter } from './numpy';
import { pytorchExporter } from './pytorch';
import { safetensorsImporter } from './safetensors';

/** A model file's bytes, and a way to read the files it names beside it (TF.js's weight files). */
export interface ModelFiles {
  /** The file's name as the person gave it (for messages and the model's source). */
  name: string;
  bytes: Uint8Array;
  /** The bytes of a file next to this one; throws (with a message naming it) when there is none. */
  sibling(relativePath: string): Uint8Array;
}

export interface Importer {
  id: 'onnx' | 'tfjs' | 'keras' | 'safetensors';
  label: string;
  /** File name endings it reads, with the dot: ['.keras']. */
  extensions: string[];
  /** The file holds no activations (safetensors): the caller asks for one per layer. */
  needsActivations?: boolean;
  read(files: ModelFiles, options: { activations?: Activation[] }): DenseModel;
}

export interface Exporter {
  id: 'onnx' | 'tfjs' | 'pytorch' | 'numpy';
  label: string;
  write(network: Network, parameters: Float64Array, options: { steps: number; baseName: string }): { name: string; contents: Uint8Array | string }[];
}

export const IMPORTERS: readonly Importer[] = [kerasImporter, safetensorsImporter];
export const EXPORTERS: readonly Exporter[] = [pytorchExporter, numpyExporter];
