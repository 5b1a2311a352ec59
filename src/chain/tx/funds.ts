import { type Address, BaseError, type Hex, InsufficientFundsError } from 'viem';
import type { ProvenantClients } from '../clients.js';
import { withGasMargin } from '../gasMargin.js';
import { InsufficientBalanceError } from './errors.js';

/** A balance for the estimate's state override: enough for any transaction, far below any overflow. */
const FUNDED = 10n ** 30n;
const INSUFFICIENT = /insufficient funds|exceeds the balance of the account/i;

/** The messages of `error` and its causes, joined (viem nests the node's own text a few levels down). */
function causeText(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current && depth < 8; depth++) {
    const e = current as { message?: unknown; details?: unknown; cause?: unknown };
    if (typeof e.message === 'string') parts.push(e.message);
    if (typeof e.details === 'string') parts.push(e.details);
    current = e.cause;
  }
  return parts.join('\n');
}

/**
 * True when the node refused a transaction because the sender cannot pay gas × fee + value (viem's
 * InsufficientFundsError, or the node's "insufficient funds" text where viem did not map it).
 */
export function isInsufficientFunds(error: unknown): boolean {
  if (error instanceof BaseError && error.walk((e) => e instanceof InsufficientFundsError)) return true;
  return INSUFFICIENT.test(causeText(error));
}

/**
 * Turns a refusal for insufficient funds into an InsufficientBalanceError naming the account, its
 * balance (read now) and what the transaction needed: `gas` × the current max fee per gas + `value` when
 * the gas limit is known, else the node's own "want N" figure when it gave one. Undefined for any other
 * error (the caller rethrows it), or when the balance cannot be read.
 */
export async function toInsufficientBalanceError(
  clients: Pick<ProvenantClients, 'publicClient'>,
  error: unknown,
  tx: {
    label: string;
    account: Address;
    /** The call (`to` omitted for a contract creation): estimates the gas when `gas` is unknown. */
    to?: Address | undefined;
    data?: Hex | undefined;
    gas?: bigint | undefined;
    value?: bigint | undefined;
  },
): Promise<InsufficientBalanceError | undefined> {
  if (error instanceof InsufficientBalanceError) return error;
  if (!isInsufficientFunds(error)) return undefined;
  const pc = clients.publicClient;
  const balance = await pc.getBalance({ address: tx.account }).catch(() => undefined);
  if (balance === undefined) return undefined;
  let needed: bigint | undefined;
  let gas = tx.gas;
  if (gas === undefined && tx.data !== undefined) {
    // The node refused before a gas limit was known: estimate it as if the account were funded (a state
    // override of its balance), with the same margin as a real send.
    gas = await pc
      .estimateGas({
        account: tx.account,
        ...(tx.to ? { to: tx.to } : {}),
        data: tx.data,
        value: tx.value,
        stateOverride: [{ address: tx.account, balance: FUNDED }],
      })
      .then(withGasMargin)
      .catch(() => undefined);
  }
  if (gas !== undefined) {
    const fee = await pc
      .estimateFeesPerGas()
      .then((f) => f.maxFeePerGas)
      .catch(() => pc.getGasPrice())
      .catch(() => undefined);
    if (fee !== undefined) needed = gas * fee + (tx.value ?? 0n);
  }
  if (needed === undefined) {
    const want = /\bwant:?\s*(\d+)/i.exec(causeText(error));
    if (want?.[1]) needed = BigInt(want[1]);
  }
  return new InsufficientBalanceError(tx.label, tx.account, balance, needed);
}
