import {
  createCipheriv,
  createDecipheriv,
  pbkdf2Sync,
  randomBytes,
  randomUUID,
  scryptSync,
  timingSafeEqual,
} from 'node:crypto';
import { bytesToHex, hexToBytes, keccak256 } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import { InvalidKeyError } from './errors.js';

/**
 * Web3 Secret Storage (keystore v3), as geth, Foundry (`cast wallet`) and MetaMask write it:
 * scrypt or pbkdf2 key derivation, AES-128-CTR, MAC = keccak256(derivedKey[16..32] ‖ ciphertext).
 * Node's crypto does the work; nothing here logs or returns the key except as the decrypted value.
 */
export type KeystoreV3 = {
  version: 3;
  id: string;
  address?: string;
  crypto: {
    cipher: 'aes-128-ctr';
    ciphertext: string;
    cipherparams: { iv: string };
    kdf: 'scrypt' | 'pbkdf2';
    kdfparams: Record<string, number | string>;
    mac: string;
  };
};

const strip = (hex: string) => (hex.startsWith('0x') ? hex.slice(2) : hex);

function deriveKey(password: string, crypto: KeystoreV3['crypto']): Buffer {
  const p = crypto.kdfparams;
  const salt = Buffer.from(strip(String(p.salt)), 'hex');
  const dklen = Number(p.dklen ?? 32);
  if (crypto.kdf === 'scrypt') {
    const N = Number(p.n);
    return scryptSync(password, salt, dklen, {
      N,
      r: Number(p.r),
      p: Number(p.p),
      maxmem: 256 * N * Number(p.r) * 2,
    });
  }
  if (crypto.kdf === 'pbkdf2') {
    if (p.prf !== 'hmac-sha256')
      throw new InvalidKeyError('the keystore', `unsupported pbkdf2 prf '${String(p.prf)}'`);
    return pbkdf2Sync(password, salt, Number(p.c), dklen, 'sha256');
  }
  throw new InvalidKeyError('the keystore', `unsupported kdf '${String((crypto as { kdf: string }).kdf)}'`);
}

/**
 * Decrypts a keystore v3 JSON; throws InvalidKeyError on a wrong password (MAC mismatch). `source` names
 * the keystore in errors (its path; default `the keystore`); `passwordEnv`, the variable the password came from.
 */
export function decryptKeystore(
  json: string | KeystoreV3,
  password: string,
  source = 'the keystore',
  passwordEnv?: string,
): `0x${string}` {
  let keystore: KeystoreV3;
  try {
    keystore = typeof json === 'string' ? JSON.parse(json) : json;
  } catch {
    throw new InvalidKeyError(source, 'the file is not JSON');
  }
  if (keystore?.version !== 3 || !keystore.crypto)
    throw new InvalidKeyError(source, 'not a version 3 keystore');
  const crypto = keystore.crypto;
  if (crypto.cipher !== 'aes-128-ctr')
    throw new InvalidKeyError(source, `unsupported cipher '${crypto.cipher}'`);
  const derived = deriveKey(password, crypto);
  const ciphertext = Buffer.from(strip(crypto.ciphertext), 'hex');
  const mac = hexToBytes(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])));
  const expected = Buffer.from(strip(crypto.mac), 'hex');
  if (expected.length !== mac.length || !timingSafeEqual(Buffer.from(mac), expected)) {
    throw new InvalidKeyError(
      source,
      'wrong password (MAC mismatch)',
      `The password${passwordEnv ? ` in ${passwordEnv}` : ''} does not open this keystore: set the one it was encrypted with (the file itself is intact).`,
    );
  }
  const decipher = createDecipheriv(
    'aes-128-ctr',
    derived.subarray(0, 16),
    Buffer.from(strip(crypto.cipherparams.iv), 'hex'),
  );
  const key = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  return bytesToHex(key);
}

/** Encrypts a private key as keystore v3 (scrypt). `n` defaults to 2^17 as geth does; tests may lower it. */
export function encryptKeystore(
  privateKey: `0x${string}`,
  password: string,
  options: { n?: number } = {},
): KeystoreV3 {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const n = options.n ?? 1 << 17;
  const crypto: KeystoreV3['crypto'] = {
    cipher: 'aes-128-ctr',
    ciphertext: '',
    cipherparams: { iv: iv.toString('hex') },
    kdf: 'scrypt',
    kdfparams: { dklen: 32, n, p: 1, r: 8, salt: salt.toString('hex') },
    mac: '',
  };
  const derived = deriveKey(password, crypto);
  const cipher = createCipheriv('aes-128-ctr', derived.subarray(0, 16), iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.from(strip(privateKey), 'hex')), cipher.final()]);
  crypto.ciphertext = ciphertext.toString('hex');
  crypto.mac = strip(keccak256(Buffer.concat([derived.subarray(16, 32), ciphertext])));
  return {
    version: 3,
    id: randomUUID(),
    address: strip(privateKeyToAddress(privateKey)).toLowerCase(),
    crypto,
  };
}
