// Why: `provenant agent check` answers "will my agent run, and if not, what do I do?" before the first epoch,
// from the chain, the state dir and the journal, without sending anything. `agent run` refuses the same
// problems one at a time, mid-start; this lists them all at once, each with its fix.
import { existsSync } from 'node:fs';
import { type Address, erc20Abi, formatEther, formatUnits, type Hex, zeroAddress, zeroHash } from 'viem';
import {
  aggregatorV3InterfaceAbi,
  balanceOf,
  journalAnchorAbi,
  modelRegistryAbi,
  type ProvenantClients,
  policyGuardAbi,
  proxyRoundIdText,
  readPosition,
  syntheticVaultAbi,
} from '../chain/index.js';
import { ProvenantError } from '../errors/index.js';
import { type PolicyState, readPolicies } from '../policy/index.js';
import { type AgentAddresses, addressLabels } from './addresses.js';
import { demoPolicies } from './bootstrap.js';
import { loadAgentForecaster, resolveAgentAddresses } from './cli-support.js';
import {
  anchorSources,
  checkJournalAttestation,
  openJournal,
  verifyJournalAnchors,
} from './journal/index.js';
import { loadGenerator } from './models.js';
import { journalPath } from './stack.js';

/** One line of `agent check`: `fail` stops the agent, `warn` makes it wait, halt or be refused. */
export type ReadinessCheck = {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  /** What was found. */
  detail: string;
  /** What to do about it (for `warn` and `fail`). */
  fix?: string | undefined;
};

export type ReadinessReport = { ok: boolean; agent: Address; chainId: number; checks: ReadinessCheck[] };

/**
 * Gas one epoch can take at most (a zk-proven mint ≈ 320k, an art mint or evolve ≈ 120k, a fee change
 * ≈ 60k, a journal anchor ≈ 46k, with headroom): the agent's ETH should pay for at least one such epoch.
 */
export const EPOCH_GAS_BUDGET = 700_000n;
/** Epochs of gas below which `gas` warns (it fails below one). */
const GAS_WARN_EPOCHS = 20n;

const ok = (name: string, detail: string): ReadinessCheck => ({ name, status: 'ok', detail });
const warn = (name: string, detail: string, fix: string): ReadinessCheck => ({
  name,
  status: 'warn',
  detail,
  fix,
});
const fail = (name: string, detail: string, fix: string): ReadinessCheck => ({
  name,
  status: 'fail',
  detail,
  fix,
});

/**
 * Checks that the agent `agent` (the key `agent run` signs with) can run on the deployment recorded in
 * `stateDir` for the connected chain: the suite is there, the guard accepts this key, it can pay for gas,
 * nothing is paused, every policy its strategies use exists, its models are in the state dir and approved
 * (with a zk commitment where the vault takes proven mints only), the WTI feed is fresh, it holds
 * collateral, and its journal (if any) is intact, signed by it and not behind its on-chain anchors.
 * Reads only; when the deployment is missing, the report stops there (nothing else can be read).
 */
export async function checkAgentReadiness(p: {
  clients: ProvenantClients;
  agent: Address;
  stateDir: string;
}): Promise<ReadinessReport> {
  const { clients, agent, stateDir } = p;
  const client = clients.publicClient;
  const chainId = clients.chain.id;
  const checks: ReadinessCheck[] = [];
  const report = (): ReadinessReport => ({
    ok: checks.every((c) => c.status !== 'fail'),
    agent,
    chainId,
    checks,
  });

  let addresses: AgentAddresses;
  try {
    addresses = await resolveAgentAddresses(clients, stateDir);
  } catch (error) {
    checks.push(
      fail('deployment', messageOf(error), detailsOf(error) ?? 'Deploy the suite: `provenant deploy`.'),
    );
    return report();
  }
  checks.push(await deploymentCheck(clients, addresses));
  if (checks.at(-1)?.status === 'fail') return report();

  const [guardAgent, balance, fees, globallyPaused, policies] = await Promise.all([
    client.readContract({ address: addresses.guard, abi: policyGuardAbi, functionName: 'agent' }),
    client.getBalance({ address: agent }),
    client.estimateFeesPerGas().catch(() => undefined),
    client.readContract({ address: addresses.guard, abi: policyGuardAbi, functionName: 'globallyPaused' }),
    readPolicies(client, addresses.guard, addressLabels(addresses)),
  ]);
  checks.push(
    guardAgent.toLowerCase() === agent.toLowerCase()
      ? ok('agent-role', `the guard ${addresses.guard} accepts ${agent} as its agent`)
      : fail(
          'agent-role',
          `the guard accepts ${guardAgent} as its agent, not ${agent}: every action would revert PolicyNotAgent`,
          'Sign with the agent key the guard names (PROVENANT_PRIVATE_KEY or the keystore in docs/chain.md), or have governance rotate it (PolicyGuard.setAgent through the timelock).',
        ),
  );
  checks.push(gasCheck(balance, fees?.maxFeePerGas ?? fees?.gasPrice));
  checks.push(pauseCheck(globallyPaused, policies));
  checks.push(policiesCheck(addresses, policies));
  checks.push(...(await modelChecks(clients, addresses, stateDir)));
  checks.push(await oracleCheck(clients, addresses, policies));
  const [collateral, decimals] = await Promise.all([
    balanceOf(clients, addresses.collateral, agent),
    client.readContract({ address: addresses.collateral, abi: erc20Abi, functionName: 'decimals' }),
  ]);
  checks.push(
    collateral > 0n
      ? ok('collateral', `${formatUnits(collateral, decimals)} of the collateral ${addresses.collateral}`)
      : warn(
          'collateral',
          `${agent} holds none of the collateral ${addresses.collateral}: its first sWTI mint deposits some, and will revert`,
          'Send the agent collateral (on the embedded devnet: `provenant faucet <amount> --to <agent>`).',
        ),
  );
  checks.push(await positionCheck(clients, addresses.vault, agent));
  checks.push(...(await journalChecks(clients, addresses, agent, stateDir)));
  return report();
}

/**
 * The agent's own sWTI position: a position a keeper may liquidate now loses collateral to the penalty
 * (fail: the operator acts before anyone else does); one below the minimum ratio has its mints refused
 * until it is restored (warn). The ratio is the vault's, at its current price.
 */
async function positionCheck(
  clients: ProvenantClients,
  vault: Address,
  agent: Address,
): Promise<ReadinessCheck> {
  const [position, risk] = await Promise.all([
    readPosition(clients, vault, agent),
    clients.publicClient.readContract({ address: vault, abi: syntheticVaultAbi, functionName: 'riskParams' }),
  ]);
  const pct = (bps: bigint | number) => `${(Number(bps) / 100).toFixed(2)} %`;
  const debt = `${formatUnits(position.debt, 18)} sWTI`;
  if (position.debt === 0n) return ok('position', `the agent's sWTI position has no debt`);
  if (position.ratioBps === undefined)
    return warn(
      'position',
      `the agent's sWTI position owes ${debt}, and its ratio cannot be read now (the vault refuses its price: stale or not positive)`,
      'Wait for the reporters to publish a fresh WTI round, then run `provenant agent check` again.',
    );
  const fix = `Restore it: deposit collateral (\`provenant synth open <amount>\` with the agent key) or repay (\`provenant synth burn <amount>\`); \`provenant synth show ${agent}\` gives the amounts.`;
  if (position.liquidatable)
    return fail(
      'position',
      `the agent's sWTI position is liquidatable: ratio ${pct(position.ratioBps)} < liquidation ratio ${pct(risk.liquidationRatioBps)} (debt ${debt}); a keeper may take its collateral with the penalty now`,
      fix,
    );
  if (position.ratioBps < BigInt(risk.minCollateralRatioBps))
    return warn(
      'position',
      `the agent's sWTI position is below the minimum ratio: ${pct(position.ratioBps)} < ${pct(risk.minCollateralRatioBps)} (debt ${debt}); its mints are refused until it is restored`,
      fix,
    );
  return ok(
    'position',
    `ratio ${pct(position.ratioBps)} (minimum ${pct(risk.minCollateralRatioBps)}, liquidation ${pct(risk.liquidationRatioBps)}), debt ${debt}`,
  );
}

/** Every contract the agent calls has code on this chain (a manifest from another chain or a reset devnet does not). */
async function deploymentCheck(clients: ProvenantClients, a: AgentAddresses): Promise<ReadinessCheck> {
  const needed: [string, Address][] = [
    ['PolicyGuard', a.guard],
    ['ModelRegistry', a.registry],
    ['ProvenanceNFT', a.nft],
    ['SyntheticVault.sWTI', a.vault],
    ['DynamicFeePool.sWTI', a.pool],
    ['collateral', a.collateral],
    ['WTI feed', a.feeds.WTI],
  ];
  const codes = await Promise.all(needed.map(([, address]) => clients.publicClient.getCode({ address })));
  const missing = needed.filter((_, i) => !codes[i] || codes[i] === '0x').map(([name]) => name);
  if (missing.length > 0)
    return fail(
      'deployment',
      `no contract on chain ${clients.chain.id} at the manifest's address of ${missing.join(', ')}`,
      'Connect to the chain the suite was deployed on (--rpc-url), or deploy it here: `provenant deploy`.',
    );
  return ok('deployment', `the suite is on chain ${clients.chain.id} (guard ${a.guard}, vault ${a.vault})`);
}

function gasCheck(balance: bigint, feePerGas: bigint | undefined): ReadinessCheck {
  const have = `${ethText(balance)} ETH`;
  if (feePerGas === undefined || feePerGas === 0n)
    return balance > 0n
      ? ok('gas', `${have} (the node gives no fee estimate)`)
      : warn('gas', `${have} and no fee estimate from the node`, 'Fund the agent with ETH for gas.');
  const perEpoch = EPOCH_GAS_BUDGET * feePerGas;
  const epochs = balance / perEpoch;
  const detail = `${have}: about ${epochs.toLocaleString('en-US')} busy epoch(s) at ${formatUnits(feePerGas, 9)} gwei (${EPOCH_GAS_BUDGET} gas each at most)`;
  if (epochs < 1n)
    return fail(
      'gas',
      detail,
      `Fund the agent with at least ${ethText(perEpoch)} ETH; its transactions cannot be paid otherwise.`,
    );
  if (epochs < GAS_WARN_EPOCHS)
    return warn(
      'gas',
      detail,
      `Top it up: ${GAS_WARN_EPOCHS} busy epochs take ${ethText(perEpoch * GAS_WARN_EPOCHS)} ETH.`,
    );
  return ok('gas', detail);
}

/** Pauses, from the policies already read (each says whether its asset or the whole guard is paused). */
function pauseCheck(globallyPaused: boolean, policies: readonly PolicyState[]): ReadinessCheck {
  if (globallyPaused)
    return warn(
      'pause',
      'the guard is paused globally: every agent action is refused (PolicyPaused)',
      'Only governance unpauses: `provenant gov propose --unpause`, then vote, queue and execute (docs/governance.md).',
    );
  const names = [...new Set(policies.filter((p) => p.paused).map((p) => p.assetLabel))];
  if (names.length > 0)
    return warn(
      'pause',
      `paused: ${names.join(', ')}; the agent's actions on ${names.length === 1 ? 'it' : 'them'} are refused`,
      'Only governance unpauses an asset: `provenant gov propose --unpause <asset>` (docs/governance.md).',
    );
  return ok('pause', 'nothing is paused');
}

/** The policies the agent's strategies act under (the defaults `gov propose --create-policies` creates). */
function policiesCheck(a: AgentAddresses, policies: readonly PolicyState[]): ReadinessCheck {
  const has = (asset: Address, action: Hex) =>
    policies.some((p) => p.asset.toLowerCase() === asset.toLowerCase() && p.action === action);
  const missing = demoPolicies(a).filter((p) => !has(p.asset, p.action));
  if (missing.length > 0)
    return fail(
      'policies',
      `the guard has no policy for ${missing.map((p) => p.label).join(', ')}: those actions revert PolicyUnknown`,
      'Governance creates them: `provenant gov propose --create-policies`, then vote, queue and execute.',
    );
  return ok('policies', `${policies.length} policies, every one the agent acts under`);
}

async function modelChecks(
  clients: ProvenantClients,
  a: AgentAddresses,
  stateDir: string,
): Promise<ReadinessCheck[]> {
  const approved = (id: Hex) =>
    clients.publicClient.readContract({
      address: a.registry,
      abi: modelRegistryAbi,
      functionName: 'isApproved',
      args: [id],
    });
  const checks: ReadinessCheck[] = [];
  let forecaster: { id: Hex; name: string } | undefined;
  try {
    const loaded = loadAgentForecaster(stateDir);
    forecaster = { id: loaded.id, name: `${loaded.model.name} ${loaded.model.version}` };
  } catch (error) {
    checks.push(
      fail('forecaster', messageOf(error), detailsOf(error) ?? 'Train one: `provenant model train`.'),
    );
  }
  if (forecaster) {
    const [isApproved, zkRequired, commitment] = await Promise.all([
      approved(forecaster.id),
      clients.publicClient.readContract({
        address: a.vault,
        abi: syntheticVaultAbi,
        functionName: 'zkRequired',
      }),
      clients.publicClient.readContract({
        address: a.registry,
        abi: modelRegistryAbi,
        functionName: 'zkCommitmentOf',
        args: [forecaster.id],
      }),
    ]);
    if (!isApproved)
      checks.push(
        fail(
          'forecaster',
          `${forecaster.name} (${forecaster.id}) is not approved in the registry: its mints revert PolicyModelNotAllowed`,
          'Register it (`provenant model register <file>`) and have governance approve it (`provenant model approve <id>`; docs/agent.md#from-an-empty-chain).',
        ),
      );
    else if (zkRequired && commitment === zeroHash)
      checks.push(
        fail(
          'forecaster',
          `${forecaster.name} is approved but has no zk commitment, and the vault takes proven mints only (zkRequired)`,
          'Its owner sets the commitment (`provenant zk setup` prints it; docs/agent.md), or governance turns zkRequired off.',
        ),
      );
    else
      checks.push(
        ok(
          'forecaster',
          `${forecaster.name} (${forecaster.id}) approved${zkRequired ? ', with its zk commitment (the vault takes proven mints only)' : ''}`,
        ),
      );
  }
  checks.push(await approvalPushCheck(clients, a));
  const generator = loadGenerator();
  checks.push(
    (await approved(generator.id))
      ? ok('generator', `${generator.model.name} ${generator.model.version} (${generator.id}) approved`)
      : fail(
          'generator',
          `the art generator ${generator.id} is not approved in the registry: art mints revert PolicyModelNotAllowed`,
          'Register it (`provenant model register models/generator-v1.json`) and have governance approve it (`provenant model approve <id>`).',
        ),
  );
  return checks;
}

/**
 * Whether the registry tells this guard of every approval change (`ModelRegistry.bindApprovalListener`): then
 * each guarded action reads the guard's own copy (one slot); else the guard asks the registry every time,
 * correct but ~5,500 gas dearer per action. Only the registry's deployer can bind it, once (`deploy` does).
 */
export async function approvalPushCheck(
  clients: ProvenantClients,
  a: AgentAddresses,
): Promise<ReadinessCheck> {
  const listener = await clients.publicClient.readContract({
    address: a.registry,
    abi: modelRegistryAbi,
    functionName: 'approvalListener',
  });
  if (listener.toLowerCase() === a.guard.toLowerCase())
    return ok(
      'approval push',
      'the registry tells the guard of every approval change (one-slot model check)',
    );
  return warn(
    'approval push',
    listener === zeroAddress
      ? `the registry ${a.registry} tells no guard of approval changes: every guarded action asks it (~5,500 gas more each)`
      : `the registry ${a.registry} tells another guard (${listener}) of approval changes, not this one (${a.guard}): every guarded action asks the registry (~5,500 gas more each)`,
    listener === zeroAddress
      ? "The registry's deployer binds the guard once: `ModelRegistry.bindApprovalListener(guard)` (a fresh `provenant deploy` does it)."
      : 'A registry is bound to one guard for good: accept the cost, or deploy a new registry with this guard.',
  );
}

async function oracleCheck(
  clients: ProvenantClients,
  a: AgentAddresses,
  policies: readonly PolicyState[],
): Promise<ReadinessCheck> {
  const latest = await clients.publicClient
    .readContract({ address: a.feeds.WTI, abi: aggregatorV3InterfaceAbi, functionName: 'latestRoundData' })
    .catch(() => undefined);
  if (!latest || latest[3] === 0n)
    return warn(
      'oracle',
      `the WTI feed ${a.feeds.WTI} has no round yet: the agent waits for the first one`,
      'Its reporters publish rounds (`provenant oracle publish WTI=<price>`; docs/oracle.md#reporters).',
    );
  const [roundId, answer, , updatedAt] = latest;
  const now = (await clients.publicClient.getBlock()).timestamp;
  const age = now > updatedAt ? now - updatedAt : 0n;
  const synthMint = policies.find(
    (p) => p.asset.toLowerCase() === a.vault.toLowerCase() && p.actionLabel === 'SYNTH_MINT',
  );
  const maxAge = synthMint?.limits.maxOracleAge;
  // A Chainlink proxy's id is `phase << 64 | n`: name the aggregator round too (after an upgrade the
  // agent's window reaches back into the previous phase while this phase is shorter than the window).
  const detail = `round ${proxyRoundIdText(roundId)}: ${formatUnits(answer, 8)} USD, ${age} s old${maxAge ? ` (the policy allows ${maxAge} s)` : ''}`;
  if (maxAge !== undefined && age > maxAge)
    return warn(
      'oracle',
      `${detail}: too old, the agent halts on staleness`,
      'The reporters must publish a new round (docs/oracle.md#reporters).',
    );
  return ok('oracle', detail);
}

/** The journal the agent would append to: intact, signed by this agent, not behind its on-chain anchors. */
async function journalChecks(
  clients: ProvenantClients,
  a: AgentAddresses,
  agent: Address,
  stateDir: string,
): Promise<ReadinessCheck[]> {
  const path = journalPath(stateDir);
  const anchored = a.journalAnchor
    ? await clients.publicClient.readContract({
        address: a.journalAnchor,
        abi: journalAnchorAbi,
        functionName: 'lastSeq',
        args: [agent],
      })
    : undefined;
  const anchorCheck = (headSeq: number): ReadinessCheck =>
    anchored === undefined
      ? warn(
          'anchors',
          'this deployment has no JournalAnchor: the journal head is signed but not anchored on-chain',
          'Run `provenant deploy` again: it adds the contract and keeps the rest.',
        )
      : anchored > BigInt(headSeq)
        ? fail(
            'anchors',
            `${agent} anchored seq ${anchored} on-chain but this journal ends at seq ${headSeq}: it is not the journal the agent ran with (or it was cut)`,
            'Restore the journal the agent anchored from a backup; `provenant audit verify` names the first anchor that differs.',
          )
        : ok('anchors', `on-chain anchors up to seq ${anchored} (JournalAnchor ${a.journalAnchor})`);
  if (!existsSync(path))
    return [ok('journal', `none yet in ${stateDir}: \`agent run\` starts one`), anchorCheck(0)];
  const journal = openJournal(path, { readonly: true });
  try {
    const verified = journal.verify();
    const head = journal.head();
    const checks: ReadinessCheck[] = [];
    if (!verified.ok)
      checks.push(
        fail(
          'journal',
          `${path} fails its hash chain or side tables (${verified.issues.length + verified.tables.length} problem(s))`,
          '`provenant audit verify` names each; restore the journal from a backup. `agent run` refuses it.',
        ),
      );
    else {
      const signed = await checkJournalAttestation(journal, agent);
      checks.push(
        signed.status === 'invalid'
          ? fail(
              'journal',
              `${head.seq} entries; its signed head is refused: ${signed.problem}`,
              'Restore the journal from a backup, or run with the key that signed it.',
            )
          : signed.status === 'unattested'
            ? warn(
                'journal',
                `${head.seq} entries and no signed head (an older Provenant wrote it)`,
                'Check it with `provenant audit verify`, then run once with `agent run --accept-unattested-journal`.',
              )
            : ok(
                'journal',
                `${head.seq} entries, hash chain intact${signed.status === 'attested' ? `, head signed at seq ${signed.attestation.seq}` : ''}`,
              ),
      );
    }
    const halted = journal.state.halted();
    if (halted.halted)
      checks.push(
        warn(
          'halt',
          `the agent is halted: ${halted.reason}`,
          'A person checks the reason, then `provenant agent resume --by <name>`.',
        ),
      );
    const seqCheck = anchorCheck(head.seq);
    checks.push(
      seqCheck.status === 'ok' && verified.ok && a.journalAnchor
        ? await anchorLogsCheck(clients, journal, stateDir, seqCheck)
        : seqCheck,
    );
    return checks;
  } finally {
    journal.close();
  }
}

/**
 * Every `JournalAnchored` log of this journal's agent checked against its entries, as `audit verify` does:
 * a journal rewritten before an anchored seq (even re-hashed and re-signed with the agent's key, which the
 * hash chain and signed head then pass) fails here instead of being run on and anchored further.
 */
async function anchorLogsCheck(
  clients: ProvenantClients,
  journal: ReturnType<typeof openJournal>,
  stateDir: string,
  seqCheck: ReadinessCheck,
): Promise<ReadinessCheck> {
  const sources = anchorSources(journal, stateDir);
  const result = await verifyJournalAnchors(journal, sources, {
    client: clients.publicClient,
    chainId: clients.chain.id,
  }).catch((error: unknown) => ({ status: 'unchecked' as const, problem: messageOf(error) }));
  switch (result.status) {
    case 'mismatch':
      return fail(
        'anchors',
        `the journal does not match what the agent anchored on-chain: ${result.problem}`,
        'Do not run the agent on this journal: restore the one it anchored from a backup (`provenant audit verify` names the first anchor that differs); if the rewrite was re-signed with the agent key, rotate that key.',
      );
    case 'unchecked':
      return warn(
        'anchors',
        `the anchor logs could not be checked against the journal: ${result.problem}`,
        'Run `provenant audit verify` against this chain before the agent runs.',
      );
    case 'ok':
      return result.latest
        ? ok(
            'anchors',
            `${result.anchors} on-chain anchor(s) match the journal, latest seq ${result.latest.seq} (JournalAnchor ${result.contract})`,
          )
        : seqCheck;
    default:
      return seqCheck;
  }
}

/** Wei as ETH with at most 6 decimals (a balance to read, not to reconcile). */
function ethText(wei: bigint): string {
  const [whole, fraction = ''] = formatEther(wei).split('.');
  const kept = fraction.slice(0, 6).replace(/0+$/, '');
  return kept ? `${whole}.${kept}` : (whole as string);
}

function messageOf(error: unknown): string {
  if (error instanceof ProvenantError) return error.shortMessage;
  return error instanceof Error ? (error.message.split('\n')[0] ?? String(error)) : String(error);
}

function detailsOf(error: unknown): string | undefined {
  return error instanceof ProvenantError ? error.details : undefined;
}
