// Why: node refusals are recognised by their text; the patterns and the way a text is taken from an error live together.
import { BaseError } from 'viem';

/** The node already has this transaction (counts as accepted). */
export const KNOWN = /already known|already imported|known transaction|transaction already exists/i;
/** The nonce is already used (by this transaction or another one). */
export const NONCE_LOW = /nonce too low|nonce has already been used|nonce is too low|NonceTooLow/i;
/** A replacement whose fees are not high enough. */
export const UNDERPRICED = /underpriced|replacement transaction|fee too low/i;

export function errorText(error: unknown): string {
  if (error instanceof BaseError) return [error.shortMessage, error.details].filter(Boolean).join(': ');
  return error instanceof Error ? error.message : String(error);
}
