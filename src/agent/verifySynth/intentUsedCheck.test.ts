/**
 * `intent-used` for a zk mint sent as `proveAndMint`: the gate's statement record AND exactly one Minted
 * log of the agent with the intent id (a tampered chain with two such logs fails the check by name); the
 * Minted logs are scanned from the deployment block, whatever read block the manifest names.
 */
import { type Address, type Hex, keccak256, type PublicClient } from 'viem';
import { describe, expect, test } from 'vitest';
import { intentUsedCheck } from './intentUsedCheck.js';
import type { SynthVerifyDependencies } from './types.js';

const VAULT = '0x00000000000000000000000000000000000000a1' as Address;
const GATE = '0x00000000000000000000000000000000000000b7' as Address;
const AGENT = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
const DEPLOYED = 100n;
const HEAD = 900_000n;
const READ_AT = 880_000n;

/** A zk (proveAndMint) decision manifest read at READ_AT (or without a read block: older manifests). */
function manifestBytes(readBlock: string | undefined, sentAs?: 'mintWithProof'): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      format: 'provenant-manifest/1',
      kind: 'synth-decision',
      vault: VAULT.toLowerCase(),
      action: 'mint',
      amount: '1000000000000000000',
      model: { id: `0x${'c3'.repeat(32)}` },
      inputs: { feed: '0xf1', decimals: 8, rounds: [], ...(readBlock ? { readBlock } : {}) },
      proof: {
        kind: 'groth16',
        circuit: 'x',
        roundIds: ['1'],
        lastRoundId: '21',
        publicSignals: ['1', '2', '3'],
        maxDebt: '5',
        ...(sentAs ? { sentAs, proofId: `0x${'d4'.repeat(32)}` } : {}),
      },
    }),
  );
}

/** A chain where the gate holds (or not) the statement and the vault holds `minted` Minted logs for the intent. */
function depsWith(
  intentId: Hex,
  minted: number,
  statementRecorded = true,
  blocks: readonly bigint[] = Array.from({ length: minted }, (_, i) => READ_AT + 1n + BigInt(i)),
) {
  const windows: [bigint, bigint][] = [];
  const client = {
    getBlockNumber: async () => HEAD,
    getTransaction: async () => ({ input: '0x' }),
    readContract: async (p: { functionName: string }) => {
      if (p.functionName === 'zkConfig') return { gate: GATE };
      if (p.functionName === 'provenForecast')
        return {
          output0: 1n,
          output1: 2n,
          lastRoundId: 21n,
          provenAt: statementRecorded ? 1_700_000_000 : 0,
        };
      throw new Error(`unexpected read ${p.functionName}`);
    },
    getContractEvents: async (p: {
      eventName: string;
      args: { owner: Address; intentId: Hex };
      fromBlock: bigint;
      toBlock: bigint;
    }) => {
      windows.push([p.fromBlock, p.toBlock]);
      if (p.eventName !== 'Minted' || p.args.intentId !== intentId) return [];
      return Array.from({ length: minted }, (_, i) => ({
        transactionHash: `0x${(0xa0 + i).toString(16).repeat(32)}` as Hex,
        blockNumber: blocks[i]!,
        logIndex: 0,
        args: { owner: AGENT, intentId, amount: 10n ** 18n },
      })).filter((l) => l.blockNumber >= p.fromBlock && l.blockNumber <= p.toBlock);
    },
  } as unknown as PublicClient;
  const deps: SynthVerifyDependencies = {
    client,
    vault: VAULT,
    registry: '0x00000000000000000000000000000000000000b1',
    content: {} as never,
    loadModelFile: async () => new Uint8Array(),
    fromBlock: DEPLOYED,
  };
  return { deps, windows };
}

describe('intent-used for a proveAndMint decision', () => {
  test('the statement recorded and one Minted log of the agent: passes, naming both', async () => {
    const bytes = manifestBytes(READ_AT.toString());
    const { deps } = depsWith(keccak256(bytes), 1);
    const [name, ok, expected, actual] = await intentUsedCheck(deps, AGENT, keccak256(bytes), bytes);
    expect([name, ok]).toEqual(['intent-used', true]);
    expect(expected).toContain('the statement recorded by the gate');
    expect(expected).toContain('one Minted log of the agent with this intent id');
    expect(actual).toMatch(/^recorded, proof id 0x[0-9a-f]{64}; one Minted log, tx 0xa0a0/);
  });

  test('tamper: two Minted logs with the intent id fail intent-used, even with the statement recorded', async () => {
    const bytes = manifestBytes(READ_AT.toString());
    const { deps } = depsWith(keccak256(bytes), 2);
    const [name, ok, , actual] = await intentUsedCheck(deps, AGENT, keccak256(bytes), bytes);
    expect([name, ok]).toEqual(['intent-used', false]);
    expect(actual).toContain('2 Minted logs');
  });

  test('no Minted log, or the statement not recorded: fails', async () => {
    const bytes = manifestBytes(READ_AT.toString());
    const none = await intentUsedCheck(depsWith(keccak256(bytes), 0).deps, AGENT, keccak256(bytes), bytes);
    expect(none[1]).toBe(false);
    expect(none[3]).toContain('no Minted log');
    const unrecorded = await intentUsedCheck(
      depsWith(keccak256(bytes), 1, false).deps,
      AGENT,
      keccak256(bytes),
      bytes,
    );
    expect(unrecorded[1]).toBe(false);
    expect(unrecorded[3]).toContain('not recorded');
  });
});

describe('intent-used scans every Minted log since the deployment', () => {
  test('sound against a manifest that names a late read block: an earlier mint of the same intent id is still found', async () => {
    // The manifest (fixed by the intent id, written by the agent) claims the rounds were read at READ_AT; a
    // first mint of the same intent id landed long before. Scanning from READ_AT would see one log and pass.
    const bytes = manifestBytes(READ_AT.toString(), 'mintWithProof');
    const { deps, windows } = depsWith(keccak256(bytes), 2, true, [DEPLOYED + 500n, READ_AT + 1n]);
    const [name, ok, , actual] = await intentUsedCheck(deps, AGENT, keccak256(bytes), bytes);
    expect([name, ok]).toEqual(['intent-used', false]);
    expect(actual).toContain('2 Minted logs');
    expect(windows[0]![0]).toBe(DEPLOYED);
  });
});
