import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Address, Hex } from 'viem';
import { NonRetryableError } from '../errors/index.js';
import { writeFileAtomicSync } from '../files/index.js';

/** One deployed contract as `provenant deploy` recorded it. */
export type DeployedContract = {
  contract: string;
  address: Address;
  /** keccak256 of the runtime code at deployment; a mismatch later means the address holds other code. */
  codeHash: Hex;
  /** keccak256 of creation bytecode + constructor args: a changed contract or argument redeploys. */
  initHash: Hex;
  transactionHash: Hex;
  blockNumber: string;
};

/**
 * One price feed of the suite: a MedianOracle the deployment created (its reporters publish to it), or
 * an external AggregatorV3 feed (e.g. Chainlink) given with `deploy --feed KEY=ADDRESS`, read only.
 */
export type DeployedFeed = {
  address: Address;
  source: 'median-oracle' | 'external';
  decimals: number;
  /** External feeds: keccak256 of the runtime code found at deployment. */
  codeHash?: Hex | undefined;
};

/** The address manifest for one chain: `<stateDir>/deployments/<chainId>.json`. */
export type DeploymentManifest = {
  chainId: number;
  contracts: Record<string, DeployedContract>;
  /** The suite's feeds by key (WTI, BRENT, XAU); absent in manifests written before external feeds. */
  feeds?: Record<string, DeployedFeed>;
};

export class InvalidDeploymentManifestError extends NonRetryableError {
  override name = 'InvalidDeploymentManifestError';
  constructor(path: string, reason: string) {
    super(`Deployment manifest ${path} is unreadable: ${reason}.`, {
      details:
        'Move the file away and run `provenant deploy` again; contracts whose code is on-chain are redeployed under new addresses.',
      docsPath: 'docs/chain.md#deployments',
    });
  }
}

/**
 * The empty manifests `readManifest` returned because no file exists, with the path it looked at: a
 * contract missing from one of them is missing because this state dir holds no manifest, which is
 * usually the wrong --state-dir rather than an undeployed chain.
 */
const missingManifestFiles = new WeakMap<DeploymentManifest, string>();

/**
 * A contract the command needs has no entry for this chain. Given the manifest (rather than the chain
 * id), the message says when the manifest file itself is missing from the state dir.
 */
export class NotDeployedError extends NonRetryableError {
  override name = 'NotDeployedError';
  constructor(name: string, where: number | DeploymentManifest) {
    const chainId = typeof where === 'number' ? where : where.chainId;
    const missing = typeof where === 'number' ? undefined : missingManifestFiles.get(where);
    if (missing)
      super(
        `Contract ${name} is not known on chain ${chainId}: the deployment manifest ${missing} is missing.`,
        {
          details: `The addresses of a deployment live in <state dir>/deployments/${chainId}.json, written by \`provenant deploy\` (or \`provenant demo\` on the devnet). Pass the --state-dir that holds it (or set stateDir in the config), or run \`provenant deploy\` against this chain.`,
          docsPath: 'docs/chain.md#deployments',
        },
      );
    else
      super(`Contract ${name} is not deployed on chain ${chainId}.`, {
        details: 'Run `provenant deploy` against this chain first (the demo does it for you on the devnet).',
        docsPath: 'docs/chain.md#deployments',
      });
  }
}

export function manifestPath(stateDir: string, chainId: number): string {
  return join(stateDir, 'deployments', `${chainId}.json`);
}

export function readManifest(stateDir: string, chainId: number): DeploymentManifest {
  const path = manifestPath(stateDir, chainId);
  if (!existsSync(path)) {
    const empty: DeploymentManifest = { chainId, contracts: {} };
    missingManifestFiles.set(empty, path);
    return empty;
  }
  let parsed: DeploymentManifest;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new InvalidDeploymentManifestError(path, (error as Error).message);
  }
  if (parsed.chainId !== chainId || typeof parsed.contracts !== 'object') {
    throw new InvalidDeploymentManifestError(path, `it is for chain ${parsed.chainId}, not ${chainId}`);
  }
  return parsed;
}

/** Writes atomically and durably (`writeFileAtomicSync`) so a crash never leaves half a manifest. */
export function writeManifest(stateDir: string, manifest: DeploymentManifest): string {
  const path = manifestPath(stateDir, manifest.chainId);
  mkdirSync(dirname(path), { recursive: true });
  writeFileAtomicSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return path;
}

export function addressOf(manifest: DeploymentManifest, name: string): Address {
  const entry = manifest.contracts[name];
  if (!entry) throw new NotDeployedError(name, manifest);
  return entry.address;
}

/**
 * The address of feed `key` (e.g. 'WTI'): the external feed the deployment was pointed at, or its
 * MedianOracle. Use this rather than `addressOf(manifest, 'MedianOracle.WTI')`, which has no entry for
 * an external feed.
 */
export function feedAddress(manifest: DeploymentManifest, key: string): Address {
  const feed = manifest.feeds?.[key];
  if (feed) return feed.address;
  return addressOf(manifest, `MedianOracle.${key}`);
}

/** True when Provenant's reporters publish to feed `key` (a MedianOracle of this deployment). */
export function isRelayedFeed(manifest: DeploymentManifest, key: string): boolean {
  const feed = manifest.feeds?.[key];
  return feed ? feed.source === 'median-oracle' : manifest.contracts[`MedianOracle.${key}`] !== undefined;
}
