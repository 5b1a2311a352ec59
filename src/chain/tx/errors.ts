import { type Address, formatEther, type Hex, type TransactionReceipt } from 'viem';
import { NonRetryableError, RetryableError } from '../../errors/index.js';
import { TransactionRevertedError } from '../errors.js';
import type { ContractRevertError } from '../revert.js';

/** A mined transaction reverted; carries the receipt and the reason decoded by re-simulating the call. */
export class TxRevertedError extends TransactionRevertedError {
  override name = 'TxRevertedError';
  readonly hash: Hex;
  readonly receipt: TransactionReceipt | undefined;
  /** Human-readable reason, e.g. `PolicyMintCapExceeded(policyId=…, requested=1200, remaining=300)`. */
  readonly reason: string | undefined;
  /** The decoded custom error when the re-simulation produced one. */
  readonly revert: ContractRevertError | undefined;
  constructor(
    hash: Hex,
    label: string,
    reason: string | undefined,
    options: { receipt?: TransactionReceipt | undefined; revert?: ContractRevertError | undefined } = {},
  ) {
    super(hash, label, options.revert);
    this.hash = hash;
    this.receipt = options.receipt;
    this.reason = reason;
    this.revert = options.revert;
    this.message = `${this.message}\n\nReason: ${reason ?? 'not recoverable (the re-simulation did not revert or returned no data)'}`;
  }
}

/**
 * The nonce of this intent was consumed on-chain by a transaction that is none of ours (another
 * process or wallet used the same key). Nothing of ours was mined at this nonce: reconcile through
 * the on-chain idempotency key before sending the intent again.
 */
export class TransactionReplacedError extends NonRetryableError {
  override name = 'TransactionReplacedError';
  readonly key: Hex;
  readonly nonce: number;
  constructor(key: Hex, label: string, nonce: number, hashes: readonly Hex[]) {
    super(
      `Transaction ${label} (nonce ${nonce}) was replaced: the nonce is used on-chain by a transaction that is not ours.`,
      {
        metaMessages: [`key: ${key}`, `our hashes: ${hashes.join(', ') || 'none'}`],
        details:
          'Another sender used this account. Check on-chain whether the intent took effect (its idempotency key), then send it again under the same key if it did not.',
        docsPath: 'docs/chain.md#transactions',
      },
    );
    this.key = key;
    this.nonce = nonce;
  }
}

/** The node refused the transaction outright (insufficient funds, gas limit, …). Nothing was mined. */
export class TransactionRejectedError extends NonRetryableError {
  override name = 'TransactionRejectedError';
  readonly key: Hex;
  constructor(key: Hex, label: string, reason: string, cause?: unknown) {
    super(`The node refused transaction ${label}: ${reason}.`, {
      cause,
      metaMessages: [`key: ${key}`],
      details: 'Nothing was sent. Fix the cause (fund the account, lower the gas) and send the intent again.',
      docsPath: 'docs/chain.md#transactions',
    });
    this.key = key;
  }
}

/** A JSON-RPC call failed in a way that may pass (connection refused, timeout, rate limit). */
export class RpcTransientError extends RetryableError {
  override name = 'RpcTransientError';
  constructor(what: string, cause?: unknown) {
    super(`The JSON-RPC call ${what} failed, probably transiently.`, {
      cause,
      details: 'The node did not answer or was overloaded; the call is retried with backoff.',
    });
  }
}

/** Thrown (or exits the process) at an injected crash point; tests only. */
export class CrashInjectedError extends Error {
  override name = 'CrashInjectedError';
  constructor(readonly point: string) {
    super(`crash injected at ${point}`);
  }
}

/**
 * No receipt arrived within the wait limit. The transaction stays on record (status `broadcast`);
 * `recover()` or a repeated `send` with the same key picks it up again without sending twice.
 */
export class TransactionPendingError extends RetryableError {
  override name = 'TransactionPendingError';
  readonly key: Hex;
  readonly nonce: number;
  constructor(key: Hex, label: string, nonce: number, waitedMs: number, hashes: readonly Hex[]) {
    super(`Transaction ${label} (nonce ${nonce}) has no receipt after ${Math.round(waitedMs / 1000)} s.`, {
      metaMessages: [`key: ${key}`, `hashes: ${hashes.join(', ')}`],
      details:
        'It may still be mined. Run recovery (or send the same key again) to keep waiting; check the node is mining and the gas limit covers the call.',
      docsPath: 'docs/chain.md#transactions',
    });
    this.key = key;
    this.nonce = nonce;
  }
}

/**
 * The signer's balance cannot pay for a transaction (gas × fee + value): the node refused it and nothing
 * was sent. Names the account (its address, never its key), its balance and what the transaction needed.
 */
export class InsufficientBalanceError extends NonRetryableError {
  override name = 'InsufficientBalanceError';
  readonly account: Address;
  readonly balance: bigint;
  /** Wei the transaction needed at most (gas limit × max fee per gas + value), when known. */
  readonly needed: bigint | undefined;
  constructor(label: string, account: Address, balance: bigint, needed: bigint | undefined) {
    const need =
      needed === undefined
        ? 'more than that (gas × fee + value)'
        : `up to ${formatEther(needed)} ETH (${needed} wei: gas limit × max fee per gas + value)`;
    super(
      `Account ${account} cannot pay for ${label}: its balance is ${formatEther(balance)} ETH (${balance} wei) and the transaction needs ${need}.`,
      {
        details: `Nothing was sent. Fund ${account} with the chain's native currency${
          needed !== undefined && needed > balance
            ? ` (at least ${formatEther(needed - balance)} ETH more)`
            : ''
        } and run the command again, or sign with another, funded key (PROVENANT_PRIVATE_KEY or chain.keystore).`,
        docsPath: 'docs/chain.md#keys',
      },
    );
    this.account = account;
    this.balance = balance;
    this.needed = needed;
  }
}
