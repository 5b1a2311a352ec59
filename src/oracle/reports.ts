import type { Address, Hex, LocalAccount } from 'viem';

/** The EIP-712 typed data a reporter signs for one round of one feed (MedianOracle.REPORT_TYPEHASH). */
export const reportTypes = {
  Report: [
    { name: 'feed', type: 'address' },
    { name: 'roundId', type: 'uint80' },
    { name: 'answer', type: 'int256' },
    { name: 'observedAt', type: 'uint256' },
  ],
} as const;

export type SignedReport = { answer: bigint; observedAt: bigint; signature: Hex; reporter: Address };

export function reportDomain(feed: Address, chainId: number) {
  return { name: 'Provenant MedianOracle', version: '1', chainId, verifyingContract: feed } as const;
}

/** One reporter signs its observation for `roundId`. */
export async function signReport(
  account: LocalAccount,
  parameters: { feed: Address; chainId: number; roundId: bigint; answer: bigint; observedAt: bigint },
): Promise<SignedReport> {
  const signature = await account.signTypedData({
    domain: reportDomain(parameters.feed, parameters.chainId),
    types: reportTypes,
    primaryType: 'Report',
    message: {
      feed: parameters.feed,
      roundId: parameters.roundId,
      answer: parameters.answer,
      observedAt: parameters.observedAt,
    },
  });
  return {
    answer: parameters.answer,
    observedAt: parameters.observedAt,
    signature,
    reporter: account.address,
  };
}

/**
 * The median exactly as MedianOracle computes it: the middle value of the sorted answers; for an even
 * count the mean of the two middle values rounded toward zero.
 */
export function medianOf(values: readonly bigint[]): bigint {
  const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid] as bigint;
  const a = sorted[mid - 1] as bigint;
  const b = sorted[mid] as bigint;
  return a / 2n + b / 2n + ((a % 2n) + (b % 2n)) / 2n;
}
