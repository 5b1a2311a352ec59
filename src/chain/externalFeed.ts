import { type Address, erc20Abi, getAddress, type Hex, isAddress, keccak256 } from 'viem';
import { NonRetryableError } from '../errors/index.js';
import type { ProvenantClients } from './clients.js';
import { aggregatorV3InterfaceAbi } from './generated/contracts.js';
import { toContractRevertError } from './revert.js';

/** A feed a deployment reads but does not deploy: what the check found at its address. */
export type ExternalFeedCheck = {
  address: Address;
  decimals: number;
  description: string | undefined;
  latestRoundId: bigint;
  latestAnswer: bigint;
  latestUpdatedAt: bigint;
  /** keccak256 of the runtime code found (a proxy's code: its aggregator may change behind it). */
  codeHash: Hex;
};

/** An external feed given to `deploy` cannot be used; `problem` says what was found and what was expected. */
export class ExternalFeedError extends NonRetryableError {
  override name = 'ExternalFeedError';
  readonly feedKey: string;
  readonly address: string;
  constructor(feedKey: string, address: string, problem: string) {
    super(`External feed ${feedKey}=${address} cannot be used: ${problem}.`, {
      details:
        "Pass the address of a Chainlink AggregatorV3Interface feed (or proxy) on this chain that answers decimals() and latestRoundData(), with the suite feeds' decimals; or drop the --feed option to deploy a MedianOracle for it.",
      docsPath: 'docs/oracle.md#external-feeds',
    });
    this.feedKey = feedKey;
    this.address = address;
  }
}

/**
 * Parses `KEY=0xADDRESS` pairs (the `deploy --feed` option) against the suite's feed keys.
 * Throws ExternalFeedError naming the bad pair: unknown key, malformed address, or a key given twice.
 */
export function parseExternalFeeds(
  pairs: readonly string[],
  knownKeys: readonly string[],
): Record<string, Address> {
  const out: Record<string, Address> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = (eq < 0 ? pair : pair.slice(0, eq)).trim().toUpperCase();
    const value = eq < 0 ? '' : pair.slice(eq + 1).trim();
    if (!knownKeys.includes(key))
      throw new ExternalFeedError(
        key,
        value,
        `the suite has no feed ${key} (its feeds: ${knownKeys.join(', ')})`,
      );
    if (!isAddress(value, { strict: false }))
      throw new ExternalFeedError(
        key,
        value,
        `'${value}' is not a 0x-prefixed 20-byte address (form: ${key}=0x…)`,
      );
    if (out[key]) throw new ExternalFeedError(key, value, `${key} is given twice`);
    out[key] = getAddress(value);
  }
  return out;
}

/**
 * Checks that `address` is a usable AggregatorV3 feed before the suite is wired to it: there is code,
 * `decimals()` answers and equals `expectedDecimals` (the agent and the zk gate read prices in the
 * suite's decimals), and `latestRoundData()` answers (a feed with no round yet cannot price anything).
 */
export async function checkExternalFeed(
  clients: Pick<ProvenantClients, 'publicClient'>,
  feedKey: string,
  address: Address,
  expectedDecimals: number,
): Promise<ExternalFeedCheck> {
  const client = clients.publicClient;
  const code = await client.getCode({ address });
  if (!code || code === '0x')
    throw new ExternalFeedError(feedKey, address, 'there is no contract at this address on this chain');
  // A revert is named by its custom error when the project knows it (e.g. MedianOracle's OracleNoRounds).
  const firstLine = (error: unknown) => {
    const revert = toContractRevertError(error);
    if (revert) return `it reverts with ${revert.errorName}`;
    return ((error as Error).message ?? String(error)).split('\n')[0];
  };
  let decimals: number;
  try {
    decimals = await client.readContract({
      address,
      abi: aggregatorV3InterfaceAbi,
      functionName: 'decimals',
    });
  } catch (error) {
    throw new ExternalFeedError(feedKey, address, `it does not answer decimals() (${firstLine(error)})`);
  }
  if (decimals !== expectedDecimals)
    throw new ExternalFeedError(
      feedKey,
      address,
      `it reports ${decimals} decimals, the suite's feeds use ${expectedDecimals}`,
    );
  let latest: readonly [bigint, bigint, bigint, bigint, bigint];
  try {
    latest = await client.readContract({
      address,
      abi: aggregatorV3InterfaceAbi,
      functionName: 'latestRoundData',
    });
  } catch (error) {
    throw new ExternalFeedError(
      feedKey,
      address,
      `it does not answer latestRoundData() (${firstLine(error)}); a feed with no round yet cannot be used`,
    );
  }
  let description: string | undefined;
  try {
    description = await client.readContract({
      address,
      abi: aggregatorV3InterfaceAbi,
      functionName: 'description',
    });
  } catch {
    description = undefined; // optional for our purposes
  }
  return {
    address,
    decimals,
    description,
    latestRoundId: latest[0],
    latestAnswer: latest[1],
    latestUpdatedAt: latest[3],
    codeHash: keccak256(code),
  };
}

/**
 * The most decimals a collateral token may have: SyntheticVault's constructor reverts with
 * `UnsupportedDecimals` above it (its reserve is a uint96 of collateral units, at least 7.9e10 whole
 * tokens only up to 18 decimals; collateral amounts scale to 18 decimals by one multiplication).
 */
export const MAX_COLLATERAL_DECIMALS = 18;

/** What the collateral check found at the `--collateral` address. */
export type CollateralCheck = {
  address: Address;
  decimals: number;
  symbol: string | undefined;
  totalSupply: bigint;
  /** keccak256 of the runtime code found. */
  codeHash: Hex;
};

/** The collateral token given to `deploy` cannot be used; `problem` says what was found and what was expected. */
export class CollateralError extends NonRetryableError {
  override name = 'CollateralError';
  readonly address: string;
  constructor(address: string, problem: string) {
    super(`Collateral ${address} cannot be used: ${problem}.`, {
      details: `Pass --collateral the address of an ERC-20 on this chain that backs the synths (a stablecoin such as USDC) and answers decimals() (at most ${MAX_COLLATERAL_DECIMALS}) and totalSupply(). Nothing was deployed.`,
      docsPath: 'docs/chain.md#deployments',
    });
    this.address = address;
  }
}

/**
 * Checks that `address` is a usable collateral ERC-20 before anything is deployed on it: there is code,
 * `decimals()` answers with at most MAX_COLLATERAL_DECIMALS (the vault's bound), and `totalSupply()`
 * answers. Throws CollateralError naming the problem (never the contract's code).
 */
export async function checkCollateral(
  clients: Pick<ProvenantClients, 'publicClient'>,
  address: Address,
): Promise<CollateralCheck> {
  const client = clients.publicClient;
  const code = await client.getCode({ address });
  if (!code || code === '0x')
    throw new CollateralError(
      address,
      'there is no contract at this address on this chain (an account with no code, or a token on another chain)',
    );
  const firstLine = (error: unknown) => {
    const revert = toContractRevertError(error);
    if (revert) return `it reverts with ${revert.errorName}`;
    const e = error as { shortMessage?: unknown; message?: unknown };
    const text = typeof e.shortMessage === 'string' ? e.shortMessage : String(e.message ?? error);
    return (text.split('\n')[0] ?? '').slice(0, 200);
  };
  let decimals: number;
  try {
    decimals = await client.readContract({ address, abi: erc20Abi, functionName: 'decimals' });
  } catch (error) {
    throw new CollateralError(
      address,
      `it does not answer decimals() (${firstLine(error)}): not an ERC-20 token`,
    );
  }
  if (decimals > MAX_COLLATERAL_DECIMALS)
    throw new CollateralError(
      address,
      `it reports ${decimals} decimals; the vaults accept at most ${MAX_COLLATERAL_DECIMALS}`,
    );
  let totalSupply: bigint;
  try {
    totalSupply = await client.readContract({ address, abi: erc20Abi, functionName: 'totalSupply' });
  } catch (error) {
    throw new CollateralError(
      address,
      `it does not answer totalSupply() (${firstLine(error)}): not an ERC-20 token`,
    );
  }
  let symbol: string | undefined;
  try {
    symbol = await client.readContract({ address, abi: erc20Abi, functionName: 'symbol' });
  } catch {
    symbol = undefined; // optional in ERC-20
  }
  return { address, decimals, symbol, totalSupply, codeHash: keccak256(code) };
}
