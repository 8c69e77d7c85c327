/**
 * The page's model: the structure the host sent on load and the latest frame, put together into
 * what the graph and the cards draw. Pure (no DOM), so it is unit-tested in Node.
 */
import type { NetworkModel, NetworkStructure, TrainingFrame } from '../src/protocol';

/** The bytes of `weightStyles`, from base64. */
function weightBytes(base64: string): Int8Array {
  const raw = atob(base64);
  const bytes = new Int8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = (raw.charCodeAt(i) << 24) >> 24;
  return bytes;
}

/**
 * The view model from a structure and a frame. Pure (the webview calls it on every frame); for
 * large networks the weights' numbers are the frame's bytes turned back into magnitudes, close
 * enough to draw, and marked `approximate`.
 */
export function modelOf(s: NetworkStructure, f: TrainingFrame): NetworkModel {
  let value: (i: number) => number;
  let gradient: (i: number) => number;
  const weights = s.params.filter((p) => p.kind === 'weight').length;
  if (f.values && f.gradients) {
    const values = f.values;
    const gradients = f.gradients;
    value = (i) => values[i];
    gradient = (i) => gradients[i];
  } else {
    const styles = f.weightStyles!;
    const vb = weightBytes(styles.values);
    const gb = weightBytes(styles.gradients);
    const back = (b: number, largest: number): number => Math.sign(b) * largest * (b / 127) ** 2;
    value = (i) => (i < weights ? back(vb[i], styles.largestValue) : f.biases!.values[i - weights]);
    gradient = (i) => (i < weights ? back(gb[i], styles.largestGradient) : f.biases!.gradients[i - weights]);
  }
  const { params, maxSteps, ...rest } = s;
  return {
    ...rest,
    lossValue: f.loss,
    step: f.step,
    training: { running: f.running, stopReason: f.stopReason, earliest: f.earliest, maxSteps },
    phase: f.phase,
    progress: f.progress,
    stop: f.stop,
    params: params.map((p, i) => ({ ...p, value: value(i), gradient: gradient(i) })),
    units: f.units ?? [],
    approximate: !f.values,
    explanations: f.explanations,
  };
}
