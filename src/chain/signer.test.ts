import { createCipheriv, scryptSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256 } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { describe, expect, test } from 'vitest';
import {
  AmbiguousSignerError,
  decryptKeystore,
  encryptKeystore,
  InvalidKeyError,
  MissingKeyError,
  resolveSigner,
  SECP256K1_ORDER,
} from './index.js';

// A throwaway key used only by this test; it never holds funds anywhere.
const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const;
const OTHER_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' as const;
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
    ).toThrow(`The signer key from ${path} is not usable: wrong password (MAC mismatch).`);
    expect(() => resolveSigner({ ...base, keystore: path, env: {} })).toThrow(
      /TEST_PROVENANT_PASSWORD is not set/,
    );
    // Review 6: a key left in the environment no longer signs silently instead of the keystore.
    const both = (() => {
      try {
        resolveSigner({
          ...base,
          keystore: path,
          env: { TEST_PROVENANT_PASSWORD: 'correct horse', [base.privateKeyEnv]: OTHER_KEY },
        });
      } catch (error) {
        return error as AmbiguousSignerError;
      }
    })();
    expect(both).toBeInstanceOf(AmbiguousSignerError);
    expect(both!.message.split('\n')[0]).toBe(
      `Two signers are configured: ${base.privateKeyEnv} is set and chain.keystore names ${path}.`,
    );
    expect(`${both!.message}${both!.details}`).not.toContain(OTHER_KEY.slice(2));
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

  describe('keys outside 0 < k < n are refused without printing them', () => {
    const toHex = (k: bigint) => `0x${k.toString(16).padStart(64, '0')}` as const;
    const outOfRange = [SECP256K1_ORDER + 8n, SECP256K1_ORDER, 2n ** 256n - 1n, 0n];
    /** Message, details, meta lines and every cause: nothing may contain the key in hex or decimal. */
    const everything = (error: unknown): string => {
      const parts: string[] = [];
      let current: unknown = error;
      for (let depth = 0; current && depth < 10; depth++) {
        parts.push(String((current as Error).message), String((current as Error).stack));
        parts.push(JSON.stringify({ ...(current as object) }));
        current = (current as { cause?: unknown }).cause;
      }
      return parts.join('\n').toLowerCase();
    };
    const expectHidden = (error: unknown, k: bigint) => {
      expect(error).toBeInstanceOf(InvalidKeyError);
      expect((error as Error).message).toContain('not a valid secp256k1 private key');
      expect((error as { cause?: unknown }).cause).toBeUndefined();
      const text = everything(error);
      if (k !== 0n) {
        expect(text).not.toContain(k.toString(16).slice(0, 24));
        expect(text).not.toContain(k.toString(16).slice(-24));
        expect(text).not.toContain(k.toString(10).slice(0, 24));
      }
    };

    test('error: from the environment variable', () => {
      for (const k of outOfRange) {
        let caught: unknown;
        try {
          resolveSigner({ ...base, env: { TEST_PROVENANT_KEY: toHex(k) } });
        } catch (error) {
          caught = error;
        }
        expectHidden(caught, k);
        expect((caught as Error).message).toContain('$TEST_PROVENANT_KEY');
      }
    });

    test('error: from an encrypted keystore', () => {
      const dir = mkdtempSync(join(tmpdir(), 'provenant-keystore-'));
      for (const [i, k] of outOfRange.entries()) {
        const path = join(dir, `bad-${i}.json`);
        // encryptKeystore derives the address (which refuses such keys): encrypt a valid key, then
        // swap in the ciphertext of the bad one (AES-CTR: same keystream) and recompute the MAC.
        writeFileSync(path, JSON.stringify(keystoreOf(toHex(k), 'pw')));
        let caught: unknown;
        try {
          resolveSigner({ ...base, keystore: path, env: { TEST_PROVENANT_PASSWORD: 'pw' } });
        } catch (error) {
          caught = error;
        }
        expectHidden(caught, k);
        expect((caught as Error).message).toContain(path);
      }
    });

    test('behavior: n − 1 (the largest valid key) is accepted', () => {
      const account = resolveSigner({ ...base, env: { TEST_PROVENANT_KEY: toHex(SECP256K1_ORDER - 1n) } });
      expect(account.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    });
  });

  test('error: a key pasted as the variable NAME is refused without showing it', () => {
    let caught: unknown;
    try {
      resolveSigner({ ...base, privateKeyEnv: KEY, env: {} });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidKeyError);
    expect((caught as Error).message).not.toContain(KEY.slice(2, 20));
    expect((caught as Error).message).toContain('NAME of an environment variable');
  });
});

/** A keystore v3 (scrypt, n = 2^10) holding any 32 bytes, even an invalid key. */
function keystoreOf(key: `0x${string}`, password: string) {
  const base = encryptKeystore(KEY, password, { n: 1 << 10 });
  const { kdfparams } = base.crypto;
  const derived = scryptSync(password, Buffer.from(String(kdfparams.salt), 'hex'), 32, {
    N: 1 << 10,
    r: 8,
    p: 1,
  });
  const cipher = createCipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    Buffer.from(base.crypto.cipherparams.iv, 'hex'),
  );
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(key.slice(2), 'hex')), cipher.final()]);
  const mac = keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])).slice(2);
  return {
    ...base,
    address: undefined,
    crypto: { ...base.crypto, ciphertext: ciphertext.toString('hex'), mac },
  };
}
