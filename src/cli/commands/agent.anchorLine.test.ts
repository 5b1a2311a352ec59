import { describe, expect, it } from 'vitest';
import { anchorLine } from './agent.js';

const head = `0x${'ab'.repeat(32)}` as const;
const hash = `0x${'cd'.repeat(32)}` as const;

describe('anchorLine (agent run prints what the journal anchor did)', () => {
  it('says nothing when no anchor was due or anchoring is off', () => {
    expect(anchorLine(undefined)).toBeUndefined();
    expect(anchorLine({ status: 'not-due' })).toBeUndefined();
    expect(anchorLine({ status: 'disabled' })).toBeUndefined();
    expect(anchorLine({ status: 'no-contract' })).toBeUndefined();
  });

  it('names the seq, block and tx of an anchor, and a resumed send', () => {
    const anchored = {
      status: 'anchored' as const,
      seq: 178,
      head,
      key: head,
      hash,
      blockNumber: 444n,
      gasUsed: 29_154n,
      resumed: false,
    };
    expect(anchorLine(anchored)).toBe(`anchored journal head seq 178 on-chain in block 444 (tx ${hash})`);
    expect(anchorLine({ ...anchored, resumed: true })).toContain('finishing a send an earlier run left');
  });

  it('explains a skipped and a failed anchor, and whether it is retried', () => {
    expect(anchorLine({ status: 'skipped', seq: 10, head, onChainSeq: 12 })).toBe(
      "journal anchor not sent: the chain already holds seq 12, at or above this head's seq 10",
    );
    const failed = {
      status: 'failed' as const,
      seq: 7,
      head,
      key: head,
      error: 'node down',
      retry: true,
    };
    expect(anchorLine(failed)).toBe('journal anchor for seq 7 failed: node down (sent again next epoch)');
    expect(anchorLine({ ...failed, retry: false })).toContain('the next due epoch anchors its own head');
  });
});
