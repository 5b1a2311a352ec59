// Why: the generator's other inputs (market state, seed) are re-derived from the manifest's own fields.
import { artSeed, canonicalJson, marketStateFromRounds } from '../../models/index.js';
import type { Manifest } from '../manifest.js';
import type { Hex, VerifyCheck } from './types.js';

/** `market-state`: the manifest's market state is the one its rounds, decimals and forecast make. */
export function marketStateCheck(manifest: Manifest): VerifyCheck {
  try {
    const derived = marketStateFromRounds(
      manifest.inputs.oracle.rounds.map((r) => ({
        roundId: BigInt(r.roundId),
        answer: BigInt(r.answer),
        updatedAt: BigInt(r.updatedAt),
      })),
      manifest.inputs.oracle.decimals,
      manifest.inputs.forecast ? { returnPpm: manifest.inputs.forecast.returnPpm } : undefined,
    );
    const same = canonicalJson(derived) === canonicalJson(manifest.marketState);
    return {
      name: 'market-state',
      status: same ? 'pass' : 'fail',
      expected: canonicalJson(derived),
      actual: canonicalJson(manifest.marketState),
    };
  } catch (error) {
    return {
      name: 'market-state',
      status: 'fail',
      actual: canonicalJson(manifest.marketState),
      detail: (error as Error).message.split('\n')[0],
    };
  }
}

/** `seed`: the manifest's seed is `artSeed(nonce, salt)`. */
export function seedCheck(manifest: Manifest): VerifyCheck {
  const seed = artSeed(manifest.parameters.nonce as Hex, manifest.parameters.salt as Hex);
  return {
    name: 'seed',
    status: seed === manifest.parameters.seed ? 'pass' : 'fail',
    expected: seed,
    actual: manifest.parameters.seed,
  };
}
