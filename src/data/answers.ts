/** Dataset value (e.g. 71.23 dollars) to a feed answer with `decimals` (e.g. 7123000000 at 8), exact on its decimal text. */
export function toAnswer(value: number, decimals: number): bigint {
  const [whole = '0', fraction = ''] = value.toFixed(Math.min(decimals, 12)).split('.');
  const padded = (fraction + '0'.repeat(decimals)).slice(0, decimals);
  return BigInt(whole) * 10n ** BigInt(decimals) + (whole.startsWith('-') ? -1n : 1n) * BigInt(padded || '0');
}
