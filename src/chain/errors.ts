import { redactCauseChain, redactUrl } from '../config/index.js';
import { NonRetryableError, RetryableError } from '../errors/index.js';

/**
 * No JSON-RPC endpoint answered. Retryable: the node may come back. The URLs are shown redacted
 * (scheme and host only: hosted endpoints carry API keys in the path), also in the cause chain that
 * `--verbose` prints.
 */
export class RpcUnavailableError extends RetryableError {
  override name = 'RpcUnavailableError';
  /** The endpoints, redacted (`redactUrl`): safe to print and to journal. */
  readonly redactedUrls: readonly string[];
  constructor(urls: readonly string[], cause?: unknown) {
    const redacted = urls.map(redactUrl);
    // An HTTP status means the host answered: the URL (path, credentials) is the problem, not the node.
    const status = httpStatusIn(cause);
    super(`No JSON-RPC endpoint answered (${redacted.join(', ') || 'none configured'}).`, {
      details:
        status !== undefined && status >= 400 && status < 500 && status !== 429
          ? `The endpoint answered HTTP ${status}: the host is reachable but ${status === 401 || status === 403 ? 'refused the credentials (check the API key in the URL)' : status === 404 || status === 405 ? 'serves no JSON-RPC at that URL (check the path, e.g. /v3/<key> or /rpc)' : 'refused the request'}. Pass the node's JSON-RPC URL with --rpc-url.`
          : 'Check that the node is running and reachable, or pass another --rpc-url. Without --rpc-url, Provenant starts its embedded devnet.',
      cause: redactCauseChain(cause),
      docsPath: 'docs/chain.md#endpoints',
    });
    this.redactedUrls = redacted;
  }
}

/** The first HTTP status in an error's cause chain (viem's HttpRequestError carries `status`). */
function httpStatusIn(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 12; depth++) {
    const status = (current as { status?: unknown }).status;
    if (typeof status === 'number') return status;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The embedded devnet (anvil) did not start. */
export class DevnetStartError extends NonRetryableError {
  override name = 'DevnetStartError';
  constructor(reason: string, cause?: unknown) {
    super(`The embedded devnet (anvil) did not start: ${reason}.`, {
      details:
        'Run `npm ci` so node_modules/@foundry-rs/anvil is installed, and check that the state file is not corrupt (move it away to start fresh).',
      cause,
      docsPath: 'docs/chain.md#devnet',
    });
  }
}

/** No signer key was configured. */
export class MissingKeyError extends NonRetryableError {
  override name = 'MissingKeyError';
  constructor(envName: string, keystorePasswordEnv: string) {
    super(
      'No signer key: set the private key in an environment variable or configure an encrypted keystore.',
      {
        details: `Set ${envName}=0x… in the environment (never on the command line), or set chain.keystore in the config to a Web3 Secret Storage file and its password in ${keystorePasswordEnv}. On the embedded devnet no key is needed.`,
        docsPath: 'docs/chain.md#keys',
      },
    );
  }
}

/**
 * A key was found but is malformed or out of range, or the keystore could not be decrypted. The key
 * itself is never shown, and no library error is attached as `cause` (`--verbose` prints causes, and
 * a library may quote the key in its message).
 */
export class InvalidKeyError extends NonRetryableError {
  override name = 'InvalidKeyError';
  /** `details`: what to do, when the default (the key format) is not the problem (a missing file…). */
  constructor(source: string, reason: string, details?: string) {
    super(`The signer key from ${source} is not usable: ${reason}.`, {
      details:
        details ??
        'A private key is 32 bytes of hex with a 0x prefix, greater than 0 and less than the secp256k1 group order n. For a keystore, check the file and its password variable.',
      docsPath: 'docs/chain.md#keys',
    });
  }
}

/**
 * Both a private key variable and a keystore are configured: which one signs would be a guess (a key
 * left in the environment from another task silently signing instead of the configured keystore).
 */
export class AmbiguousSignerError extends NonRetryableError {
  override name = 'AmbiguousSignerError';
  constructor(envName: string, keystore: string) {
    super(`Two signers are configured: ${envName} is set and chain.keystore names ${keystore}.`, {
      details: `Provenant does not guess which key signs. Unset ${envName} to sign with the keystore, or remove chain.keystore from the config to sign with the key in ${envName}.`,
      docsPath: 'docs/chain.md#keys',
    });
  }
}

/** The node answered with another chain id than the config expects. */
export class ChainIdMismatchError extends NonRetryableError {
  override name = 'ChainIdMismatchError';
  constructor(expected: number, actual: number, url: string) {
    super(`The node at ${redactUrl(url)} is chain ${actual}, but the config expects chain ${expected}.`, {
      details: 'Point --rpc-url at the right network, or change chain.chainId in the config.',
    });
  }
}

/** A transaction was mined but reverted. Never reported as success. */
export class TransactionRevertedError extends NonRetryableError {
  override name = 'TransactionRevertedError';
  constructor(hash: string, label: string, cause?: unknown) {
    super(`Transaction ${label} (${hash}) was mined but reverted.`, {
      cause,
      details: 'Nothing changed on-chain. See the decoded reason above, if any.',
    });
  }
}

/**
 * Shortens every hex string longer than 64 bytes in `text` to its first 10 bytes and its length, e.g.
 * `0x6102a0604052348015610010…(22456 bytes)`: a contract's init code must never reach a message (one
 * failed deploy printed ~45 KB of bytecode). Addresses, hashes and short revert data stay whole.
 */
export function truncateHex(text: string): string {
  return text.replace(
    /0x[0-9a-fA-F]{129,}/g,
    (hex) => `${hex.slice(0, 22)}…(${Math.floor((hex.length - 2) / 2)} bytes)`,
  );
}

/**
 * A step of `deploy` failed: its constructor reverted (on simulation or on-chain), or the node refused the
 * transaction. Names the step and the contract; the steps before it stay in the manifest, so a second run
 * reuses them and continues from this one. The message and the cause never carry the init code.
 */
export class DeployStepError extends NonRetryableError {
  override name = 'DeployStepError';
  readonly step: string;
  readonly contract: string;
  readonly reason: string;
  constructor(step: string, contract: string, reason: string, cause?: unknown) {
    const what = step === contract ? step : `${step} (contract ${contract})`;
    super(`Deploy step ${what} failed: ${truncateHex(reason)}.`, {
      details:
        'The contracts deployed before this step are recorded in the manifest and are reused on the next run. Check the constructor arguments this step takes (the addresses passed to deploy: --collateral, --feed, the roles), fix the cause and run deploy again.',
      docsPath: 'docs/chain.md#deployments',
      cause: cause === undefined ? undefined : sanitizedCause(cause),
    });
    this.step = step;
    this.contract = contract;
    this.reason = reason;
  }
}

/** A copy of an error chain with every long hex string shortened (`--verbose` prints causes). */
function sanitizedCause(error: unknown, depth = 0): unknown {
  if (typeof error === 'string') return truncateHex(error);
  if (!(error instanceof Error) || depth > 8) return undefined;
  const copy = new Error(truncateHex(error.message), {
    cause:
      (error as { cause?: unknown }).cause === undefined
        ? undefined
        : sanitizedCause((error as { cause?: unknown }).cause, depth + 1),
  });
  copy.name = error.name;
  return copy;
}
