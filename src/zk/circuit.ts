import { createHash } from 'node:crypto';
import type { ModelFile } from '../models/index.js';
import { ORACLE_FEATURE_ANSWERS, ORACLE_FEATURE_NAMES, validateModelFile } from '../models/index.js';
import { COMMITMENT_CHUNK } from './commitment.js';
import { DEFAULT_VALUE_BITS, packPerElement } from './encoding.js';
import { ZkCircuitError } from './errors.js';

/**
 * Generates the circom source of the inference circuit from a model file whose inputs are the oracle
 * features (ORACLE_FEATURE_NAMES, src/models/forecast/oracleFeatures.ts).
 *
 * Private inputs: `accPrev` (the feed accumulator before the first answer), the 21 consecutive oracle
 * answers `answers[21]` (oldest first), and every weight and bias. Public signals (circuit outputs, in
 * this order):
 *   0. `commitment` — the Poseidon chain over the weights (see commitment.ts);
 *   1. `accLast`    — Poseidon2 chain of the answers from accPrev (see accumulator.ts): equal to the feed
 *                     accumulator's acc(lastRoundId) on-chain, it binds the answers to rounds
 *                     lastRoundId − 20..lastRoundId (accPrev is private, Poseidon second-preimage resistant);
 *   2… `packed[M]`  — the forecast outputs only, floor(253/valueBits) per element (see encoding.ts).
 * Everything is constrained: each answer 1 ≤ a ≤ 2^(n−1) (bits of a − 1); each return
 * r = floor((a[i] − a[i−1])·2^s / a[i−1]) by (a[i] − a[i−1])·2^s = r·a[i−1] + rem with 0 ≤ rem < a[i−1]
 * (bits of rem and of a[i−1] − 1 − rem) and r within n signed bits, whose constrained sign bit gives
 * |r| = r·(2·nonNeg − 1); the features [r20, r19, r18, Σr, Σ|r|] range-checked; then each dense layer
 * acc_i = Σ_j W_ij·x_j + b_i·2^s with y_i = floor(acc_i / 2^s) by acc_i = y_i·2^s + r_i, r_i in s bits,
 * y_i range-checked to `valueBits` signed bits; ReLU multiplies y_i by its sign bit. Every rule is an
 * R1CS constraint; there is no `assert`.
 */
export type CircuitOptions = {
  /** Signed bits of every range-checked value (see encoding.ts). Default 40. */
  valueBits?: number;
};

export type CircuitLayout = {
  scaleBits: number;
  valueBits: number;
  /** Values per packed public field element: floor(253 / valueBits). */
  perElement: number;
  /** Consecutive oracle answers the circuit derives the features from (ORACLE_FEATURE_ANSWERS = 21). */
  answers: number;
  /** Model inputs derived in-circuit (the 5 oracle features). */
  features: number;
  outputs: number;
  /** Per layer: inputs, outputs, activation. */
  layers: { inputs: number; outputs: number; activation: 'relu' | 'linear' }[];
  weightCount: number;
  /** Number of field elements after `commitment` and `accLast` in the public signals (the packed outputs). */
  packedElements: number;
  /** 2 + packedElements: [commitment, accLast, packed…]. */
  publicSignalCount: number;
  /** How the inputs are bound: the answers hash to the feed accumulator's value (`accLast`). */
  binding: 'feed-accumulator';
};

export type GeneratedCircuit = { source: string; layout: CircuitLayout; hash: string };

export function templatesSource(scaleBits: number): string {
  const shift = scaleBits === 0 ? 'NoShift(n)' : 'FloorShift(s, n)';
  return `// Signed range check: proves -2^(n-1) <= in < 2^(n-1) by decomposing enc = in + 2^(n-1) into n bits.
// nonNeg is bit n-1 of enc, i.e. 1 exactly when in >= 0 (a constrained bit, used by ReLU).
template SignedRange(n) {
    signal input in;
    signal output enc;
    signal output nonNeg;
    component bits = Num2Bits(n);
    bits.in <== in + (1 << (n - 1));
    enc <== in + (1 << (n - 1));
    nonNeg <== bits.out[n - 1];
}

// y = floor(acc / 2^s) for a signed acc: constrains acc = y * 2^s + r, 0 <= r < 2^s (Num2Bits(s)),
// and y within n signed bits (SignedRange(n)). The <-- lines only compute the hint.
template FloorShift(s, n) {
    signal input acc;
    signal output y;
    signal output enc;
    signal output nonNeg;
    signal r;
    var neg = acc < 0 ? 1 : 0;
    var mag = neg == 1 ? -acc : acc;
    var q = mag \\ (1 << s);
    var rem = mag % (1 << s);
    y <-- neg == 0 ? q : (rem == 0 ? -q : -q - 1);
    r <-- neg == 0 ? rem : (rem == 0 ? 0 : (1 << s) - rem);
    acc === y * (1 << s) + r;
    component rBits = Num2Bits(s);
    rBits.in <== r;
    component yRange = SignedRange(n);
    yRange.in <== y;
    enc <== yRange.enc;
    nonNeg <== yRange.nonNeg;
}

// floor shift by 0 bits: y = acc, range-checked.
template NoShift(n) {
    signal input acc;
    signal output y;
    signal output enc;
    signal output nonNeg;
    y <== acc;
    component yRange = SignedRange(n);
    yRange.in <== y;
    enc <== yRange.enc;
    nonNeg <== yRange.nonNeg;
}

// ReLU on a range-checked value: out = nonNeg ? in : 0, with nonNeg the constrained sign bit.
template Relu() {
    signal input in;
    signal input nonNeg;
    signal output out;
    out <== in * nonNeg;
}

// Dense layer, nIn -> nOut, weights and biases as (private) signals, fixed-point scale 2^s.
template Dense(nIn, nOut, s, n, relu) {
    signal input x[nIn];
    signal input w[nOut][nIn];
    signal input b[nOut];
    signal output y[nOut];
    signal output enc[nOut];
    signal prod[nOut][nIn];
    component fs[nOut];
    component act[nOut];
    for (var i = 0; i < nOut; i++) {
        var lc = b[i] * (1 << s);
        for (var j = 0; j < nIn; j++) {
            prod[i][j] <== w[i][j] * x[j];
            lc += prod[i][j];
        }
        fs[i] = ${shift};
        fs[i].acc <== lc;
        if (relu == 1) {
            act[i] = Relu();
            act[i].in <== fs[i].y;
            act[i].nonNeg <== fs[i].nonNeg;
            y[i] <== act[i].out;
        } else {
            y[i] <== fs[i].y;
        }
        enc[i] <== fs[i].enc;
    }
}
// An oracle answer within 1 <= a <= 2^(n-1): decomposes a - 1 into n-1 bits.
template AnswerRange(n) {
    signal input in;
    component bits = Num2Bits(n - 1);
    bits.in <== in - 1;
}

// q = floor(num * 2^s / den), floored toward -inf, for a signed num (|num| < 2^(n-1)) and a divisor the
// caller has range-checked to 1 <= den <= 2^(n-1). Constrains num * 2^s = q * den + rem with
// 0 <= rem (n-1 bits of rem) and rem < den (n-1 bits of den - 1 - rem), and q within n signed bits
// (SignedRange); its constrained sign bit gives abs = |q| = q * (2 * nonNeg - 1). All magnitudes stay
// below 2^80, far from p, so the field equation is the integer one. The <-- lines only compute the hint.
template FloorDiv(s, n) {
    signal input num;
    signal input den;
    signal output q;
    signal output abs;
    signal rem;
    var scaled = num * (1 << s);
    var neg = scaled < 0 ? 1 : 0;
    var mag = neg == 1 ? -scaled : scaled;
    var qq = mag \\ den;
    var rr = mag % den;
    q <-- neg == 0 ? qq : (rr == 0 ? -qq : -qq - 1);
    rem <-- neg == 0 ? rr : (rr == 0 ? 0 : den - rr);
    num * (1 << s) === q * den + rem;
    component remBits = Num2Bits(n - 1);
    remBits.in <== rem;
    component gapBits = Num2Bits(n - 1);
    gapBits.in <== den - 1 - rem;
    component qRange = SignedRange(n);
    qRange.in <== q;
    abs <== q * (2 * qRange.nonNeg - 1);
}

// The oracle features of N consecutive answers (oldest first) at scale 2^s, as
// src/models/forecast/oracleFeatures.ts computes them: r[i] = floor((a[i] - a[i-1]) * 2^s / a[i-1]),
// features = [r[N-1], r[N-2], r[N-3], sum r, sum |r|], each within n signed bits.
template OracleFeatures(N, s, n) {
    signal input answers[N];
    signal output features[5];
    component ar[N];
    for (var i = 0; i < N; i++) {
        ar[i] = AnswerRange(n);
        ar[i].in <== answers[i];
    }
    component dv[N - 1];
    var mom = 0;
    var absSum = 0;
    for (var i = 1; i < N; i++) {
        dv[i - 1] = FloorDiv(s, n);
        dv[i - 1].num <== answers[i] - answers[i - 1];
        dv[i - 1].den <== answers[i - 1];
        mom += dv[i - 1].q;
        absSum += dv[i - 1].abs;
    }
    features[0] <== dv[N - 2].q;
    features[1] <== dv[N - 3].q;
    features[2] <== dv[N - 4].q;
    features[3] <== mom;
    features[4] <== absSum;
    component momRange = SignedRange(n);
    momRange.in <== features[3];
    component absRange = SignedRange(n);
    absRange.in <== features[4];
}

// The feed accumulator's chain: acc = Poseidon(2)(... Poseidon(2)(accPrev, answers[0]) ..., answers[N-1]).
template FeedAccumulator(N) {
    signal input accPrev;
    signal input answers[N];
    signal output acc;
    signal chain[N + 1];
    component h[N];
    chain[0] <== accPrev;
    for (var i = 0; i < N; i++) {
        h[i] = Poseidon(2);
        h[i].inputs[0] <== chain[i];
        h[i].inputs[1] <== answers[i];
        chain[i + 1] <== h[i].out;
    }
    acc <== chain[N];
}
`;
}

/** Generates the circuit for `model`. Same architecture and scaleBits ⇒ same source and hash. */
export function generateCircuit(model: ModelFile, options: CircuitOptions = {}): GeneratedCircuit {
  validateModelFile(model);
  const VALUE_BITS = options.valueBits ?? DEFAULT_VALUE_BITS;
  if (!Number.isInteger(VALUE_BITS) || VALUE_BITS < 8 || VALUE_BITS > 126)
    throw new ZkCircuitError(`valueBits=${VALUE_BITS}; expected an integer in [8, 126]`);
  const expected: readonly string[] = ORACLE_FEATURE_NAMES;
  if (model.inputs.length !== expected.length || model.inputs.some((name, i) => name !== expected[i]))
    throw new ZkCircuitError(
      `model '${model.name}' takes inputs [${model.inputs.join(', ')}]; the circuit derives exactly [${expected.join(', ')}] from ${ORACLE_FEATURE_ANSWERS} oracle answers`,
      "Train the forecaster on the oracle features: trainForecaster({ features: oracleDatasetFeatures('wti-daily', { scaleBits }), ... }) (src/models/forecast/oracleFeatures.ts).",
    );
  const PACK_PER_ELEMENT = packPerElement(VALUE_BITS);
  const K = ORACLE_FEATURE_ANSWERS;
  const s = model.scaleBits;
  const layers = model.layers.map((l, i) => {
    if (l.activation !== 'relu' && l.activation !== 'linear')
      throw new ZkCircuitError(
        `layer ${i} has activation '${l.activation}'`,
        'Only relu and linear layers can be proven; train the forecaster with those activations.',
      );
    return { inputs: l.inputs, outputs: l.outputs, activation: l.activation as 'relu' | 'linear' };
  });
  const D = model.inputs.length;
  const O = model.outputs.length;
  const weightCount = layers.reduce((a, l) => a + l.inputs * l.outputs + l.outputs, 0);
  const M = Math.ceil(O / PACK_PER_ELEMENT);
  const chunks = Math.ceil(weightCount / COMMITMENT_CHUNK);
  const L = layers.length;

  const lines: string[] = [];
  lines.push('// GENERATED by src/zk/circuit.ts from a Provenant model file. Do not edit.');
  lines.push(
    `// Architecture: ${[D, ...layers.map((l) => `${l.outputs}${l.activation === 'relu' ? ' relu' : ''}`)].join(' -> ')}; scaleBits ${s}; features derived from ${K} oracle answers.`,
  );
  lines.push('//');
  lines.push('// What a proof says: for private answers a[0..20] and a private accPrev, with');
  lines.push('//   accLast = Poseidon2(...Poseidon2(accPrev, a[0])..., a[20])  (public signal 1),');
  lines.push(
    '// the features [r20, r19, r18, sum r, sum |r|] with r[i] = floor((a[i] - a[i-1]) * 2^s / a[i-1])',
  );
  lines.push(
    '// fed to the model whose weights hash to `commitment` (public signal 0) give exactly the packed',
  );
  lines.push(
    '// outputs (public signals 2..). Matching accLast to the feed accumulator on-chain binds the answers',
  );
  lines.push(
    '// to the oracle rounds lastRoundId - 20..lastRoundId. Every rule is an R1CS constraint (no assert).',
  );
  lines.push('pragma circom 2.1.0;');
  lines.push('include "poseidon.circom";');
  lines.push('include "bitify.circom";');
  lines.push('');
  lines.push(templatesSource(s));
  lines.push('template ForecastInference() {');
  lines.push('    signal input accPrev;');
  lines.push(`    signal input answers[${K}];`);
  layers.forEach((l, i) => {
    lines.push(`    signal input w${i}[${l.outputs}][${l.inputs}];`);
    lines.push(`    signal input b${i}[${l.outputs}];`);
  });
  lines.push('    signal output commitment;');
  lines.push('    signal output accLast;');
  lines.push(`    signal output packed[${M}];`);
  lines.push('');
  lines.push('    // Features derived from the answers (range-checked inside OracleFeatures).');
  lines.push(`    component feats = OracleFeatures(${K}, ${s}, ${VALUE_BITS});`);
  lines.push(`    for (var i = 0; i < ${K}; i++) feats.answers[i] <== answers[i];`);
  lines.push('');
  lines.push('    // The answers bound to the feed accumulator.');
  lines.push(`    component chain = FeedAccumulator(${K});`);
  lines.push('    chain.accPrev <== accPrev;');
  lines.push(`    for (var i = 0; i < ${K}; i++) chain.answers[i] <== answers[i];`);
  lines.push('    accLast <== chain.acc;');
  lines.push('');
  layers.forEach((l, i) => {
    lines.push(
      `    component d${i} = Dense(${l.inputs}, ${l.outputs}, ${s}, ${VALUE_BITS}, ${l.activation === 'relu' ? 1 : 0});`,
    );
    lines.push(
      `    for (var j = 0; j < ${l.inputs}; j++) d${i}.x[j] <== ${i === 0 ? 'feats.features[j]' : `d${i - 1}.y[j]`};`,
    );
    lines.push(
      `    for (var o = 0; o < ${l.outputs}; o++) { d${i}.b[o] <== b${i}[o]; for (var j = 0; j < ${l.inputs}; j++) d${i}.w[o][j] <== w${i}[o][j]; }`,
    );
  });
  lines.push('');
  lines.push(
    `    // Commitment: h0 = ${weightCount}; h(k+1) = Poseidon(16)(h(k), next ${COMMITMENT_CHUNK} weight elements, zero-padded).`,
  );
  lines.push(`    signal e[${chunks * COMMITMENT_CHUNK}];`);
  let idx = 0;
  layers.forEach((l, i) => {
    lines.push(
      `    for (var o = 0; o < ${l.outputs}; o++) for (var j = 0; j < ${l.inputs}; j++) e[${idx} + o * ${l.inputs} + j] <== w${i}[o][j];`,
    );
    idx += l.outputs * l.inputs;
    lines.push(`    for (var o = 0; o < ${l.outputs}; o++) e[${idx} + o] <== b${i}[o];`);
    idx += l.outputs;
  });
  if (idx < chunks * COMMITMENT_CHUNK)
    lines.push(`    for (var k = ${idx}; k < ${chunks * COMMITMENT_CHUNK}; k++) e[k] <== 0;`);
  lines.push(`    component ph[${chunks}];`);
  for (let c = 0; c < chunks; c++) {
    lines.push(`    ph[${c}] = Poseidon(16);`);
    lines.push(`    ph[${c}].inputs[0] <== ${c === 0 ? String(weightCount) : `ph[${c - 1}].out`};`);
    lines.push(
      `    for (var k = 0; k < ${COMMITMENT_CHUNK}; k++) ph[${c}].inputs[k + 1] <== e[${c * COMMITMENT_CHUNK} + k];`,
    );
  }
  lines.push(`    commitment <== ph[${chunks - 1}].out;`);
  lines.push('');
  lines.push(
    `    // Public values: the outputs (${O}) as v + 2^${VALUE_BITS - 1}, ${PACK_PER_ELEMENT} per element.`,
  );
  const encs: string[] = [];
  for (let o = 0; o < O; o++) encs.push(`d${L - 1}.enc[${o}]`);
  for (let m = 0; m < M; m++) {
    const terms = encs
      .slice(m * PACK_PER_ELEMENT, (m + 1) * PACK_PER_ELEMENT)
      .map((e, i) => (i === 0 ? e : `${e} * (1 << ${VALUE_BITS * i})`));
    lines.push(`    packed[${m}] <== ${terms.join(' + ')};`);
  }
  lines.push('}');
  lines.push('');
  lines.push('component main = ForecastInference();');
  lines.push('');
  const source = lines.join('\n');
  const layout: CircuitLayout = {
    scaleBits: s,
    valueBits: VALUE_BITS,
    perElement: PACK_PER_ELEMENT,
    answers: K,
    features: D,
    outputs: O,
    layers,
    weightCount,
    packedElements: M,
    publicSignalCount: 2 + M,
    binding: 'feed-accumulator',
  };
  return { source, layout, hash: createHash('sha256').update(source).digest('hex') };
}
