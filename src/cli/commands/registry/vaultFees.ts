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
  /** Set when this vault could not be read (e.g. no code at the manifest's address): amount is then 0. */
  readError?: string;
};

/** The fees waiting for `modelId` in every deployed vault (only vaults holding more than the 1 unit kept). */
export async function readWaitingFees(
  clients: ProvenantClients,
  deployment: Deployment,
  modelId: Hex,
  token: FeeToken,
): Promise<WaitingFees[]> {
  // One vault that cannot be read (a reset devnet, a stale manifest) is named, not allowed to fail the command.
  const accrued = await Promise.all(
    deployedVaults(deployment).map(async (v) => {
      try {
        const read: { symbol: string; vault: Address; accrued: bigint; readError?: string } = {
          ...v,
          accrued: await accruedFees(clients, v.vault, modelId),
        };
        return read;
      } catch (error) {
        return { ...v, accrued: 0n, readError: (error as Error).message.split('\n')[0] ?? 'read failed' };
      }
    }),
  );
  return accrued
    .filter((v) => v.accrued > 1n || v.readError !== undefined)
    .map((v) => {
      const amount = v.accrued > 1n ? v.accrued - 1n : 0n;
      return {
        synth: v.symbol,
        vault: v.vault,
        amount,
        amountUnits: formatUnits(amount, token.decimals),
        token: token.symbol,
        ...(v.readError === undefined ? {} : { readError: v.readError }),
      };
    });
}

/** One table row per vault with fees waiting: `waiting in the sWTI vault`, amount and the flush command. */
export function waitingRows(waiting: readonly WaitingFees[], modelId: Hex): [string, string][] {
  return waiting.map((w) => [
    `waiting in the ${w.synth} vault`,
    w.readError !== undefined
      ? `could not read the vault ${w.vault}: ${w.readError}`
      : `${w.amountUnits} ${w.token} (not yet paid in: flush with \`provenant model claim ${modelId.slice(0, 12)} --flush ${w.synth}\`)`,
  ]);
}
