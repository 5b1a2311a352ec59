import { PNG } from 'pngjs';
import { NonRetryableError } from '../../errors/index.js';
import type { Activation, ModelFile } from '../modelFile.js';
import {
  divRound,
  gaussianQ,
  getGaussianTable,
  getSinTable,
  getTanhTable,
  HALF,
  ONE,
  Q,
  sigmoidQ,
  sinQ,
  tanhQ,
} from './intMath.js';
import { type MarketState, marketFeatures } from './marketState.js';
import { LATENT_DIMS, validateGeneratorModel } from './model.js';
import { latentVector } from './prng.js';

export const DEFAULT_SIZE = 512;
export const MAX_SIZE = 4096;

/**
 * PNG encoder settings, fixed so the bytes are reproducible: 8-bit RGB, no ancillary chunks (pngjs
 * writes IHDR, IDAT, IEND only: no time, gamma or text), filter 1 (Sub) on every row, zlib level 9
 * with strategy Z_RLE (3), window 15, memLevel 9, one IDAT chunk. Z_RLE only searches distance-1
 * matches, so the output does not depend on zlib's hash-chain implementation (which differs
 * between zlib builds, e.g. SIMD variants); it still depends on zlib's block splitting and Huffman
 * code construction, which are stable across zlib 1.2.x/1.3.x.
 */
export const PNG_ENCODING = {
  colorType: 2,
  inputColorType: 2,
  inputHasAlpha: false,
  bitDepth: 8,
  filterType: 1,
  deflateLevel: 9,
  deflateStrategy: 3,
  deflateChunkSize: 32 * 1024,
} as const;

export class InvalidRenderParametersError extends NonRetryableError {
  override name = 'InvalidRenderParametersError';
  constructor(problem: string) {
    super(`Cannot render: ${problem}`, {
      details: `Width and height are integers in [1, ${MAX_SIZE}] (default ${DEFAULT_SIZE}); the seed is 32 bytes of lowercase 0x-hex (see artSeed).`,
      docsPath: 'docs/models.md#generator',
    });
  }
}

export type RenderParameters = {
  /** 32-byte seed of the latent vector, normally `artSeed(nonce, salt)`. */
  seed: `0x${string}`;
  marketState: MarketState;
  width?: number;
  height?: number;
};

export type RenderResult = {
  width: number;
  height: number;
  seed: `0x${string}`;
  /** Q12 latent vector derived from the seed. */
  latent: number[];
  /** Q12 market features the network saw. */
  features: number[];
  /** Q12 coordinate zoom (4096 = 1.0). */
  zoom: number;
  /** Raw RGB bytes, row-major, 3 per pixel. */
  rgb: Uint8Array;
};

type PreparedLayer = {
  inputs: number;
  outputs: number;
  activation: Activation;
  w: Int32Array;
  b: Int32Array;
};

function applyActivation(
  kind: Activation,
  pre: Int32Array,
  out: Int32Array,
  n: number,
  tables: Tables,
): void {
  switch (kind) {
    case 'linear':
      for (let j = 0; j < n; j += 1) out[j] = pre[j]!;
      return;
    case 'relu':
      for (let j = 0; j < n; j += 1) out[j] = Math.max(pre[j]!, 0);
      return;
    case 'tanh':
      for (let j = 0; j < n; j += 1) out[j] = tanhQ(pre[j]!, tables.tanh);
      return;
    case 'sin':
      for (let j = 0; j < n; j += 1) out[j] = sinQ(pre[j]!, tables.sin);
      return;
    case 'gaussian':
      for (let j = 0; j < n; j += 1) out[j] = gaussianQ(pre[j]!, tables.gauss);
      return;
    case 'sigmoid':
      for (let j = 0; j < n; j += 1) out[j] = sigmoidQ(pre[j]!, tables.tanh);
      return;
  }
}

type Tables = { sin: Int32Array; tanh: Int32Array; gauss: Int32Array };

/** Q12 coordinate zoom: 1 + 3 × the volatility feature (in [0, 1]). */
export function coordinateZoom(features: Int32Array): number {
  return ONE + 3 * Math.max(0, features[2]!);
}

/**
 * Renders the CPPN to raw RGB bytes with integer arithmetic only (see intMath.ts for the rounding
 * and activation conventions). Work that does not depend on the pixel is hoisted: the latent and
 * market inputs of the first layer are folded into its bias once, the y term once per row.
 */
export function renderRgb(model: ModelFile, params: RenderParameters): RenderResult {
  validateGeneratorModel(model);
  const width = params.width ?? DEFAULT_SIZE;
  const height = params.height ?? DEFAULT_SIZE;
  for (const [label, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_SIZE)
      throw new InvalidRenderParametersError(`${label} is ${v}`);
  }
  if (typeof params.seed !== 'string' || !/^0x[0-9a-f]{64}$/.test(params.seed)) {
    throw new InvalidRenderParametersError(
      `seed '${String(params.seed)}' is not 32 bytes of lowercase 0x-hex`,
    );
  }
  const seed = params.seed;
  const latent = latentVector(seed, LATENT_DIMS);
  const features = marketFeatures(params.marketState);
  const zoom = coordinateZoom(features);
  const tables: Tables = { sin: getSinTable(), tanh: getTanhTable(), gauss: getGaussianTable() };

  const layers: PreparedLayer[] = model.layers.map((l) => ({
    inputs: l.inputs,
    outputs: l.outputs,
    activation: l.activation,
    w: Int32Array.from(l.weights),
    b: Int32Array.from(l.bias),
  }));
  const first = layers[0]!;
  const n0 = first.outputs;
  const nIn0 = first.inputs;
  // Constant inputs of layer 0: latent then market features, after x, y, r.
  const constants = Int32Array.from([...latent, ...features]);
  const base0 = new Int32Array(n0);
  const wx = new Int32Array(n0);
  const wy = new Int32Array(n0);
  const wr = new Int32Array(n0);
  for (let j = 0; j < n0; j += 1) {
    let acc = first.b[j]! * ONE + HALF;
    for (let k = 3; k < nIn0; k += 1) acc += Math.imul(first.w[j * nIn0 + k]!, constants[k - 3]!);
    base0[j] = acc;
    wx[j] = first.w[j * nIn0]!;
    wy[j] = first.w[j * nIn0 + 1]!;
    wr[j] = first.w[j * nIn0 + 2]!;
  }
  // Coordinates of pixel centres: round((2i + 1 - n) · zoom / n).
  const xs = new Int32Array(width);
  for (let i = 0; i < width; i += 1) xs[i] = divRound((2 * i + 1 - width) * zoom, width);
  const ys = new Int32Array(height);
  for (let i = 0; i < height; i += 1) ys[i] = divRound((2 * i + 1 - height) * zoom, height);
  const xsq = new Int32Array(width);
  for (let i = 0; i < width; i += 1) xsq[i] = xs[i]! * xs[i]!;

  // Row-batched evaluation: each layer runs over a whole row of pixels at once, unit by unit
  // ([unit][pixel] layout), so the inner loops stream over contiguous typed arrays with one weight
  // held in a register. Per pixel the integer operations are exactly those of the formula above
  // (bias first, then inputs in order; no accumulator can overflow), so the bytes do not depend on
  // this batching.
  const maxUnits = Math.max(...layers.map((l) => l.outputs));
  let act = new Int32Array(maxUnits * width);
  let next = new Int32Array(maxUnits * width);
  const acc = new Int32Array(width);
  const radius = new Int32Array(width);
  const rgb = new Uint8Array(width * height * 3);
  const last = layers.length - 1;

  for (let row = 0; row < height; row += 1) {
    const y = ys[row]!;
    const y2 = y * y;
    for (let col = 0; col < width; col += 1) {
      // r = isqrt(x² + y²): a float first guess corrected with exact integer comparisons.
      const n = xsq[col]! + y2;
      let r = Math.floor(Math.sqrt(n));
      while (r * r > n) r -= 1;
      while ((r + 1) * (r + 1) <= n) r += 1;
      radius[col] = r;
    }
    for (let j = 0; j < n0; j += 1) {
      const rowBase = base0[j]! + Math.imul(wy[j]!, y);
      const a = wx[j]!;
      const c = wr[j]!;
      for (let col = 0; col < width; col += 1) {
        acc[col] = (rowBase + Math.imul(a, xs[col]!) + Math.imul(c, radius[col]!)) >> Q;
      }
      applyActivation(first.activation, acc, act.subarray(j * width, (j + 1) * width), width, tables);
    }
    for (let li = 1; li <= last; li += 1) {
      const layer = layers[li]!;
      const nIn = layer.inputs;
      const w = layer.w;
      for (let j = 0; j < layer.outputs; j += 1) {
        acc.fill(layer.b[j]! * ONE + HALF);
        for (let k = 0; k < nIn; k += 1) {
          const wk = w[j * nIn + k]!;
          const src = k * width;
          for (let col = 0; col < width; col += 1) acc[col] = acc[col]! + Math.imul(wk, act[src + col]!);
        }
        for (let col = 0; col < width; col += 1) acc[col] = acc[col]! >> Q;
        applyActivation(layer.activation, acc, next.subarray(j * width, (j + 1) * width), width, tables);
      }
      const t = act;
      act = next;
      next = t;
    }
    let offset = row * width * 3;
    for (let col = 0; col < width; col += 1) {
      for (let c = 0; c < 3; c += 1) {
        const v = act[c * width + col]!;
        const clamped = v < 0 ? 0 : Math.min(v, ONE);
        rgb[offset + c] = (clamped * 255 + HALF) >> Q;
      }
      offset += 3;
    }
  }
  return { width, height, seed, latent: [...latent], features: [...features], zoom, rgb };
}

/** Encodes raw RGB bytes as a PNG with the fixed settings of `PNG_ENCODING`. */
export function encodePng(rgb: Uint8Array, width: number, height: number): Uint8Array {
  if (rgb.length !== width * height * 3) {
    throw new InvalidRenderParametersError(
      `${rgb.length} RGB bytes for ${width}×${height} (expected ${width * height * 3})`,
    );
  }
  const image = {
    width,
    height,
    data: Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength),
  } as unknown as PNG;
  const png = PNG.sync.write(image, { ...PNG_ENCODING });
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

export type Artwork = RenderResult & { png: Uint8Array };

/** Renders and encodes: the bytes that get content-addressed and minted. */
export function renderArtwork(model: ModelFile, params: RenderParameters): Artwork {
  const result = renderRgb(model, params);
  return { ...result, png: encodePng(result.rgb, result.width, result.height) };
}
