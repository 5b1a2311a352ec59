import { join } from 'node:path';
import { generatePrivateKey, type LocalAccount, privateKeyToAccount } from 'viem/accounts';
import { agentOptionsSchema } from '../agent/index.js';
import {
  createClients,
  DEVNET_ROLES,
  type Devnet,
  devnetAccount,
  MissingKeyError,
  type ProvenantClients,
  resolveSigner,
  startDevnet,
} from '../chain/index.js';
import { InvalidFlagError, type LoadedConfig, loadConfig, redactUrl } from '../config/index.js';

/** Options every command accepts (commander globals). */
export type GlobalOptions = {
  config?: string;
  rpcUrl?: string[];
  stateDir?: string;
  verbose?: boolean;
};

export type ChainContext = {
  config: LoadedConfig;
  clients: ProvenantClients;
  /** Set when Provenant started its own devnet for this command. */
  devnet: Devnet | undefined;
  stateDir: string;
  /**
   * True when a read-only command runs against an endpoint with no key configured: it signs with a
   * throwaway key, whose address is nobody's (a command that defaults to "your" position or balance
   * should ask for the address instead).
   */
  throwawaySigner: boolean;
  /** Stops what this context started (the devnet). Idempotent. */
  close: () => Promise<void>;
};

export type OpenChainParameters = {
  /** The devnet account to sign with on the embedded devnet (default: the deployer). */
  accountIndex?: number;
  /**
   * The command only reads (`policy show`, `gov status`, `synth show`, `pool show`, `model show`).
   * Against a configured endpoint it then signs with the configured key when one is set, and with a
   * throwaway key when none is (as `verify` does), so reading needs no key. A malformed key or keystore
   * is still an error. Never set it on a command that sends a transaction.
   */
  readOnly?: boolean;
};

export function loadCliConfig(options: GlobalOptions): LoadedConfig {
  for (const url of options.rpcUrl ?? []) checkRpcUrlFlag(url);
  return loadConfig({
    path: options.config,
    overrides: {
      ...(options.stateDir ? { stateDir: options.stateDir } : {}),
      ...(options.rpcUrl?.length ? { chain: { rpcUrls: options.rpcUrl } } : {}),
    },
    // The `agent` section is checked when the config is loaded, by every command, not when the agent starts.
    sections: { agent: agentOptionsSchema },
  });
}

/**
 * A bad `--rpc-url` is the flag's fault, not the config file's: named as a flag. A value that parses as
 * a URL is shown redacted (it may carry an API key); one that does not is shown as given.
 */
export function checkRpcUrlFlag(url: string): void {
  checkUrlFlag(
    '--rpc-url',
    url,
    /^(https?|wss?):$/,
    'an http(s)/ws(s) URL',
    'Pass a JSON-RPC endpoint such as --rpc-url http://127.0.0.1:8545 (repeat the flag for failover endpoints), or leave --rpc-url out to run on the embedded devnet.',
  );
}

/**
 * A URL flag (`--rpc-url`, `--api-url`, `--ipfs-gateway`) whose protocol must match `protocols`; else an
 * `InvalidFlagError` naming the flag, what it expects and the fix.
 */
export function checkUrlFlag(
  flag: string,
  url: string,
  protocols: RegExp,
  expected: string,
  fix: string,
): void {
  let protocol: string | undefined;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = undefined;
  }
  if (protocol && protocols.test(protocol)) return;
  // Never the raw value: what does not parse as a URL may be a key pasted into the wrong flag, and an
  // endpoint typed without its scheme (`host/v3/<api key>`) carries its credential in the path.
  throw new InvalidFlagError(flag, redactUrl(url), expected, fix);
}

/**
 * The signer for a configured endpoint: the configured key (environment variable or keystore); for a
 * read-only command with no key configured, a throwaway key (nothing is ever sent with it).
 * `env` defaults to the process environment.
 */
export function endpointSigner(
  chain: LoadedConfig['chain'],
  options: { readOnly?: boolean; env?: NodeJS.ProcessEnv } = {},
): { account: LocalAccount; throwaway: boolean } {
  try {
    const account = resolveSigner({
      privateKeyEnv: chain.privateKeyEnv,
      keystore: chain.keystore,
      keystorePasswordEnv: chain.keystorePasswordEnv,
      env: options.env,
    });
    return { account, throwaway: false };
  } catch (error) {
    if (!(options.readOnly && error instanceof MissingKeyError)) throw error;
    return { account: privateKeyToAccount(generatePrivateKey()), throwaway: true };
  }
}

/**
 * Connects to the configured endpoints with the configured signer (`readOnly`: see
 * OpenChainParameters), or — with no endpoint configured — starts the embedded devnet (state persisted
 * under the state dir) and signs with its deployer account (or `accountIndex`).
 */
export async function openChain(
  options: GlobalOptions,
  parameters: OpenChainParameters = {},
): Promise<ChainContext> {
  const config = loadCliConfig(options);
  const stateDir = config.stateDirPath;
  if (config.chain.rpcUrls.length > 0) {
    const { account, throwaway } = endpointSigner(config.chain, { readOnly: parameters.readOnly ?? false });
    const clients = await createClients({
      rpcUrls: config.chain.rpcUrls,
      account,
      expectedChainId: config.chain.chainId,
    });
    return {
      config,
      clients,
      devnet: undefined,
      stateDir,
      throwawaySigner: throwaway,
      close: async () => {},
    };
  }
  const statePath = config.devnet.stateFile ? join(stateDir, config.devnet.stateFile) : null;
  const devnet = await startDevnet({
    port: config.devnet.port,
    host: config.devnet.host,
    chainId: config.devnet.chainId,
    statePath,
    stateIntervalSeconds: config.devnet.stateIntervalSeconds,
    // A saved chain (the demo's) resumes at its own clock, market time: startDevnet's default. Before it was,
    // the first command that sent a transaction after `npm start` moved the chain to today, every price
    // read as stale and the demo refused to resume (context.devnetClock.test.ts).
  });
  try {
    const account = devnetAccount(parameters.accountIndex ?? DEVNET_ROLES.deployer);
    const clients = await createClients({ rpcUrls: [devnet.rpcUrl], account, devnet: true });
    return { config, clients, devnet, stateDir, throwawaySigner: false, close: devnet.stop };
  } catch (error) {
    await devnet.stop();
    throw error;
  }
}

/** Runs `fn` and stops whatever was started, also on Ctrl-C / SIGTERM (one shutdown path). */
export async function withShutdown<T>(
  close: () => Promise<void>,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    process.stderr.write(`\nReceived ${name}: stopping cleanly…\n`);
    controller.abort(new Error(name));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await close();
  }
}
