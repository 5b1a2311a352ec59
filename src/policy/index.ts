export {
  actionName,
  POLICY_ACTIONS,
  POLICY_FIELDS,
  type PolicyActionName,
  type PolicyField,
} from './actions.js';
export {
  type ExplainContext,
  explainRefusal,
  isPolicyRefusal,
  type Refusal,
  type RefusalRule,
} from './explain.js';
export { type PreflightCall, type PreflightResult, preflight } from './preflight.js';
export {
  labelOf,
  type PolicyLimits,
  type PolicyState,
  policyName,
  readPolicies,
  readPolicy,
} from './read.js';
