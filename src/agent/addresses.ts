import type { Address } from 'viem';
import { addressOf, type DeploymentManifest, deploymentBlock, feedAddress } from '../chain/index.js';

/** The deployed contracts the agent works with, resolved from the deployment manifest. */
export type AgentAddresses = {
  guard: Address;
  registry: Address;
  nft: Address;
  vault: Address;
  synth: Address;
  pool: Address;
  collateral: Address;
  governor: Address;
  timelock: Address;
  votes: Address;
  feeds: { WTI: Address; BRENT: Address; XAU: Address };
  goldVault: Address;
  /** ForecastProofGate for the WTI feed (the vault's zk mint path); undefined on deployments without it. */
  zkGate: Address | undefined;
  /** FeedAccumulator over the WTI feed (the Poseidon chain the gate binds proofs to); with `zkGate`. */
  zkAccumulator: Address | undefined;
  /** ForecastAigcVerifier (ERC-7007 `groth16` proofs on the NFT); undefined on deployments without it. */
  aigcVerifier?: Address | undefined;
  /** JournalAnchor (on-chain anchors of the journal head); undefined on deployments without it. */
  journalAnchor?: Address | undefined;
  /** The earliest deployment block of the suite: where event scans start (0 when unknown). */
  fromBlock: bigint;
};

export function agentAddresses(manifest: DeploymentManifest, extra: { synth: Address }): AgentAddresses {
  const a = (name: string) => addressOf(manifest, name);
  return {
    guard: a('PolicyGuard'),
    registry: a('ModelRegistry'),
    nft: a('ProvenanceNFT'),
    vault: a('SyntheticVault.sWTI'),
    synth: extra.synth,
    pool: a('DynamicFeePool.sWTI'),
    collateral: manifest.contracts.TestStablecoin ? a('TestStablecoin') : a('Collateral'),
    governor: a('ProvenantGovernor'),
    timelock: a('ProvenantTimelock'),
    votes: a('ProvenantVotes'),
    // A feed is this deployment's MedianOracle, or an external AggregatorV3 (`deploy --feed`).
    feeds: {
      WTI: feedAddress(manifest, 'WTI'),
      BRENT: feedAddress(manifest, 'BRENT'),
      XAU: feedAddress(manifest, 'XAU'),
    },
    goldVault: a('SyntheticVault.sXAU'),
    zkGate: manifest.contracts['ForecastProofGate.WTI']?.address,
    zkAccumulator: manifest.contracts['FeedAccumulator.WTI']?.address,
    aigcVerifier: manifest.contracts.ForecastAigcVerifier?.address,
    journalAnchor: manifest.contracts.JournalAnchor?.address,
    fromBlock: earliestDeploymentBlock(manifest),
  };
}

/** The first block any contract of the manifest was deployed in (0 for an empty manifest). */
function earliestDeploymentBlock(manifest: DeploymentManifest): bigint {
  let earliest: bigint | undefined;
  for (const contract of Object.values(manifest.contracts)) {
    const block = deploymentBlock(contract);
    if (earliest === undefined || block < earliest) earliest = block;
  }
  return earliest ?? 0n;
}

/** Names for addresses, for explanations (`sWTI vault/SYNTH_MINT`). */
export function addressLabels(addresses: AgentAddresses): Record<string, string> {
  return {
    [addresses.vault]: 'sWTI vault',
    [addresses.goldVault]: 'sXAU vault',
    [addresses.pool]: 'sWTI/USD pool',
    [addresses.nft]: 'Market Art NFT',
  };
}
