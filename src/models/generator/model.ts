import { keccak256, toBytes } from 'viem';
import { NonRetryableError } from '../../errors/index.js';
import {
  type Activation,
  type DenseLayer,
  MODEL_FILE_FORMAT,
  type ModelFile,
  validateModelFile,
} from '../modelFile.js';
import { ONE, Q } from './intMath.js';
import { MARKET_FEATURES } from './marketState.js';
import { Xoshiro128 } from './prng.js';

/** The generator algorithm this code implements; a model file names it in `metadata.algorithm`. */
export const GENERATOR_ALGORITHM = 'provenant-cppn/1' as const;
export const LATENT_DIMS = 8;
export const GENERATOR_INPUTS: readonly string[] = [
  'x',
  'y',
  'r',
  ...Array.from({ length: LATENT_DIMS }, (_, i) => `z${i}`),
  ...MARKET_FEATURES,
];
export const GENERATOR_OUTPUTS: readonly string[] = ['red', 'green', 'blue'];
export const SUPPORTED_ACTIVATIONS: readonly Activation[] = [
  'linear',
  'relu',
  'tanh',
  'sin',
  'gaussian',
  'sigmoid',
];

/** Largest |x|, |y| in Q12: the coordinate zoom reaches 4.0 in the most volatile market. */
export const MAX_COORD = 4 * ONE;
/** Largest r = isqrt(x² + y²). */
export const MAX_RADIUS = 23_171;

/** The seed and recipe of the shipped weights (models/generator-v1.json). */
export const GENERATOR_V1_SEED_TEXT = 'provenant/generator-v1/weights';
export const GENERATOR_V1 = {
  name: 'provenant-cppn',
  version: '1.0.0',
  hidden: [
    { width: 16, activation: 'tanh', gain: 3, biasBits: 13 },
    { width: 16, activation: 'sin', gain: 2, biasBits: 13 },
    { width: 16, activation: 'gaussian', gain: 2, biasBits: 12 },
  ],
  output: { activation: 'sigmoid', gain: 3, biasBits: 12 },
  weightClamp: 12_288,
} as const;

export class InvalidGeneratorModelError extends NonRetryableError {
  override name = 'InvalidGeneratorModelError';
  constructor(problem: string) {
    super(`Model file is not a usable ${GENERATOR_ALGORITHM} generator: ${problem}`, {
      details:
        'A generator model file has kind "generator", scaleBits 12, the inputs x, y, r, z0..z7 and six market features, three outputs (red, green, blue), supported activations, and weights small enough that no Q24 accumulator leaves int32.',
      docsPath: 'docs/models.md#generator',
    });
  }
}

type LayerRecipe = { width: number; activation: Activation; gain: number; biasBits: number };

/** An approximately normal Q12 integer: the sum of four uniform 12-bit draws (std ≈ 0.577). */
function normalish(rng: Xoshiro128): number {
  return rng.nextSigned(12) + rng.nextSigned(12) + rng.nextSigned(12) + rng.nextSigned(12);
}

/**
 * Builds the generator model deterministically from a seed text: weights are `gain ×` an
 * approximately normal integer, clamped to ±weightClamp; biases uniform with `biasBits` bits. The
 * seed is keccak256 of the UTF-8 seed text. Same seed text → same bytes → same model id.
 */
export function createGeneratorModel(seedText: string = GENERATOR_V1_SEED_TEXT): ModelFile {
  const rng = new Xoshiro128(keccak256(toBytes(seedText)));
  const recipes: LayerRecipe[] = [
    ...GENERATOR_V1.hidden,
    { width: GENERATOR_OUTPUTS.length, ...GENERATOR_V1.output },
  ];
  const layers: DenseLayer[] = [];
  let inputs = GENERATOR_INPUTS.length;
  for (const recipe of recipes) {
    const weights: number[] = [];
    for (let i = 0; i < recipe.width * inputs; i += 1) {
      const w = recipe.gain * normalish(rng);
      weights.push(Math.max(-GENERATOR_V1.weightClamp, Math.min(GENERATOR_V1.weightClamp, w)));
    }
    const bias: number[] = [];
    for (let i = 0; i < recipe.width; i += 1) bias.push(rng.nextSigned(recipe.biasBits));
    layers.push({
      type: 'dense',
      inputs,
      outputs: recipe.width,
      activation: recipe.activation,
      weights,
      bias,
    });
    inputs = recipe.width;
  }
  const model: ModelFile = {
    format: MODEL_FILE_FORMAT,
    kind: 'generator',
    name: GENERATOR_V1.name,
    version: GENERATOR_V1.version,
    scaleBits: Q,
    inputs: [...GENERATOR_INPUTS],
    outputs: [...GENERATOR_OUTPUTS],
    layers,
    metadata: {
      algorithm: GENERATOR_ALGORITHM,
      description:
        'Compositional pattern-producing network evaluated per pixel over (x, y, r), an 8-dim latent vector and a 6-dim market-state vector; Q12 integer arithmetic with table activations.',
      weightSeed: seedText,
      weightRecipe:
        'keccak256(seed) -> xoshiro128**; w = clamp(gain * sum of four 12-bit uniforms); bias uniform',
      latentDims: LATENT_DIMS,
      coordinates:
        'pixel centres in [-1, 1] times zoom = 1 + 3 * volatility feature (Q12, rounded half away from zero); r = isqrt(x^2 + y^2)',
      rounding: 'Q24 accumulators rescaled with (acc + 2048) >> 12',
      activations:
        'provenant-int-activations/1: sin 4096-entry table indexed ((a*10430)>>16)&4095; tanh and exp(-a^2) 2049-entry tables at step 1/512; sigmoid = (1 + tanh(a>>1)) / 2',
      output: 'channel byte = (sigmoid * 255 + 2048) >> 12',
    },
  };
  validateGeneratorModel(model);
  return model;
}

/** Checks that a model file can be run by this generator without any int32 overflow. */
export function validateGeneratorModel(model: ModelFile): void {
  try {
    validateModelFile(model);
  } catch (error) {
    throw new InvalidGeneratorModelError((error as Error).message);
  }
  const fail = (problem: string): never => {
    throw new InvalidGeneratorModelError(problem);
  };
  if (model.kind !== 'generator') fail(`kind is '${model.kind}'`);
  if (model.scaleBits !== Q) fail(`scaleBits is ${model.scaleBits}, expected ${Q}`);
  if (model.metadata.algorithm !== GENERATOR_ALGORITHM) {
    fail(`metadata.algorithm is '${String(model.metadata.algorithm)}', expected '${GENERATOR_ALGORITHM}'`);
  }
  if (model.inputs.join(',') !== GENERATOR_INPUTS.join(',')) fail(`inputs are [${model.inputs.join(', ')}]`);
  if (model.outputs.join(',') !== GENERATOR_OUTPUTS.join(','))
    fail(`outputs are [${model.outputs.join(', ')}]`);
  let inputBounds: number[] = GENERATOR_INPUTS.map((name) =>
    name === 'r' ? MAX_RADIUS : name === 'x' || name === 'y' ? MAX_COORD : ONE,
  );
  model.layers.forEach((layer, index) => {
    if (!SUPPORTED_ACTIVATIONS.includes(layer.activation))
      fail(`layer ${index}: activation '${layer.activation}'`);
    let worst = 0;
    for (let o = 0; o < layer.outputs; o += 1) {
      let sum = Math.abs(layer.bias[o]!) * ONE + ONE / 2;
      for (let i = 0; i < layer.inputs; i += 1)
        sum += Math.abs(layer.weights[o * layer.inputs + i]!) * inputBounds[i]!;
      worst = Math.max(worst, sum);
    }
    if (worst >= 2 ** 31) fail(`layer ${index}: an accumulator can reach ${worst}, beyond int32`);
    const bound =
      layer.activation === 'linear' || layer.activation === 'relu' ? Math.floor(worst / ONE) + 1 : ONE;
    inputBounds = Array.from({ length: layer.outputs }, () => bound);
  });
}
