/**
 * The page's model: the structure the host sent on load and the latest frame, put together into
 * what the graph and the cards draw. Pure (no DOM), so it is unit-tested in Node.
 */
import type { ExplanationView, NetworkModel, NetworkStructure, TrainingFrame } from '../src/protocol';

/** The bytes of `weightStyles`, from base64. */
function weightBytes(base64: string): Int8Array {
  const raw = atob(base64);
  const bytes = new Int8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = (raw.charCodeAt(i) << 24) >> 24;
  return bytes;
}

/**
 * The view model from a structure, a frame and, for a stopped teaching network, every explanation
 * at that frame (they follow its stop in a message of their own). Pure (the webview calls it on
 * every frame); for large networks the weights' numbers are the frame's bytes turned back into
 * magnitudes, close enough to draw, and marked `approximate`.
 */
export function modelOf(s: NetworkStructure, f: TrainingFrame, explained?: { seq: number; explanations: Record<string, ExplanationView> }): NetworkModel {
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
    // A page whose edges show one mode is sent only that mode's bytes (the host's forMode): the
    // other's weights are unknown (NaN) until it switches.
    value = (i) => (i < weights ? (i < vb.length ? back(vb[i], styles.largestValue) : NaN) : f.biases!.values[i - weights]);
    gradient = (i) => (i < weights ? (i < gb.length ? back(gb[i], styles.largestGradient) : NaN) : f.biases!.gradients[i - weights]);
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
    explanations: !f.running && explained?.seq === f.seq ? explained.explanations : null,
    batch: f.batch ?? null,
  };
}
