/**
 * Builds what the webview shows from the core's state. Pure (no vscode import): the training worker
 * builds it, and the unit tests check the numbers the webview will print against the core's.
 */
import { explain, finiteDifference, findParameter, lossSymbol, type Network, PATH_BUDGET, type Trainer } from '../core';
import type { ExplanationView, NetworkModel, TrainingView, UnitView } from '../protocol';

/**
 * Every explanation travels with the model while building them all is cheap, so a hover answers
 * within a frame with no round trip; past that the webview asks for one at a time. The cost is
 * counted, not timed, so the same network gets the same model on every machine: the factors all
 * the explanations hold, nested paths included (see explanationCost).
 */
export const EXPLAIN_ALL_LIMIT = 5000;

/**
 * How many factors the explanations of every parameter hold together: per sample, a parameter
 * d layers before the output has about three factors per layer on each path to the loss, and the
 * explainer opens at most PATH_BUDGET paths beyond the first sum's own.
 */
export function explanationCost(network: Network): number {
  const { layers } = network;
  let cost = 0;
  for (let l = 0; l < layers.length; l++) {
    let paths = 1;
    for (let m = l + 1; m < layers.length && paths <= PATH_BUDGET + (layers[l + 1]?.units ?? 0); m++) paths *= layers[m].units;
    const opened = Math.min(paths, PATH_BUDGET + (layers[l + 1]?.units ?? 0));
    const perTerm = 3 + 3 * (layers.length - 1 - l) * opened;
    cost += layers[l].units * (layers[l].inputs + 1) * perTerm;
  }
  return cost * network.data.samples;
}

export function buildModel(network: Network, trainer: Trainer, training?: TrainingView): NetworkModel {
  const loss = trainer.evaluate();
  const { samples } = network.data;
  const nIn = network.inputNames.length;
  const nOut = network.outputNames.length;
  const rows = (flat: Float64Array, width: number): number[][] =>
    Array.from({ length: samples }, (_, i) => Array.from(flat.subarray(i * width, (i + 1) * width)));

  const units: UnitView[] = [];
  for (let k = 0; k < nIn; k++) {
    const values = Array.from({ length: samples }, (_, i) => network.data.inputs[i * nIn + k]);
    units.push({ layer: 0, unit: k, x: values, y: values });
  }
  network.layers.forEach((layer, l) => {
    for (let j = 0; j < layer.units; j++) {
      units.push({
        layer: l + 1, unit: j,
        x: Array.from({ length: samples }, (_, i) => trainer.x[l][i * layer.units + j]),
        y: Array.from({ length: samples }, (_, i) => trainer.y[l][i * layer.units + j]),
      });
    }
  });

  let explanations: Record<string, ExplanationView> | null = null;
  if (explanationCost(network) <= EXPLAIN_ALL_LIMIT) {
    explanations = {};
    for (const p of network.parameters) explanations[p.name] = explainView(network, trainer, p.name)!;
  }

  return {
    name: network.name,
    description: network.description,
    notation: network.notation,
    inputs: [...network.inputNames],
    outputs: [...network.outputNames],
    layers: network.layers.map((l) => ({ units: l.units, activation: l.activation })),
    loss: network.loss,
    lossSymbol: lossSymbol(network.loss),
    lossValue: loss,
    learningRate: network.training.learningRate,
    samples,
    data: { inputs: rows(network.data.inputs, nIn), targets: rows(network.data.targets, nOut) },
    step: trainer.stepCount,
    training: training ?? { running: false, stopReason: null, earliest: 0, maxSteps: network.training.maxSteps },
    params: network.parameters.map((p) => ({
      name: p.name, kind: p.kind, layer: p.layer, unit: p.unit, input: p.input,
      value: trainer.params[p.index], gradient: trainer.gradients[p.index], trainable: network.training.trainable[p.index] === 1,
    })),
    units,
    explanations,
  };
}

/** One parameter's chain-rule breakdown with its finite-difference check and next value. */
export function explainView(network: Network, trainer: Trainer, name: string): ExplanationView | null {
  const p = findParameter(network, name);
  if (!p) return null;
  const e = explain(trainer, p);
  const trainable = network.training.trainable[p.index] === 1;
  const { learningRate } = network.training;
  return {
    ...e,
    finiteDifference: finiteDifference(network, trainer.params, p.index),
    learningRate,
    trainable,
    nextValue: trainable ? e.value - learningRate * e.derivative : e.value,
  };
}
