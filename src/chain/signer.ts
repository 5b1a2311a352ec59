import { existsSync, readFileSync } from 'node:fs';
import type { LocalAccount } from 'viem';
import { mnemonicToAccount, privateKeyToAccount } from 'viem/accounts';
import { DEVNET_MNEMONIC } from './devnet.js';
import { InvalidKeyError, MissingKeyError } from './errors.js';
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
  const fromEnv = env[parameters.privateKeyEnv];
  if (fromEnv) {
    const key = fromEnv.trim().startsWith('0x') ? fromEnv.trim() : `0x${fromEnv.trim()}`;
    if (!/^0x[0-9a-fA-F]{64}$/.test(key))
      throw new InvalidKeyError(`$${parameters.privateKeyEnv}`, 'it is not 32 bytes of hex');
    return privateKeyToAccount(key as `0x${string}`);
  }
  if (parameters.keystore) {
    if (!existsSync(parameters.keystore))
      throw new InvalidKeyError(parameters.keystore, 'the keystore file does not exist');
    const password = env[parameters.keystorePasswordEnv];
    if (password === undefined)
      throw new InvalidKeyError(
        parameters.keystore,
        `the password variable ${parameters.keystorePasswordEnv} is not set`,
      );
    return privateKeyToAccount(decryptKeystore(readFileSync(parameters.keystore, 'utf8'), password));
  }
  throw new MissingKeyError(parameters.privateKeyEnv, parameters.keystorePasswordEnv);
}

/** Roles of the devnet's well-known accounts (public keys of the anvil test mnemonic). */
export const DEVNET_ROLES = {
  deployer: 0,
  agent: 1,
  guardian: 2,
  monitor: 3,
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
