/**
 * The same training in TensorFlow.js on its pure-JavaScript CPU backend: what a JavaScript user
 * would otherwise pick. Same shapes, same initial weights (our W[j][k] transposed into TF's
 * [inputs, units]), same data, full-batch plain gradient descent (tf.train.sgd) on the same loss.
 * TensorFlow.js computes in single precision; the bench checks that the losses still agree.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core alone registers no gradients; the union package does this import for its users.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Activation, Network } from '../src/core';

export async function initTensorFlow(): Promise<void> {
  // The CPU backend greets Node users with advice to install tfjs-node (a native binary we must not use).
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    await tf.setBackend('cpu');
    await tf.ready();
    tf.enableProdMode();
    tf.tidy(() => tf.add(1, 1).dataSync());
  } finally {
    console.warn = warn;
  }
}

export interface TensorFlowTrainer {
  step(): void;
  loss(): number;
  dispose(): void;
}

function activate(kind: Activation, x: tf.Tensor, param: number): tf.Tensor {
  switch (kind) {
    case 'identity': return x;
    case 'softplus': return tf.softplus(x);
    case 'relu': return tf.relu(x);
    case 'sigmoid': return tf.sigmoid(x);
    case 'tanh': return tf.tanh(x);
    case 'leaky-relu': return tf.leakyRelu(x, param);
    case 'elu': return tf.where(tf.greater(x, 0), x, tf.mul(param, tf.sub(tf.exp(x), 1)));
    case 'gelu': return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3)))))));
    case 'silu': return tf.mul(x, tf.sigmoid(x));
  }
}

export function tensorFlowTrainer(network: Network): TensorFlowTrainer {
  if (network.loss === 'cross-entropy') throw new Error('the TensorFlow.js comparison trains squared error only');
  const p = network.initialParameters;
  const weights = network.layers.map((layer) => {
    const w = new Float32Array(layer.inputs * layer.units);
    for (let j = 0; j < layer.units; j++) {
      for (let k = 0; k < layer.inputs; k++) w[k * layer.units + j] = p[layer.weightOffset + j * layer.inputs + k];
    }
    return tf.variable(tf.tensor2d(w, [layer.inputs, layer.units]));
  });
  const biases = network.layers.map((layer) => tf.variable(tf.tensor1d(Float32Array.from(p.subarray(layer.biasOffset, layer.biasOffset + layer.units)))));
  const { samples } = network.data;
  const inputs = tf.tensor2d(Float32Array.from(network.data.inputs), [samples, network.inputNames.length]);
  const targets = tf.tensor2d(Float32Array.from(network.data.targets), [samples, network.outputNames.length]);
  const optimizer = tf.train.sgd(network.training.learningRate);
  const variables = [...weights, ...biases];
  const lossFunction = (): tf.Scalar => {
    let a: tf.Tensor = inputs;
    network.layers.forEach((layer, l) => {
      a = activate(layer.activation, tf.add(tf.matMul(a, weights[l]), biases[l]), layer.activationParam);
    });
    const ssr = tf.sum(tf.squaredDifference(a, targets));
    return (network.loss === 'mse' ? tf.div(ssr, samples) : ssr) as tf.Scalar;
  };
  return {
    step: () => optimizer.minimize(lossFunction, false, variables),
    loss: () => tf.tidy(() => lossFunction().dataSync()[0]),
    dispose: () => {
      tf.dispose([...variables, inputs, targets]);
      optimizer.dispose();
    },
  };
}
