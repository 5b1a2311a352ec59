/** The names of `M`'s exports that are functions. */
type FunctionKeys<M> = { [K in keyof M]: M[K] extends (...args: never[]) => unknown ? K : never }[keyof M];

/**
 * A commander action that imports its module when the command runs, not when the program is built: the
 * handlers reach viem, snarkjs, better-sqlite3 and resvg, which `provenant --help` (and every other
 * command) should not pay for. `load` is `() => import('./x.js')`; `name` is the exported handler,
 * called with commander's arguments unchanged.
 */
export function lazyAction<M, K extends FunctionKeys<M>>(
  load: () => Promise<M>,
  name: K,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const action = (await load())[name] as (...args: unknown[]) => unknown;
    await action(...args);
  };
}
