/**
 * A synth mint whose mint nonce another of the agent's mints already took: the vault refuses it
 * (`MintNonceMismatch`, nonce behind the position), the agent finds no Minted log carrying its intent id, and
 * the refusal it records says so — this intent did not land, the position's nonce moved on (another mint),
 * it is decided again — not the general "a mint with nonce N already landed … not minted again", which
 * reads as if this intent had landed. With and without preflight (refused in preflight / reverted on-chain).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Address, decodeFunctionData, encodeFunctionData, type Hex, keccak256, toHex } from 'viem';
import { beforeAll, describe, expect, test } from 'vitest';
import { journalPath, openJournal, type Strategy } from '../src/agent/index.js';
import { readMintedLogs, readMintNonce, syntheticVaultAbi } from '../src/chain/index.js';
import { scriptedAgent, show, useJanuaryReplayAgent } from './fixtures/replayAgent.js';

const OPTIONS = { art: { size: 64, evolveEveryEpochs: 2, maxTokens: 4 } };

describe('a synth mint whose nonce another of our mints took', () => {
  const run = useJanuaryReplayAgent('nonce-taken', OPTIONS);
  /** A mint the agent landed (its call decoded): the source of a valid amount, model and a used nonce. */
  let landed: { to: Address; args: readonly [bigint, Hex, Hex, bigint] };

  beforeAll(async () => {
    const r = run();
    for (let i = 0; i < 8 && !landed; i++) {
      await r.agent.runEpoch(await r.advance());
      const mint = r.journal.intents
        .list({ status: 'confirmed' })
        .filter((x) => x.kind === 'synth-mint')
        .map((x) => x.payload as { to: Address; data: Hex })
        .map((p) => ({ to: p.to, call: decodeFunctionData({ abi: syntheticVaultAbi, data: p.data }) }))
        .find((p) => p.call.functionName === 'mint');
      if (mint) landed = { to: mint.to, args: mint.call.args as readonly [bigint, Hex, Hex, bigint] };
    }
    expect(landed, 'the replay agent landed no nonce-checked mint in 8 epochs').toBeDefined();
  }, 120_000);

  for (const preflight of [true, false]) {
    test(`${preflight ? 'refused in preflight' : 'reverted on-chain'}: the refusal says this intent did not land and is decided again`, async () => {
      const { stack } = run();
      const owner = stack.agentAccount.address;
      const nonce = await readMintNonce(stack.agent, landed.to, owner);
      const [amount, modelId, , usedNonce] = landed.args;
      expect(usedNonce).toBeLessThan(nonce);
      // A new decision (its own intent id) sent with a nonce an earlier mint already took.
      const key = keccak256(toHex(`nonce-taken-${preflight}`));
      const data = encodeFunctionData({
        abi: syntheticVaultAbi,
        functionName: 'mint',
        args: [amount, modelId, key, usedNonce],
      });
      const readBlock = await stack.agent.publicClient.getBlockNumber({ cacheTime: 0 });
      const stale: Strategy = {
        name: 'synth',
        decide: async () => [
          {
            key,
            strategy: 'synth',
            kind: 'synth-mint',
            call: { to: landed.to, data, label: 'mint sWTI (stale nonce)' },
            sizeUsd: 0,
            summary: 'mint with a taken nonce',
            decision: { action: 'mint', readBlock: readBlock.toString() },
          },
        ],
      };
      const journal = openJournal(journalPath(mkdtempSync(join(tmpdir(), 'provenant-nonce-taken-'))));
      const agent = scriptedAgent(stack, journal, { ...OPTIONS, preflight }, [stale]);
      const report = await agent.runEpoch(await run().advance());
      const [outcome] = report.intents;
      expect(outcome, show(report.intents)).toMatchObject({
        key,
        outcome: preflight ? 'refused' : 'reverted',
        refusal: { rule: 'mint-nonce', errorName: 'MintNonceMismatch' },
      });
      const sentence = outcome!.refusal!.sentence;
      expect(sentence).toContain(`named mint nonce ${usedNonce}, but the position is at ${nonce}`);
      expect(sentence).toContain('another mint of the position took nonce');
      expect(sentence).toContain('this intent did not land and nothing was minted for it');
      expect(sentence).toContain('decides anew at its next epoch');
      expect(sentence).not.toContain('already landed');
      expect(sentence).not.toContain('not minted again');
      // The journal records the same sentence, and nothing was minted for the intent.
      expect(journal.intents.get(key)?.status).toBe(preflight ? 'refused' : 'reverted');
      expect(journal.intents.get(key)?.note).toBe(sentence);
      expect(await readMintedLogs(stack.agent, landed.to, { owner, intentId: key })).toEqual([]);
      expect(await readMintNonce(stack.agent, landed.to, owner)).toBe(nonce);
      journal.close();
    }, 60_000);
  }
});
