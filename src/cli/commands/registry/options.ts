// Why: the share split and zk commitment a user types are checked here, before any chain call, the same way
// for `model register` and `model approve`.
import { type Address, formatUnits, getAddress, type Hex, isAddressEqual, isHex } from 'viem';
import { NonRetryableError } from '../../../errors/index.js';
import { parseAddress, parseAmount } from '../synth.js';
import { sharesText } from './format.js';

const SHARE_SUPPLY = 1_000_000n * 10n ** 18n;

/** `0xholder=600000` (whole shares) pairs; the shares must sum to 1,000,000. */
export function parseHolders(
  specs: readonly string[] | undefined,
  fallback: Address,
): { holders: Address[]; amounts: bigint[] } {
  if (!specs || specs.length === 0) return { holders: [fallback], amounts: [SHARE_SUPPLY] };
  const holders: Address[] = [];
  const amounts: bigint[] = [];
  for (const spec of specs) {
    const [who, shares] = spec.split('=');
    if (!who || !shares)
      throw new NonRetryableError(`--holder '${spec}' is not <address>=<shares>.`, {
        details:
          'Example: --holder 0xabc…=600000 --holder 0xdef…=400000 (whole shares, summing to 1,000,000).',
      });
    holders.push(parseAddress(who, 'holder'));
    amounts.push(parseAmount(shares, 18, `share amount in --holder '${spec}'`));
  }
  const sum = amounts.reduce((a, b) => a + b, 0n);
  if (sum !== SHARE_SUPPLY)
    throw new NonRetryableError(`The holders' shares sum to ${formatUnits(sum, 18)}, not 1,000,000.`, {
      details: 'Every model has exactly 1,000,000 shares; list how they are split.',
    });
  return { holders, amounts };
}

/** `--zk-commitment`: a 32-byte hex value, or `none` (the zero commitment). */
export function parseZkCommitment(text: string | undefined): Hex {
  const none: Hex = `0x${'00'.repeat(32)}`;
  if (text === undefined || text === 'none') return none;
  if (!isHex(text) || text.length !== 66)
    throw new NonRetryableError(`--zk-commitment '${text}' is not a 32-byte hex value.`, {
      details:
        'Pass the commitment you reviewed as 0x followed by 64 hex digits (`provenant model show` prints it), or `none` for a model without one.',
    });
  return text;
}

/**
 * Refuses a share split naming one holder twice: the registry would accept it, but the split then
 * differs from the one a reviewer writes (one line per holder), so the share token `model approve
 * --holder` predicts would not be the registered one.
 */
export function refuseDuplicateHolders(holders: readonly Address[], amounts: readonly bigint[]): void {
  const seen = new Map<string, bigint>();
  for (const [i, h] of holders.entries())
    seen.set(h.toLowerCase(), (seen.get(h.toLowerCase()) ?? 0n) + (amounts[i] ?? 0n));
  if (seen.size === holders.length) return;
  const repeated = holders.filter((h, i) => holders.findIndex((o) => isAddressEqual(o, h)) !== i);
  const first = getAddress(repeated[0] as Address);
  throw new NonRetryableError(`--holder names ${first} more than once.`, {
    details: `Give each holder once with all its shares, e.g. --holder ${first}=${sharesText(seen.get(first.toLowerCase()) ?? 0n)}.`,
  });
}
