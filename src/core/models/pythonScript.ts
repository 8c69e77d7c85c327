/**
 * What the PyTorch and NumPy exports share: one readable Python script per network that holds the
 * file's data and parameters, reproduces its batches (the project's seeded shuffle, ported to
 * Python bit for bit), its schedule and its stopping rule, trains for N steps and prints the loss
 * and every parameter as `backprop train --steps N` does. numpy.ts and pytorch.ts write the part
 * that differs: the forward pass, the gradient and the update.
 */
import { lossSymbol } from '../math';
import type { Network } from '../network';
import type { OptimizerSettings } from '../optimizers';
import type { Schedule } from '../trainingRules';

/** A number as Python source that reads back as the same double (JavaScript's shortest round trip). */
export function py(value: number): string {
  if (Object.is(value, -0)) return '-0.0';
  if (Number.isNaN(value)) return 'math.nan';
  if (value === Infinity) return 'math.inf';
  if (value === -Infinity) return '-math.inf';
  return String(value);
}

/** A Python string literal. */
export function pyString(text: string): string {
  return JSON.stringify(text);
}

/** A comment's text on one line. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Text safe inside a triple-quoted docstring. */
function docText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}

function wrap(text: string, width = 96): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of oneLine(text).split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

export function pyDict(o: OptimizerSettings | Schedule): string {
  const entries = Object.entries(o).map(([k, v]) => `${pyString(k)}: ${typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'number' ? py(v) : pyString(String(v))}`);
  return `{${entries.join(', ')}}`;
}

function matrix(rows: number, cols: number, at: (r: number, c: number) => number, indent: string, comment?: (r: number) => string): string {
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const values = Array.from({ length: cols }, (_, c) => py(at(r, c))).join(', ');
    lines.push(`${indent}[${values}],${comment ? `  # ${comment(r)}` : ''}`);
  }
  return lines.join('\n');
}

function dataset(name: string, values: Float64Array, samples: number, width: number, names: readonly string[]): string {
  return `${name} = np.array([  # ${oneLine(names.join(', '))}\n${matrix(samples, width, (r, c) => values[r * width + c], '    ')}\n])`;
}

function lossConvention(network: Network): string {
  switch (network.loss) {
    case 'ssr': return 'SSR, the sum over samples and outputs of (observed - predicted)^2; dSSR/dPredicted = -2 (observed - predicted).';
    case 'mse': return 'MSE, the sum of squared residuals over the samples and outputs times 1 / samples.';
    case 'cross-entropy': return "cross-entropy: softmax over each sample's outputs, then -sum(target x ln softmax), summed (not averaged) over the samples.";
  }
}

/** The docstring, the imports, and everything the file says: data, network, parameters, training settings. */
export function scriptHead(network: Network, parameters: Float64Array, steps: number, baseName: string, framework: 'NumPy' | 'PyTorch', imports: string): string {
  const t = network.training;
  const nIn = network.inputNames.length;
  const nOut = network.outputNames.length;
  const file = `${baseName}.py`;
  const description = network.description ? `\n${wrap(docText(network.description)).join('\n')}\n` : '';
  const normalization = network.normalization
    ? `# The file normalizes its inputs ("normalize": "${network.normalization.kind}"): the rows below are already rescaled,
# input k to (x - NORMALIZE_OFFSET[k]) / NORMALIZE_SCALE[k], with these from the training set. Rescale new
# inputs the same way before predicting.
NORMALIZE_OFFSET = np.array([${network.normalization.offset.map(py).join(', ')}])
NORMALIZE_SCALE = np.array([${network.normalization.scale.map(py).join(', ')}])
`
    : '';
  const validation = network.validation
    ? `# The validation set${t.validationShare !== null ? ` (the share of the file's samples that validationShare ${py(t.validationShare)} holds out)` : ''}: never trained on.
${dataset('X_VALIDATION', network.validation.inputs, network.validation.samples, nIn, network.inputNames)}
${dataset('Y_VALIDATION', network.validation.targets, network.validation.samples, nOut, network.outputNames)}`
    : `# No validation set.
X_VALIDATION = None
Y_VALIDATION = None`;
  const weights = network.layers.map((layer, l) => {
    const first = layer.weightOffset + 1;
    return `    np.array([  # layer ${l + 1}: ${layer.units} units x ${layer.inputs} inputs, w${first}..w${first + layer.units * layer.inputs - 1}
${matrix(layer.units, layer.inputs, (j, k) => parameters[layer.weightOffset + j * layer.inputs + k], '        ', (j) => `unit ${j + 1}: w${first + j * layer.inputs}..w${first + (j + 1) * layer.inputs - 1}`)}
    ]),`;
  }).join('\n');
  const biases = network.layers.map((layer, l) => {
    const first = layer.biasOffset - network.weightCount + 1;
    return `    np.array([${Array.from(parameters.subarray(layer.biasOffset, layer.biasOffset + layer.units), py).join(', ')}]),  # layer ${l + 1}: b${first}..b${first + layer.units - 1}`;
  }).join('\n');
  const frozen = network.parameters.filter((p) => t.trainable[p.index] === 0).map((p) => pyString(p.name));
  const clip = t.clip === null ? 'None' : py(t.clip);
  return `#!/usr/bin/env python3
"""${docText(oneLine(network.name))}
${description}
Exported by Backprop Debugger: this network, its data and its training, in ${framework} (float64).
It trains as \`backprop train ${baseName}.nn.json --steps ${steps}\` does and prints the loss and every
parameter after the steps, the same numbers within rounding (1e-9 relative):

    python3 ${file} [STEPS] [--json] [--batches]

Loss: ${lossConvention(network)}
The parameters are named as the network file names them: w1, w2, ... (layer by layer, unit by unit,
input by input), then b1, b2, ... (layer by layer, unit by unit).
"""
${imports}

# ---------------------------------------------------------------------------------------------
# The data: the training set, one row per sample
# ---------------------------------------------------------------------------------------------
INPUT_NAMES = [${network.inputNames.map(pyString).join(', ')}]
OUTPUT_NAMES = [${network.outputNames.map(pyString).join(', ')}]
${normalization}${dataset('X', network.data.inputs, network.data.samples, nIn, network.inputNames)}
${dataset('Y', network.data.targets, network.data.samples, nOut, network.outputNames)}
${validation}

# ---------------------------------------------------------------------------------------------
# The network: each layer's units, activation and the activation's parameter (leaky ReLU's slope,
# ELU's alpha; 0 for the others), and the loss
# ---------------------------------------------------------------------------------------------
LAYERS = [
${network.layers.map((l) => `    (${l.units}, ${pyString(l.activation)}, ${py(l.activationParam)}),`).join('\n')}
]
LOSS = ${pyString(network.loss)}  # ${lossSymbol(network.loss)}

# The starting parameters. WEIGHTS[l][j][k] is the weight from input k to unit j of layer l + 1
# (units x inputs, as torch.nn.Linear keeps it); BIASES[l][j] the bias of unit j.
WEIGHTS = [
${weights}
]
BIASES = [
${biases}
]

# ---------------------------------------------------------------------------------------------
# Training: the file's "training"
# ---------------------------------------------------------------------------------------------
STEPS = ${steps}
LEARNING_RATE = ${py(t.learningRate)}
MIN_STEP_SIZE = ${py(t.minStepSize)}  # training stops (converged) once no parameter moves this much in a step
OPTIMIZER = ${pyDict(t.optimizer)}
BATCH_SIZE = ${t.batchSize === null ? 'None' : t.batchSize}  # samples per step; None: the whole training set
SHUFFLE = ${t.shuffle ? 'True' : 'False'}  # a new order of the samples each epoch
SEED = ${py(t.seed)}
L1 = ${py(t.regularization.l1)}  # penalty L1 x sum |w| + L2 x sum w^2, on the weights only
L2 = ${py(t.regularization.l2)}
SCHEDULE = ${pyDict(t.schedule)}
CLIP = ${clip}  # clip the gradient to this norm (torch.nn.utils.clip_grad_norm_), or None
FROZEN = [${frozen.join(', ')}]  # parameters training leaves as they are

WEIGHT_COUNT = sum(w.size for w in WEIGHTS)
BIAS_COUNT = sum(b.size for b in BIASES)
NAMES = [f"w{i + 1}" for i in range(WEIGHT_COUNT)] + [f"b{i + 1}" for i in range(BIAS_COUNT)]
TRAINABLE = np.array([name not in FROZEN for name in NAMES])


# ---------------------------------------------------------------------------------------------
# Which samples each step trains on: the same batches as \`backprop train --batches\` lists
# ---------------------------------------------------------------------------------------------
M32 = 0xFFFFFFFF


def imul(a, b):
    """32-bit multiplication, as JavaScript's Math.imul (the low 32 bits)."""
    return (a * b) & M32


class SeededRandom:
    """The debugger's generator (mulberry32): uniforms in [0, 1), the same on every machine."""

    def __init__(self, seed):
        self.state = seed & M32

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296


def epoch_seed(seed, epoch):
    """Each epoch's shuffle seed: the file's seed and the epoch, hashed."""
    h = imul((int(seed) & M32) ^ 0x9E3779B9, 0x85EBCA6B) ^ imul((epoch + 1) & M32, 0xC2B2AE35)
    h ^= h >> 16
    h = imul(h, 0x7FEB352D)
    h ^= h >> 15
    return h


def shuffle(order, random):
    """Fisher-Yates, in place."""
    for i in range(len(order) - 1, 0, -1):
        j = math.floor(random.next() * (i + 1))
        order[i], order[j] = order[j], order[i]


class BatchPlan:
    """Step t's batch: epoch t // batches_per_epoch, its slice of that epoch's order of the samples."""

    def __init__(self, samples):
        self.samples = samples
        self.size = min(BATCH_SIZE if BATCH_SIZE is not None else samples, samples)
        self.batches_per_epoch = math.ceil(samples / self.size)
        self.full = self.size == samples and (not SHUFFLE or samples == 1)

    def order(self, epoch):
        order = list(range(self.samples))
        if SHUFFLE:
            shuffle(order, SeededRandom(epoch_seed(SEED, epoch)))
        return order

    def batch_of(self, t):
        if self.full:
            return list(range(self.samples))
        start = (t % self.batches_per_epoch) * self.size
        return self.order(t // self.batches_per_epoch)[start:start + self.size]


def learning_rate_at(t):
    """The learning rate of the update that takes step t to t + 1 (torch.optim.lr_scheduler's closed forms)."""
    s = SCHEDULE
    if s["type"] == "step":
        return LEARNING_RATE * s["factor"] ** math.floor(t / s["every"])
    if s["type"] == "exponential":
        return LEARNING_RATE * s["factor"] ** t
    if s["type"] == "cosine":
        if t >= s["steps"]:
            return s["min"]
        return s["min"] + ((LEARNING_RATE - s["min"]) * (1 + math.cos((math.pi * t) / s["steps"]))) / 2
    return LEARNING_RATE
`;
}

/**
 * The end of the script: \`train(steps)\` (written by the framework's part) returns the parameter
 * vector, the steps taken, why it stopped and the batches; this prints them.
 */
export function scriptTail(): string {
  return `

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    steps = int(args[0]) if args else STEPS
    parameters, taken, reason, batches = train(steps)
    loss = full_loss(parameters, X, Y)
    validation = full_loss(parameters, X_VALIDATION, Y_VALIDATION) if X_VALIDATION is not None else None
    values = {name: float(v) for name, v in zip(NAMES, parameters)}
    if "--json" in sys.argv:
        result = {"steps": taken, "stopReason": reason, "loss": float(loss), "valLoss": None if validation is None else float(validation), "parameters": values}
        if "--batches" in sys.argv:
            result["batches"] = batches
        print(json.dumps(result))
        return
    print(f"{taken} steps ({reason}); {LOSS} on the training set: {float(loss)!r}" + ("" if validation is None else f", on the validation set: {float(validation)!r}"))
    if "--batches" in sys.argv:
        for t, rows in enumerate(batches):
            print(f"  step {t + 1}: {' '.join(map(str, rows))}")
    for name, v in values.items():
        print(f"{name} = {v!r}")


if __name__ == "__main__":
    main()
`;
}
