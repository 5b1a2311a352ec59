import { z } from 'zod';
import { ENV_VAR_NAME } from './redact.js';

/**
 * The Provenant config file (`provenant.config.json` by default). Every field has a default, so an
 * empty file — or none — runs the embedded devnet demo. Documented field by field in docs/config.md.
 */
const hexAddress = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'a 0x-prefixed 20-byte hex address');

/**
 * The NAME of an environment variable. These fields are where a secret gets pasted by mistake, so an
 * invalid value is never echoed in the error (see `SECRET_FIELDS` in errors.ts).
 */
const envVarName = z.string().regex(ENV_VAR_NAME, 'an environment variable name');

export const chainSchema = z
  .object({
    /** JSON-RPC URLs, tried in order (failover). Empty: start the embedded anvil devnet. */
    rpcUrls: z.array(z.url({ protocol: /^(https?|wss?)$/ })).default([]),
    /** Expected chain id; when set, a node answering with another id is refused. */
    chainId: z.number().int().positive().optional(),
    /** Name of the environment variable that holds the signer's private key (the NAME, never the key). */
    privateKeyEnv: envVarName.default('PROVENANT_PRIVATE_KEY'),
    /** Path of an encrypted keystore (Web3 Secret Storage v3); its password comes from `keystorePasswordEnv`. */
    keystore: z.string().min(1).optional(),
    /** Name of the environment variable that holds the keystore password (the NAME, never the password). */
    keystorePasswordEnv: envVarName.default('PROVENANT_KEYSTORE_PASSWORD'),
    /**
     * Seconds without a receipt after a transaction's last broadcast before it counts as stuck and is
     * re-signed with bumped fees (the transaction manager's `stuckAfterMs`; see `txManagerSettings`).
     */
    receiptTimeoutSeconds: z.number().positive().default(60),
  })
  .strict();

export const devnetSchema = z
  .object({
    /** Loopback port for anvil; 0 picks a free one. */
    port: z.number().int().min(0).max(65535).default(0),
    /** Host anvil binds to. Loopback unless you mean otherwise. */
    host: z.string().default('127.0.0.1'),
    /** Chain id of the embedded devnet. */
    chainId: z.number().int().positive().default(31337),
    /** Persist chain state here (relative to stateDir) so a restart loses nothing; null disables. */
    stateFile: z.string().nullable().default('devnet-state.json'),
    /** Seconds between state dumps while running (anvil --state-interval). */
    stateIntervalSeconds: z.number().int().positive().default(5),
  })
  .strict();

export const oracleSchema = z
  .object({
    /** Number of independent reporter keys that sign each round. */
    reporters: z.number().int().min(1).max(31).default(5),
    /**
     * Distinct signatures needed to accept a round. Left out: the Byzantine minimum for the reporter
     * count (2·floor((n−1)/2)+1, i.e. all 5 of 5), so that fewer than half lying cannot decide a round;
     * a lower value is raised to it at deployment.
     */
    quorum: z.number().int().min(1).max(31).optional(),
    /**
     * A round older than this (seconds) is stale for the agent. The default, 4 days, lets Friday's
     * close through a long weekend (the next round comes on Tuesday); see `feedRulesOf`.
     */
    maxAgeSeconds: z
      .number()
      .int()
      .positive()
      .default(4 * 24 * 3600),
    /** The agent refuses a round that moved more than this (basis points) from the previous one. */
    maxDeviationBps: z.number().int().positive().default(2500),
  })
  .strict();

export const guardAddressSchema = hexAddress;

/**
 * The optional IPFS section: push rendered content to a real IPFS node or pinning service over the kubo
 * RPC API (`/api/v0/add`, `apiUrl`), and/or fetch content this machine does not hold from a trustless
 * gateway (`gatewayUrl`, every block verified against its CID). Absent: nothing leaves the machine and
 * nothing is fetched. A push never blocks a mint: failures are warnings, and `provenant content push`
 * retries later.
 */
export const ipfsSchema = z
  .object({
    /** The node's RPC API, e.g. `http://127.0.0.1:5001` (not a gateway). Absent: nothing is pushed. */
    apiUrl: z.url({ protocol: /^https?$/ }).optional(),
    /**
     * A trustless gateway (`GET /ipfs/<cid>?format=raw`), e.g. `https://trustless-gateway.link`, that
     * `verify` and `art show` fetch missing content from (`--ipfs-gateway` overrides it). Absent: content
     * comes from the local store only.
     */
    gatewayUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Ask the node to pin what it receives. */
    pin: z.boolean().default(true),
    /**
     * Name of the environment variable whose value is sent as the `Authorization` header (e.g.
     * `Bearer …` for a pinning service). The secret itself is never in the file and never logged.
     */
    authorizationEnv: envVarName.optional(),
    /** Milliseconds to wait for the node's answer to one upload, or the gateway's to one block. */
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .strict()
  .refine((section) => section.apiUrl !== undefined || section.gatewayUrl !== undefined, {
    message:
      'an apiUrl (the node RPC API to push to) or a gatewayUrl (a trustless gateway to fetch from), or no ipfs section at all',
    path: ['apiUrl'],
  });

export const configSchema = z
  .object({
    /** Where Provenant keeps its journal, content store, devnet state and deployments. */
    stateDir: z.string().min(1).default('.provenant'),
    chain: chainSchema.default(chainSchema.parse({})),
    devnet: devnetSchema.default(devnetSchema.parse({})),
    oracle: oracleSchema.default(oracleSchema.parse({})),
    /** Push rendered content to an IPFS node when set; see `ipfsSchema`. */
    ipfs: ipfsSchema.optional(),
    /**
     * Agent options (docs/agent.md#options). Kept as given (the agent applies its defaults), and
     * validated at load time with the agent's own schema, which the caller passes to `loadConfig` /
     * `parseConfig` as `sections.agent` (config depends on no other part).
     */
    agent: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

export type ProvenantConfig = z.infer<typeof configSchema>;
export type ChainConfig = z.infer<typeof chainSchema>;
export type OracleConfig = z.infer<typeof oracleSchema>;
export type ProvenantConfigInput = z.input<typeof configSchema>;
export type IpfsConfig = z.infer<typeof ipfsSchema>;
