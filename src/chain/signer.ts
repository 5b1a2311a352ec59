import { existsSync, readFileSync } from 'node:fs';
import type { Hex, LocalAccount } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { ENV_VAR_NAME } from '../config/index.js';
import { DEVNET_MNEMONIC } from './devnet.js';
import { AmbiguousSignerError, InvalidKeyError, MissingKeyError } from './errors.js';
import { decryptKeystore } from './keystore.js';

export type ResolveSignerParameters = {
  privateKeyEnv: string;
  keystore?: string | undefined;
  keystorePasswordEnv: string;
  env?: NodeJS.ProcessEnv | undefined;
};

/**
 * The signer for a real endpoint: a private key from an environment variable, or an encrypted keystore
 * whose password is in another variable. Never from the command line, never printed: errors name the
 * variable or file, not the value.
 */
export function resolveSigner(parameters: ResolveSignerParameters): LocalAccount {
  const env = parameters.env ?? process.env;
  // A setting that is not a variable name may be the secret itself, pasted in the wrong place: not echoed.
  for (const [setting, value] of [
    ['chain.privateKeyEnv', parameters.privateKeyEnv],
    ['chain.keystorePasswordEnv', parameters.keystorePasswordEnv],
  ] as const)
    if (!ENV_VAR_NAME.test(value))
      throw new InvalidKeyError(
        setting,
        'the setting takes the NAME of an environment variable (e.g. PROVENANT_PRIVATE_KEY); the value given looks like a key or secret and is not shown',
      );
  const fromEnv = env[parameters.privateKeyEnv];
  if (fromEnv && parameters.keystore)
    throw new AmbiguousSignerError(parameters.privateKeyEnv, parameters.keystore);
  if (fromEnv) {
    const key = fromEnv.trim().startsWith('0x') ? fromEnv.trim() : `0x${fromEnv.trim()}`;
    if (!/^0x[0-9a-fA-F]{64}$/.test(key))
      throw new InvalidKeyError(`$${parameters.privateKeyEnv}`, 'it is not 32 bytes of hex');
    return accountFromKey(key as Hex, `$${parameters.privateKeyEnv}`);
  }
  if (parameters.keystore) {
    if (!existsSync(parameters.keystore))
      throw new InvalidKeyError(
        parameters.keystore,
        'the keystore file does not exist',
        'Point chain.keystore in the config at an existing Web3 Secret Storage (v3) file (a relative path is resolved from the config file).',
      );
    const password = env[parameters.keystorePasswordEnv];
    if (password === undefined)
      throw new InvalidKeyError(
        parameters.keystore,
        `the password variable ${parameters.keystorePasswordEnv} is not set`,
        `Set ${parameters.keystorePasswordEnv} in the environment to the keystore's password (never on the command line), or name another variable in chain.keystorePasswordEnv.`,
      );
    const key = decryptKeystore(
      readFileSync(parameters.keystore, 'utf8'),
      password,
      parameters.keystore,
      parameters.keystorePasswordEnv,
    );
    if (!/^0x[0-9a-fA-F]{64}$/.test(key))
      throw new InvalidKeyError(parameters.keystore, 'the decrypted key is not 32 bytes');
    return accountFromKey(key, parameters.keystore);
  }
  throw new MissingKeyError(parameters.privateKeyEnv, parameters.keystorePasswordEnv);
}

/** The order n of the secp256k1 group: a private key k is valid when 0 < k < n. */
export const SECP256K1_ORDER = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/**
 * The account of a 32-byte key, refusing 0 and keys ≥ n before the library sees them (its error quotes
 * the key in decimal). Whatever the library throws is replaced, never attached as `cause`.
 */
function accountFromKey(key: Hex, source: string): LocalAccount {
  const k = BigInt(key);
  const reason =
    'it is not a valid secp256k1 private key (it must be greater than 0 and less than the group order n)';
  if (k === 0n || k >= SECP256K1_ORDER) throw new InvalidKeyError(source, reason);
  try {
    return privateKeyToAccount(key);
  } catch {
    throw new InvalidKeyError(source, reason);
  }
}

/** Roles of the devnet's well-known accounts (public keys of the anvil test mnemonic). */
export const DEVNET_ROLES = {
  deployer: 0,
  agent: 1,
  guardian: 2,
  monitor: 3,
  /** Relays the demo's Brent and gold rounds while the first reporter relays WTI (`publishMarketDay`). */
  feedRelayer: 4,
  reporter0: 20,
  user0: 10,
  user1: 11,
  user2: 12,
} as const;

/** A devnet account by index; the first reporter is index 20, reporter i is 20 + i. */
export function devnetAccount(index: number): LocalAccount {
  return mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: index });
}

export function devnetReporter(i: number): LocalAccount {
  return devnetAccount(DEVNET_ROLES.reporter0 + i);
}
