/**
 * The gas limit to send with, from an estimate. An estimate is the least gas that succeeds on the state
 * it ran against; the block a transaction lands in can differ (time moves, an earlier transaction in the
 * block changes a slot, refunds move), and a limit equal to the estimate then runs out of gas. +25 %.
 * Used by the transaction manager, `writeContract` and the agent's preflight, so all three agree.
 */
export function withGasMargin(estimate: bigint): bigint {
  return (estimate * 5n) / 4n;
}
