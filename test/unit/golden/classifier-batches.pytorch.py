#!/usr/bin/env python3
"""Two classes: batches, L2 and a validation share

Fifty points above or below the line y = x / 2, about one in ten with the wrong label. Adam on
batches of 10, with 40% of the points held out for validation. Set regularization.l2 to 0 and
watch valLoss climb while the training loss goes to nothing: the network learns the wrong labels
by heart. With L2 0.1 the validation loss stays low.

Exported by Backprop Debugger: this network, its data and its training, in PyTorch (float64).
It trains as `backprop train classifier-batches.nn.json --steps 500` does and prints the loss and every
parameter after the steps, the same numbers within rounding (1e-9 relative):

    python3 classifier-batches.py [STEPS] [--json] [--batches]

Loss: cross-entropy: softmax over each sample's outputs, then -sum(target x ln softmax), summed (not averaged) over the samples.
The parameters are named as the network file names them: w1, w2, ... (layer by layer, unit by unit,
input by input), then b1, b2, ... (layer by layer, unit by unit).
"""
import json
import math
import sys

import numpy as np
import torch
from torch import nn

# ---------------------------------------------------------------------------------------------
# The data: the training set, one row per sample
# ---------------------------------------------------------------------------------------------
INPUT_NAMES = ["x", "y"]
OUTPUT_NAMES = ["above", "below"]
X = np.array([  # x, y
    [0.18, 0.7],
    [-0.1, -0.04],
    [-0.16, 0.34],
    [-0.21, -0.25],
    [-0.75, 0.19],
    [0.54, -0.36],
    [-0.5, -0.89],
    [0.96, -0.41],
    [0.15, 0.69],
    [-0.95, -0.85],
    [-0.07, -0.29],
    [0.47, -0.16],
    [-0.4, 0.11],
    [0.26, 0.25],
    [0.84, 0.17],
    [-0.38, 0.03],
    [0.76, -0.4],
    [0.12, 0.24],
    [0.92, 0.2],
    [0.15, -0.03],
    [0.3, 0.3],
    [0.42, -0.73],
    [0.85, -0.25],
    [0.31, -0.86],
    [-0.55, 0.44],
    [-0.82, 0.11],
    [-0.64, 0.63],
    [-0.02, -0.67],
    [-0.87, -0.83],
    [0.23, 0.41],
])
Y = np.array([  # above, below
    [1, 0],
    [1, 0],
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 1],
    [0, 1],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [1, 0],
    [0, 1],
    [0, 1],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [1, 0],
    [0, 1],
    [0, 1],
    [0, 1],
    [1, 0],
    [1, 0],
    [1, 0],
    [0, 1],
    [0, 1],
    [1, 0],
])
# The validation set (the share of the file's samples that validationShare 0.4 holds out): never trained on.
X_VALIDATION = np.array([  # x, y
    [0.02, 0.06],
    [-0.84, 0.06],
    [-0.68, -0.64],
    [-0.16, 0.69],
    [0.49, -0.31],
    [0.7, 0.64],
    [-0.01, 0.05],
    [0, 0.47],
    [0.29, -0.91],
    [0.27, 0.97],
    [0.68, -0.68],
    [-0.26, -0.24],
    [0.71, 0.26],
    [-0.75, -0.84],
    [0.09, 0.03],
    [0.29, 0.94],
    [0.33, -0.02],
    [0.5, -0.99],
    [0.7, 0.14],
    [0.26, -1],
])
Y_VALIDATION = np.array([  # above, below
    [1, 0],
    [1, 0],
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 0],
    [1, 0],
    [0, 1],
    [0, 1],
    [1, 0],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
    [1, 0],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
])

# ---------------------------------------------------------------------------------------------
# The network: each layer's units, activation and the activation's parameter (leaky ReLU's slope,
# ELU's alpha; 0 for the others), and the loss
# ---------------------------------------------------------------------------------------------
LAYERS = [
    (16, "tanh", 0),
    (16, "tanh", 0),
    (2, "identity", 0),
]
LOSS = "cross-entropy"  # CE

# The starting parameters. WEIGHTS[l][j][k] is the weight from input k to unit j of layer l + 1
# (units x inputs, as torch.nn.Linear keeps it); BIASES[l][j] the bias of unit j.
WEIGHTS = [
    np.array([  # layer 1: 16 units x 2 inputs, w1..w32
        [0.26212820385289354, 0.06495940691275716],  # unit 1: w1..w2
        [0.37219070985166125, 0.18942862799407],  # unit 2: w3..w4
        [-0.24345918849736672, 0.02892323032365571],  # unit 3: w5..w6
        [0.2105030431499929, 0.34014529839439],  # unit 4: w7..w8
        [-0.5151145102689912, -0.17675092505104423],  # unit 5: w9..w10
        [0.5215526852746114, 0.30225371047081073],  # unit 6: w11..w12
        [-0.2708063548352838, 0.03988250630436706],  # unit 7: w13..w14
        [0.16494367700476065, -0.15533509188388822],  # unit 8: w15..w16
        [-0.18261987950208738, -0.4662137969914114],  # unit 9: w17..w18
        [-0.24758862505846035, -0.4650696892743107],  # unit 10: w19..w20
        [0.1855072395872284, -0.3288976200625861],  # unit 11: w21..w22
        [0.3690867675146115, 0.02696248051005721],  # unit 12: w23..w24
        [-0.06316728728015936, 0.15838688478930077],  # unit 13: w25..w26
        [0.014619892774141215, -0.11953646739417051],  # unit 14: w27..w28
        [-0.09655244917416422, -0.4279587772666744],  # unit 15: w29..w30
        [-0.4349574633959286, 0.47546548656597143],  # unit 16: w31..w32
    ]),
    np.array([  # layer 2: 16 units x 16 inputs, w33..w288
        [0.20147438226463835, 0.001823699865395929, -0.7661977511989336, 0.10507442055698357, -0.10825217938782652, -0.08178076957450679, 0.049466210263554425, -0.21303035296924472, -0.22568557857623578, -0.12736067691259922, -0.3997100410589793, 0.4135324350482681, 0.14852390459931744, -0.2389165325824597, -0.32399467217381617, 0.07463421513292269],  # unit 1: w33..w48
        [-0.2668826093759613, -0.12739525169832147, 0.10949547077964435, -0.1403496681260629, -0.1570530916862019, 0.16249661995555248, -0.06688165978638579, -0.20518080856342663, 0.3060815892037998, -0.04100464179320747, -0.02932098741204664, -0.12252770280696512, 0.21105448599406437, -0.06476234935356447, 0.17135180832426136, 0.06399826569960296],  # unit 2: w49..w64
        [-0.5664671714477421, -0.13634643523349635, -0.07540544992675123, 0.11121712860288313, -0.06888045677943262, 0.2687628894191128, -0.2937287889798855, -0.09948780553685263, -0.2029059682143019, 0.1654952087216893, 0.08693824883775894, 0.16544339294654883, -0.048484817043822286, -0.060968831662812834, 0.023706825475887473, -0.1878515464267307],  # unit 3: w65..w80
        [-0.5039368712508884, 0.30891382979677606, -0.17581394337593745, -0.4498959253603928, -0.12955331621684607, -0.12349606826554597, 0.040933117670897586, -0.002495935954528566, -0.0432600291282046, -0.02478572023956978, 0.11677201672161298, -0.03767154317911566, -0.06479832605533539, 0.1469551185560401, 0.22722884837063806, -0.08350727248465192],  # unit 4: w81..w96
        [-0.2786203279258672, -0.19941076219318005, -0.3364998561006209, -0.3630271138541528, -0.011035099741033559, 0.2742526762509447, 0.11977158144421407, 0.03817538359048463, 0.12193668101536088, 0.07555808630913342, 0.2515164503539197, -0.20947220300686206, -0.31929610710182227, -0.5834488211107076, -0.1259117832607598, 0.5177266233360425],  # unit 5: w97..w112
        [-0.028531914977238355, -0.004219840450431444, 0.46307349559587596, 0.015014780266164091, -0.28534374952849306, -0.3863210145528259, 0.1127161713464237, -0.21216852553400467, 0.07635624631241508, -0.2018652360791481, 0.17957096939406736, 0.4766430247474575, -0.3922852157361553, -0.32123668656833043, -0.19567599596796167, -0.10365947768824818],  # unit 6: w113..w128
        [-0.08302755329070945, 0.18098684259565115, 0.06591117728469166, 0.04439317400662242, 0.022740742673438265, 0.06307712293699479, -0.3461730524122167, 0.005309177220036551, -0.30487088321270883, -0.10210574187128878, -0.19034524665520378, -0.35182206545429734, -0.7237831637999719, 0.17055494542289854, -0.09153134961459544, 0.15095681329836838],  # unit 7: w129..w144
        [-0.21519089251643503, 0.2316189327676876, 0.03218338541862878, 0.017386420513082194, 0.21191360766800182, 0.4890588449250094, 0.34274173310197903, -0.3751991835918694, 0.09589169860105598, -0.1527149668906529, 0.31718437052579945, 0.1360019687095804, -0.02444012890158254, 0.36883495518089315, 0.3494507641094891, 0.3600770994688551],  # unit 8: w145..w160
        [0.03841925650553833, 0.3306860204261402, -0.6737865515078504, -0.20376974598111208, -0.2316446191392329, 0.2057791818981301, 0.05619971715311455, -0.04396979180282366, -0.028859740787509733, 0.10943661088253304, -0.0708426104746243, 0.3687771136908091, 0.04725694843429694, -0.4433880920412169, 0.25684465736282724, 0.7030566070075741],  # unit 9: w161..w176
        [0.3476674252621199, -0.032096609185743454, -0.3504079698588976, -0.1531796484817428, -0.39316507931242034, -0.2661188166199229, 0.1589203790617833, 0.02417506744021599, -0.017532196112593722, 0.04153990008656128, 0.5530703334262551, 0.049682411687937786, -0.1270234168787737, -0.2761725501630444, -0.129292573337199, -0.03431521462644433],  # unit 10: w177..w192
        [0.18278635401026913, -0.1918285349996365, 0.16459687361874, -0.17496504723697354, -0.10950799108610021, -0.0811313421915645, -0.36290397540102093, -0.18802584244353157, -0.07109328116816448, -0.007770354696474172, 0.22543872371871732, 0.38840342633649616, 0.06594006226966928, 0.2640544173727054, 0.157152130360334, -0.18872383841743157],  # unit 11: w193..w208
        [0.1649627314190396, -0.43474281503116924, -0.09207898768393269, 0.20581736535839865, 0.3678982204292668, -0.21801244006546275, -0.18643682909249887, 0.06467155808417974, -0.10716506067166909, 0.057907938006804216, -0.14943988956016224, 0.04756485960312418, 0.058816703982610505, -0.3592892057170507, -0.16715343679137157, -0.30359447872523376],  # unit 12: w209..w224
        [0.03849783427332165, -0.4300634602882233, -0.1225511981481017, -0.29159438304754537, 0.0682831276433559, -0.06459821739832942, -0.11409754818526578, 0.08290802465034766, 0.4076912259445457, 0.16250550432364505, -0.18609551411916594, -0.40546090289745673, 0.22496144013104608, -0.068918943517336, -0.08181017545585387, -0.40099354595225933],  # unit 13: w225..w240
        [0.26390922398814903, -0.3161149165484708, -0.41788344256208404, 0.08614313385338519, 0.1285177387549319, -0.20131351206770068, 0.15643300409075062, 0.07592228147072172, 0.01545278626345844, 0.14416458128663132, 0.07250549730859986, -0.09283604135073968, -0.027567907062298787, -0.20391947669919955, 0.30077599840270014, 0.14017261923731142],  # unit 14: w241..w256
        [-0.36774387524910507, -0.2172885919221796, -0.2703221759554934, -0.05274229646106799, 0.22636679120699071, 0.09396501098536086, -0.03508596619606416, -0.1129762316347015, 0.1340920695772896, -0.21046882615937235, 0.0908161718261517, -0.013645639846051832, 0.02198516725837078, -0.032782650010646945, -0.6000091148428178, 0.2556657972187509],  # unit 15: w257..w272
        [0.22514181411484596, 0.16122378581550711, -0.22692765136074824, -0.12791879266386602, -0.004868613982299611, -0.1443546276408288, -0.3901115682174657, -0.1510344801206254, 0.14320957903159331, 0.24447734871485696, -0.343616783771958, 0.42358184552693, -0.07829099664053929, 0.17487268129706238, -0.2951850933395622, -0.17333705025327042],  # unit 16: w273..w288
    ]),
    np.array([  # layer 3: 2 units x 16 inputs, w289..w320
        [0.21108974224821236, 0.3208416168288172, -0.577635103408283, 0.4845881750586814, -0.39671080264834124, 0.7549742971839211, -0.34267390645143325, 0.5978568914734688, 0.06382513417984825, -0.46535513461296096, -0.06177186106448432, -0.44349513132911855, 0.4155807028149824, -0.013775379352414373, -0.0632012518555504, -0.08763351968485363],  # unit 1: w289..w304
        [0.04907116321464645, -0.21336207829282194, 0.030914336923099528, -0.21933460075547484, 0.4185651288583561, -0.08777433012731657, -0.3638931941726609, 0.3880330123201554, -0.07729223071304892, 0.46327855582931454, 0.06754064862260763, -0.2333240389169956, -0.42837559662499786, -0.13685020494977307, -0.38379031516285855, 0.2417389076380625],  # unit 2: w305..w320
    ]),
]
BIASES = [
    np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),  # layer 1: b1..b16
    np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),  # layer 2: b17..b32
    np.array([0, 0]),  # layer 3: b33..b34
]

# ---------------------------------------------------------------------------------------------
# Training: the file's "training"
# ---------------------------------------------------------------------------------------------
STEPS = 500
LEARNING_RATE = 0.02
MIN_STEP_SIZE = 0  # training stops (converged) once no parameter moves this much in a step
OPTIMIZER = {"type": "adam", "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "amsgrad": False}
BATCH_SIZE = 10  # samples per step; None: the whole training set
SHUFFLE = True  # a new order of the samples each epoch
SEED = 1
L1 = 0  # penalty L1 x sum |w| + L2 x sum w^2, on the weights only
L2 = 0.1
SCHEDULE = {"type": "constant"}
CLIP = None  # clip the gradient to this norm (torch.nn.utils.clip_grad_norm_), or None
FROZEN = []  # parameters training leaves as they are

WEIGHT_COUNT = sum(w.size for w in WEIGHTS)
BIAS_COUNT = sum(b.size for b in BIASES)
NAMES = [f"w{i + 1}" for i in range(WEIGHT_COUNT)] + [f"b{i + 1}" for i in range(BIAS_COUNT)]
TRAINABLE = np.array([name not in FROZEN for name in NAMES])


# ---------------------------------------------------------------------------------------------
# Which samples each step trains on: the same batches as `backprop train --batches` lists
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
    """The loss (penalty included) of the model whose parameters are `vector`, over these samples."""
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
    """Up to `steps` updates, stopping early as the debugger does (converged or diverged)."""
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
