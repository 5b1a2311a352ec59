import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateKeyToAddress } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import {
  decryptKeystore,
  encryptKeystore,
  InvalidKeyError,
  MissingKeyError,
  resolveSigner,
} from './index.js';

// A throwaway key used only by this test; it never holds funds anywhere.
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const base = { privateKeyEnv: 'TEST_PROVENANT_KEY', keystorePasswordEnv: 'TEST_PROVENANT_PASSWORD' };

describe('resolveSigner', () => {
  test('default: key from the environment variable', () => {
    const account = resolveSigner({ ...base, env: { TEST_PROVENANT_KEY: KEY } });
    expect(account.address).toBe(privateKeyToAddress(KEY));
  });

  test('error: no key configured names the variable and the keystore option', () => {
    let caught: unknown;
    try {
      resolveSigner({ ...base, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingKeyError);
    expect((caught as Error).message).toMatchInlineSnapshot(`
      "No signer key: set the private key in an environment variable or configure an encrypted keystore.

      Set TEST_PROVENANT_KEY=0x… in the environment (never on the command line), or set chain.keystore in the config to a Web3 Secret Storage file and its password in TEST_PROVENANT_PASSWORD. On the embedded devnet no key is needed.

      Docs: docs/chain.md#keys"
    `);
  });

  test('error: a malformed key is refused without printing it', () => {
    const bad = `${KEY.slice(0, 40)}zz`;
    let caught: unknown;
    try {
      resolveSigner({ ...base, env: { TEST_PROVENANT_KEY: bad } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidKeyError);
    expect((caught as Error).message).not.toContain(bad.slice(2, 30));
    expect((caught as Error).message).toContain('$TEST_PROVENANT_KEY');
  });

  test('behavior: encrypted keystore round trip, wrong password refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'provenant-keystore-'));
    const path = join(dir, 'agent.json');
    const keystore = encryptKeystore(KEY, 'correct horse', { n: 1 << 10 });
    writeFileSync(path, JSON.stringify(keystore));
    expect(JSON.stringify(keystore)).not.toContain(KEY.slice(2));
    const account = resolveSigner({
      ...base,
      keystore: path,
      env: { TEST_PROVENANT_PASSWORD: 'correct horse' },
    });
    expect(account.address).toBe(privateKeyToAddress(KEY));
    expect(() =>
      resolveSigner({ ...base, keystore: path, env: { TEST_PROVENANT_PASSWORD: 'wrong' } }),
    ).toThrow(/wrong password/);
    expect(() => resolveSigner({ ...base, keystore: path, env: {} })).toThrow(
      /TEST_PROVENANT_PASSWORD is not set/,
    );
  });

  test('behavior: decrypts a pbkdf2 keystore (the Web3 Secret Storage test vector)', () => {
    // Test vector from the Web3 Secret Storage Definition (ethereum/wiki), password "testpassword".
    const vector = {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2',
        kdfparams: {
          c: 262144,
          dklen: 32,
          prf: 'hmac-sha256',
          salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd',
        },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    } as const;
    expect(decryptKeystore(JSON.stringify(vector), 'testpassword')).toBe(
      '0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d',
    );
  });
});
