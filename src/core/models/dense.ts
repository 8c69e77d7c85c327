/**
 * The meeting point of every model format (ONNX, TensorFlow.js, Keras, safetensors, and the
 * exports): a dense network as those formats hold it, with nothing of a network file's data or
 * training. Readers produce it, writers consume it; turning it into a network file (and a network
 * into it) lives in one place (models/convert.ts), so no format writes network-file text itself.
 */
import type { Activation } from '../math';

export interface DenseLayer {
  readonly units: number;
  /** Units of the previous layer (the model's inputs for the first layer). */
  readonly inputs: number;
  /**
   * W[j][k] from input k to unit j, row-major `units x inputs`: the network file's and PyTorch's
   * layout. Keras and TensorFlow.js store kernels `inputs x units`; their readers transpose.
   */
  readonly weights: Float64Array;
  readonly biases: Float64Array;
  readonly activation: Activation;
  /** Leaky ReLU's slope or ELU's alpha where the format gives one; otherwise absent. */
  readonly activationParam?: number;
  /** The layer's name in the source file, for messages ("layer 'dense_2'"). */
  readonly name?: string;
}

export interface DenseModel {
  readonly inputs: number;
  readonly layers: readonly DenseLayer[];
  /** The model ends in softmax: the network's outputs are classes and its loss cross-entropy. */
  readonly softmax: boolean;
  /** Where it came from, for the network's description ("ONNX model mlp.onnx"). */
  readonly source: string;
  /** Input and output names when the format has them (ONNX graph inputs, Keras names), else absent. */
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
  /**
   * The model's inputs are input features computed from these columns (a network file's
   * `"features"`, written to the model's metadata by our exporters): `sources[k]` is input k's
   * expression over `columns`. The model itself takes the features' values; an import gives the
   * network back its columns and features.
   */
  readonly features?: { readonly columns: readonly string[]; readonly sources: readonly string[] };
  /**
   * Every number came from a float32 tensor (ONNX, TensorFlow.js, most Keras and safetensors
   * files): the network file writes each as the shortest decimal that reads back as the same
   * float32, 0.1 rather than 0.10000000149011612, and a float32 export gives back the same bits.
   * Absent: the numbers are written as exact doubles.
   */
  readonly float32?: boolean;
}

/**
 * Whether every weight and bias is a float32 value (Math.fround leaves it as it is), for a reader
 * that cannot tell its tensors' types apart cheaply (Keras's HDF5 through jsfive): a float64 model
 * whose every number is a float32 value was saved from float32 in all but contrived cases.
 */
export function allFloat32(layers: readonly DenseLayer[]): boolean {
  for (const l of layers) {
    for (const values of [l.weights, l.biases]) {
      for (let i = 0; i < values.length; i++) if (Math.fround(values[i]) !== values[i]) return false;
    }
  }
  return true;
}
