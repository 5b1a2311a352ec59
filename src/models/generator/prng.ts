import { hexToBytes, keccak256, toBytes } from 'viem';
import { canonicalJson } from '../modelFile.js';

/**
 * xoshiro128** (Blackman & Vigna), 32-bit integer operations only (`Math.imul`, shifts, `>>> 0`),
 * seeded from a 32-byte seed: the state is the first 16 bytes read as four big-endian uint32
 * (an all-zero state, which xoshiro forbids, is replaced by keccak256 of the seed).
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: `0x${string}`) {
    let bytes = hexToBytes(seed);
    if (bytes.length !== 32) throw new RangeError(`Xoshiro128: seed must be 32 bytes, got ${bytes.length}`);
    const view = () => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (view().getBigUint64(0) === 0n && view().getBigUint64(8) === 0n) bytes = hexToBytes(keccak256(bytes));
    const v = view();
    this.s0 = v.getUint32(0);
    this.s1 = v.getUint32(4);
    this.s2 = v.getUint32(8);
    this.s3 = v.getUint32(12);
  }

  /** The next uint32. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = (this.s1 << 9) | 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform integer in [-2^(bits-1), 2^(bits-1)), from the top `bits` bits (1 ≤ bits ≤ 31). */
  nextSigned(bits: number): number {
    return (this.nextU32() >>> (32 - bits)) - (1 << (bits - 1));
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k)) | 0;
}

/** Domain tag of the artwork seed. */
export const ART_SEED_DOMAIN = 'provenant/generator-seed/v1' as const;

const HEX_BYTES = /^0x([0-9a-fA-F]{2})*$/;

/**
 * The seed of an artwork's latent vector:
 * `keccak256(utf8(canonicalJson({ domain: 'provenant/generator-seed/v1', nonce, salt })))`, with
 * `nonce` and `salt` as lowercase 0x-hex strings. The nonce is chosen by the agent at mint (e.g. its
 * intent key), the salt names the collection (e.g. the NFT contract address; default `0x`).
 *
 * The token id cannot be an input: on ProvenanceNFT the token id is the sha2-256 digest of the genesis
 * metadata, which names the manifest that contains this seed. The market state is not an input either: a token keeps its
 * seed (its latent identity) across versions and the market state conditions the network, so a
 * dynamic NFT visibly evolves rather than being replaced by an unrelated image.
 */
export function artSeed(nonce: `0x${string}`, salt: `0x${string}` = '0x'): `0x${string}` {
  if (!HEX_BYTES.test(nonce) || nonce.length < 4)
    throw new RangeError(`artSeed: nonce '${nonce}' must be non-empty 0x-hex bytes`);
  if (!HEX_BYTES.test(salt)) throw new RangeError(`artSeed: salt '${salt}' must be 0x-hex bytes`);
  return keccak256(
    toBytes(canonicalJson({ domain: ART_SEED_DOMAIN, nonce: nonce.toLowerCase(), salt: salt.toLowerCase() })),
  );
}

/** `dims` latent values in Q12, uniform in [-4096, 4096) (13 bits each), from the seed. */
export function latentVector(seed: `0x${string}`, dims: number): Int32Array {
  const rng = new Xoshiro128(seed);
  const z = new Int32Array(dims);
  for (let i = 0; i < dims; i += 1) z[i] = rng.nextSigned(13);
  return z;
}
