import type { Address, Hex } from 'viem';
import { describe, expect, test } from 'vitest';
import { MINT_SCAN_REORG_MARGIN, mintScanStart, readMintedLogs } from './markets.js';

const VAULT = '0x00000000000000000000000000000000000000a1' as Address;
const OWNER = '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' as Address;
const INTENT = `0x${'5e'.repeat(32)}` as Hex;
/** A chain months old: deployed at block 1,000, head at 2,000,000 (hundreds of 10,000-block windows). */
const DEPLOYED = 1_000n;
const HEAD = 2_000_000n;
/** The decision read its rounds at this block; its mint landed two blocks later. */
const READ_AT = 1_990_500n;
const MINTED_AT = READ_AT + 2n;

/** A public client whose `getContractEvents` counts its calls and holds one Minted log at MINTED_AT. */
function countingClient() {
  const windows: [bigint, bigint][] = [];
  const publicClient = {
    getBlockNumber: async () => HEAD,
    getContractEvents: async (p: {
      args: { owner: Address; intentId: Hex };
      fromBlock: bigint;
      toBlock: bigint;
    }) => {
      windows.push([p.fromBlock, p.toBlock]);
      if (p.args.intentId !== INTENT || MINTED_AT < p.fromBlock || MINTED_AT > p.toBlock) return [];
      return [
        {
          transactionHash: `0x${'ab'.repeat(32)}`,
          blockNumber: MINTED_AT,
          logIndex: 3,
          args: {
            owner: OWNER,
            modelId: `0x${'c3'.repeat(32)}`,
            intentId: INTENT,
            amount: 10n ** 18n,
            fee: 0n,
            collateralAdded: 0n,
          },
        },
      ];
    },
  };
  return { clients: { publicClient } as never, windows };
}

describe('readMintedLogs: a decision’s Minted log is scanned from the block the decision was read at', () => {
  test('from readBlock: finds the log in one or two calls; from the deployment: the same log, ~200 calls', async () => {
    const bounded = countingClient();
    const fromRead = await readMintedLogs(bounded.clients, VAULT, {
      owner: OWNER,
      intentId: INTENT,
      fromBlock: DEPLOYED,
      readBlock: READ_AT.toString(),
    });
    const full = countingClient();
    const fromDeployment = await readMintedLogs(full.clients, VAULT, {
      owner: OWNER,
      intentId: INTENT,
      fromBlock: DEPLOYED,
    });
    expect(fromRead.map((l) => [l.hash, l.blockNumber])).toEqual([[`0x${'ab'.repeat(32)}`, MINTED_AT]]);
    expect(fromDeployment).toEqual(fromRead);
    // The bounded scan starts a reorg margin below the read block and covers up to the head.
    expect(bounded.windows[0]![0]).toBe(READ_AT - MINT_SCAN_REORG_MARGIN);
    expect(bounded.windows.at(-1)![1]).toBe(HEAD);
    expect(bounded.windows.length).toBeLessThanOrEqual(2);
    expect(full.windows[0]![0]).toBe(DEPLOYED);
    expect(full.windows.length).toBe(200);
  });

  test('the start is never after the read block, never before the deployment; unknown read block: the deployment', () => {
    expect(mintScanStart(DEPLOYED, READ_AT)).toBe(READ_AT - MINT_SCAN_REORG_MARGIN);
    expect(mintScanStart(DEPLOYED, '1990500')).toBe(READ_AT - MINT_SCAN_REORG_MARGIN);
    // A read block within the margin of the deployment: the deployment block.
    expect(mintScanStart(DEPLOYED, DEPLOYED + 10n)).toBe(DEPLOYED);
    expect(mintScanStart(undefined, 10n)).toBe(0n);
    // Older journals and manifests (no read block) or a malformed one: from the deployment, as before.
    expect(mintScanStart(DEPLOYED, undefined)).toBe(DEPLOYED);
    expect(mintScanStart(DEPLOYED, '0x10')).toBe(DEPLOYED);
    expect(mintScanStart(DEPLOYED, '-5')).toBe(DEPLOYED);
    expect(mintScanStart(undefined, undefined)).toBeUndefined();
  });
});
