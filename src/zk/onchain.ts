import type { Address, Hex } from 'viem';
import {
  aggregatorRoundOf,
  aggregatorV3InterfaceAbi,
  feedAccumulatorAbi,
  firstRoundOfPhase,
  forecastProofGateAbi,
  type ProvenantClients,
  phaseOf,
  readProvenForecast,
  syntheticVaultAbi,
  type WriteReturnType,
  writeContract,
} from '../chain/index.js';
import type { ModelFile } from '../models/index.js';
import { ZkAccumulatorBehindError, ZkCircuitError } from './errors.js';
import { type ForecastProof, prove } from './prover.js';
import type { ZkArtifacts } from './setup.js';

/**
 * The chain side of the zk path: read the oracle rounds a proof derives its features from and the feed
 * accumulator's chain value before them, prove with exactly those answers, submit to `ForecastProofGate`,
 * and mint through `SyntheticVault.mintWithProof`.
 */

/**
 * The feed's latest `count` rounds (oldest first), as the gate will read them with `getRoundData`: the
 * chain's last `count` rounds. On a Chainlink proxy (ids `phase << 64 | n`, consecutive only within a
 * phase) a current phase with fewer rounds is completed, across ONE aggregator upgrade, with the rounds
 * before the accumulator's bridge into it (`bridgedFrom(phase << 64)` = K: K - (count - n) + 1 .. K), as
 * `ForecastProofGate.firstRoundOf` takes them; that needs `accumulator`, having absorbed the bridge.
 */
export async function latestRounds(
  clients: ProvenantClients,
  feed: Address,
  count: number,
  options: { accumulator?: Address | undefined } = {},
): Promise<{ roundIds: bigint[]; answers: bigint[]; updatedAt: bigint[] }> {
  // Through AggregatorV3Interface only (a Chainlink proxy has no `latestRound()`), at one block.
  const blockNumber = await clients.publicClient.getBlockNumber({ cacheTime: 0 });
  const read = { address: feed, abi: aggregatorV3InterfaceAbi, blockNumber } as const;
  const [latest] = await clients.publicClient.readContract({ ...read, functionName: 'latestRoundData' });
  const phaseFirst = firstRoundOfPhase(latest);
  const inPhase = latest - phaseFirst + 1n;
  let roundIds = Array.from({ length: count }, (_, k) => latest - BigInt(count - 1 - k));
  if (inPhase < BigInt(count)) {
    const older = BigInt(count) - inPhase;
    const short = `feed ${feed} has ${inPhase} round(s) in its current phase; the proof needs the latest ${count}`;
    const wait = `Prove again once the phase has ${count} rounds (round ${phaseFirst + BigInt(count) - 1n}).`;
    // Phase 0 (a plain aggregator or MedianOracle) and a proxy's phase 1 have no phase before them: there is
    // no bridge to read, only rounds to wait for.
    if (phaseOf(latest) <= 1n)
      throw new ZkCircuitError(`${short}, and there is no earlier phase to reach back into`, wait);
    if (options.accumulator === undefined)
      throw new ZkCircuitError(
        `${short}, and no accumulator was given to find the rounds before the phase`,
        `Pass the feed accumulator (its bridgedFrom names the phase before), or ${wait.toLowerCase()}`,
      );
    const accumulator = { address: options.accumulator, abi: feedAccumulatorAbi, blockNumber } as const;
    const lastBefore = await clients.publicClient.readContract({
      ...accumulator,
      functionName: 'bridgedFrom',
      args: [phaseFirst - 1n],
    });
    if (aggregatorRoundOf(lastBefore) < older) {
      if (lastBefore !== 0n)
        throw new ZkCircuitError(
          `${short}, and the phase before it ends at round ${lastBefore}, ${aggregatorRoundOf(lastBefore)} round(s): a window crosses at most one aggregator upgrade`,
          wait,
        );
      // No bridge recorded: either the accumulator has not reached this phase yet, or it bridged into it
      // before absorbing any round (its chain starts here), and then only waiting helps.
      const absorbed = await clients.publicClient.readContract({
        ...accumulator,
        functionName: 'lastAbsorbed',
      });
      throw new ZkCircuitError(
        absorbed >= phaseFirst
          ? `${short}, and accumulator ${options.accumulator} absorbed no round before the phase (its chain starts in it)`
          : `${short}, and accumulator ${options.accumulator} has not bridged into the phase (absorb round ${latest} first)`,
        absorbed >= phaseFirst
          ? wait
          : `Absorb up to round ${latest} first: anyone may call FeedAccumulator.absorb(${latest}), e.g. with \`provenant zk prove --submit\`, which absorbs with the submitting key.`,
      );
    }
    roundIds = [
      ...Array.from({ length: Number(older) }, (_, k) => lastBefore - older + 1n + BigInt(k)),
      ...Array.from({ length: Number(inPhase) }, (_, k) => phaseFirst + BigInt(k)),
    ];
  }
  const rounds = await Promise.all(
    roundIds.map((id) =>
      clients.publicClient.readContract({ ...read, functionName: 'getRoundData', args: [id] }),
    ),
  );
  return {
    roundIds,
    answers: rounds.map((r) => r[1]),
    updatedAt: rounds.map((r) => r[3]),
  };
}

/** The accumulator's chain value after round `roundId` (0 before its start round). */
export async function accumulatorAt(
  clients: ProvenantClients,
  accumulator: Address,
  roundId: bigint,
): Promise<bigint> {
  return clients.publicClient.readContract({
    address: accumulator,
    abi: feedAccumulatorAbi,
    functionName: 'accumulatorAt',
    args: [roundId],
  });
}

/** The last round the accumulator has absorbed. */
export async function lastAbsorbed(clients: ProvenantClients, accumulator: Address): Promise<bigint> {
  return BigInt(
    await clients.publicClient.readContract({
      address: accumulator,
      abi: feedAccumulatorAbi,
      functionName: 'lastAbsorbed',
    }),
  );
}

/**
 * Absorbs the feed's rounds up to `upTo` into the accumulator when it is behind (anyone may; the relayer
 * normally does right after publishing). Returns undefined when nothing was to absorb.
 */
export async function absorbRounds(
  clients: ProvenantClients,
  accumulator: Address,
  upTo: bigint,
): Promise<WriteReturnType | undefined> {
  if ((await lastAbsorbed(clients, accumulator)) >= upTo) return undefined;
  return writeContract(clients, {
    address: accumulator,
    abi: feedAccumulatorAbi,
    functionName: 'absorb',
    args: [upTo],
    label: 'absorb oracle rounds',
  });
}

/**
 * Proves `model` on the feed's latest `layout.answers` rounds: reads the accumulator's chain value before
 * the first of them and proves (features derived in the circuit). When the accumulator has not absorbed
 * the last round yet, `absorb: true` absorbs it with `clients`' account (it pays the gas); otherwise this
 * throws, since the gate could not check the proof.
 */
export async function proveFromChain(
  clients: ProvenantClients,
  parameters: {
    feed: Address;
    accumulator: Address;
    artifacts: ZkArtifacts;
    model: ModelFile;
    absorb?: boolean | undefined;
  },
): Promise<ForecastProof & { roundIds: bigint[]; answers: bigint[]; lastRoundId: bigint }> {
  // Absorbed first: a window across an aggregator upgrade reads the accumulator's bridge into the phase.
  if (parameters.absorb) {
    const [latest] = await clients.publicClient.readContract({
      address: parameters.feed,
      abi: aggregatorV3InterfaceAbi,
      functionName: 'latestRoundData',
    });
    await absorbRounds(clients, parameters.accumulator, latest);
  }
  const rounds = await latestRounds(clients, parameters.feed, parameters.artifacts.layout.answers, {
    accumulator: parameters.accumulator,
  });
  const lastRoundId = rounds.roundIds.at(-1)!;
  if (parameters.absorb) await absorbRounds(clients, parameters.accumulator, lastRoundId);
  else {
    const absorbed = await lastAbsorbed(clients, parameters.accumulator);
    if (absorbed < lastRoundId)
      throw new ZkAccumulatorBehindError(parameters.accumulator, absorbed, lastRoundId);
  }
  // The round before the first: `first - 1` in its phase (round 0 of a phase the chain bridged into, or
  // START_ROUND - 1, hold the chain before its round 1).
  const accPrev = await accumulatorAt(clients, parameters.accumulator, rounds.roundIds[0]! - 1n);
  const proof = await prove(parameters.artifacts, parameters.model, { answers: rounds.answers, accPrev });
  return { ...proof, roundIds: rounds.roundIds, answers: rounds.answers, lastRoundId };
}

/** Submits a proof to the gate; returns the proof id (the statement's nullifier) and the receipt. */
export async function submitForecastProof(
  clients: ProvenantClients,
  gate: Address,
  parameters: { modelId: Hex; lastRoundId: bigint; calldata: ForecastProof['calldata'] },
): Promise<WriteReturnType & { proofId: Hex }> {
  const { a, b, c, publicSignals } = parameters.calldata;
  const proofId = await clients.publicClient.readContract({
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'proofIdOf',
    args: [parameters.lastRoundId, publicSignals],
  });
  const result = await writeContract(clients, {
    address: gate,
    abi: forecastProofGateAbi,
    functionName: 'submit',
    args: [parameters.modelId, parameters.lastRoundId, a, b, c, publicSignals],
    label: 'submit forecast proof',
  });
  return { ...result, proofId };
}

/**
 * The gate's record of a statement (`ForecastProofGate.provenForecast(modelId, proofId)`); `provenAt` is 0
 * when the statement was never recorded. The agent's synth strategy reads it before choosing between
 * `proveAndMint` and, for a statement someone else already submitted, `mintWithProof`.
 */
export async function recordedForecast(
  clients: Pick<ProvenantClients, 'publicClient'>,
  gate: Address,
  modelId: Hex,
  proofId: Hex,
): Promise<{ output0: bigint; output1: bigint; lastRoundId: bigint; provenAt: number }> {
  const record = await readProvenForecast(clients.publicClient, gate, modelId, proofId);
  return { ...record, provenAt: Number(record.provenAt) };
}

/** The largest debt the proven forecast allows `owner`'s position (the vault's risk rule). */
export async function zkMaxDebt(
  clients: ProvenantClients,
  vault: Address,
  parameters: { owner: Address; modelId: Hex; proofId: Hex },
): Promise<bigint> {
  return clients.publicClient.readContract({
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'zkMaxDebt',
    args: [parameters.owner, parameters.modelId, parameters.proofId],
  });
}

/**
 * Mints through the vault's zk path against a statement the gate already recorded (by anyone): the same
 * size bound and guard checks as `proveAndMint`. Keyed like `mint`: `nonce` must be the sender's current
 * `mintNonce` (read it with `readMintNonce` of src/chain), which the mint moves on by one (`proveAndMint`
 * neither names nor moves it); `intentId` is emitted in `Minted`, not recorded.
 */
export async function mintWithProof(
  clients: ProvenantClients,
  vault: Address,
  parameters: { amount: bigint; modelId: Hex; intentId: Hex; proofId: Hex; nonce: bigint },
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: vault,
    abi: syntheticVaultAbi,
    functionName: 'mintWithProof',
    args: [parameters.amount, parameters.modelId, parameters.intentId, parameters.proofId, parameters.nonce],
    label: 'mint with proof',
  });
}
