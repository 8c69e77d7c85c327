/**
 * Export to PyTorch: one script that builds the network as an nn.Sequential (Linear, activation,
 * Linear, ...: the module numbering a safetensors import reads back), loads the file's
 * parameters, and trains with torch.optim's optimizer of the file's type, autograd for the
 * gradient, the same batches, penalty, clipping and learning rate per step. The unit tests check
 * its text against a golden file (torch is not installable where the tests run); the NumPy
 * export, which shares everything but the training step, is run for real.
 */
import type { Network } from '../network';
import type { Exporter } from './formats';
import { scriptHead, scriptTail } from './pythonScript';

export const pytorchExporter: Exporter = {
  id: 'pytorch',
  label: 'PyTorch script (.py)',
  write: (network, parameters, options) => [{ name: `${options.baseName}.py`, contents: pytorchScript(network, parameters, options.steps, options.baseName) }],
};

export function pytorchScript(network: Network, parameters: Float64Array, steps: number, baseName: string): string {
  return `${scriptHead(network, parameters, steps, baseName, 'PyTorch', 'import json\nimport math\nimport sys\n\nimport numpy as np\nimport torch\nfrom torch import nn')}${ENGINE}${scriptTail()}`;
}

const ENGINE = `

# ---------------------------------------------------------------------------------------------
# The network as PyTorch modules, and one training step with autograd and torch.optim
# ---------------------------------------------------------------------------------------------
torch.set_default_dtype(torch.float64)


def activation_module(kind, param):
    if kind == "identity":
        return nn.Identity()
    if kind == "softplus":
        # PyTorch's Softplus returns x itself above x = 20 (threshold), where ln(1 + e^x) differs from x by < 3e-9.
        return nn.Softplus()
    if kind == "relu":
        return nn.ReLU()
    if kind == "sigmoid":
        return nn.Sigmoid()
    if kind == "tanh":
        return nn.Tanh()
    if kind == "leaky-relu":
        return nn.LeakyReLU(param)
    if kind == "elu":
        return nn.ELU(param)
    if kind == "gelu":
        return nn.GELU(approximate="tanh")
    if kind == "silu":
        return nn.SiLU()
    raise ValueError(kind)


def build_model():
    """nn.Sequential(Linear, activation, Linear, activation, ...) holding the starting parameters."""
    modules = []
    for (units, kind, param), w, b in zip(LAYERS, WEIGHTS, BIASES):
        linear = nn.Linear(w.shape[1], units)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w))
            linear.bias.copy_(torch.from_numpy(b))
        modules += [linear, activation_module(kind, param)]
    return nn.Sequential(*modules)


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def parameter_vector(model):
    """The parameters in the file's order: every weight (w1, w2, ...), then every bias (b1, ...)."""
    layers = linears(model)
    return torch.cat([l.weight.detach().flatten() for l in layers] + [l.bias.detach() for l in layers]).numpy()


def trainable_masks(model):
    """Per Linear layer, 1 where the file lets training change the weight (or bias), 0 where not."""
    masks, w_at, b_at = [], 0, WEIGHT_COUNT
    for l in linears(model):
        units, inputs = l.weight.shape
        w_mask = torch.from_numpy(TRAINABLE[w_at:w_at + units * inputs].reshape(units, inputs).astype(np.float64))
        b_mask = torch.from_numpy(TRAINABLE[b_at:b_at + units].astype(np.float64))
        masks += [(l.weight, w_mask), (l.bias, b_mask)]
        w_at += units * inputs
        b_at += units
    return masks


def loss_function(predicted, targets):
    """This project's loss: summed over the samples (mse: times 1 / samples)."""
    if LOSS == "ssr":
        return ((targets - predicted) ** 2).sum()
    if LOSS == "mse":
        return ((targets - predicted) ** 2).sum() * (1 / len(predicted))
    # cross-entropy: -sum(target x log softmax), summed (not averaged) over the samples
    return -(targets * torch.log_softmax(predicted, dim=1)).sum()


def penalty(model):
    """L1 x sum |w| + L2 x sum w^2 over the weights (not the biases)."""
    weights = [l.weight for l in linears(model)]
    total = torch.zeros(())
    if L1 != 0:
        total = total + L1 * sum(w.abs().sum() for w in weights)
    if L2 != 0:
        total = total + L2 * sum((w * w).sum() for w in weights)
    return total


def full_loss(vector, inputs, targets):
    """The loss (penalty included) of the model whose parameters are \`vector\`, over these samples."""
    model = build_model()
    with torch.no_grad():
        at = 0
        layers = linears(model)
        for l in layers:
            l.weight.copy_(torch.from_numpy(vector[at:at + l.weight.numel()]).reshape(l.weight.shape))
            at += l.weight.numel()
        for l in layers:
            l.bias.copy_(torch.from_numpy(vector[at:at + l.bias.numel()]))
            at += l.bias.numel()
        return float(loss_function(model(torch.from_numpy(inputs)), torch.from_numpy(targets)) + penalty(model))


def make_optimizer(parameters):
    o = OPTIMIZER
    if o["type"] == "sgd":
        return torch.optim.SGD(parameters, lr=LEARNING_RATE)
    if o["type"] == "momentum":
        return torch.optim.SGD(parameters, lr=LEARNING_RATE, momentum=o["momentum"], dampening=o["dampening"], nesterov=o["nesterov"])
    if o["type"] == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=LEARNING_RATE, alpha=o["alpha"], eps=o["epsilon"], momentum=o["momentum"], centered=o["centered"])
    if o["type"] == "adam":
        return torch.optim.Adam(parameters, lr=LEARNING_RATE, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], amsgrad=o["amsgrad"])
    return torch.optim.AdamW(parameters, lr=LEARNING_RATE, betas=(o["beta1"], o["beta2"]), eps=o["epsilon"], amsgrad=o["amsgrad"], weight_decay=o["weightDecay"])


def train(steps):
    """Up to \`steps\` updates, stopping early as the debugger does (converged or diverged)."""
    model = build_model()
    masks = trainable_masks(model)
    optimizer = make_optimizer(model.parameters())
    plan = BatchPlan(len(X))
    inputs, targets = torch.from_numpy(X), torch.from_numpy(Y)
    batches, taken, reason = [], 0, "max-steps"
    while taken < steps:
        rows = plan.batch_of(taken)
        optimizer.zero_grad()
        loss = loss_function(model(inputs[rows]), targets[rows]) + penalty(model)
        loss.backward()
        before = [p.detach().clone() for p, _ in masks]
        with torch.no_grad():
            for p, mask in masks:
                p.grad.mul_(mask)  # a frozen parameter's gradient is not part of the step, nor of the clipping norm
        if CLIP is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(taken)
        optimizer.step()
        largest = 0.0
        with torch.no_grad():
            for (p, mask), old in zip(masks, before):
                p.copy_(torch.where(mask == 1, p, old))  # frozen parameters keep their values
                change = ((p - old).abs() * mask).max().item() if p.numel() else 0.0
                largest = change if change > largest or change != change else largest
        batches.append(rows)
        taken += 1
        if not (largest < math.inf) or not (loss.item() < math.inf):
            reason = "diverged"
            break
        if largest < MIN_STEP_SIZE:
            reason = "converged"
            break
    return parameter_vector(model), taken, reason, batches
`;
