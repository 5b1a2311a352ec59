// Why: what `provenant verify` prints is kept apart from how the checks are made.
import type { VerifyReport } from './types.js';

/**
 * One line per check: `✓ name  value` (what was found), `✗ name  expected …  found …  (why)` (`found
 * nothing readable` when the read itself failed), `– name  (why skipped)`. What `provenant verify` prints.
 */
export function formatVerifyReport(report: VerifyReport): string {
  const lines = [
    // A token that was never minted has no version to name (the report's version is then -1).
    `token ${report.tokenId}${report.version >= 0 ? ` version ${report.version}` : ''}${report.manifestCid ? ` manifest ${report.manifestCid}` : ''}`,
  ];
  for (const check of report.checks) {
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
