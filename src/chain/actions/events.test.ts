import {
  type Abi,
  type AbiEvent,
  type Address,
  encodeAbiParameters,
  encodeEventTopics,
  type Hex,
  type Log,
} from 'viem';
import { describe, expect, it } from 'vitest';
import { provenanceNFTAbi, testStablecoinAbi } from '../generated/contracts.js';
import { decodeEvents, eventKey, projectEventsAbi } from './events.js';

const NFT: Address = '0x00000000000000000000000000000000000a11ce';
const USD: Address = '0x0000000000000000000000000000000000000b0b';
const ALICE: Address = '0x1111111111111111111111111111111111111111';
const BOB: Address = '0x2222222222222222222222222222222222222222';
const ZERO: Address = '0x0000000000000000000000000000000000000000';

/** A log as a node returns it, encoded with the contract's own ABI. */
function logOf(
  abi: Abi,
  address: Address,
  eventName: string,
  args: Record<string, unknown>,
): Log<bigint, number, false> {
  const item = abi.find((x): x is AbiEvent => x.type === 'event' && x.name === eventName);
  if (!item) throw new Error(`no event ${eventName}`);
  const topics = encodeEventTopics({ abi: [item], eventName, args } as never) as [Hex, ...Hex[]];
  const plain = item.inputs.filter((i) => !i.indexed);
  const data = encodeAbiParameters(
    plain,
    plain.map((i) => args[i.name as string]),
  );
  return {
    address,
    topics,
    data,
    blockHash: `0x${'11'.repeat(32)}`,
    blockNumber: 7n,
    logIndex: 0,
    transactionHash: `0x${'22'.repeat(32)}`,
    transactionIndex: 0,
    removed: false,
  };
}

const nftMint = logOf(provenanceNFTAbi, NFT, 'Transfer', { from: ZERO, to: ALICE, tokenId: 42n });
const nftApproval = logOf(provenanceNFTAbi, NFT, 'Approval', { owner: ALICE, approved: BOB, tokenId: 42n });
const usdTransfer = logOf(testStablecoinAbi, USD, 'Transfer', { from: ALICE, to: BOB, value: 1_500_000n });
const usdApproval = logOf(testStablecoinAbi, USD, 'Approval', { owner: ALICE, spender: BOB, value: 7n });

describe('decodeEvents', () => {
  it('decodes an ERC-721 mint Transfer with tokenId and an ERC-20 Transfer with value in one receipt', () => {
    const events = decodeEvents(projectEventsAbi, { logs: [nftMint, usdTransfer] });
    expect(events).toEqual([
      { eventName: 'Transfer', address: NFT, args: { from: ZERO, to: ALICE, tokenId: 42n } },
      { eventName: 'Transfer', address: USD, args: { from: ALICE, to: BOB, value: 1_500_000n } },
    ]);
  });

  it('tells ERC-721 and ERC-20 Approval apart too', () => {
    const events = decodeEvents(projectEventsAbi, { logs: [usdApproval, nftApproval] });
    expect(events.map((e) => e.args)).toEqual([
      { owner: ALICE, spender: BOB, value: 7n },
      { owner: ALICE, approved: BOB, tokenId: 42n },
    ]);
  });

  it('does not depend on which standard comes first in the ABI (as writeContract prepends callers ABIs)', () => {
    for (const abi of [
      [...testStablecoinAbi, ...provenanceNFTAbi],
      [...provenanceNFTAbi, ...testStablecoinAbi],
    ] as Abi[]) {
      const [nft, usd] = decodeEvents(abi, { logs: [nftMint, usdTransfer] });
      expect(nft?.args).toEqual({ from: ZERO, to: ALICE, tokenId: 42n });
      expect(usd?.args).toEqual({ from: ALICE, to: BOB, value: 1_500_000n });
    }
  });

  it('skips logs no ABI item knows', () => {
    const unknown = { ...usdTransfer, topics: [`0x${'ab'.repeat(32)}`] as [Hex] };
    expect(decodeEvents(testStablecoinAbi as Abi, { logs: [unknown, usdTransfer] })).toHaveLength(1);
  });
});

describe('projectEventsAbi', () => {
  it('keeps both Transfer shapes, keyed by indexed flags, and nothing twice', () => {
    const keys = projectEventsAbi.filter((x): x is AbiEvent => x.type === 'event').map(eventKey);
    expect(keys).toContain('Transfer(address!,address!,uint256)');
    expect(keys).toContain('Transfer(address!,address!,uint256!)');
    expect(keys).toContain('Approval(address!,address!,uint256)');
    expect(keys).toContain('Approval(address!,address!,uint256!)');
    expect(new Set(keys).size).toBe(keys.length);
  });
});
