// Why: a report's verdict (`ok`, `notChecked`) is decided in one place, from the checks in report order.

import {
  CHECK_NAMES,
  type TokenRecord,
  type TokenVersionRecord,
  type VerifyCheck,
  type VerifyReport,
} from './types.js';
import { chainHeadCheck } from './versionChain.js';

/** The checks of one verification, in report order, and the report they make. */
export type CheckList = {
  add(...checks: VerifyCheck[]): void;
  /**
   * Adds a check whose skip is informational: reported with its reason, it does not make the version
   * unverified (`forecast-replay` of a render with no forecast at all, and `policy-snapshot`).
   */
  addInformational(check: VerifyCheck): void;
  /**
   * Skips `first` and every check after it, for `reason` (not chain-head, nor the checks the record
   * cannot have: token-uri without a tokenURI, model-logged without a logged model).
   */
  skipFrom(first: (typeof CHECK_NAMES)[number], reason: string): void;
  report(manifestCid?: string): VerifyReport;
};

/** An empty check list for `version` of `tokenId`, whose on-chain record is `record`. */
export function checkList(
  tokenId: bigint,
  version: number,
  record: TokenRecord,
  onChain: TokenVersionRecord | undefined,
): CheckList {
  const checks: VerifyCheck[] = [];
  // chain-head depends only on the on-chain record, so it is reported on every path, never skipped.
  const chainChecks = record.chain ? [chainHeadCheck(record, record.chain)] : [];
  const informational = new Set<VerifyCheck>();
  const add = (...added: VerifyCheck[]) => {
    checks.push(...added);
  };
  return {
    add,
    addInformational(check) {
      informational.add(check);
      add(check);
    },
    skipFrom(first, reason) {
      for (const name of CHECK_NAMES.slice(CHECK_NAMES.indexOf(first))) {
        if (name === 'chain-head') continue;
        if (name === 'token-uri' && record.tokenUri === undefined) continue;
        if (name === 'model-logged' && onChain?.modelId === undefined) continue;
        add({ name, status: 'skip', detail: reason });
      }
    },
    report(manifestCid) {
      const all = [...checks, ...chainChecks];
      return {
        tokenId: tokenId.toString(),
        version,
        ...(manifestCid ? { manifestCid } : {}),
        ok:
          checks.length > 0 &&
          all.every((c) => c.status === 'pass' || (c.status === 'skip' && informational.has(c))),
        notChecked: all.filter((c) => c.status === 'skip' && !informational.has(c)).map((c) => c.name),
        checks: all,
      };
    },
  };
}
