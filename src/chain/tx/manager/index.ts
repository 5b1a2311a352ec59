// Why: the folder's public surface: the factory and its types; every other file here is internal.
export { createTxManager } from './createTxManager.js';
export type {
  CrashPoint,
  CreateTxManagerParameters,
  RecoverReport,
  SendResult,
  SendSettled,
  TxEvent,
  TxManager,
} from './types.js';
