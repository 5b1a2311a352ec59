import { InvalidArgumentError } from 'commander';
import { NonRetryableError } from '../errors/index.js';

/**
 * Option parsers for commander (`.option('--epochs <n>', '…', positiveInt, 1)`). Each one refuses a
 * value it cannot read with commander's InvalidArgumentError, so the command stops before doing
 * anything and commander prints `error: option '--epochs <n>' argument 'abc' is invalid. <why>`.
 * `Number.parseInt('abc')` would instead give NaN, which silently runs zero epochs or a tight loop.
 */

const INTEGER = /^[+]?\d+$/;

function integer(text: string, example: string): number {
  const trimmed = text.trim().replaceAll('_', '');
  if (!INTEGER.test(trimmed)) throw new InvalidArgumentError(`Expected a whole number, e.g. ${example}.`);
  const value = Number(trimmed);
  if (!Number.isSafeInteger(value))
    throw new InvalidArgumentError(`Expected a whole number below ${Number.MAX_SAFE_INTEGER}.`);
  return value;
}

/** A whole number ≥ 1 (`--epochs 3`, `--size 512`). */
export function positiveInt(text: string): number {
  const value = integer(text, '1 or 25');
  if (value < 1) throw new InvalidArgumentError('Expected a whole number of at least 1.');
  return value;
}

/**
 * The largest artwork side the CLI renders: what a manifest allows (`parameters.width` ≤ 4096). A larger
 * render would be refused by the manifest schema after minutes of work and hundreds of MB of pixels.
 */
export const MAX_ART_SIZE = 4096;

/** An artwork side in pixels, 1 to MAX_ART_SIZE (`--size`, `--art-size`). */
export function artSize(text: string): number {
  const value = positiveInt(text);
  if (value > MAX_ART_SIZE)
    throw new InvalidArgumentError(`Expected at most ${MAX_ART_SIZE} pixels (what a manifest allows).`);
  return value;
}

/** A whole number ≥ 0 (`--resume-after 0`, `--at-version 0`). */
export function nonNegativeInt(text: string): number {
  return integer(text, '0 or 5');
}

/** A number of seconds > 0, fractions allowed (`--poll 0.5`). */
export function positiveSeconds(text: string): number {
  const trimmed = text.trim();
  const value = /^[+]?(\d+(\.\d*)?|\.\d+)$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidArgumentError('Expected a number of seconds greater than 0, e.g. 5 or 0.5.');
  return value;
}

/** A whole number in [min, max] (`--slippage-bps 50` within 0…10000). */
export function intInRange(min: number, max: number, unit = ''): (text: string) => number {
  return (text: string) => {
    const value = integer(text, String(min));
    if (value < min || value > max)
      throw new InvalidArgumentError(
        `Expected a whole number from ${min} to ${max}${unit ? ` ${unit}` : ''}.`,
      );
    return value;
  };
}

/** A calendar date `YYYY-MM-DD` that exists (2020-02-30 is refused); returned as given. */
export function isoDate(text: string): string {
  const trimmed = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(trimmed);
  if (!m) throw new InvalidArgumentError('Expected a date as YYYY-MM-DD, e.g. 2020-04-20.');
  const date = new Date(`${trimmed}T00:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== trimmed)
    throw new InvalidArgumentError(`${trimmed} is not a calendar date.`);
  return trimmed;
}

// ---------------------------------------------------------------- amounts, limits and addresses
// These run inside command handlers (the decimals of a token may come from the chain), so they throw
// NonRetryableError subclasses rather than commander's InvalidArgumentError. They import no viem: the
// register files import this module and `provenant --help` must not pay for viem.

/** The largest uint256, the bound of every token amount a contract call takes. */
export const UINT256_MAX = 2n ** 256n - 1n;

/** A number the CLI cannot take exactly as given (too many decimals, too large, not a number, not positive). */
export class InvalidNumberError extends NonRetryableError {
  override name = 'InvalidNumberError';
}

/** Text that is not a usable address (not 20-byte hex, or a mixed-case address whose EIP-55 checksum fails). */
export class InvalidAddressError extends NonRetryableError {
  override name = 'InvalidAddressError';
}

export type FixedPointSpec = {
  /** What the value is, naming its flag or argument: `synth amount (<amount>)`, `repay amount (--max-repay)`. */
  what: string;
  /** Decimals of the unit (18 for sWTI, 6 for tUSD, 0 for whole-number fields). */
  decimals: number;
  /** Largest raw (scaled) value; default UINT256_MAX. */
  max?: bigint | undefined;
  /** The type whose width `max` is, for the message: `uint256` (default), `uint96`, … */
  maxType?: string | undefined;
  /** Accept 0 (limits); amounts default to "must be positive". */
  allowZero?: boolean | undefined;
  /** Unit appended to values in messages (`sWTI`). */
  unit?: string | undefined;
};

/** `raw` scaled down by `decimals`, without trailing fraction zeros (`1500000, 6` → `1.5`). */
export function formatFixed(raw: bigint, decimals: number): string {
  const negative = raw < 0n;
  const digits = (negative ? -raw : raw).toString().padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A long run of hex digits (41 or more: longer than an address, e.g. a private key, also mistyped,
 * truncated, upper-case 0X or with a stray character around it): never echoed, nor any part of it.
 */
const SECRET_LIKE = {
  test: (t: string): boolean =>
    /0x[0-9a-f]{41,}/i.test(t) || (/[0-9a-f]{41,}/i.exec(t)?.[0] ?? '').search(/[a-f]/i) >= 0,
};
// (A run of decimal digits alone is a number, e.g. a too-large amount, and is shown shortened: a 64-digit
// hex key has a letter with probability 1 − (10/16)^64.)

/** A long input shortened for a message: `99999999999999…999 (77 digits)`; a key-shaped value is not shown. */
function shown(text: string): string {
  const t = text.trim();
  if (SECRET_LIKE.test(t)) return '(a long hex value, not shown: it could be a private key)';
  return t.length <= 40 ? t : `${t.slice(0, 20)}…${t.slice(-6)} (${t.replace(/\D/g, '').length} digits)`;
}

/**
 * Parses a decimal number in whole units (`1500`, `0.25`, `1_000`, `1,000,000`) into its raw integer
 * (`value × 10^decimals`) EXACTLY: more fraction digits than `decimals` are refused, never rounded
 * (viem's parseUnits rounds: `1.9999999` at 6 decimals becomes 2.000000), and a value above `max` is
 * refused with the maximum named (a uint256 overflow would otherwise fail deep in ABI encoding).
 */
export function parseFixedPoint(text: string, spec: FixedPointSpec): bigint {
  const { what, decimals } = spec;
  const max = spec.max ?? UINT256_MAX;
  const maxType = spec.maxType ?? 'uint256';
  const unit = spec.unit ? ` ${spec.unit}` : '';
  const given = shown(text);
  const form =
    decimals > 0
      ? `Give a number in whole units with at most ${decimals} decimals, e.g. 1500 or 0.5.`
      : 'Give a whole number, e.g. 0, 5 or 2000.';
  let t = text.trim().replaceAll('_', '');
  if (t.includes(',')) {
    // A comma only groups thousands (1,000,000); `1,5` is refused, not read as 15.
    if (!/^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t))
      throw new InvalidNumberError(`The ${what} '${given}' is not a number.`, {
        details: `A comma may only group thousands (1,000,000); write decimals with a point (1.5). ${form}`,
      });
    t = t.replaceAll(',', '');
  }
  if (/^-\s*(\d|\.\d)/.test(t))
    throw new InvalidNumberError(
      `The ${what} must be ${spec.allowZero ? '0 or more' : 'more than 0'}; got '${given}'.`,
      { details: form },
    );
  const m = /^\+?(\d*)(?:\.(\d*))?$/.exec(t);
  const whole = m?.[1] ?? '';
  const fraction = m?.[2] ?? '';
  if (!m || (whole === '' && fraction === ''))
    throw new InvalidNumberError(`The ${what} '${given}' is not a number.`, { details: form });
  if (fraction.length > decimals) {
    const down = BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt(fraction.slice(0, decimals) || '0');
    const candidates = [down, down + 1n].filter((v) => v <= max && (spec.allowZero || v > 0n));
    const examples = candidates.map((v) => formatFixed(v, decimals)).join(' or ');
    throw new InvalidNumberError(
      decimals === 0
        ? `The ${what} '${given}' is not a whole number: it takes no decimals.`
        : `The ${what} '${given}' has ${fraction.length} decimals, but at most ${decimals} are allowed${unit ? ` for${unit}` : ''}.`,
      {
        details: `It is refused rather than rounded. Give a value with ${decimals === 0 ? 'no' : `at most ${decimals}`} decimals${examples ? `, e.g. ${examples}` : ''}.`,
      },
    );
  }
  const value =
    BigInt(whole || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (value > max)
    throw new InvalidNumberError(
      `The ${what} '${given}' is too large: the most it can be is ${formatFixed(max, decimals)}${unit} (${maxType}${decimals > 0 ? ` with ${decimals} decimals` : ''}).`,
      { details: form },
    );
  if (value === 0n && !spec.allowZero)
    throw new InvalidNumberError(`The ${what} must be more than 0; got '${given}'.`, { details: form });
  return value;
}

const HEX_ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** True when `text` has the form of an address (0x and 40 hex digits), whatever its checksum. */
export function looksLikeAddress(text: string): boolean {
  return HEX_ADDRESS.test(text.trim());
}

/**
 * Parses an address given as `what` (`--owner`, `owner`). All-lowercase and all-uppercase hex carry no
 * checksum and are accepted; mixed case must match its EIP-55 checksum, so a typo in a copied address is
 * caught. `checksum` is viem's `getAddress` (passed in so this module stays free of viem). Returns the
 * checksummed address.
 */
export function parseAddress(
  text: string,
  what: string,
  checksum: (address: string) => string,
): `0x${string}` {
  const t = text.trim();
  if (!HEX_ADDRESS.test(t)) {
    const body = t.startsWith('0x') || t.startsWith('0X') ? t.slice(2) : undefined;
    const why =
      body === undefined
        ? 'it does not start with 0x'
        : /[^0-9a-fA-F]/.test(body)
          ? t.length > 42
            ? 'it contains a character that is not a hex digit'
            : `'${body.match(/[^0-9a-fA-F]/)?.[0]}' is not a hex digit`
          : `it has ${body.length} hex digits, not 40`;
    throw new InvalidAddressError(
      // Longer than an address: not echoed at all (a key pasted into the wrong place); the reason says enough.
      `${what} ${SECRET_LIKE.test(t) || t.length > 42 ? shown(t) : `'${text}'`} is not an address: ${why}.`,
      {
        details: 'Pass a 0x-prefixed 20-byte hex address (0x and 40 hex digits).',
      },
    );
  }
  const body = t.slice(2);
  const mixed = body !== body.toLowerCase() && body !== body.toUpperCase();
  const canonical = checksum(`0x${body.toLowerCase()}`) as `0x${string}`;
  if (mixed && canonical !== t)
    throw new InvalidAddressError(
      `${what} '${text}' has an EIP-55 checksum that does not match: the mix of upper- and lower-case letters is not the one this address has.`,
      {
        details:
          'A wrong checksum usually means a typo or a truncated copy: copy the address again from its source. All-lowercase hex (no checksum) is also accepted.',
      },
    );
  return canonical;
}
