// Why: the public surface of `provenant model register|approve|shares|claim|show`; `../registry.ts` re-exports it.
export { registryApproveAction } from './approve.js';
export { registryClaimAction } from './claim.js';
export {
  InsufficientSharesError,
  NothingToClaimError,
  ShareRecipientError,
  ShareSplitMismatchError,
} from './errors.js';
export { modelFileStatus } from './modelFile.js';
export { parseHolders, parseZkCommitment, refuseDuplicateHolders } from './options.js';
export { registryRegisterAction } from './register.js';
export { registrySharesAction } from './shares.js';
export { registryShowAction } from './show.js';
