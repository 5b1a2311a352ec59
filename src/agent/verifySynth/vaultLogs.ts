// Why: the vault's Minted/Repaid logs name who sent an intent and carry the amount the vault recorded.
import type { Address, Hex, PublicClient } from 'viem';
import { readMintedLogs, scanLogs, syntheticVaultAbi } from '../../chain/index.js';

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
 * The agent that sent the intent's mint or repay. Only an agent can mint, so a Minted log's `owner` is
 * one. Anyone may repay any position with any intent id (ids are per caller), so a Repaid log counts only
 * when the sender repaid its own position (`by == owner`), which needs debt, i.e. an agent's position.
 */
export async function intentCaller(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  fromBlock: bigint | undefined,
): Promise<Address | undefined> {
  const minted = await scanLogs(client, { fromBlock }, (from, to) =>
    client.getContractEvents({
      address: vault,
      abi: syntheticVaultAbi,
      eventName: 'Minted',
      args: { intentId },
      fromBlock: from,
      toBlock: to,
      strict: true,
    }),
  );
  if (minted[0]) return minted[0].args.owner;
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

/** The agent's Minted (owner = agent) or Repaid (owner = by = agent) log for the intent id. */
export async function vaultEvent(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  action: 'mint' | 'repay',
  fromBlock: bigint | undefined,
  agent: Address | undefined,
): Promise<VaultLog | undefined> {
  if (!agent) return undefined;
  if (action === 'mint') return (await agentMintedLogs(client, vault, intentId, fromBlock, agent))[0];
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

/**
 * Every Minted log of `agent` (owner) carrying `intentId`, in block order (`readMintedLogs`). The vault does
 * not record a nonce-checked mint's intent id (the position's mint nonce keys it), so these logs are the
 * chain's record that the intent was minted — and that it was minted once.
 */
export function agentMintedLogs(
  client: PublicClient,
  vault: Address,
  intentId: Hex,
  fromBlock: bigint | undefined,
  agent: Address,
): Promise<VaultLog[]> {
  return readMintedLogs({ publicClient: client }, vault, { owner: agent, intentId, fromBlock });
}
