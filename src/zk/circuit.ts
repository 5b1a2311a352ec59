import { createHash } from 'node:crypto';
import type { ModelFile } from '../models/index.js';
import { validateModelFile } from '../models/index.js';
import { COMMITMENT_CHUNK } from './commitment.js';
import { DEFAULT_VALUE_BITS, packPerElement } from './encoding.js';
import { ZkCircuitError } from './errors.js';

/**
 * Generates the circom source of the inference circuit from a model file.
 *
 * Private inputs: the features `x[D]` (fixed-point at the model's scaleBits), the raw oracle answers
 * `answers[K]`, and every weight and bias. Public signals (circuit outputs, in this order):
 *   0. `commitment` — the Poseidon chain over the weights (see commitment.ts);
 *   1… `packed[M]`  — [forecast outputs (O), features (D), answers (K)] packed floor(253/valueBits) per element
 *                     (see encoding.ts).
 * Each dense layer computes acc_i = Σ_j W_ij·x_j + b_i·2^s and proves y_i = floor(acc_i / 2^s) by
 * acc_i = y_i·2^s + r_i with r_i bit-decomposed into s bits and y_i range-checked to `valueBits` signed bits;
 * ReLU multiplies y_i by its sign bit, the top bit of the decomposition of y_i + 2^(n−1) — a
 * constrained bit, not an assert. Every constraint is an R1CS constraint; there is no `assert`.
 */
export type CircuitOptions = {
  /** Number of raw oracle answers carried (and range-checked) as public values. Default 2. */
  answers?: number;
  /** Signed bits of every range-checked value (see encoding.ts). Default 40. */
  valueBits?: number;
};

export type CircuitLayout = {
  scaleBits: number;
  valueBits: number;
  /** Values per packed public field element: floor(253 / valueBits). */
  perElement: number;
  features: number;
  outputs: number;
  answers: number;
  /** Per layer: inputs, outputs, activation. */
  layers: { inputs: number; outputs: number; activation: 'relu' | 'linear' }[];
  weightCount: number;
  /** Number of field elements after `commitment` in the public signals. */
  packedElements: number;
  publicSignalCount: number;
};

export type GeneratedCircuit = { source: string; layout: CircuitLayout; hash: string };

/** The circuit's reusable templates (also compiled alone by the soundness tests); `scaleBits` 0 uses NoShift. */
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
`;
}

/** Generates the circuit for `model`. Same architecture and scaleBits ⇒ same source and hash. */
export function generateCircuit(model: ModelFile, options: CircuitOptions = {}): GeneratedCircuit {
  validateModelFile(model);
  const K = options.answers ?? 2;
  const VALUE_BITS = options.valueBits ?? DEFAULT_VALUE_BITS;
  if (!Number.isInteger(VALUE_BITS) || VALUE_BITS < 8 || VALUE_BITS > 126)
    throw new ZkCircuitError(`valueBits=${VALUE_BITS}; expected an integer in [8, 126]`);
  const PACK_PER_ELEMENT = packPerElement(VALUE_BITS);
  if (!Number.isInteger(K) || K < 0 || K > 16)
    throw new ZkCircuitError(`answers=${K}; expected an integer in [0, 16]`);
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
  const values = O + D + K;
  const M = Math.ceil(values / PACK_PER_ELEMENT);
  const chunks = Math.ceil(weightCount / COMMITMENT_CHUNK);
  const L = layers.length;

  const lines: string[] = [];
  lines.push('// GENERATED by src/zk/circuit.ts from a Provenant model file. Do not edit.');
  lines.push(
    `// Architecture: ${[D, ...layers.map((l) => `${l.outputs}${l.activation === 'relu' ? ' relu' : ''}`)].join(' -> ')}; scaleBits ${s}; ${K} oracle answers.`,
  );
  lines.push('pragma circom 2.1.0;');
  lines.push('include "poseidon.circom";');
  lines.push('include "bitify.circom";');
  lines.push('');
  lines.push(templatesSource(s));
  lines.push('template ForecastInference() {');
  lines.push(`    signal input x[${D}];`);
  if (K > 0) lines.push(`    signal input answers[${K}];`);
  layers.forEach((l, i) => {
    lines.push(`    signal input w${i}[${l.outputs}][${l.inputs}];`);
    lines.push(`    signal input b${i}[${l.outputs}];`);
  });
  lines.push('    signal output commitment;');
  lines.push(`    signal output packed[${M}];`);
  lines.push('');
  lines.push('    // Range-check the features and the oracle answers (their offset forms are packed below).');
  lines.push(`    component xr[${D}];`);
  lines.push(`    for (var j = 0; j < ${D}; j++) { xr[j] = SignedRange(${VALUE_BITS}); xr[j].in <== x[j]; }`);
  if (K > 0) {
    lines.push(`    component ar[${K}];`);
    lines.push(
      `    for (var j = 0; j < ${K}; j++) { ar[j] = SignedRange(${VALUE_BITS}); ar[j].in <== answers[j]; }`,
    );
  }
  lines.push('');
  layers.forEach((l, i) => {
    lines.push(
      `    component d${i} = Dense(${l.inputs}, ${l.outputs}, ${s}, ${VALUE_BITS}, ${l.activation === 'relu' ? 1 : 0});`,
    );
    lines.push(
      `    for (var j = 0; j < ${l.inputs}; j++) d${i}.x[j] <== ${i === 0 ? 'x[j]' : `d${i - 1}.y[j]`};`,
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
    `    // Public values: [outputs(${O}), features(${D}), answers(${K})] as v + 2^${VALUE_BITS - 1}, ${PACK_PER_ELEMENT} per element.`,
  );
  const encs: string[] = [];
  for (let o = 0; o < O; o++) encs.push(`d${L - 1}.enc[${o}]`);
  for (let j = 0; j < D; j++) encs.push(`xr[${j}].enc`);
  for (let j = 0; j < K; j++) encs.push(`ar[${j}].enc`);
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
    features: D,
    outputs: O,
    answers: K,
    layers,
    weightCount,
    packedElements: M,
    publicSignalCount: 1 + M,
  };
  return { source, layout, hash: createHash('sha256').update(source).digest('hex') };
}
