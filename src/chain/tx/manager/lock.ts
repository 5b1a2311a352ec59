// Why: the reserve → sign → broadcast section runs one holder at a time, so nonce order = broadcast order.
export type Gate = { ready: Promise<void>; release: () => void };

/** A FIFO lock: each `lock()` call waits for every earlier holder to release. */
export function createLock(): () => Gate {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    const previous = tail;
    let resolveTail!: () => void;
    tail = new Promise<void>((resolve) => {
      resolveTail = resolve;
    });
    // Releasing early (before our turn) must not let later holders overtake earlier ones.
    const release = () => {
      previous.then(resolveTail);
    };
    return { ready: previous, release };
  };
}
