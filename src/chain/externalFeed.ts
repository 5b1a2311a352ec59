import { type Address, getAddress, type Hex, isAddress, keccak256 } from 'viem';
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
