// Why: approval is judged at the version's own log, so a later revocation never fails a past version.
import { logName } from './position.js';
import type {
  ChainPosition,
  Hex,
  ModelApprovalEvent,
  TokenVersionRecord,
  VerifyCheck,
  VerifyDependencies,
} from './types.js';

/** True when `event` happened before `at` (same block: a lower log index; no index known: same block counts). */
function before(event: ModelApprovalEvent, at: ChainPosition): boolean {
  if (event.blockNumber !== at.blockNumber) return event.blockNumber < at.blockNumber;
  return at.logIndex === undefined || event.logIndex < at.logIndex;
}

/**
 * The registry's approval of a model at `at`, rebuilt from its ModelApproved/ModelRevoked logs: the
 * last one before `at` decides (none: never approved then). `later` are the changes after `at`.
 */
export function modelApprovalAt(
  history: readonly ModelApprovalEvent[],
  at: ChainPosition,
): { approved: boolean; last?: ModelApprovalEvent; later: ModelApprovalEvent[] } {
  const sorted = [...history].sort((a, b) =>
    a.blockNumber !== b.blockNumber ? (a.blockNumber < b.blockNumber ? -1 : 1) : a.logIndex - b.logIndex,
  );
  const earlier = sorted.filter((e) => before(e, at));
  const last = earlier.at(-1);
  return {
    approved: last?.approved ?? false,
    ...(last ? { last } : {}),
    later: sorted.filter((e) => !before(e, at)),
  };
}

const describeEvent = (e: ModelApprovalEvent) =>
  `${e.approved ? 'ModelApproved' : 'ModelRevoked'} in block ${e.blockNumber}`;

/**
 * `model-approved`: the model was approved when the version was minted/evolved (its log's block),
 * rebuilt from the registry's approval logs, so a later revocation does not fail an honest past
 * version and an approval granted afterwards does not pass one the guard should not have allowed.
 * Without the version's block or the logs it falls back to the approval now, and says so.
 */
export async function modelApprovedCheck(
  modelId: Hex,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  if (onChain.blockNumber === undefined || !deps.modelApprovalHistory) {
    const approved = await deps.isModelApproved(modelId);
    return {
      name: 'model-approved',
      status: approved ? 'pass' : 'fail',
      expected: 'approved',
      actual: approved ? 'approved now' : 'not approved now',
      detail: "the version's block or the registry's approval logs are unknown: this is the current status",
    };
  }
  const at = { blockNumber: onChain.blockNumber, logIndex: onChain.logIndex };
  const status = modelApprovalAt(await deps.modelApprovalHistory(modelId), at);
  const where = `block ${at.blockNumber} (the ${logName(version)} log)`;
  const since = status.last ? ` since ${describeEvent(status.last)}` : '';
  const after = status.later.length ? `; later: ${status.later.map(describeEvent).join(', ')}` : '';
  return {
    name: 'model-approved',
    status: status.approved ? 'pass' : 'fail',
    expected: `approved at ${where}`,
    actual: `${status.approved ? 'approved' : status.last ? 'revoked' : 'never approved'} at block ${at.blockNumber}${since}${after}`,
    ...(status.approved
      ? {}
      : {
          detail: status.later.some((e) => e.approved)
            ? 'the model was approved only after this version was made'
            : 'the registry did not have the model approved when this version was made',
        }),
  };
}
