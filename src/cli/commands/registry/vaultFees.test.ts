import { describe, expect, test } from 'vitest';
import { waitingRows } from './vaultFees.js';

const MODEL = `0x${'ab'.repeat(32)}` as const;
const VAULT = `0x${'11'.repeat(20)}` as const;

describe('waitingRows (model show / shares)', () => {
  test('default: fees waiting in a vault name the amount and the flush command', () => {
    expect(
      waitingRows(
        [{ synth: 'sWTI', vault: VAULT, amount: 974_245_648n, amountUnits: '974.245648', token: 'tUSD' }],
        MODEL,
      ),
    ).toEqual([
      [
        'waiting in the sWTI vault',
        '974.245648 tUSD (not yet paid in: flush with `provenant model claim 0xababababab --flush sWTI`)',
      ],
    ]);
  });

  test('error: a vault that could not be read is named with why, not taken for zero fees', () => {
    expect(
      waitingRows(
        [
          {
            synth: 'sXAU',
            vault: VAULT,
            amount: 0n,
            amountUnits: '0',
            token: 'tUSD',
            readError: 'no code at address',
          },
        ],
        MODEL,
      ),
    ).toEqual([['waiting in the sXAU vault', `could not read the vault ${VAULT}: no code at address`]]);
  });
});
