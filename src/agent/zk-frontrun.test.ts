import { describe, expect, test } from 'vitest';
import {
  recordedStatementDifferences,
  statementIdOf,
  ZkRecordedStatementMismatchError,
} from './strategies/synth.js';

/** The synth strategy's check of a statement the gate already holds (a front-run proof). */
describe('recordedStatementDifferences', () => {
  const statement = { lastRoundId: 1234n, outputs: [-517n, 9_041n] };
  const record = { output0: -517n, output1: 9_041n, lastRoundId: 1234n, provenAt: 1_700_000_000 };

  test('the same rounds and outputs: no difference', () => {
    expect(recordedStatementDifferences(record, statement)).toEqual([]);
  });

  test('names every field that differs, recorded then proven', () => {
    expect(recordedStatementDifferences({ ...record, lastRoundId: 1233n, output0: 517n }, statement)).toEqual(
      ['last round 1233 recorded, 1234 proven', 'output0 517 recorded, -517 proven'],
    );
    expect(recordedStatementDifferences({ ...record, output1: 9_042n }, statement)).toEqual([
      'output1 9042 recorded, 9041 proven',
    ]);
  });

  test('a one-output circuit: the gate records output1 as 0', () => {
    const one = { lastRoundId: 1234n, outputs: [-517n] };
    expect(recordedStatementDifferences({ ...record, output1: 0n }, one)).toEqual([]);
    expect(recordedStatementDifferences(record, one)).toEqual(['output1 9041 recorded, 0 proven']);
  });

  test('the error names the proof id and the differences', () => {
    const proofId = statementIdOf(1234n, [1n, 2n, 3n]);
    const error = new ZkRecordedStatementMismatchError('0x01', proofId, ['output1 1 recorded, 2 proven']);
    expect(error.name).toBe('ZkRecordedStatementMismatchError');
    expect(error.message).toContain(proofId);
    expect(error.message).toContain('output1 1 recorded, 2 proven');
  });
});
