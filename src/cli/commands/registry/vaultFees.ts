// Why: mint fees for a model wait in each vault until someone flushes them; `model show`, `model shares` and
// `model claim` all name them, so a holder sees revenue that is on its way, not only what was paid in.
import { type Address, formatUnits, type Hex } from 'viem';
import { accruedFees, type FeeToken, type ProvenantClients } from '../../../chain/index.js';
import type { Deployment } from '../policy.js';

/** Every deployed synthetic vault, by symbol (`SyntheticVault.<symbol>` in the manifest). */
export function deployedVaults(deployment: Deployment): { symbol: string; vault: Address }[] {
  return Object.entries(deployment.manifest.contracts)
    .filter(([name]) => name.startsWith('SyntheticVault.'))
    .map(([name, entry]) => ({ symbol: name.slice('SyntheticVault.'.length), vault: entry.address }));
}

/** Fees one vault holds for a model, not yet flushed to its shareholders (what a flush would move). */
export type WaitingFees = {
  synth: string;
  vault: Address;
  /** Fee-token base units a flush would move (the vault keeps 1 unit in the slot). */
  amount: bigint;
  amountUnits: string;
  token: string;
};

/** The fees waiting for `modelId` in every deployed vault (only vaults holding more than the 1 unit kept). */
export async function readWaitingFees(
  clients: ProvenantClients,
  deployment: Deployment,
  modelId: Hex,
  token: FeeToken,
): Promise<WaitingFees[]> {
  const accrued = await Promise.all(
    deployedVaults(deployment).map(async (v) => ({
      ...v,
      accrued: await accruedFees(clients, v.vault, modelId),
    })),
  );
  return accrued
    .filter((v) => v.accrued > 1n)
    .map((v) => ({
      synth: v.symbol,
      vault: v.vault,
      amount: v.accrued - 1n,
      amountUnits: formatUnits(v.accrued - 1n, token.decimals),
      token: token.symbol,
    }));
}

/** One table row per vault with fees waiting: `waiting in the sWTI vault`, amount and the flush command. */
export function waitingRows(waiting: readonly WaitingFees[], modelId: Hex): [string, string][] {
  return waiting.map((w) => [
    `waiting in the ${w.synth} vault`,
    `${w.amountUnits} ${w.token} (not yet paid in: flush with \`provenant model claim ${modelId.slice(0, 12)} --flush ${w.synth}\`)`,
  ]);
}
