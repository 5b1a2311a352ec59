export {
  isRetryable,
  NonRetryableError,
  ProvenantError,
  type ProvenantErrorParameters,
  RetryableError,
} from './base.js';
