import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  type Hex,
  keccak256,
  pad,
  parseAbiParameters,
  toBytes,
  toHex,
} from 'viem';
import { NonRetryableError } from '../../errors/index.js';
import type { ProvenantClients } from '../clients.js';
import { provenantGovernorAbi, provenantTimelockAbi, provenantVotesAbi } from '../generated/contracts.js';
import { scanLogs } from '../logScan.js';
import { type WriteReturnType, writeContract } from './write.js';

/** One call a proposal makes through the timelock. */
export type GovernanceCall = { target: Address; value?: bigint; data: Hex /** for people */; label: string };

export type Proposal = { description: string; calls: readonly GovernanceCall[] };

/** OpenZeppelin Governor's ProposalState, by index. */
export const PROPOSAL_STATES = [
  'Pending',
  'Active',
  'Canceled',
  'Defeated',
  'Succeeded',
  'Queued',
  'Expired',
  'Executed',
] as const;
export type ProposalState = (typeof PROPOSAL_STATES)[number];

export class ProposalStateError extends NonRetryableError {
  override name = 'ProposalStateError';
  constructor(step: string, state: ProposalState, needed: string, hint: string) {
    super(`Cannot ${step} the proposal: it is ${state}, it must be ${needed}.`, {
      details: hint,
      docsPath: 'docs/governance.md',
    });
  }
}

const parts = (p: Proposal) =>
  [
    p.calls.map((c) => c.target),
    p.calls.map((c) => c.value ?? 0n),
    p.calls.map((c) => c.data),
    p.description,
  ] as const;

export function descriptionHash(description: string): Hex {
  return keccak256(toBytes(description));
}

export async function proposalId(
  clients: ProvenantClients,
  governor: Address,
  proposal: Proposal,
): Promise<bigint> {
  const [targets, values, calldatas] = parts(proposal);
  return clients.publicClient.readContract({
    address: governor,
    abi: provenantGovernorAbi,
    functionName: 'hashProposal',
    args: [targets, values, calldatas, descriptionHash(proposal.description)],
  });
}

export async function proposalState(
  clients: ProvenantClients,
  governor: Address,
  id: bigint,
): Promise<ProposalState> {
  const index = await clients.publicClient.readContract({
    address: governor,
    abi: provenantGovernorAbi,
    functionName: 'state',
    args: [id],
  });
  return PROPOSAL_STATES[Number(index)] ?? 'Pending';
}

export async function propose(
  clients: ProvenantClients,
  governor: Address,
  proposal: Proposal,
): Promise<{ id: bigint } & WriteReturnType> {
  const [targets, values, calldatas, description] = parts(proposal);
  const result = await writeContract(clients, {
    address: governor,
    abi: provenantGovernorAbi,
    functionName: 'propose',
    args: [targets, values, calldatas, description],
    label: 'propose',
  });
  return { id: await proposalId(clients, governor, proposal), ...result };
}

/** support: 0 against, 1 for, 2 abstain. */
export async function castVote(
  clients: ProvenantClients,
  governor: Address,
  id: bigint,
  support: 0 | 1 | 2,
  reason = '',
): Promise<WriteReturnType> {
  const state = await proposalState(clients, governor, id);
  if (state !== 'Active')
    throw new ProposalStateError(
      'vote on',
      state,
      'Active',
      'Voting opens after the voting delay and closes after the voting period (see `provenant gov status`).',
    );
  return writeContract(clients, {
    address: governor,
    abi: provenantGovernorAbi,
    functionName: 'castVoteWithReason',
    args: [id, support, reason],
    label: 'vote',
  });
}

/** Queue and execute differ only in the state they need and the function they call. */
async function timelockStep(
  clients: ProvenantClients,
  governor: Address,
  proposal: Proposal,
  step: { functionName: 'queue' | 'execute'; needs: ProposalState; hint: string },
): Promise<WriteReturnType> {
  const id = await proposalId(clients, governor, proposal);
  const state = await proposalState(clients, governor, id);
  if (state !== step.needs) throw new ProposalStateError(step.functionName, state, step.needs, step.hint);
  const [targets, values, calldatas] = parts(proposal);
  return writeContract(clients, {
    address: governor,
    abi: provenantGovernorAbi,
    functionName: step.functionName,
    args: [targets, values, calldatas, descriptionHash(proposal.description)],
    label: step.functionName,
  });
}

export async function queue(
  clients: ProvenantClients,
  governor: Address,
  proposal: Proposal,
): Promise<WriteReturnType> {
  return timelockStep(clients, governor, proposal, {
    functionName: 'queue',
    needs: 'Succeeded',
    hint: 'A proposal is queued once voting has ended with quorum and a majority for.',
  });
}

export async function execute(
  clients: ProvenantClients,
  governor: Address,
  proposal: Proposal,
): Promise<WriteReturnType> {
  return timelockStep(clients, governor, proposal, {
    functionName: 'execute',
    needs: 'Queued',
    hint: 'Queue it first; it can execute once the timelock delay has passed.',
  });
}

/**
 * The proposer cancels its proposal through the governor (OpenZeppelin Governor: only while Pending, only
 * the proposer; anything else reverts `GovernorUnableToCancel`, decoded before anything is sent).
 */
export async function cancel(
  clients: ProvenantClients,
  governor: Address,
  proposal: Proposal,
): Promise<WriteReturnType> {
  const [targets, values, calldatas] = parts(proposal);
  return writeContract(clients, {
    address: governor,
    abi: provenantGovernorAbi,
    functionName: 'cancel',
    args: [targets, values, calldatas, descriptionHash(proposal.description)],
    label: 'cancel proposal',
  });
}

/**
 * The timelock operation id a governor queues a proposal under (GovernorTimelockControl: a batch with no
 * predecessor and the salt `bytes20(governor) ^ descriptionHash`).
 */
export function timelockOperationId(governor: Address, proposal: Proposal): Hex {
  const [targets, values, calldatas] = parts(proposal);
  const governorBytes20 = BigInt(pad(governor, { dir: 'right', size: 32 }));
  const salt = toHex(governorBytes20 ^ BigInt(descriptionHash(proposal.description)), { size: 32 });
  return keccak256(
    encodeAbiParameters(parseAbiParameters('address[], uint256[], bytes[], bytes32, bytes32'), [
      [...targets],
      [...values],
      [...calldatas],
      pad('0x', { size: 32 }),
      salt,
    ]),
  );
}

/**
 * A holder of the timelock's CANCELLER_ROLE cancels a queued proposal's operation in the timelock
 * (`TimelockController.cancel`); the governor then reports the proposal Canceled. Reverts
 * `AccessControlUnauthorizedAccount` for any other key (decoded before anything is sent).
 */
export async function cancelQueued(
  clients: ProvenantClients,
  addresses: { governor: Address; timelock: Address },
  proposal: Proposal,
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: addresses.timelock,
    abi: provenantTimelockAbi,
    functionName: 'cancel',
    args: [timelockOperationId(addresses.governor, proposal)],
    label: 'cancel queued operation',
  });
}

/**
 * The transaction that canceled `proposal`: the governor's `ProposalCanceled(id)` (a Pending cancel), or the
 * timelock's `Cancelled(operationId)` (a queued one), scanned from `fromBlock` on; undefined when neither
 * is found. Lets `gov cancel` complete the saved record of a cancel whose process stopped after the
 * transaction and before the record was written.
 */
export async function findCancelTransaction(
  clients: ProvenantClients,
  addresses: { governor: Address; timelock: Address; fromBlock?: bigint | undefined },
  id: bigint,
  proposal: Proposal,
): Promise<{ hash: Hex; blockNumber: bigint } | undefined> {
  const range = { fromBlock: addresses.fromBlock ?? 0n };
  const [byGovernor, byTimelock] = await Promise.all([
    scanLogs(clients.publicClient, range, (fromBlock, toBlock) =>
      clients.publicClient.getContractEvents({
        address: addresses.governor,
        abi: provenantGovernorAbi,
        eventName: 'ProposalCanceled',
        fromBlock,
        toBlock,
      }),
    ),
    scanLogs(clients.publicClient, range, (fromBlock, toBlock) =>
      clients.publicClient.getContractEvents({
        address: addresses.timelock,
        abi: provenantTimelockAbi,
        eventName: 'Cancelled',
        args: { id: timelockOperationId(addresses.governor, proposal) },
        fromBlock,
        toBlock,
      }),
    ),
  ]);
  const log = byGovernor.find((l) => l.args.proposalId === id) ?? byTimelock[0];
  return log?.transactionHash && log.blockNumber !== null
    ? { hash: log.transactionHash, blockNumber: log.blockNumber }
    : undefined;
}

/** Self-delegates the signer's votes (ERC20Votes counts only delegated balances). Idempotent. */
export async function ensureDelegated(clients: ProvenantClients, token: Address): Promise<void> {
  const me = clients.account.address;
  const delegate = await clients.publicClient.readContract({
    address: token,
    abi: provenantVotesAbi,
    functionName: 'delegates',
    args: [me],
  });
  if (delegate.toLowerCase() !== me.toLowerCase()) {
    await writeContract(clients, {
      address: token,
      abi: provenantVotesAbi,
      functionName: 'delegate',
      args: [me],
      label: 'delegate votes',
    });
    // The governor counts a proposer's votes at `clock() - 1` (a timestamp): a proposal in the same
    // second as the delegation would see none and fall under the proposal threshold. On the devnet, move
    // one second on; on a real network the next block is later anyway.
    if (clients.testClient) await advanceTime(clients, 1n);
  }
}

/** Moves devnet time forward by `seconds` and mines a block (anvil only). */
export async function advanceTime(clients: ProvenantClients, seconds: bigint): Promise<void> {
  if (!clients.testClient)
    throw new NonRetryableError('Time can only be advanced on the embedded devnet.', {
      details: 'On a real network, wait for the delay to pass.',
    });
  await clients.testClient.increaseTime({ seconds: Number(seconds) });
  await clients.testClient.mine({ blocks: 1 });
}

/**
 * A full proposal on the devnet in seconds: propose, wait out the voting delay, vote for, wait out the
 * voting period, queue, wait out the timelock delay, execute. The signer must hold enough delegated votes.
 */
export async function passProposalOnDevnet(
  clients: ProvenantClients,
  addresses: { governor: Address; timelock: Address },
  proposal: Proposal,
  onStep?: (step: string) => void,
): Promise<{ id: bigint }> {
  const { governor } = addresses;
  const read = (functionName: 'votingDelay' | 'votingPeriod') =>
    clients.publicClient.readContract({
      address: governor,
      abi: provenantGovernorAbi,
      functionName,
    }) as Promise<bigint>;
  const id = await proposalId(clients, governor, proposal);
  // Resumable: a proposal interrupted half-way continues from the state the chain records.
  for (let guard = 0; guard < 8; guard++) {
    const exists =
      (await clients.publicClient.readContract({
        address: governor,
        abi: provenantGovernorAbi,
        functionName: 'proposalSnapshot',
        args: [id],
      })) > 0n;
    const state = exists ? await proposalState(clients, governor, id) : undefined;
    if (state === undefined) {
      await propose(clients, governor, proposal);
      onStep?.('proposed');
      await advanceTime(clients, (await read('votingDelay')) + 1n);
    } else if (state === 'Pending') {
      await advanceTime(clients, (await read('votingDelay')) + 1n);
    } else if (state === 'Active') {
      const voted = await clients.publicClient.readContract({
        address: governor,
        abi: provenantGovernorAbi,
        functionName: 'hasVoted',
        args: [id, clients.account.address],
      });
      if (!voted) await castVote(clients, governor, id, 1, 'devnet: configured by the demo');
      onStep?.('voted');
      await advanceTime(clients, (await read('votingPeriod')) + 1n);
    } else if (state === 'Succeeded') {
      await queue(clients, governor, proposal);
      onStep?.('queued');
      const delay = await clients.publicClient.readContract({
        address: addresses.timelock,
        abi: provenantTimelockAbi,
        functionName: 'getMinDelay',
      });
      await advanceTime(clients, delay + 1n);
    } else if (state === 'Queued') {
      await execute(clients, governor, proposal);
      onStep?.('executed');
    } else if (state === 'Executed') {
      return { id };
    } else {
      throw new ProposalStateError(
        'pass',
        state,
        'Pending, Active, Succeeded or Queued',
        'Make a new proposal (change its description).',
      );
    }
  }
  throw new ProposalStateError(
    'pass',
    await proposalState(clients, governor, id),
    'Executed',
    'The proposal did not advance; check the timelock delay and the quorum.',
  );
}

/** Encodes one governed call for a proposal. */
export function governanceCall(
  target: Address,
  abi: readonly unknown[],
  functionName: string,
  args: readonly unknown[],
  label: string,
): GovernanceCall {
  const encode = encodeFunctionData as (p: {
    abi: readonly unknown[];
    functionName: string;
    args: readonly unknown[];
  }) => Hex;
  return { target, data: encode({ abi, functionName, args }), label };
}
