// Why: the vault's Minted/Repaid logs name who sent an intent and carry the amount the vault recorded.
import type { Address, Hex, PublicClient } from 'viem';
import { type MintedLog, readMintedLogs, scanLogs, syntheticVaultAbi } from '../../chain/index.js';

/** Where and with what amount the vault logged a decision. */
export type VaultLog = { hash: Hex; amount: bigint; blockNumber: bigint; logIndex: number };

const vaultLog = (
  log: { transactionHash: Hex; blockNumber: bigint; logIndex: number; args: { amount: bigint } } | undefined,
): VaultLog | undefined =>
  log
    ? {
        hash: log.transactionHash,
        amount: log.args.amount,
        blockNumber: log.blockNumber,
        logIndex: log.logIndex,
      }
    : undefined;

/**
 * Every Minted log of the vault carrying `intentId`, whoever the owner, oldest first, scanned from
 * `fromBlock` (the deployment block). One scan per decision serves `intentCaller`, `intent-used` (its
 * uniqueness must not rest on a block the agent chose) and `vaultEvent`.
 */
export function intentMintedLogs(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  fromBlock: bigint | undefined,
): Promise<MintedLog[]> {
  return readMintedLogs({ publicClient: client }, vault, { intentId, fromBlock });
}

/** The logs of `minted` whose owner is `agent`: an intent id is the agent's own key, per caller. */
export function mintedBy(minted: readonly MintedLog[], agent: Address): MintedLog[] {
  return minted.filter((l) => l.owner.toLowerCase() === agent.toLowerCase());
}

/**
 * The agent that sent the intent's mint or repay. Only an agent can mint, so a Minted log's `owner` is
 * one (`minted`: the intent's Minted logs, `intentMintedLogs`). Anyone may repay any position with any
 * intent id (ids are per caller), so a Repaid log counts only when the sender repaid its own position
 * (`by == owner`), which needs debt, i.e. an agent's position; Repaid logs are scanned from `fromBlock`.
 */
export async function intentCaller(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  fromBlock: bigint | undefined,
  minted: readonly MintedLog[],
): Promise<Address | undefined> {
  if (minted[0]) return minted[0].owner;
  const repaid = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Repaid',
      args: { intentId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  return repaid.find((l) => l.args.by.toLowerCase() === l.args.owner.toLowerCase())?.args.by;
}

/**
 * The agent's Minted log (the first of `minted` owned by the agent) or its Repaid log (owner = by = agent,
 * scanned from `fromBlock`) for the intent id.
 */
export async function vaultEvent(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  action: 'mint' | 'repay',
  fromBlock: bigint | undefined,
  agent: Address | undefined,
  minted: readonly MintedLog[],
): Promise<VaultLog | undefined> {
  if (!agent) return undefined;
  if (action === 'mint') return mintedBy(minted, agent)[0];
  const logs = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Repaid',
      args: { owner: agent, by: agent, intentId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  return vaultLog(logs[0]);
}
