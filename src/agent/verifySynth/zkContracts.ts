// Why: the gate and accumulator addresses are read once per run, and the gate's statement id is computed
// the same way by every check that names a statement.
import { type Address, encodeAbiParameters, type Hex, keccak256 } from 'viem';
import { forecastProofGateAbi, syntheticVaultAbi } from '../../chain/index.js';
import type { SynthVerifyDependencies } from './types.js';

/**
 * The vault's zk gate and (read on first use) the gate's feed accumulator, read once per set of
 * dependencies: a `verify --synth --all` checks every decision against the same contracts.
 */
const zkContractsCache = new WeakMap<
  SynthVerifyDependencies,
  Promise<{ gate: Address; accumulator: () => Promise<Address> }>
>();
export function zkContracts(deps: SynthVerifyDependencies) {
  let cached = zkContractsCache.get(deps);
  if (!cached) {
    cached = (async () => {
      const { gate } = await deps.client.readContract({
        address: deps.vault,
        abi: syntheticVaultAbi,
        functionName: 'zkConfig',
      });
      let accumulator: Promise<Address> | undefined;
      return {
        gate,
        accumulator: () =>
          (accumulator ??= deps.client.readContract({
            address: gate,
            abi: forecastProofGateAbi,
            functionName: 'ACCUMULATOR',
          })),
      };
    })();
    cached.catch(() => zkContractsCache.delete(deps));
    zkContractsCache.set(deps, cached);
  }
  return cached;
}

/** The gate's statement id (nullifier): keccak256(abi.encode(uint80 lastRoundId, uint256[] publicSignals)). */
export function statementId(lastRoundId: bigint, publicSignals: readonly bigint[]): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'uint80' }, { type: 'uint256[]' }], [lastRoundId, publicSignals]),
  );
}
