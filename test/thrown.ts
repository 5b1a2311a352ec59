/** The error `fn` throws (fails the test when it throws nothing), for asserting on its fields. */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
