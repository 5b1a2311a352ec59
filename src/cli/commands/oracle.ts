// Why: an operator's reporters publish real observations into the deployment's median oracles; without a
// command this took a hand-written script (docs/agent.md, step 4).
import type { Command } from 'commander';
import { NonRetryableError } from '../../errors/index.js';

/** The environment variable holding the reporter keys (comma-separated); never a flag, never printed. */
export const REPORTER_KEYS_ENV = 'PROVENANT_REPORTER_KEYS';

/** A `FEED=value` pair, the reporter keys, or the feed they name cannot be used. */
export class OraclePublishError extends NonRetryableError {
  override name = 'OraclePublishError';
}

/** `FEED=value` pairs (`WTI=71.23`): the feed key upper-cased and the decimal text, checked for form. */
export function parseObservations(pairs: readonly string[]): { feed: string; value: string }[] {
  if (pairs.length === 0)
    throw new OraclePublishError('Nothing to publish: give at least one FEED=value, e.g. WTI=71.23.', {
      details: "Feeds are the deployment's median oracles: WTI, BRENT, XAU (`provenant deploy` lists them).",
    });
  return pairs.map((pair) => {
    const m = /^([A-Za-z][A-Za-z0-9_]*)=(.+)$/.exec(pair.trim());
    if (!m)
      throw new OraclePublishError(
        `'${pair.length > 40 ? `${pair.slice(0, 40)}…` : pair}' is not FEED=value.`,
        {
          details: "Write each observation as FEED=value in the feed's units, e.g. WTI=71.23 XAU=2401.5.",
        },
      );
    return { feed: m[1]!.toUpperCase(), value: m[2]! };
  });
}

/**
 * The reporter keys from `PROVENANT_REPORTER_KEYS` (comma-separated 32-byte hex keys). A malformed entry is
 * named by its position only: no part of a key is ever shown.
 */
export function reporterKeysFromEnv(env: NodeJS.ProcessEnv = process.env): `0x${string}`[] {
  const text = env[REPORTER_KEYS_ENV] ?? '';
  const keys = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (keys.length === 0)
    throw new OraclePublishError(`No reporter keys: ${REPORTER_KEYS_ENV} is empty or not set.`, {
      details: `Set ${REPORTER_KEYS_ENV} to the reporters' private keys, comma-separated (as many as the feed's quorum); the signer (PROVENANT_PRIVATE_KEY) only relays the signed round.`,
      docsPath: 'docs/agent.md#from-an-empty-chain',
    });
  keys.forEach((k, i) => {
    if (!/^0x[0-9a-fA-F]{64}$/.test(k))
      throw new OraclePublishError(
        `Reporter key ${i + 1} of ${keys.length} in ${REPORTER_KEYS_ENV} is not a 32-byte hex key (0x and 64 hex digits); it is not shown.`,
        {
          details: 'Check that entry; keys are separated by commas.',
          docsPath: 'docs/agent.md#from-an-empty-chain',
        },
      );
  });
  if (new Set(keys.map((k) => k.toLowerCase())).size !== keys.length)
    throw new OraclePublishError(`${REPORTER_KEYS_ENV} names one reporter key twice.`, {
      details: 'A round needs distinct reporters (the oracle refuses duplicate signers): give each key once.',
    });
  return keys as `0x${string}`[];
}

export function registerOracle(program: Command): void {
  const oracle = program
    .command('oracle')
    .description("The deployment's median oracles: publish a signed round from your reporters.");
  oracle
    .command('publish <observations...>')
    .description(
      `Publish one round per FEED=value (e.g. WTI=71.23 XAU=2401.5): every reporter key in ${REPORTER_KEYS_ENV} signs the observation (EIP-712) and the signer relays the round. Stamped with the latest block's time. External feeds (a Chainlink proxy) are refused: their own operators publish.`,
    )
    .action(async (pairs: string[], _flags: unknown, command: Command) => {
      const observations = parseObservations(pairs);
      const keys = reporterKeysFromEnv();
      // Loaded here, not at start-up: the chain and oracle modules pull in viem.
      const { privateKeyToAccount } = await import('viem/accounts');
      const { formatUnits } = await import('viem');
      const { aggregatorV3InterfaceAbi, feedAddress, isRelayedFeed } = await import('../../chain/index.js');
      const { publishNextRound } = await import('../../oracle/index.js');
      const { parseFixedPoint } = await import('../parse.js');
      const { withDeployment } = await import('./policy.js');
      const accounts = keys.map((k) => privateKeyToAccount(k));
      await withDeployment(command, async (context, deployment) => {
        const known = Object.keys(deployment.manifest.feeds ?? {});
        const { timestamp } = await context.clients.publicClient.getBlock();
        for (const { feed: key, value } of observations) {
          if (!known.includes(key) && !deployment.manifest.contracts[`MedianOracle.${key}`])
            throw new OraclePublishError(`This deployment has no feed ${key}.`, {
              details: `Its feeds: ${known.join(', ') || 'none recorded'}.`,
            });
          const feed = feedAddress(deployment.manifest, key);
          if (!isRelayedFeed(deployment.manifest, key))
            throw new OraclePublishError(
              `Feed ${key} (${feed}) is an external feed: its own operators publish it, not Provenant's reporters.`,
              {
                details: 'Publish only to the median oracles this deployment created.',
                docsPath: 'docs/oracle.md',
              },
            );
          const decimals = await context.clients.publicClient.readContract({
            address: feed,
            abi: aggregatorV3InterfaceAbi,
            functionName: 'decimals',
          });
          const answer = parseFixedPoint(value, { what: `${key} value`, decimals });
          const round = await publishNextRound(
            context.clients,
            { accounts },
            { feed, answer, observedAt: timestamp },
          );
          console.log(
            `${key} round ${round.roundId}: ${formatUnits(round.median, decimals)} (median of ${accounts.length} reports, ${round.gasUsed} gas)`,
          );
        }
      });
    });
}
