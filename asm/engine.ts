/**
 * The training step of src/core/train.ts in WebAssembly SIMD: forward pass, loss, backward pass and
 * the gradient-descent update over buffers the TypeScript side lays out in this instance's memory.
 * Built by scripts/build-wasm.mjs; src/core/engine.ts owns the layout and must match the offsets below.
 *
 * Every buffer is sample-major, [samples x units] row-major, and W is [units x inputs] row-major,
 * exactly as in the TypeScript trainer. Sums over samples (dW, db) and over units (dA) run in the
 * same order as the TypeScript loops; the forward dot products pair up terms differently, and
 * exp, log1p and tanh are this file's own two-lane versions (within a few ulps of V8's), so the
 * two paths agree to rounding, not bit for bit.
 */

// The config block: header, then one record per layer. Offsets in bytes.
const H_LR = 0; // f64 learning rate
const H_LOSS = 8; // f64, written by step()
const H_LAYERS = 16;
const H_SAMPLES = 20;
const H_LOSS_KIND = 24; // 0 ssr, 1 mse, 2 cross-entropy
const H_OUTPUTS = 28;
const H_PARAMS = 32; // parameter count
const H_P = 36; // pointers from here on
const H_G = 40;
const H_TRAINABLE = 44; // u8 per parameter
const H_TARGETS = 48;
const HEADER: usize = 64;

const L_UNITS = 0;
const L_INPUTS = 4;
const L_ACT = 8; // 0 identity, 1 softplus, 2 relu, 3 sigmoid, 4 tanh, 5 leaky-relu, 6 elu, 7 gelu, 8 silu
const L_W = 12;
const L_B = 16;
const L_GW = 20;
const L_GB = 24;
const L_A = 28; // the layer's input activations: the data, or the previous layer's y
const L_X = 32;
const L_Y = 36;
const L_DX = 40;
const L_DY = 44;
const L_DA = 48; // the previous layer's dy; 0 for the first layer
const L_PARAM = 56; // f64: leaky ReLU's slope or ELU's alpha
const LAYER: usize = 64;

const IDENTITY = 0;
const SOFTPLUS = 1;
const RELU = 2;
const SIGMOID = 3;
const TANH = 4;
// The activations people meet after the videos: scalar loops over the module's own Math (musl's
// algorithms), as math.ts writes them; rarer than the first five, so not vectorised.
const LEAKY_RELU = 5;
const ELU = 6;
const GELU = 7;
const SILU = 8;
const GELU_C: f64 = 0.7978845608028654; // sqrt(2 / pi)
const GELU_K: f64 = 0.044715;

// @ts-ignore: decorator
@inline function madd(acc: v128, a: v128, b: v128): v128 {
  return f64x2.add(acc, f64x2.mul(a, b));
}

/** [a0 + a1, b0 + b1]: two dot products finished at once, stored as neighbours. */
// @ts-ignore: decorator
@inline function pairSum(a: v128, b: v128): v128 {
  return f64x2.add(v128.shuffle<f64>(a, b, 0, 2), v128.shuffle<f64>(a, b, 1, 3));
}

// @ts-ignore: decorator
@inline function hsum(a: v128): f64 {
  return f64x2.extract_lane(a, 0) + f64x2.extract_lane(a, 1);
}

export function heapBase(): usize {
  return __heap_base;
}

// ---------------------------------------------------------------------------------------------
// Forward: X[n][j] = b[j] + sum_k A[n][k] W[j][k], dot products along contiguous k, 4 samples x
// 2 units per block (8 accumulators: enough to hide add latency, few enough to stay in registers).

function denseForward(A: usize, W: usize, b: usize, X: usize, S: usize, K: usize, J: usize): void {
  const rowK = K << 3;
  const rowJ = J << 3;
  if (K < 4) {
    // Tiny fan-in (the first layer of most examples): the TypeScript loop itself, same order.
    for (let n: usize = 0; n < S; n++) {
      const a = A + n * rowK;
      const x = X + n * rowJ;
      for (let j: usize = 0; j < J; j++) {
        const w = W + j * rowK;
        let s = load<f64>(b + (j << 3));
        for (let k: usize = 0; k < K; k++) s += load<f64>(w + (k << 3)) * load<f64>(a + (k << 3));
        store<f64>(x + (j << 3), s);
      }
    }
    return;
  }
  const kv = (K & ~1) << 3; // bytes the vectors cover; an odd K leaves one scalar term
  const odd = (K & 1) != 0;
  const zero = f64x2.splat(0);
  let n: usize = 0;
  for (; n + 4 <= S; n += 4) {
    const a0 = A + n * rowK;
    const a1 = a0 + rowK;
    const a2 = a1 + rowK;
    const a3 = a2 + rowK;
    const x0 = X + n * rowJ;
    const x1 = x0 + rowJ;
    const x2 = x1 + rowJ;
    const x3 = x2 + rowJ;
    let j: usize = 0;
    for (; j + 2 <= J; j += 2) {
      const w0 = W + j * rowK;
      const w1 = w0 + rowK;
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      for (let k: usize = 0; k < kv; k += 16) {
        const v0 = v128.load(w0 + k);
        const v1 = v128.load(w1 + k);
        let a = v128.load(a0 + k);
        c00 = madd(c00, a, v0);
        c01 = madd(c01, a, v1);
        a = v128.load(a1 + k);
        c10 = madd(c10, a, v0);
        c11 = madd(c11, a, v1);
        a = v128.load(a2 + k);
        c20 = madd(c20, a, v0);
        c21 = madd(c21, a, v1);
        a = v128.load(a3 + k);
        c30 = madd(c30, a, v0);
        c31 = madd(c31, a, v1);
      }
      let r0 = pairSum(c00, c01);
      let r1 = pairSum(c10, c11);
      let r2 = pairSum(c20, c21);
      let r3 = pairSum(c30, c31);
      if (odd) {
        const wt = f64x2.replace_lane(f64x2.splat(load<f64>(w0 + kv)), 1, load<f64>(w1 + kv));
        r0 = madd(r0, v128.load64_splat(a0 + kv), wt);
        r1 = madd(r1, v128.load64_splat(a1 + kv), wt);
        r2 = madd(r2, v128.load64_splat(a2 + kv), wt);
        r3 = madd(r3, v128.load64_splat(a3 + kv), wt);
      }
      const bj = v128.load(b + (j << 3));
      v128.store(x0 + (j << 3), f64x2.add(bj, r0));
      v128.store(x1 + (j << 3), f64x2.add(bj, r1));
      v128.store(x2 + (j << 3), f64x2.add(bj, r2));
      v128.store(x3 + (j << 3), f64x2.add(bj, r3));
    }
    if (j < J) {
      // The odd unit out: 4 samples x 1 unit.
      const w0 = W + j * rowK;
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      for (let k: usize = 0; k < kv; k += 16) {
        const v0 = v128.load(w0 + k);
        c0 = madd(c0, v128.load(a0 + k), v0);
        c1 = madd(c1, v128.load(a1 + k), v0);
        c2 = madd(c2, v128.load(a2 + k), v0);
        c3 = madd(c3, v128.load(a3 + k), v0);
      }
      let s0 = hsum(c0), s1 = hsum(c1), s2 = hsum(c2), s3 = hsum(c3);
      if (odd) {
        const wt = load<f64>(w0 + kv);
        s0 += load<f64>(a0 + kv) * wt;
        s1 += load<f64>(a1 + kv) * wt;
        s2 += load<f64>(a2 + kv) * wt;
        s3 += load<f64>(a3 + kv) * wt;
      }
      const bj = load<f64>(b + (j << 3));
      store<f64>(x0 + (j << 3), bj + s0);
      store<f64>(x1 + (j << 3), bj + s1);
      store<f64>(x2 + (j << 3), bj + s2);
      store<f64>(x3 + (j << 3), bj + s3);
    }
  }
  for (; n < S; n++) {
    // The last samples, one at a time: 1 sample x 2 units, then the odd unit.
    const a0 = A + n * rowK;
    const x0 = X + n * rowJ;
    let j: usize = 0;
    for (; j + 2 <= J; j += 2) {
      const w0 = W + j * rowK;
      const w1 = w0 + rowK;
      let c0 = zero, c1 = zero;
      for (let k: usize = 0; k < kv; k += 16) {
        const a = v128.load(a0 + k);
        c0 = madd(c0, a, v128.load(w0 + k));
        c1 = madd(c1, a, v128.load(w1 + k));
      }
      let r = pairSum(c0, c1);
      if (odd) {
        const wt = f64x2.replace_lane(f64x2.splat(load<f64>(w0 + kv)), 1, load<f64>(w1 + kv));
        r = madd(r, v128.load64_splat(a0 + kv), wt);
      }
      v128.store(x0 + (j << 3), f64x2.add(v128.load(b + (j << 3)), r));
    }
    if (j < J) {
      const w0 = W + j * rowK;
      let c0 = zero;
      for (let k: usize = 0; k < kv; k += 16) c0 = madd(c0, v128.load(a0 + k), v128.load(w0 + k));
      let s = hsum(c0);
      if (odd) s += load<f64>(a0 + kv) * load<f64>(w0 + kv);
      store<f64>(x0 + (j << 3), load<f64>(b + (j << 3)) + s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// exp and tanh two lanes at a time (Cephes' rational approximations, ~1e-16 relative), because
// libm's scalar tanh and exp dominated whole steps of small hidden layers.

const LOG2E = 1.4426950408889634;
const LN2_HI = 6.93145751953125e-1; // few bits, so n * LN2_HI is exact for every n used here
const LN2_LO = 1.42860682030941723212e-6;
const SHIFTER = 6755399441055744.0; // 1.5 * 2^52: adding it leaves an integer in the low mantissa bits
const EXPONENT_ONE = 4607182418800017408.0; // 1023 << 52 (the bits of 1.0), as an f64 for the table

/**
 * The constants of the vector functions, each in both lanes. Loaded from memory, because V8
 * rebuilds a v128.const from immediates at every use, inside the loop (three instructions each).
 */
const C: usize = memory.data<f64>([
  LOG2E, LOG2E, // 0
  LN2_HI, LN2_HI, // 1
  LN2_LO, LN2_LO, // 2
  1.26177193074810590878e-4, 1.26177193074810590878e-4, // 3: exp P0
  3.02994407707441961300e-2, 3.02994407707441961300e-2, // 4: exp P1
  9.99999999999999999910e-1, 9.99999999999999999910e-1, // 5: exp P2
  3.00198505138664455042e-6, 3.00198505138664455042e-6, // 6: exp Q0
  2.52448340349684104192e-3, 2.52448340349684104192e-3, // 7: exp Q1
  2.27265548208155028766e-1, 2.27265548208155028766e-1, // 8: exp Q2
  2.00000000000000000009e0, 2.00000000000000000009e0, // 9: exp Q3
  SHIFTER, SHIFTER, // 10
  1, 1, // 11
  0.5, 0.5, // 12
  -746, -746, // 13
  -9.64399179425052238628e-1, -9.64399179425052238628e-1, // 14: tanh P0
  -9.92877231001918586564e1, -9.92877231001918586564e1, // 15: tanh P1
  -1.61468768441708447952e3, -1.61468768441708447952e3, // 16: tanh P2
  1.12811678491632931402e2, 1.12811678491632931402e2, // 17: tanh Q0
  2.23548839060100448583e3, 2.23548839060100448583e3, // 18: tanh Q1
  4.84406305325125486048e3, 4.84406305325125486048e3, // 19: tanh Q2
  -2, -2, // 20
  0.625, 0.625, // 21
  -0.0, -0.0, // 22
  0, 0, // 23
  6.666666666666735130e-01, 6.666666666666735130e-01, // 24: log1p Lp1
  3.999999999940941908e-01, 3.999999999940941908e-01, // 25
  2.857142874366239149e-01, 2.857142874366239149e-01, // 26
  2.222219843214978396e-01, 2.222219843214978396e-01, // 27
  1.818357216161805012e-01, 1.818357216161805012e-01, // 28
  1.531383769920937332e-01, 1.531383769920937332e-01, // 29
  1.479819860511658591e-01, 1.479819860511658591e-01, // 30: Lp7
  6.93147180369123816490e-01, 6.93147180369123816490e-01, // 31: ln 2, high part
  1.90821492927058770002e-10, 1.90821492927058770002e-10, // 32: ln 2, low part
  1.4142135623730951, 1.4142135623730951, // 33: sqrt 2
  2, 2, // 34
  -40, -40, // 35: e^-40 is below half an ulp of 1
], 16);
const K_LOG2E: usize = 0;
const K_LN2_HI: usize = 1;
const K_LN2_LO: usize = 2;
const K_EXP_P: usize = 3;
const K_EXP_Q: usize = 6;
const K_SHIFTER: usize = 10;
const K_ONE: usize = 11; // also 1023 << 52, the exponent bias in place
const K_HALF: usize = 12;
const K_EXP_MIN: usize = 13;
const K_TANH_P: usize = 14;
const K_TANH_Q: usize = 17;
const K_MINUS_TWO: usize = 20;
const K_TANH_SMALL: usize = 21;
const K_SIGN: usize = 22;
const K_ZERO: usize = 23;
const K_LOG1P_LP: usize = 24;
const K_LN2_HI_LOG: usize = 31;
const K_LN2_LO_LOG: usize = 32;
const K_SQRT2: usize = 33;
const K_TWO: usize = 34;
const K_TANH_EXP_MIN: usize = 35;

// @ts-ignore: decorator
@inline function k(i: usize): v128 {
  return v128.load(C + (i << 4));
}

/** 2^n for integral n in [-1022, 0] held in f64 lanes, built in the exponent bits. */
// @ts-ignore: decorator
@inline function pow2(n: v128): v128 {
  return i64x2.add(i64x2.shl(f64x2.add(n, k(K_SHIFTER)), 52), k(K_ONE));
}

/** e^x for x <= 0 (or NaN) in each lane, down to the subnormals and 0 like libm's. */
// @ts-ignore: decorator
@inline function expNonPositive(x: v128): v128 {
  x = f64x2.pmax(x, k(K_EXP_MIN)); // e^-746 already rounds to 0; a NaN stays NaN (pmax keeps x)
  const n = f64x2.nearest(f64x2.mul(x, k(K_LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(n, k(K_LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, k(K_LN2_LO)));
  const rr = f64x2.mul(r, r);
  const p = f64x2.mul(r, f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(rr, k(K_EXP_P)), k(K_EXP_P + 1)), rr), k(K_EXP_P + 2)));
  const q = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(rr, k(K_EXP_Q)), k(K_EXP_Q + 1)), rr), k(K_EXP_Q + 2)), rr), k(K_EXP_Q + 3));
  // e^r = 1 + 2p / (q - p); then times 2^n in two halves, so n below -1022 still scales right.
  const er = f64x2.add(k(K_ONE), f64x2.div(f64x2.add(p, p), f64x2.sub(q, p)));
  const n1 = f64x2.floor(f64x2.mul(n, k(K_HALF)));
  return f64x2.mul(f64x2.mul(er, pow2(n1)), pow2(f64x2.sub(n, n1)));
}

/**
 * tanh in each lane: a rational function below 0.625, 1 - 2e/(1 + e) with e = e^-2|x| above.
 * There e is expNonPositive's num/den, left undivided so that one division does for both: the
 * longest dependency chain here is what limits the loop, not the number of instructions.
 */
// @ts-ignore: decorator
@inline function tanh2(v: v128): v128 {
  const a = f64x2.abs(v);
  const z = f64x2.mul(v, v);
  const sp = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(z, k(K_TANH_P)), k(K_TANH_P + 1)), z), k(K_TANH_P + 2));
  const sq = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(z, k(K_TANH_Q)), z), k(K_TANH_Q + 1)), z), k(K_TANH_Q + 2));
  const small = f64x2.add(v, f64x2.mul(f64x2.mul(v, z), f64x2.div(sp, sq)));
  // e^-2a for a below 20; past that 1 - 2e/(1 + e) rounds to 1 anyway (a NaN stays NaN).
  const x = f64x2.pmax(f64x2.mul(a, k(K_MINUS_TWO)), k(K_TANH_EXP_MIN));
  const n = f64x2.nearest(f64x2.mul(x, k(K_LOG2E)));
  let r = f64x2.sub(x, f64x2.mul(n, k(K_LN2_HI)));
  r = f64x2.sub(r, f64x2.mul(n, k(K_LN2_LO)));
  const rr = f64x2.mul(r, r);
  const p = f64x2.mul(r, f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(rr, k(K_EXP_P)), k(K_EXP_P + 1)), rr), k(K_EXP_P + 2)));
  const q = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(rr, k(K_EXP_Q)), k(K_EXP_Q + 1)), rr), k(K_EXP_Q + 2)), rr), k(K_EXP_Q + 3));
  const num = f64x2.mul(f64x2.add(q, p), pow2(n)); // e = num / (q - p), so 2e/(1 + e) = 2 num/(q - p + num)
  const large = f64x2.sub(k(K_ONE), f64x2.div(f64x2.add(num, num), f64x2.add(f64x2.sub(q, p), num)));
  return v128.bitselect(small, v128.or(large, v128.and(v, k(K_SIGN))), f64x2.lt(a, k(K_TANH_SMALL)));
}

/**
 * log1p(x) for x in [0, 1] in each lane (fdlibm's log1p: 1 + x = 2^k (1 + f), k 0 or 1, with the
 * rounding error of 1 + x carried as c), as softplus needs it: log1p(e^-|v|).
 */
// @ts-ignore: decorator
@inline function log1pUnit(x: v128): v128 {
  const one = k(K_ONE);
  const u = f64x2.add(one, x);
  const big = f64x2.gt(u, k(K_SQRT2));
  const f = v128.bitselect(f64x2.sub(f64x2.mul(u, k(K_HALF)), one), f64x2.sub(u, one), big);
  const c = f64x2.div(v128.bitselect(f64x2.sub(one, f64x2.sub(u, x)), f64x2.sub(x, f64x2.sub(u, one)), big), u);
  const kf = v128.and(big, one);
  const hfsq = f64x2.mul(f64x2.mul(f, f), k(K_HALF));
  const s = f64x2.div(f, f64x2.add(k(K_TWO), f));
  const z = f64x2.mul(s, s);
  let r = f64x2.mul(z, k(K_LOG1P_LP + 6));
  r = f64x2.mul(z, f64x2.add(r, k(K_LOG1P_LP + 5)));
  r = f64x2.mul(z, f64x2.add(r, k(K_LOG1P_LP + 4)));
  r = f64x2.mul(z, f64x2.add(r, k(K_LOG1P_LP + 3)));
  r = f64x2.mul(z, f64x2.add(r, k(K_LOG1P_LP + 2)));
  r = f64x2.mul(z, f64x2.add(r, k(K_LOG1P_LP + 1)));
  r = f64x2.mul(z, f64x2.add(r, k(K_LOG1P_LP)));
  // k ln2_hi - ((hfsq - (s (hfsq + R) + (k ln2_lo + c))) - f)
  const tail = f64x2.add(f64x2.mul(s, f64x2.add(hfsq, r)), f64x2.add(f64x2.mul(kf, k(K_LN2_LO_LOG)), c));
  return f64x2.sub(f64x2.mul(kf, k(K_LN2_HI_LOG)), f64x2.sub(f64x2.sub(hfsq, tail), f));
}

/** sigmoid in each lane, as math.ts computes it: 1/(1 + e^-x) for x >= 0, e^x/(1 + e^x) below. */
// @ts-ignore: decorator
@inline function sigmoid2(v: v128): v128 {
  const e = expNonPositive(v128.or(v, k(K_SIGN))); // -|v|
  const one = k(K_ONE);
  return f64x2.div(v128.bitselect(one, e, f64x2.ge(v, k(K_ZERO))), f64x2.add(one, e));
}

// ---------------------------------------------------------------------------------------------
// Activations, one loop per kind. With `slope` set, softplus also leaves f'(x) there (the dx
// buffer), from the same exp the forward pass needs: sigmoid(x) = 1/(1 + e^-x) = e^x/(1 + e^x).

function activate(kind: i32, x: usize, y: usize, count: usize, slope: usize, param: f64): void {
  const end = count << 3;
  const vend = end & ~15;
  const zero = f64x2.splat(0);
  switch (kind) {
    case IDENTITY:
      copy(y, x, end);
      return;
    case SOFTPLUS: {
      // softplus(v) = max(v, 0) + log1p(e^-|v|), and its slope sigmoid(v) from the same e.
      for (let i: usize = 0; i < end; i += 16) {
        const odd = i + 8 == end; // the last value of an odd count, alone in lane 0
        const v = odd ? v128.load64_splat(x + i) : v128.load(x + i);
        const e = expNonPositive(v128.or(v, k(K_SIGN)));
        const positive = f64x2.gt(v, k(K_ZERO));
        const l = log1pUnit(e);
        const out = v128.bitselect(f64x2.add(v, l), l, positive);
        if (odd) store<f64>(y + i, f64x2.extract_lane(out, 0));
        else v128.store(y + i, out);
        if (slope != 0) {
          const one = k(K_ONE);
          const s = f64x2.div(v128.bitselect(one, e, positive), f64x2.add(one, e));
          if (odd) store<f64>(slope + i, f64x2.extract_lane(s, 0));
          else v128.store(slope + i, s);
        }
      }
      return;
    }
    case RELU: {
      let i: usize = 0;
      // x > 0 ? x : 0, a NaN giving 0 as in TypeScript.
      for (; i < vend; i += 16) {
        const v = v128.load(x + i);
        v128.store(y + i, v128.and(v, f64x2.gt(v, zero)));
      }
      for (; i < end; i += 8) {
        const v = load<f64>(x + i);
        store<f64>(y + i, v > 0 ? v : 0);
      }
      return;
    }
    case SIGMOID: {
      let i: usize = 0;
      for (; i < vend; i += 16) v128.store(y + i, sigmoid2(v128.load(x + i)));
      if (i < end) store<f64>(y + i, f64x2.extract_lane(sigmoid2(v128.load64_splat(x + i)), 0));
      return;
    }
    case TANH: {
      let i: usize = 0;
      for (; i < vend; i += 16) v128.store(y + i, tanh2(v128.load(x + i)));
      if (i < end) store<f64>(y + i, f64x2.extract_lane(tanh2(v128.load64_splat(x + i)), 0));
      return;
    }
    default:
      for (let i: usize = 0; i < end; i += 8) store<f64>(y + i, activateOne(kind, load<f64>(x + i), param));
  }
}

function sigmoidOne(v: f64): f64 {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

function activateOne(kind: i32, v: f64, param: f64): f64 {
  switch (kind) {
    case LEAKY_RELU: return v > 0 ? v : param * v;
    case ELU: return v > 0 ? v : param * Math.expm1(v);
    case GELU: return 0.5 * v * (1 + Math.tanh(GELU_C * (v + GELU_K * v * v * v)));
    case SILU: return v * sigmoidOne(v);
  }
  return v;
}

function slopeOne(kind: i32, v: f64, out: f64, param: f64): f64 {
  switch (kind) {
    case LEAKY_RELU: return v > 0 ? 1 : param;
    case ELU: return v > 0 ? 1 : out + param;
    case GELU: {
      const t = Math.tanh(GELU_C * (v + GELU_K * v * v * v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * GELU_K * v * v);
    }
    case SILU: {
      const s = sigmoidOne(v);
      return s * (1 + v * (1 - s));
    }
  }
  return 1;
}

/** A plain loop: V8's memory.copy calls out of the module, which costs more than the few values of a small layer. */
function copy(to: usize, from: usize, bytes: usize): void {
  const vend = bytes & ~15;
  let i: usize = 0;
  for (; i < vend; i += 16) v128.store(to + i, v128.load(from + i));
  if (i < bytes) store<f64>(to + i, load<f64>(from + i));
}

/** dx = dy * f'(x); for softplus dx already holds f'(x) from the forward pass. */
function backpropActivation(kind: i32, x: usize, y: usize, dy: usize, dx: usize, count: usize, param: f64): void {
  const end = count << 3;
  const vend = end & ~15;
  const zero = f64x2.splat(0);
  const one = f64x2.splat(1);
  let i: usize = 0;
  switch (kind) {
    case IDENTITY:
      copy(dx, dy, end);
      return;
    case SOFTPLUS:
      for (; i < vend; i += 16) v128.store(dx + i, f64x2.mul(v128.load(dy + i), v128.load(dx + i)));
      for (; i < end; i += 8) store<f64>(dx + i, load<f64>(dy + i) * load<f64>(dx + i));
      return;
    case RELU:
      for (; i < vend; i += 16) v128.store(dx + i, v128.and(v128.load(dy + i), f64x2.gt(v128.load(x + i), zero)));
      for (; i < end; i += 8) store<f64>(dx + i, load<f64>(x + i) > 0 ? load<f64>(dy + i) : 0);
      return;
    case SIGMOID:
      // dy * y * (1 - y), multiplied in the TypeScript order
      for (; i < vend; i += 16) {
        const v = v128.load(y + i);
        v128.store(dx + i, f64x2.mul(f64x2.mul(v128.load(dy + i), v), f64x2.sub(one, v)));
      }
      for (; i < end; i += 8) {
        const v = load<f64>(y + i);
        store<f64>(dx + i, load<f64>(dy + i) * v * (1 - v));
      }
      return;
    case TANH:
      for (; i < vend; i += 16) {
        const v = v128.load(y + i);
        v128.store(dx + i, f64x2.mul(v128.load(dy + i), f64x2.sub(one, f64x2.mul(v, v))));
      }
      for (; i < end; i += 8) {
        const v = load<f64>(y + i);
        store<f64>(dx + i, load<f64>(dy + i) * (1 - v * v));
      }
      return;
    default:
      for (; i < end; i += 8) store<f64>(dx + i, load<f64>(dy + i) * slopeOne(kind, load<f64>(x + i), load<f64>(y + i), param));
  }
}

// ---------------------------------------------------------------------------------------------
// Loss and dLoss/dPredicted, as lossAndGradient in src/core/math.ts.

function lossAndGradient(kind: i32, predicted: usize, targets: usize, dPredicted: usize, samples: usize, outputs: usize): f64 {
  const end = (samples * outputs) << 3;
  if (kind != 2) {
    const scale = kind == 1 ? 1 / <f64>samples : 1;
    let total: f64 = 0;
    for (let i: usize = 0; i < end; i += 8) {
      const r = load<f64>(targets + i) - load<f64>(predicted + i);
      total += r * r;
      store<f64>(dPredicted + i, -2 * r * scale);
    }
    return total * scale;
  }
  let total: f64 = 0;
  const rowBytes = outputs << 3;
  for (let row: usize = 0; row < end; row += rowBytes) {
    const p = predicted + row;
    const t = targets + row;
    const d = dPredicted + row;
    let max = -Infinity;
    for (let k: usize = 0; k < rowBytes; k += 8) {
      const v = load<f64>(p + k);
      if (v > max) max = v;
    }
    let sumExp: f64 = 0;
    let sumTargets: f64 = 0;
    for (let k: usize = 0; k < rowBytes; k += 8) {
      sumExp += Math.exp(load<f64>(p + k) - max);
      sumTargets += load<f64>(t + k);
    }
    const logSumExp = max + Math.log(sumExp);
    for (let k: usize = 0; k < rowBytes; k += 8) {
      const logSoftmax = load<f64>(p + k) - logSumExp;
      const tk = load<f64>(t + k);
      if (tk != 0) total -= tk * logSoftmax;
      store<f64>(d + k, Math.exp(logSoftmax) * sumTargets - tk);
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Backward kernels.

/**
 * Samples per pass of the dW kernels. One pass walks a column strip of dX and of A, a row stride
 * apart: at strides of a power of two those rows share a few cache sets, and a whole batch of
 * them no longer stays in L1 from one block to the next. Passes continue the sums they stored,
 * so every sum still runs over n in order from 0.
 */
const CHUNK: usize = 16;

/** dW[.][k] for one input k: vectors along j (2 units at a time), for tiny or odd fan-ins. */
function gradWColumn(dX: usize, A: usize, gW: usize, S: usize, K: usize, J: usize, k: usize, more: bool): void {
  const rowK = K << 3;
  const rowJ = J << 3;
  const zero = f64x2.splat(0);
  const ak = A + (k << 3);
  let j: usize = 0;
  for (; j + 2 <= J; j += 2) {
    const g = gW + j * rowK + (k << 3);
    let c = more ? f64x2.replace_lane(v128.load64_splat(g), 1, load<f64>(g + rowK)) : zero;
    let a = ak;
    let d = dX + (j << 3);
    for (let n: usize = 0; n < S; n++, a += rowK, d += rowJ) c = madd(c, v128.load(d), v128.load64_splat(a));
    store<f64>(g, f64x2.extract_lane(c, 0));
    store<f64>(g + rowK, f64x2.extract_lane(c, 1));
  }
  if (j < J) {
    const g = gW + j * rowK + (k << 3);
    let s: f64 = more ? load<f64>(g) : 0;
    let a = ak;
    let d = dX + (j << 3);
    for (let n: usize = 0; n < S; n++, a += rowK, d += rowJ) s += load<f64>(d) * load<f64>(a);
    store<f64>(g, s);
  }
}

/**
 * dW[j][k] = sum_n dX[n][j] A[n][k]: vectors along k, dX[n][j..j+3] splatted, 4 units x 4 inputs
 * per block. Each sum runs over n in order from 0, as the TypeScript loop does.
 */
function denseGradW(dX: usize, A: usize, gW: usize, S: usize, K: usize, J: usize): void {
  const rowK = K << 3;
  const rowJ = J << 3;
  let n: usize = 0;
  do {
    const count = S - n < CHUNK ? S - n : CHUNK;
    gradWPass(dX + n * rowJ, A + n * rowK, gW, count, K, J, n != 0);
    n += count;
  } while (n < S);
}

/** One pass of denseGradW over S samples; `more` continues the sums already in gW. */
function gradWPass(dX: usize, A: usize, gW: usize, S: usize, K: usize, J: usize, more: bool): void {
  const rowK = K << 3;
  const rowJ = J << 3;
  const zero = f64x2.splat(0);
  if (K < 4) {
    // Tiny fan-in: vectors along j instead (2 units at a time), one input at a time.
    for (let k: usize = 0; k < K; k++) gradWColumn(dX, A, gW, S, K, J, k, more);
    return;
  }
  let k: usize = 0;
  for (; k + 4 <= K; k += 4) {
    const ak = A + (k << 3);
    let j: usize = 0;
    for (; j + 4 <= J; j += 4) {
      const g = gW + j * rowK + (k << 3);
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      if (more) {
        c00 = v128.load(g);
        c01 = v128.load(g, 16);
        c10 = v128.load(g + rowK);
        c11 = v128.load(g + rowK, 16);
        c20 = v128.load(g + 2 * rowK);
        c21 = v128.load(g + 2 * rowK, 16);
        c30 = v128.load(g + 3 * rowK);
        c31 = v128.load(g + 3 * rowK, 16);
      }
      let a = ak;
      let d = dX + (j << 3);
      for (let n: usize = 0; n < S; n++, a += rowK, d += rowJ) {
        const v0 = v128.load(a);
        const v1 = v128.load(a, 16);
        let s = v128.load64_splat(d);
        c00 = madd(c00, s, v0);
        c01 = madd(c01, s, v1);
        s = v128.load64_splat(d, 8);
        c10 = madd(c10, s, v0);
        c11 = madd(c11, s, v1);
        s = v128.load64_splat(d, 16);
        c20 = madd(c20, s, v0);
        c21 = madd(c21, s, v1);
        s = v128.load64_splat(d, 24);
        c30 = madd(c30, s, v0);
        c31 = madd(c31, s, v1);
      }
      v128.store(g, c00);
      v128.store(g, c01, 16);
      v128.store(g + rowK, c10);
      v128.store(g + rowK, c11, 16);
      v128.store(g + 2 * rowK, c20);
      v128.store(g + 2 * rowK, c21, 16);
      v128.store(g + 3 * rowK, c30);
      v128.store(g + 3 * rowK, c31, 16);
    }
    for (; j < J; j++) {
      const g = gW + j * rowK + (k << 3);
      let c0 = more ? v128.load(g) : zero;
      let c1 = more ? v128.load(g, 16) : zero;
      let a = ak;
      let d = dX + (j << 3);
      for (let n: usize = 0; n < S; n++, a += rowK, d += rowJ) {
        const s = v128.load64_splat(d);
        c0 = madd(c0, s, v128.load(a));
        c1 = madd(c1, s, v128.load(a, 16));
      }
      v128.store(g, c0);
      v128.store(g, c1, 16);
    }
  }
  if (k + 2 <= K) {
    const ak = A + (k << 3);
    let j: usize = 0;
    for (; j + 4 <= J; j += 4) {
      const g = gW + j * rowK + (k << 3);
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      if (more) {
        c0 = v128.load(g);
        c1 = v128.load(g + rowK);
        c2 = v128.load(g + 2 * rowK);
        c3 = v128.load(g + 3 * rowK);
      }
      let a = ak;
      let d = dX + (j << 3);
      for (let n: usize = 0; n < S; n++, a += rowK, d += rowJ) {
        const v = v128.load(a);
        c0 = madd(c0, v128.load64_splat(d), v);
        c1 = madd(c1, v128.load64_splat(d, 8), v);
        c2 = madd(c2, v128.load64_splat(d, 16), v);
        c3 = madd(c3, v128.load64_splat(d, 24), v);
      }
      v128.store(g, c0);
      v128.store(g + rowK, c1);
      v128.store(g + 2 * rowK, c2);
      v128.store(g + 3 * rowK, c3);
    }
    for (; j < J; j++) {
      const g = gW + j * rowK + (k << 3);
      let c = more ? v128.load(g) : zero;
      let a = ak;
      let d = dX + (j << 3);
      for (let n: usize = 0; n < S; n++, a += rowK, d += rowJ) c = madd(c, v128.load64_splat(d), v128.load(a));
      v128.store(g, c);
    }
    k += 2;
  }
  // The last input of an odd fan-in: vectors along j.
  if (k < K) gradWColumn(dX, A, gW, S, K, J, k, more);
}

/** db[j] = sum_n dX[n][j], vectors along j, 8 units per block for independent add chains. */
function denseGradB(dX: usize, gb: usize, S: usize, J: usize): void {
  const rowJ = J << 3;
  const zero = f64x2.splat(0);
  let j: usize = 0;
  for (; j + 8 <= J; j += 8) {
    let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    let d = dX + (j << 3);
    for (let n: usize = 0; n < S; n++, d += rowJ) {
      c0 = f64x2.add(c0, v128.load(d));
      c1 = f64x2.add(c1, v128.load(d, 16));
      c2 = f64x2.add(c2, v128.load(d, 32));
      c3 = f64x2.add(c3, v128.load(d, 48));
    }
    const g = gb + (j << 3);
    v128.store(g, c0);
    v128.store(g, c1, 16);
    v128.store(g, c2, 32);
    v128.store(g, c3, 48);
  }
  for (; j + 2 <= J; j += 2) {
    let c = zero;
    let d = dX + (j << 3);
    for (let n: usize = 0; n < S; n++, d += rowJ) c = f64x2.add(c, v128.load(d));
    v128.store(gb + (j << 3), c);
  }
  if (j < J) {
    let s: f64 = 0;
    let d = dX + (j << 3);
    for (let n: usize = 0; n < S; n++, d += rowJ) s += load<f64>(d);
    store<f64>(gb + (j << 3), s);
  }
}

/**
 * dA[n][k] = sum_j dX[n][j] W[j][k]: vectors along k reading W in place, dX[n][j] splatted,
 * 4 samples x 4 inputs per block. Each sum runs over j in order from 0, as in TypeScript.
 */
function denseGradA(dX: usize, W: usize, dA: usize, S: usize, K: usize, J: usize): void {
  const rowK = K << 3;
  const rowJ = J << 3;
  const zero = f64x2.splat(0);
  let n: usize = 0;
  for (; n + 4 <= S; n += 4) {
    const d0 = dX + n * rowJ;
    const d1 = d0 + rowJ;
    const d2 = d1 + rowJ;
    const d3 = d2 + rowJ;
    const o0 = dA + n * rowK;
    const o1 = o0 + rowK;
    const o2 = o1 + rowK;
    const o3 = o2 + rowK;
    let k: usize = 0;
    for (; k + 4 <= K; k += 4) {
      let c00 = zero, c01 = zero, c10 = zero, c11 = zero, c20 = zero, c21 = zero, c30 = zero, c31 = zero;
      let w = W + (k << 3);
      for (let jb: usize = 0; jb < rowJ; jb += 8, w += rowK) {
        const v0 = v128.load(w);
        const v1 = v128.load(w, 16);
        let s = v128.load64_splat(d0 + jb);
        c00 = madd(c00, s, v0);
        c01 = madd(c01, s, v1);
        s = v128.load64_splat(d1 + jb);
        c10 = madd(c10, s, v0);
        c11 = madd(c11, s, v1);
        s = v128.load64_splat(d2 + jb);
        c20 = madd(c20, s, v0);
        c21 = madd(c21, s, v1);
        s = v128.load64_splat(d3 + jb);
        c30 = madd(c30, s, v0);
        c31 = madd(c31, s, v1);
      }
      const kb = k << 3;
      v128.store(o0 + kb, c00);
      v128.store(o0 + kb, c01, 16);
      v128.store(o1 + kb, c10);
      v128.store(o1 + kb, c11, 16);
      v128.store(o2 + kb, c20);
      v128.store(o2 + kb, c21, 16);
      v128.store(o3 + kb, c30);
      v128.store(o3 + kb, c31, 16);
    }
    if (k + 2 <= K) {
      let c0 = zero, c1 = zero, c2 = zero, c3 = zero;
      let w = W + (k << 3);
      for (let jb: usize = 0; jb < rowJ; jb += 8, w += rowK) {
        const v = v128.load(w);
        c0 = madd(c0, v128.load64_splat(d0 + jb), v);
        c1 = madd(c1, v128.load64_splat(d1 + jb), v);
        c2 = madd(c2, v128.load64_splat(d2 + jb), v);
        c3 = madd(c3, v128.load64_splat(d3 + jb), v);
      }
      const kb = k << 3;
      v128.store(o0 + kb, c0);
      v128.store(o1 + kb, c1);
      v128.store(o2 + kb, c2);
      v128.store(o3 + kb, c3);
      k += 2;
    }
    if (k < K) {
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      let w = W + (k << 3);
      for (let jb: usize = 0; jb < rowJ; jb += 8, w += rowK) {
        const v = load<f64>(w);
        s0 += v * load<f64>(d0 + jb);
        s1 += v * load<f64>(d1 + jb);
        s2 += v * load<f64>(d2 + jb);
        s3 += v * load<f64>(d3 + jb);
      }
      const kb = k << 3;
      store<f64>(o0 + kb, s0);
      store<f64>(o1 + kb, s1);
      store<f64>(o2 + kb, s2);
      store<f64>(o3 + kb, s3);
    }
  }
  for (; n < S; n++) {
    const d0 = dX + n * rowJ;
    const o0 = dA + n * rowK;
    let k: usize = 0;
    for (; k + 4 <= K; k += 4) {
      let c0 = zero, c1 = zero;
      let w = W + (k << 3);
      for (let jb: usize = 0; jb < rowJ; jb += 8, w += rowK) {
        const s = v128.load64_splat(d0 + jb);
        c0 = madd(c0, s, v128.load(w));
        c1 = madd(c1, s, v128.load(w, 16));
      }
      v128.store(o0 + (k << 3), c0);
      v128.store(o0 + (k << 3), c1, 16);
    }
    if (k + 2 <= K) {
      let c = zero;
      let w = W + (k << 3);
      for (let jb: usize = 0; jb < rowJ; jb += 8, w += rowK) c = madd(c, v128.load64_splat(d0 + jb), v128.load(w));
      v128.store(o0 + (k << 3), c);
      k += 2;
    }
    if (k < K) {
      let s: f64 = 0;
      let w = W + (k << 3);
      for (let jb: usize = 0; jb < rowJ; jb += 8, w += rowK) s += load<f64>(w) * load<f64>(d0 + jb);
      store<f64>(o0 + (k << 3), s);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The passes.

function forwardPass(cfg: usize, slopes: bool): f64 {
  const layers = <usize>load<u32>(cfg, H_LAYERS);
  const S = <usize>load<u32>(cfg, H_SAMPLES);
  let rec = cfg + HEADER;
  for (let l: usize = 0; l < layers; l++, rec += LAYER) {
    const J = <usize>load<u32>(rec, L_UNITS);
    const X = <usize>load<u32>(rec, L_X);
    denseForward(<usize>load<u32>(rec, L_A), <usize>load<u32>(rec, L_W), <usize>load<u32>(rec, L_B), X, S, <usize>load<u32>(rec, L_INPUTS), J);
    activate(load<i32>(rec, L_ACT), X, <usize>load<u32>(rec, L_Y), S * J, slopes ? <usize>load<u32>(rec, L_DX) : 0, load<f64>(rec, L_PARAM));
  }
  rec -= LAYER;
  return lossAndGradient(
    load<i32>(cfg, H_LOSS_KIND), <usize>load<u32>(rec, L_Y), <usize>load<u32>(cfg, H_TARGETS), <usize>load<u32>(rec, L_DY),
    S, <usize>load<u32>(cfg, H_OUTPUTS),
  );
}

function backwardPass(cfg: usize): void {
  const layers = <usize>load<u32>(cfg, H_LAYERS);
  const S = <usize>load<u32>(cfg, H_SAMPLES);
  for (let l = layers; l-- > 0;) {
    const rec = cfg + HEADER + l * LAYER;
    const J = <usize>load<u32>(rec, L_UNITS);
    const K = <usize>load<u32>(rec, L_INPUTS);
    const dX = <usize>load<u32>(rec, L_DX);
    backpropActivation(load<i32>(rec, L_ACT), <usize>load<u32>(rec, L_X), <usize>load<u32>(rec, L_Y), <usize>load<u32>(rec, L_DY), dX, S * J, load<f64>(rec, L_PARAM));
    denseGradW(dX, <usize>load<u32>(rec, L_A), <usize>load<u32>(rec, L_GW), S, K, J);
    denseGradB(dX, <usize>load<u32>(rec, L_GB), S, J);
    if (l > 0) denseGradA(dX, <usize>load<u32>(rec, L_W), <usize>load<u32>(rec, L_DA), S, K, J);
  }
}

/** The forward pass only; returns the loss (and leaves dLoss/dPredicted, as TypeScript does). */
export function forward(cfg: usize): f64 {
  return forwardPass(cfg, false);
}

/** Forward and backward passes; returns the loss. */
export function evaluate(cfg: usize): f64 {
  const loss = forwardPass(cfg, true);
  backwardPass(cfg);
  return loss;
}

/** p -= lr * g where trainable; returns the largest |lr * g|, a NaN winning as in TypeScript. */
export function update(cfg: usize): f64 {
  const lr = load<f64>(cfg, H_LR);
  const count = <usize>load<u32>(cfg, H_PARAMS);
  const p = <usize>load<u32>(cfg, H_P);
  const g = <usize>load<u32>(cfg, H_G);
  const trainable = <usize>load<u32>(cfg, H_TRAINABLE);
  let largest: f64 = 0;
  for (let i: usize = 0; i < count; i++) {
    if (load<u8>(trainable + i) == 0) continue;
    const stepSize = lr * load<f64>(g + (i << 3));
    store<f64>(p + (i << 3), load<f64>(p + (i << 3)) - stepSize);
    const size = stepSize < 0 ? -stepSize : stepSize;
    if (size > largest || size != size) largest = size;
  }
  return largest;
}

/** One gradient-descent step: evaluate, keep the loss at H_LOSS, update; returns the largest step. */
export function step(cfg: usize): f64 {
  store<f64>(cfg, evaluate(cfg), H_LOSS);
  return update(cfg);
}

/**
 * Adam's (and AdamW's) update over the state vector, as src/core/optimizers.ts adamUpdate writes
 * it (and PyTorch computes it): the same operations in the same order, so the two agree bit for bit.
 * `m`, `v` and `vmax` point at the optimizer's slots (vmax 0 without AMSGrad); the step's scalars
 * (lr / (1 - beta1^t), sqrt(1 - beta2^t), AdamW's 1 - lr x decay) come from the caller. Returns
 * the largest |change| of a parameter, a NaN winning.
 */
export function adam(p: usize, g: usize, m: usize, v: usize, vmax: usize, trainable: usize, count: u32,
  stepSize: f64, rootCorrection2: f64, keep: f64, w1: f64, beta2: f64, w2: f64, epsilon: f64): f64 {
  const fromStart = w1 < 0.5;
  const n = <usize>count;
  let largest: f64 = 0;
  let i: usize = 0;
  // Two parameters a lane pair where both train, with no max of v to keep (the common case): the
  // same operations lane by lane, so the numbers are the scalar loop's.
  if (vmax == 0 && keep == 1) {
    const vw1 = f64x2.splat(w1);
    const vOneMinusW1 = f64x2.splat(1 - w1);
    const vBeta2 = f64x2.splat(beta2);
    const vW2 = f64x2.splat(w2);
    const vStep = f64x2.splat(-stepSize);
    const vRoot = f64x2.splat(rootCorrection2);
    const vEps = f64x2.splat(epsilon);
    let vLargest = f64x2.splat(0);
    let nan = false;
    for (; i + 1 < n; i += 2) {
      if (load<u8>(trainable + i) == 0 || load<u8>(trainable + i + 1) == 0) break;
      const at = i << 3;
      const gi = v128.load(g + at);
      const before = v128.load(p + at);
      const m0 = v128.load(m + at);
      const mi = fromStart ? f64x2.add(m0, f64x2.mul(vw1, f64x2.sub(gi, m0))) : f64x2.sub(gi, f64x2.mul(f64x2.sub(gi, m0), vOneMinusW1));
      const vi = f64x2.add(f64x2.mul(v128.load(v + at), vBeta2), f64x2.mul(f64x2.mul(vW2, gi), gi));
      v128.store(m + at, mi);
      v128.store(v + at, vi);
      const after = f64x2.add(before, f64x2.div(f64x2.mul(vStep, mi), f64x2.add(f64x2.div(f64x2.sqrt(vi), vRoot), vEps)));
      v128.store(p + at, after);
      const size = f64x2.abs(f64x2.sub(after, before));
      // NaN never wins a max: it is noted apart, as the scalar loop lets it through.
      if (!i64x2.all_true(f64x2.eq(size, size))) nan = true;
      vLargest = f64x2.pmax(vLargest, size);
    }
    largest = Math.max(f64x2.extract_lane(vLargest, 0), f64x2.extract_lane(vLargest, 1));
    if (nan) largest = NaN;
  }
  for (; i < n; i++) {
    if (load<u8>(trainable + i) == 0) continue;
    const at = i << 3;
    const gi = load<f64>(g + at);
    const before = load<f64>(p + at);
    const m0 = load<f64>(m + at);
    const mi = fromStart ? m0 + w1 * (gi - m0) : gi - (gi - m0) * (1 - w1);
    const vi = load<f64>(v + at) * beta2 + w2 * gi * gi;
    store<f64>(m + at, mi);
    store<f64>(v + at, vi);
    let used = vi;
    if (vmax != 0) {
      const max = load<f64>(vmax + at);
      if (max > vi) used = max;
      store<f64>(vmax + at, used);
    }
    const after = (keep == 1 ? before : before * keep) + (-stepSize * mi) / (Math.sqrt(used) / rootCorrection2 + epsilon);
    store<f64>(p + at, after);
    const size = after > before ? after - before : before - after;
    if (size > largest || size != size) largest = size;
  }
  return largest;
}
