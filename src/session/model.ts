/**
 * Builds what the webview shows from the core's state. Pure (no vscode import): the training worker
 * builds it, and the unit tests check the numbers the webview will print against the core's.
 */
import { explain, finiteDifference, findParameter, lossSymbol, type Network, type Trainer } from '../core';
import type { ExplanationView, NetworkModel, TrainingView, UnitView } from '../protocol';

/**
 * Up to this many parameter x sample terms, and while building them takes under EXPLAIN_ALL_MS,
 * every explanation travels with the model, so hovering answers within a frame with no round
 * trip; otherwise the webview asks for one at a time. Deep networks' explanations carry nested
 * paths, so the count alone does not bound the cost: the clock does.
 */
export const EXPLAIN_ALL_LIMIT = 4000;
export const EXPLAIN_ALL_MS = 40;

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

  const explainAll = network.parameterCount * samples <= EXPLAIN_ALL_LIMIT;
  let explanations: Record<string, ExplanationView> | null = null;
  if (explainAll) {
    explanations = {};
    const started = Date.now();
    for (const p of network.parameters) {
      if (Date.now() - started > EXPLAIN_ALL_MS) { explanations = null; break; }
      explanations[p.name] = explainView(network, trainer, p.name)!;
    }
  }

  return {
    name: network.name,
    description: network.description,
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
