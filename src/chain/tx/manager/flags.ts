// Why: two facts learnt while running change what later steps do; they are shared, so they live in one object.
export type ManagerFlags = {
  /** The node answered a JSON-RPC batch with something that is not a batch: send one by one from now on. */
  batchUnsupported: boolean;
  /**
   * Reserved/signed records of ours may not be on the node: flush them before taking a new nonce.
   * True at start (a previous run may have left reserved/signed records) and after a failed broadcast.
   */
  needFlush: boolean;
};

export const createFlags = (): ManagerFlags => ({ batchUnsupported: false, needFlush: true });
