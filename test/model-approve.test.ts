/**
 * Fifth review, F3: `provenant model approve <id> --owner <alice>` builds the governance proposal's description
 * and call label from `readModel` (ModelRegistry.getModel), which before any approval returns the id's
 * EARLIEST registration — possibly a squatter's. The on-chain call pins alice's registration (correct),
 * but voters read the squatter's kind and version in the proposal text. Expected: the description and
 * label describe the registration being approved (alice's); they did not before the fix.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ensureModelRegistered, type Stack } from '../src/agent/index.js';
import { DEVNET_ROLES, readModel, readRegistration } from '../src/chain/index.js';
import { modelFileBytes, modelId as modelIdOf, parseModelFile } from '../src/models/index.js';
import { runCli } from './cliHarness.js';
import { type MarketStack, openMarketStack } from './marketStack.js';

const E18 = 10n ** 18n;
let market: MarketStack | undefined;
let stack: Stack;

beforeAll(async () => {
  market = await openMarketStack('approve-description');
  ({ stack } = market);
}, 180_000);

afterAll(async () => {
  await market?.close();
});

test('the approval proposal describes the registration it approves, not the squatter’s', async () => {
  const [alice, mallory] = [stack.users[0]!.account.address, stack.users[1]!.account.address];
  const model = { ...parseModelFile(readFileSync('models/forecaster-wti.json')), version: 'review5' };
  const id = modelIdOf(model);
  expect(modelFileBytes(model).length).toBeGreaterThan(0);
  const registration = (kind: 0 | 1, version: string, holder: `0x${string}`) => ({
    id,
    kind,
    version,
    uri: '',
    licence: 'MIT',
    holders: [holder],
    amounts: [1_000_000n * E18],
  });
  // mallory registers the published id first, as a "generator" with a reassuring version string
  await ensureModelRegistered(
    stack.users[1]!,
    stack.addresses.registry,
    registration(1, 'AUDITED-v9-SAFE', mallory),
  );
  await ensureModelRegistered(stack.users[0]!, stack.addresses.registry, registration(0, 'review5', alice));
  expect((await readModel(stack.users[0]!, stack.addresses.registry, id))?.owner).toBe(mallory);
  expect((await readRegistration(stack.users[0]!, stack.addresses.registry, id, alice))?.version).toBe(
    'review5',
  );

  const out = JSON.parse(
    await runCli(
      stack,
      ['model', 'approve', id, '--owner', alice, '--holder', `${alice}=1000000`, '--pass', '--json'],
      DEVNET_ROLES.deployer,
    ),
  ) as { state: string; path: string };
  expect(out.state).toBe('Executed');
  const saved = JSON.parse(readFileSync(out.path, 'utf8')) as {
    description: string;
    calls: { label: string }[];
  };
  // Currently: "Approve generator model 0x… (version AUDITED-v9-SAFE) registered by <alice> …"
  expect(saved.description).not.toContain('AUDITED-v9-SAFE');
  expect(saved.description).toContain('(version review5)');
  expect(saved.calls[0]!.label).not.toMatch(/^approve generator/);
});
