// Why: the public surface of `provenant gov` (handlers, proposal helpers, errors); `../gov.ts` re-exports it.
export { govCancelAction } from './cancel.js';
export { type CeilingAssignment, nextCeiling, parseCeilingAssignments } from './ceiling.js';
export {
  clampedBy,
  describeCall,
  describeCeilingChange,
  describeEvent,
  describeLimitChange,
  formatVotes,
} from './describe.js';
export { devnetClients } from './devnet.js';
export {
  CancelRefusedError,
  CeilingRaiseError,
  LimitBeyondBoundError,
  TimelockNotReadyError,
  VoteRefusedError,
} from './errors.js';
export { govExecuteAction } from './execute.js';
export { govProposeAction, PoliciesExistError, printProposed, proposeAndSave } from './propose.js';
export { govQueueAction } from './queue.js';
export { listSaved, loadProposal } from './savedProposals.js';
export { govStatusAction, type ProposalStatus } from './status.js';
export { govVoteAction } from './vote.js';
