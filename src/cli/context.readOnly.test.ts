import { describe, expect, test } from 'vitest';
import { InvalidKeyError, MissingKeyError } from '../chain/index.js';
import { parseConfig } from '../config/index.js';
import { endpointSigner } from './context.js';

// The anvil test mnemonic's first account (public knowledge, devnet only).
const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const chain = parseConfig({}).chain;

describe('endpointSigner (openChain against a configured endpoint)', () => {
  test('default: a write command with no key configured is refused with the clear MissingKeyError', () => {
    expect(() => endpointSigner(chain, { env: {} })).toThrow(MissingKeyError);
    expect(() => endpointSigner(chain, { readOnly: false, env: {} })).toThrow(
      'No signer key: set the private key in an environment variable or configure an encrypted keystore.',
    );
  });

  test('behavior: a read-only command with no key configured signs with a throwaway key', () => {
    const a = endpointSigner(chain, { readOnly: true, env: {} });
    const b = endpointSigner(chain, { readOnly: true, env: {} });
    expect(a.throwaway).toBe(true);
    expect(a.account.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // A fresh key each time: nobody's account.
    expect(a.account.address).not.toBe(b.account.address);
  });

  test('behavior: a read-only command with a key configured uses that key (so "you" means that account)', () => {
    const r = endpointSigner(chain, { readOnly: true, env: { [chain.privateKeyEnv]: KEY } });
    expect(r).toMatchObject({ throwaway: false, account: { address: ADDRESS } });
    expect(endpointSigner(chain, { env: { [chain.privateKeyEnv]: KEY } }).account.address).toBe(ADDRESS);
  });

  test('error: a malformed key is still an error for a read-only command (not silently replaced)', () => {
    expect(() => endpointSigner(chain, { readOnly: true, env: { [chain.privateKeyEnv]: '0x1234' } })).toThrow(
      InvalidKeyError,
    );
  });
});
