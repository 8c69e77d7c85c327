/**
 * Export to NumPy: one script that trains the network with nothing but NumPy, backpropagation
 * written out layer by layer beside the forward pass, and each optimizer's update as
 * src/core/optimizers.ts computes it (the same grouping of operations, so the numbers agree to the
 * last bits but for the order of sums). The unit tests run it and compare with the debugger's.
 */
import type { Network } from '../network';
import type { Exporter } from './formats';
import { scriptHead, scriptTail } from './pythonScript';

export const numpyExporter: Exporter = {
  id: 'numpy',
  label: 'NumPy script (.py)',
  write: (network, parameters, options) => [{ name: `${options.baseName}.py`, contents: numpyScript(network, parameters, options.steps, options.baseName) }],
};

export function numpyScript(network: Network, parameters: Float64Array, steps: number, baseName: string): string {
  return `${scriptHead(network, parameters, steps, baseName, 'NumPy', 'import json\nimport math\nimport sys\n\nimport numpy as np')}${ENGINE}${scriptTail()}`;
}

const ENGINE = `

# ---------------------------------------------------------------------------------------------
# The network's computations: forward pass, loss, backpropagation
# ---------------------------------------------------------------------------------------------
def layer_views(vector):
    """Each layer's (W, b) as views into a parameter vector (w1.., then b1..): writing them writes it."""
    views, w_at, b_at = [], 0, WEIGHT_COUNT
    for w in WEIGHTS:
        units, inputs = w.shape
        views.append((vector[w_at:w_at + units * inputs].reshape(units, inputs), vector[b_at:b_at + units]))
        w_at += units * inputs
        b_at += units
    return views


def sigmoid(x):
    e = np.exp(-np.abs(x))  # e^-x above 0, e^x below: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


GELU_C = math.sqrt(2 / math.pi)
GELU_K = 0.044715


def activate(kind, x, param):
    """y = f(x) for one layer's activation."""
    if kind == "identity":
        return x.copy()
    if kind == "softplus":
        return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0)  # ln(1 + e^x) without overflow
    if kind == "relu":
        return np.where(x > 0, x, 0.0)
    if kind == "sigmoid":
        return sigmoid(x)
    if kind == "tanh":
        return np.tanh(x)
    if kind == "leaky-relu":
        return np.where(x > 0, x, param * x)
    if kind == "elu":
        return np.where(x > 0, x, param * np.expm1(np.minimum(x, 0)))
    if kind == "gelu":  # the tanh approximation (PyTorch's approximate="tanh")
        return 0.5 * x * (1 + np.tanh(GELU_C * (x + GELU_K * x * x * x)))
    if kind == "silu":
        return x * sigmoid(x)
    raise ValueError(kind)


def backprop_activation(kind, x, y, dy, param):
    """dLoss/dx = dLoss/dy x f'(x), with f' written in terms of y where that saves an exp."""
    if kind == "identity":
        return dy.copy()
    if kind == "softplus":  # softplus' = sigmoid = 1 - e^-y above 0
        e = np.exp(np.minimum(x, 0))
        return dy * np.where(x > 0, -np.expm1(-y), e / (1 + e))
    if kind == "relu":
        return np.where(x > 0, dy, 0.0)
    if kind == "sigmoid":
        return dy * y * (1 - y)
    if kind == "tanh":
        return dy * (1 - y * y)
    if kind == "leaky-relu":
        return dy * np.where(x > 0, 1.0, param)
    if kind == "elu":
        return dy * np.where(x > 0, 1.0, y + param)
    if kind == "gelu":
        t = np.tanh(GELU_C * (x + GELU_K * x * x * x))
        return dy * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * x * x))
    if kind == "silu":
        s = sigmoid(x)
        return dy * (s * (1 + x * (1 - s)))
    raise ValueError(kind)


def forward(vector, inputs):
    """Each layer's x (what goes into its activation) and y (what comes out), one row per sample."""
    xs, ys, y = [], [], inputs
    for (W, b), (_, kind, param) in zip(layer_views(vector), LAYERS):
        x = y @ W.T + b
        y = activate(kind, x, param)
        xs.append(x)
        ys.append(y)
    return xs, ys


def loss_and_gradient(predicted, targets):
    """The loss over these samples and dLoss/dPredicted for each."""
    if LOSS in ("ssr", "mse"):
        scale = 1 / len(predicted) if LOSS == "mse" else 1
        residual = targets - predicted
        return np.sum(residual * residual) * scale, -2 * residual * scale
    # cross-entropy: log softmax with the largest output subtracted first, so exp cannot overflow
    top = predicted.max(axis=1, keepdims=True)
    log_softmax = predicted - (top + np.log(np.exp(predicted - top).sum(axis=1, keepdims=True)))
    loss = -np.sum(np.where(targets != 0, targets * log_softmax, 0.0))
    return loss, np.exp(log_softmax) * targets.sum(axis=1, keepdims=True) - targets


def penalty(vector, gradient=None):
    """L1 x sum |w| + L2 x sum w^2 over the weights; with gradient, adds its derivative to it."""
    if L1 == 0 and L2 == 0:
        return 0.0
    w = vector[:WEIGHT_COUNT]
    if gradient is not None:
        gradient[:WEIGHT_COUNT] += L1 * np.sign(w) + 2 * L2 * w
    return L1 * np.sum(np.abs(w)) + L2 * np.sum(w * w)


def full_loss(vector, inputs, targets):
    """The loss (penalty included) at these parameters over these samples: forward pass only."""
    _, ys = forward(vector, inputs)
    return loss_and_gradient(ys[-1], targets)[0] + penalty(vector)


def evaluate(vector, inputs, targets):
    """The loss (penalty included) over a batch and its gradient, by backpropagation."""
    xs, ys = forward(vector, inputs)
    loss, dy = loss_and_gradient(ys[-1], targets)
    gradient = np.zeros_like(vector)
    views, grads = layer_views(vector), layer_views(gradient)
    for l in reversed(range(len(LAYERS))):
        _, kind, param = LAYERS[l]
        dx = backprop_activation(kind, xs[l], ys[l], dy, param)  # dLoss/dx, per sample and unit
        before = inputs if l == 0 else ys[l - 1]
        g_w, g_b = grads[l]
        g_w[:] = dx.T @ before  # dLoss/dw_jk = sum over samples of dLoss/dx_j x input_k
        g_b[:] = dx.sum(axis=0)  # dLoss/db_j = sum over samples of dLoss/dx_j
        dy = dx @ views[l][0]  # dLoss/dy of the layer before: the sum over the paths through W
    return loss + penalty(vector, gradient), gradient


# ---------------------------------------------------------------------------------------------
# One update, as torch.optim computes it
# ---------------------------------------------------------------------------------------------
def new_state(n):
    zeros = np.zeros(n)
    return {"count": 0, "velocity": zeros.copy(), "square": zeros.copy(), "average": zeros.copy(),
            "m": zeros.copy(), "v": zeros.copy(), "vmax": zeros.copy()}


def lerp(a, b, w):
    """a + w (b - a), from the nearer end as PyTorch's lerp computes it."""
    return a + w * (b - a) if w < 0.5 else b - (b - a) * (1 - w)


def update(vector, g, lr, state):
    """Changes the trainable parameters (and their buffers) in place; returns the largest change."""
    o, keep = OPTIMIZER, TRAINABLE
    kind = o["type"]
    if kind == "sgd":
        step = lr * g
        after = vector - step
    elif kind == "momentum":
        velocity = g if state["count"] == 0 else o["momentum"] * state["velocity"] + (1 - o["dampening"]) * g
        state["velocity"][keep] = velocity[keep]
        step = lr * (g + o["momentum"] * velocity if o["nesterov"] else velocity)
        after = vector - step
    elif kind == "rmsprop":
        alpha = o["alpha"]
        square = state["square"] * alpha + (1 - alpha) * g * g
        state["square"][keep] = square[keep]
        mean_square = square
        if o["centered"]:
            average = lerp(state["average"], g, 1 - alpha)
            state["average"][keep] = average[keep]
            mean_square = square - average * average
        denominator = np.sqrt(mean_square) + o["epsilon"]
        if o["momentum"] > 0:
            velocity = o["momentum"] * state["velocity"] + g / denominator
            state["velocity"][keep] = velocity[keep]
            step = lr * velocity
        else:
            step = (lr * g) / denominator
        after = vector - step
    else:  # adam, adamw
        t = state["count"] + 1
        step_size = lr / (1 - o["beta1"] ** t)
        root_correction2 = math.sqrt(1 - o["beta2"] ** t)
        decay = 1 - lr * o["weightDecay"] if kind == "adamw" else 1
        m = lerp(state["m"], g, 1 - o["beta1"])
        v = state["v"] * o["beta2"] + (1 - o["beta2"]) * g * g
        state["m"][keep] = m[keep]
        state["v"][keep] = v[keep]
        if o["amsgrad"]:
            v = np.where(state["vmax"] > v, state["vmax"], v)
            state["vmax"][keep] = v[keep]
        decayed = vector if decay == 1 else vector * decay
        after = decayed + (-step_size * m) / (np.sqrt(v) / root_correction2 + o["epsilon"])
        step = after - vector
    state["count"] += 1
    vector[keep] = after[keep]
    changes = np.abs(step[keep])
    return float(np.max(changes)) if changes.size else 0.0


def clip(g):
    """torch.nn.utils.clip_grad_norm_ over the trainable parameters."""
    norm = math.sqrt(float(np.sum(g[TRAINABLE] ** 2)))
    scale = CLIP / (norm + 1e-6)
    if scale < 1:
        g[TRAINABLE] *= scale


def train(steps):
    """Up to \`steps\` updates, stopping early as the debugger does (converged or diverged)."""
    vector = np.concatenate([w.ravel() for w in WEIGHTS] + list(BIASES)).astype(np.float64)
    state = new_state(len(vector))
    plan = BatchPlan(len(X))
    batches, taken, reason = [], 0, "max-steps"
    while taken < steps:
        rows = plan.batch_of(taken)
        loss, g = evaluate(vector, X[rows], Y[rows])
        if CLIP is not None:
            clip(g)
        largest = update(vector, g, learning_rate_at(taken), state)
        batches.append(rows)
        taken += 1
        if not (largest < math.inf) or not (loss < math.inf):
            reason = "diverged"
            break
        if largest < MIN_STEP_SIZE:
            reason = "converged"
            break
    return vector, taken, reason, batches
`;
