export {
  CrashInjectedError,
  InsufficientBalanceError,
  RpcTransientError,
  TransactionPendingError,
  TransactionRejectedError,
  TransactionReplacedError,
  TxRevertedError,
} from './errors.js';
export { isInsufficientFunds, toInsufficientBalanceError } from './funds.js';
export {
  type CrashPoint,
  type CreateTxManagerParameters,
  createTxManager,
  type RecoverReport,
  type SendResult,
  type SendSettled,
  type TxEvent,
  type TxManager,
} from './manager/index.js';
export { createMemoryTxStore } from './memoryStore.js';
export { classifyRpcError, isTransientRpcError, type RetryOptions, withRetry } from './retry.js';
export {
  FINAL_TX_STATUSES,
  isFinalTxStatus,
  type TxAttempt,
  type TxIntent,
  type TxRecord,
  type TxRecordPatch,
  type TxStatus,
  type TxStore,
} from './types.js';
