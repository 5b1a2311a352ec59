// Why: shares, fee amounts, percentages and a model's record read the same in every model command.
import { formatUnits } from 'viem';
import type { FeeToken, ModelRecord } from '../../../chain/index.js';
import { iso } from '../policy.js';

/** Whole shares (18 decimals) as a person reads them. */
export const sharesText = (amount: bigint) => formatUnits(amount, 18);
/** A fee-token amount in units with its symbol, e.g. `1.5 tUSD`. */
export const feeText = (amount: bigint, token: FeeToken) =>
  `${formatUnits(amount, token.decimals)} ${token.symbol}`;

/** A model's record as the commands print it (and as `--json` gives it). */
export function modelRow(m: ModelRecord) {
  return {
    modelId: m.modelId,
    kind: m.kind,
    approved: m.approved,
    owner: m.owner,
    shares: m.shares,
    zkCommitment: m.zkCommitment,
    version: m.version,
    metadataURI: m.metadataURI,
    licence: m.licence,
    registeredAt: iso(m.registeredAt),
  };
}

/** `part` of `whole` as a percentage with up to 4 decimals, e.g. `24.99995%`. */
export function percentText(part: bigint, whole: bigint): string {
  if (whole === 0n) return '0%';
  const text = formatUnits((part * 100n * 10n ** 6n) / whole, 6);
  return `${text}%`;
}
