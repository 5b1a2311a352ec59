// Why: what `provenant verify` prints is kept apart from how the checks are made.
import type { VerifyReport } from './types.js';

/**
 * One line per check: `✓ name  value` (what was found), `✗ name  expected …  found …  (why)` (`found
 * nothing readable` when the read itself failed), `– name  (why skipped)`. Consecutive checks skipped
 * for one reason (every check after a manifest that fails its commitment, say) share one line:
 * `– n checks skipped: a, b, …  (why)`; `--json` still lists each. What `provenant verify` prints.
 */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    // A token that was never minted has no version to name (the report's version is then -1).
    `token ${report.tokenId}${report.version >= 0 ? ` version ${report.version}` : ''}${report.manifestCid ? ` manifest ${report.manifestCid}` : ''}`,
  ];
  const { checks } = report;
  for (let i = 0; i < checks.length; i += 1) {
    const check = checks[i]!;
    const run = skippedRun(checks, i);
    if (run.length > 1) {
      lines.push(
        `– ${run.length} checks skipped: ${run.map((c) => c.name).join(', ')}${check.detail ? `  (${check.detail})` : ''}`,
      );
      i += run.length - 1;
      continue;
    }
    const mark = check.status === 'pass' ? '✓' : check.status === 'fail' ? '✗' : '–';
    let line = `${mark} ${check.name}`;
    if (check.status === 'fail') {
      if (check.expected !== undefined) line += `  expected ${check.expected}`;
      // A failed read has nothing to compare: the line still says what was found, and the why says which read.
      if (check.actual !== undefined) line += `  found ${check.actual}`;
      else if (check.expected !== undefined) line += '  found nothing readable';
    } else if (check.status === 'pass') {
      const value = check.actual ?? check.expected;
      if (value !== undefined) line += `  ${value}`;
    }
    const showDetail = check.status !== 'pass' || check.actual === undefined;
    if (check.detail && showDetail) line += `  (${check.detail})`;
    lines.push(line);
  }
  const failed = report.checks.some((c) => c.status === 'fail');
  lines.push(
    report.ok
      ? 'verified'
      : failed || report.notChecked.length === 0
        ? 'NOT verified'
        : `NOT verified: ${report.notChecked.join(', ')} could not be checked (the – line says why)`,
  );
  return lines.join('\n');
}

/**
 * The skipped checks from `checks[start]` on that share its reason, with nothing but such skips between
 * them (empty when `checks[start]` is not a skip). A skip with no stated value is one of a run; one with
 * an expected or found value (a window stated but not placed, say) keeps its own line.
 */
function skippedRun(checks: VerifyReport['checks'], start: number): VerifyReport['checks'] {
  const bare = (c: VerifyReport['checks'][number]) =>
    c.status === 'skip' && c.expected === undefined && c.actual === undefined;
  const first = checks[start]!;
  if (!bare(first)) return [];
  let end = start + 1;
  while (end < checks.length && bare(checks[end]!) && checks[end]!.detail === first.detail) end += 1;
  return checks.slice(start, end);
}
