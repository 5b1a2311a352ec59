import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { modelFileBytes, modelId, parseModelFile } from '../modelFile.js';
import {
  artSeed,
  artworkMetadata,
  artworkMetadataBytes,
  createGeneratorModel,
  encodePng,
  InvalidGeneratorModelError,
  InvalidMarketInputError,
  InvalidRenderParametersError,
  latentVector,
  marketFeatures,
  marketStateFromRounds,
  renderArtwork,
  renderRgb,
  validateGeneratorModel,
  Xoshiro128,
} from './index.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const shipped = readFileSync(new URL('../../../models/generator-v1.json', import.meta.url));
const model = parseModelFile(shipped, 'models/generator-v1.json');

/** Four hourly rounds of a WTI-like feed (8 decimals), round ids in phase 1 as a proxy aggregator numbers them. */
const ROUNDS = [
  { roundId: 18446744073709551617n, answer: 7_512_000_000n, updatedAt: 1_700_000_000n },
  { roundId: 18446744073709551618n, answer: 7_431_000_000n, updatedAt: 1_700_003_600n },
  { roundId: 18446744073709551619n, answer: 7_598_500_000n, updatedAt: 1_700_007_200n },
  { roundId: 18446744073709551620n, answer: 7_620_250_000n, updatedAt: 1_700_010_800n },
];
const STATE = marketStateFromRounds(ROUNDS, 8, { returnPpm: 12_500 });
const SEED = artSeed('0x2a');
const seedOf = (n: number) => artSeed(`0x${n.toString(16).padStart(2, '0')}`);

describe('marketStateFromRounds', () => {
  test('default: integer returns, volatility and regime computed by hand', () => {
    // returns: -10782.7 -> -10783, 22540.7 -> 22541, 2862.4 -> 2862 ppm;
    // volatility = isqrt(floor((10783² + 22541² + 2862²) / 3)) = isqrt(210853604) = 14520
    expect(STATE).toEqual({
      rounds: 4,
      return1Ppm: 2862,
      returnNPpm: 14410,
      volatilityPpm: 14520,
      forecastPpm: 12500,
      regime: 'calm',
    });
  });

  test('behavior: order of the rounds does not matter', () => {
    expect(marketStateFromRounds([...ROUNDS].reverse(), 8, { returnPpm: 12_500 })).toEqual(STATE);
  });

  test('behavior: regimes', () => {
    const series = (answers: bigint[]) =>
      answers.map((answer, i) => ({ roundId: BigInt(i + 1), answer, updatedAt: BigInt(i) }));
    expect(marketStateFromRounds(series([100n, 101n, 102n, 103n]), 0).regime).toBe('trending-up');
    expect(marketStateFromRounds(series([1000n, 998n, 996n, 994n]), 0).regime).toBe('trending-down');
    expect(marketStateFromRounds(series([100n, 110n, 100n, 110n]), 0).regime).toBe('volatile');
    expect(marketStateFromRounds(series([1000n, 1001n, 1000n, 1001n]), 0).regime).toBe('calm');
  });

  test('behavior: a forecast given as an answer becomes a return over the last answer', () => {
    const s = marketStateFromRounds(ROUNDS, 8, { answer: 7_696_452_500n });
    expect(s.forecastPpm).toBe(10_000);
  });

  test('behavior: refuses too few rounds, duplicate ids and non-positive answers', () => {
    expect(() => marketStateFromRounds(ROUNDS.slice(0, 1), 8)).toThrow(InvalidMarketInputError);
    expect(() => marketStateFromRounds([ROUNDS[0]!, ROUNDS[0]!], 8)).toThrow(/appears twice/);
    expect(() =>
      marketStateFromRounds([ROUNDS[0]!, { roundId: 5n, answer: -3_763_000_000n, updatedAt: 1n }], 8),
    ).toThrow(/not positive/);
    expect(() => marketStateFromRounds(ROUNDS, 99)).toThrow(/decimals/);
  });

  test('features: Q12, clamped to [-1, 1]', () => {
    expect([...marketFeatures(STATE)]).toEqual([234, 295, 1189, 1024, 0, -4096]);
    const wild = { ...STATE, return1Ppm: 900_000_000, regime: 'volatile' as const };
    expect([...marketFeatures(wild)].slice(0, 1)).toEqual([4096]);
    expect(marketFeatures(wild)[5]).toBe(4096);
  });
});

describe('seeds and latent vectors', () => {
  test('xoshiro128** matches the reference outputs for state {1, 2, 3, 4}', () => {
    const rng = new Xoshiro128(`0x${'00000001000000020000000300000004'}${'0'.repeat(32)}`);
    expect(Array.from({ length: 6 }, () => rng.nextU32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492,
    ]);
  });

  test('art seed is pinned and depends on nonce and salt only (case-insensitive hex)', () => {
    expect(SEED).toBe('0xcbc7194025bde81716b954450bc7ba45e542590644fc7372c1d769bf9aad4304');
    expect(artSeed('0x2b')).not.toBe(SEED);
    expect(artSeed('0x2a', '0xAB')).toBe(artSeed('0x2a', '0xab'));
    expect(artSeed('0x2a', '0xab')).not.toBe(SEED);
    expect(() => artSeed('0x')).toThrow(/nonce/);
    const z = latentVector(SEED, 8);
    expect(z.every((v) => v >= -4096 && v < 4096)).toBe(true);
  });
});

describe('generator model file', () => {
  test('the shipped file is exactly what the documented seed generates', () => {
    const generated = createGeneratorModel();
    expect(Buffer.from(modelFileBytes(generated)).equals(shipped)).toBe(true);
    expect(modelId(model)).toBe('0x9cf9f9c6b8e737287e9fa6ef46e07cbf34a3fa5b638987dd4b04ecca843bf575');
  });

  test('behavior: refuses files that could overflow int32 or do not fit the input layout', () => {
    const big = structuredClone(model);
    big.layers[1]!.weights[0] = 2 ** 30;
    expect(() => validateGeneratorModel(big)).toThrow(InvalidGeneratorModelError);
    expect(() => validateGeneratorModel(big)).toThrow(/beyond int32/);
    const renamed = structuredClone(model);
    renamed.inputs[0] = 'u';
    expect(() => validateGeneratorModel(renamed)).toThrow(/inputs are/);
    const forecaster = { ...structuredClone(model), kind: 'forecaster' as const };
    expect(() => validateGeneratorModel(forecaster)).toThrow(/kind/);
  });
});

describe('renderArtwork', () => {
  // Two goldens per image, checked in this order: the raw RGB pixel buffer is the model's output
  // (integer arithmetic only, identical on every platform); the PNG bytes also depend on the zlib that
  // Node bundles (deflate output may change between zlib versions). If the pixel hash holds and only
  // the PNG hash fails, the difference is zlib on this Node version, not the model.
  const ZLIB_HINT =
    'the RGB pixels match their golden, so only the deflate output differs: a zlib difference of this Node version, not a model change';

  test('golden: 64×64 pixels, PNG and metadata bytes', () => {
    const art = renderArtwork(model, { seed: SEED, marketState: STATE, width: 64, height: 64 });
    expect(art.rgb.length).toBe(64 * 64 * 3);
    expect(sha256(art.rgb)).toBe('e92fdad0e46bf6a36d9a6dcf15947cb3a97822612a73c6a0537c0d7ad7c25536');
    expect(sha256(art.png), ZLIB_HINT).toBe(
      'bb10b5ae6c02530daab16301e3e739f92b3049676cd1b22fddf1106b0046000d',
    );
    const metadata = artworkMetadata({
      version: 0,
      imageCid: 'bafkreif3cc2243ackmg2vmldahr6oopzfmyesz3m2gzc7xprcbvqarqabu',
      modelId: modelId(model),
      modelName: model.name,
      modelVersion: model.version,
      seed: art.seed,
      marketState: STATE,
      width: 64,
      height: 64,
      manifestCid: 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku',
    });
    expect(sha256(artworkMetadataBytes(metadata))).toBe(
      'c0a60929208016bbe76d1d50ec0ffbf1d1054fa9d9300c9e6f8b235321e01899',
    );
    expect(metadata.image).toBe('ipfs://bafkreif3cc2243ackmg2vmldahr6oopzfmyesz3m2gzc7xprcbvqarqabu');
    expect(metadata.attributes).toContainEqual({ trait_type: 'Regime', value: 'calm' });
    // The member ProvenanceNFT.provenanceMember(sha256(manifest)) returns, byte for byte.
    expect(new TextDecoder().decode(artworkMetadataBytes(metadata))).toContain(
      '"provenance":"ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"',
    );
  });

  test('golden: default 512×512 pixels and PNG', () => {
    const art = renderArtwork(model, { seed: SEED, marketState: STATE });
    expect([art.width, art.height]).toEqual([512, 512]);
    expect(sha256(art.rgb)).toBe('6d512e4bdea41eff72c09bd8ea2340a05f939326a762e00dbc1cc80820f0df6a');
    expect(sha256(art.png), ZLIB_HINT).toBe(
      '094201c3287f209de37b5366d12e8a0c4b52e3580f31024e1826763cb8797244',
    );
    expect(art.png.length, ZLIB_HINT).toBe(365704);
  });

  test('behavior: the PNG decodes to the rendered pixels and has no ancillary chunks', () => {
    const art = renderArtwork(model, { seed: seedOf(7), marketState: STATE, width: 48, height: 32 });
    const decoded = PNG.sync.read(Buffer.from(art.png));
    expect([decoded.width, decoded.height]).toEqual([48, 32]);
    for (let i = 0; i < 48 * 32; i += 1) {
      expect([decoded.data[4 * i], decoded.data[4 * i + 1], decoded.data[4 * i + 2]]).toEqual([
        art.rgb[3 * i],
        art.rgb[3 * i + 1],
        art.rgb[3 * i + 2],
      ]);
    }
    const chunkTypes: string[] = [];
    for (let offset = 8; offset < art.png.length; ) {
      const length = new DataView(art.png.buffer, art.png.byteOffset).getUint32(offset);
      chunkTypes.push(Buffer.from(art.png.subarray(offset + 4, offset + 8)).toString('latin1'));
      offset += 12 + length;
    }
    expect(chunkTypes).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  test('behavior: same inputs give the same bytes; token and market change the image', () => {
    const a = renderRgb(model, { seed: seedOf(1), marketState: STATE, width: 32, height: 32 });
    const b = renderRgb(model, { seed: seedOf(1), marketState: STATE, width: 32, height: 32 });
    expect(Buffer.from(a.rgb).equals(Buffer.from(b.rgb))).toBe(true);
    const otherToken = renderRgb(model, { seed: seedOf(2), marketState: STATE, width: 32, height: 32 });
    expect(Buffer.from(otherToken.rgb).equals(Buffer.from(a.rgb))).toBe(false);
    const volatile = { ...STATE, volatilityPpm: 40_000, regime: 'volatile' as const };
    const otherMarket = renderRgb(model, { seed: seedOf(1), marketState: volatile, width: 32, height: 32 });
    expect(Buffer.from(otherMarket.rgb).equals(Buffer.from(a.rgb))).toBe(false);
    expect(otherMarket.zoom).toBeGreaterThan(a.zoom);
  });

  test('behavior: refuses bad sizes and seeds', () => {
    expect(() => renderRgb(model, { seed: seedOf(1), marketState: STATE, width: 0 })).toThrow(
      InvalidRenderParametersError,
    );
    expect(() => renderRgb(model, { seed: '0x2a', marketState: STATE, width: 8, height: 8 })).toThrow(/seed/);
    expect(() => encodePng(new Uint8Array(5), 2, 2)).toThrow(/RGB bytes/);
  });
});
