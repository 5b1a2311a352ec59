// Why: the model-command refusals a caller may catch by class live in one place, apart from the steps that throw them.
import { type Address, formatUnits, type Hex } from 'viem';
import { NonRetryableError } from '../../../errors/index.js';

/** `model claim` found nothing owed to the signer: claiming would only spend gas to receive 0. */
export class NothingToClaimError extends NonRetryableError {
  override name = 'NothingToClaimError';
}

/** `model shares --transfer` asked to move more shares than the signer holds. */
export class InsufficientSharesError extends NonRetryableError {
  override name = 'InsufficientSharesError';
  readonly held: bigint;
  readonly requested: bigint;
  constructor(modelId: Hex, holder: Address, held: bigint, requested: bigint) {
    super(
      `${holder} holds ${formatUnits(held, 18)} shares of model ${modelId.slice(0, 12)}…, fewer than the ${formatUnits(requested, 18)} asked to transfer.`,
      {
        details:
          held === 0n
            ? `Sign with the key of an account that holds shares (\`provenant model shares ${modelId.slice(0, 12)} --holder <address>\` shows balances).`
            : `Transfer at most what you hold (--amount ${formatUnits(held, 18)}), or sign with the holder's key.`,
      },
    );
    this.held = held;
    this.requested = requested;
  }
}

/** `model shares --transfer` to an address that cannot receive them usefully (the zero address, yourself). */
export class ShareRecipientError extends NonRetryableError {
  override name = 'ShareRecipientError';
}

/** `model approve --holder …` names a share split other than the one the owner registered. */
export class ShareSplitMismatchError extends NonRetryableError {
  override name = 'ShareSplitMismatchError';
}
