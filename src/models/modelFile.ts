import { keccak256, toBytes } from 'viem';
import { ProvenantError } from '../errors/index.js';

/**
 * The model file format shared by every Provenant model (forecaster, generator).
 *
 * A model file is JSON whose canonical bytes (keys sorted, no whitespace, UTF-8) are what the
 * commitment covers: `modelId = keccak256(canonicalBytes)`. Weights are integers in fixed point with
 * `scaleBits` fractional bits (value = integer / 2^scaleBits), so inference is bit-exact on any
 * machine and can be proven in a circuit. Only safe integers are allowed in weights.
 */
export const MODEL_FILE_FORMAT = 'provenant-model/1' as const;

export type ModelKind = 'forecaster' | 'generator';
export type Activation = 'linear' | 'relu' | 'tanh' | 'sin' | 'gaussian' | 'sigmoid';

export type DenseLayer = {
  type: 'dense';
  inputs: number;
  outputs: number;
  activation: Activation;
  /** Row-major `outputs × inputs` fixed-point integers. */
  weights: number[];
  /** `outputs` fixed-point integers. */
  bias: number[];
};

export type ModelFile = {
  format: typeof MODEL_FILE_FORMAT;
  kind: ModelKind;
  name: string;
  version: string;
  /** Fractional bits of every fixed-point integer in the file. */
  scaleBits: number;
  /** Names of the input features, in order. */
  inputs: string[];
  /** Names of the outputs, in order. */
  outputs: string[];
  layers: DenseLayer[];
  /** Free-form, but part of the commitment: training window, seed, metrics, normalisation constants. */
  metadata: Record<string, unknown>;
};

export class InvalidModelFileError extends ProvenantError {
  override name = 'InvalidModelFileError';
  constructor(problem: string, source?: string) {
    super(`Invalid model file${source ? ` ${source}` : ''}: ${problem}`, {
      details: `A model file is JSON in the '${MODEL_FILE_FORMAT}' format: integer fixed-point weights, one dense layer after another.`,
      docsPath: 'docs/models.md#model-file-format',
    });
  }
}

/** JSON with object keys sorted at every depth and no insignificant whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new TypeError('canonicalJson: non-finite number');
    if (typeof value === 'bigint') return value.toString();
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** The canonical bytes of a model file: what is hashed, stored and shipped. */
export function modelFileBytes(model: ModelFile): Uint8Array {
  validateModelFile(model);
  return new TextEncoder().encode(canonicalJson(model));
}

/** The model's on-chain id: keccak256 over its canonical bytes. */
export function modelId(model: ModelFile): `0x${string}` {
  return keccak256(modelFileBytes(model));
}

/** Parses and validates model file bytes; the bytes must already be canonical. */
export function parseModelFile(bytes: Uint8Array | string, source?: string): ModelFile {
  const text = typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidModelFileError(`not JSON (${(error as Error).message})`, source);
  }
  const model = parsed as ModelFile;
  validateModelFile(model, source);
  if (canonicalJson(model) !== text.trim()) {
    throw new InvalidModelFileError(
      'bytes are not canonical (keys sorted, no whitespace); the commitment would not match',
      source,
    );
  }
  return model;
}

export function validateModelFile(model: ModelFile, source?: string): void {
  const fail = (problem: string) => {
    throw new InvalidModelFileError(problem, source);
  };
  if (!model || typeof model !== 'object') fail('not an object');
  if (model.format !== MODEL_FILE_FORMAT)
    fail(`format is '${String(model.format)}', expected '${MODEL_FILE_FORMAT}'`);
  if (model.kind !== 'forecaster' && model.kind !== 'generator')
    fail(`kind '${String(model.kind)}' is not forecaster or generator`);
  if (!Number.isInteger(model.scaleBits) || model.scaleBits < 0 || model.scaleBits > 32)
    fail(`scaleBits ${model.scaleBits} must be an integer in [0, 32]`);
  if (!Array.isArray(model.layers) || model.layers.length === 0) fail('layers must be a non-empty array');
  let width = model.inputs.length;
  model.layers.forEach((layer, index) => {
    if (layer.type !== 'dense') fail(`layer ${index}: type '${String(layer.type)}' is not 'dense'`);
    if (layer.inputs !== width)
      fail(`layer ${index}: takes ${layer.inputs} inputs but the previous width is ${width}`);
    if (layer.weights.length !== layer.inputs * layer.outputs)
      fail(`layer ${index}: ${layer.weights.length} weights, expected ${layer.inputs * layer.outputs}`);
    if (layer.bias.length !== layer.outputs)
      fail(`layer ${index}: ${layer.bias.length} biases, expected ${layer.outputs}`);
    for (const w of [...layer.weights, ...layer.bias])
      if (!Number.isSafeInteger(w)) fail(`layer ${index}: weight ${w} is not a safe integer`);
    width = layer.outputs;
  });
  if (width !== model.outputs.length)
    fail(`last layer gives ${width} outputs but ${model.outputs.length} output names are declared`);
}

/** Convenience for tests and tools: the commitment of arbitrary canonical-JSON content. */
export function contentCommitment(value: unknown): `0x${string}` {
  return keccak256(toBytes(canonicalJson(value)));
}
