import { InvalidArgumentError } from 'commander';

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
