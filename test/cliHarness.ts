import { toHex } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { vi } from 'vitest';
import type { Stack } from '../src/agent/index.js';
import { DEVNET_MNEMONIC } from '../src/chain/index.js';
import { buildProgram } from '../src/cli/main.js';

/**
 * Runs one `provenant` command in-process against the stack's anvil (`--rpc-url`, `--state-dir`),
 * signing with devnet account `accountIndex` through PROVENANT_PRIVATE_KEY, and returns what it printed.
 */
export async function runCli(stack: Stack, args: string[], accountIndex: number): Promise<string> {
  const key = mnemonicToAccount(DEVNET_MNEMONIC, { addressIndex: accountIndex }).getHdKey().privateKey;
  if (!key) throw new Error(`no private key for devnet account ${accountIndex}`);
  const previous = process.env.PROVENANT_PRIVATE_KEY;
  process.env.PROVENANT_PRIVATE_KEY = toHex(key);
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => {
    lines.push(parts.map(String).join(' '));
  });
  try {
    await buildProgram().parseAsync([
      'node',
      'provenant',
      '--rpc-url',
      stack.devnet.rpcUrl,
      '--state-dir',
      stack.stateDir,
      ...args,
    ]);
    return lines.join('\n');
  } finally {
    log.mockRestore();
    if (previous === undefined) delete process.env.PROVENANT_PRIVATE_KEY;
    else process.env.PROVENANT_PRIVATE_KEY = previous;
  }
}
