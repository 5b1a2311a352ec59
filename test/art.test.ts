import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatUnits } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  agentVerifyDependencies,
  buildReplay,
  featuresFromObservation,
  loadModelById,
  openStack,
  prepareArtMint,
  type ReplayEpoch,
  type Stack,
} from '../src/agent/index.js';
import { modelRegistryAbi } from '../src/chain/index.js';
import { fixedToPpm, inferFixedReal } from '../src/models/index.js';
import { readFeedWindow } from '../src/oracle/index.js';
import {
  cidOf,
  mintedTokenIds,
  parseManifest,
  rawCidFromDigest,
  type VerifyReport,
  verifyAllVersions,
  verifyAsset,
} from '../src/provenance/index.js';
import { runCli as runStackCli } from './cliHarness.js';
import { DEVNET_AGENT_KEY, publishDay } from './fixtures/chain.js';
import { runCli } from './fixtures/cli.js';

const sha256 = (bytes: Uint8Array): string => `0x${createHash('sha256').update(bytes).digest('hex')}`;

// Real WTI and Brent closes of March 2020 go through 5 reporters into the oracles; the art commands
// render from those rounds, mint and evolve through the agent key, and `verify` re-derives every version.
describe('provenant art + verify on anvil', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provenant-art-'));
  let stack: Stack;
  let replay: ReplayEpoch[];
  let next = 0;
  /** The token the mint test makes (3 versions; version 1's image is tampered afterwards). */
  let token: string | undefined;
  let manifestCids: string[] = [];
  const cli = (...args: string[]) => runCli(['--rpc-url', stack.devnet.rpcUrl, '--state-dir', dir, ...args]);
  const publishNext = async () => publishDay(stack, replay[next++]!);

  beforeAll(async () => {
    process.env.PROVENANT_PRIVATE_KEY = DEVNET_AGENT_KEY;
    replay = buildReplay({ start: '2020-03-02', end: '2020-03-06', warmupDays: 22 });
    stack = await openStack({
      stateDir: dir,
      statePath: null,
      trainEnd: '2020-02-28',
      forecasterKind: 'ridge',
      genesisTimestamp: replay[0]!.timestamp - 86_400n,
    });
    expect(stack.agentAccount.address).toBe('0x70997970C51812dc3A010C7d01b50e0d17dc79C8');
    while (next < replay.length - 2) await publishNext();
  });
  afterAll(async () => {
    delete process.env.PROVENANT_PRIVATE_KEY;
    await stack?.close();
  });

  const deps = () =>
    agentVerifyDependencies({
      client: stack.agent.publicClient,
      addresses: stack.addresses,
      stateDir: dir,
      content: stack.content,
      loadModelFile: async (id) => loadModelById(dir, id) ?? new Uint8Array(),
    });

  test('verify of a token never minted reports ✗ token-exists and exits 1 (no crash)', async () => {
    const r = await cli('verify', '12345');
    expect(r.code).toBe(1);
    expect(r.out).toContain(
      '✗ token-exists  expected token 12345 minted  found not minted (the NFT reverts with ERC721NonexistentToken)',
    );
    expect(r.err).toContain('failed: token-exists');
    expect(r.err).not.toMatch(/Unexpected error|reverted/);
  });

  test('render from the oracle rounds: files and CIDs', async () => {
    const out = join(dir, 'render');
    const r = await cli('art', 'render', '--out', out, '--size', '64', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as {
      commitment: string;
      image: string;
      metadata: string;
      manifest: string;
      latestRound: string;
    };
    expect(printed.latestRound).toBe(String(replay.length - 2));
    expect((await cidOf(readFileSync(join(out, 'image.png')))).toString()).toBe(printed.image);
    const metadata = readFileSync(join(out, 'metadata.json'));
    expect((await cidOf(metadata)).toString()).toBe(printed.metadata);
    // The commitment (a mint's token id) is the metadata's sha2-256 digest; the metadata names the manifest.
    expect(printed.commitment).toBe(sha256(metadata));
    expect(rawCidFromDigest(printed.commitment as `0x${string}`)).toBe(printed.metadata);
    expect(JSON.parse(metadata.toString('utf8')).provenance).toBe(`ipfs://${printed.manifest}`);
    const manifest = parseManifest(readFileSync(join(out, 'manifest.json')), printed.manifest);
    expect(manifest.inputs.oracle.rounds.at(-1)?.roundId).toBe(printed.latestRound);
    expect(manifest.outputs.image.cid).toBe(printed.image);
  });

  test('mint, evolve twice (one evolve per token per day), verify every version; a tampered image fails image-bytes only', async () => {
    const minted = await cli('art', 'mint', '--size', '64');
    expect(minted.err).toBe('');
    expect(minted.code).toBe(0);
    const [tokenId] = await mintedTokenIds(stack.agent.publicClient, stack.addresses.nft);
    expect(tokenId).toBeDefined();
    token = tokenId!.toString();

    // A second evolve the same day is refused by the per-token rate limit, explained, and not sent.
    await publishNext();
    expect((await cli('art', 'evolve', token, '--size', '64')).code).toBe(0);
    const again = await cli('art', 'evolve', token, '--size', '64');
    expect(again.code).toBe(1);
    expect(again.err).toMatch(
      /Refused before sending: Refused by policy 'Market Art NFT\/UPDATE': at most 1 action/,
    );
    expect(again.err).toContain("Rule 'rate-limit'");
    await publishNext();
    expect((await cli('art', 'evolve', token, '--size', '64')).code).toBe(0);

    const shown = await cli('art', 'show', token, '--json');
    const record = JSON.parse(shown.out) as {
      versions: { manifestCid: string; commitment: `0x${string}`; metadataCid: string; provenance: string }[];
      tokenUri: string;
      owner: string;
    };
    expect(record.versions).toHaveLength(3);
    manifestCids = record.versions.map((v) => v.manifestCid);
    expect(record.owner).toBe(stack.agentAccount.address);
    // Each version's commitment is its metadata's digest (v0's is the token id), and the metadata names the
    // manifest its log names; tokenURI is the latest metadata.
    expect(BigInt(record.versions[0]!.commitment)).toBe(tokenId);
    for (const v of record.versions) {
      expect(sha256(await stack.content.get(v.metadataCid))).toBe(v.commitment);
      expect(v.metadataCid).toBe(rawCidFromDigest(v.commitment));
      expect(v.provenance).toBe(`ipfs://${v.manifestCid}`);
    }
    expect(record.tokenUri).toBe(`ipfs://${record.versions[2]!.metadataCid}`);
    expect(new Set(record.versions.map((v) => v.commitment)).size).toBe(3);

    const reports = await verifyAllVersions(tokenId!, deps());
    expect(reports.map((x) => [x.version, x.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    const all = await cli('verify', '--all');
    expect(all.code).toBe(0);
    expect(all.out).toContain('verify --all: 1 token(s), 3 version(s), 3 verified');

    // Tamper one byte of version 1's image in the content store.
    const manifest = parseManifest(
      await stack.content.get(record.versions[1]!.manifestCid),
      record.versions[1]!.manifestCid,
    );
    const path = stack.content.pathOf(manifest.outputs.image.cid);
    const bytes = readFileSync(path);
    bytes[100] = (bytes[100]! + 1) % 256;
    writeFileSync(path, bytes);
    const tampered = await cli('verify', token, '--at-version', '1', '--json');
    expect(tampered.code).toBe(1);
    const printed = JSON.parse(tampered.out) as {
      ok: boolean;
      reports: { ok: boolean; checks: { name: string; status: string }[] }[];
    };
    // One object: the verdict the exit code carries, and the reports.
    expect(printed.ok).toBe(false);
    const [report] = printed.reports;
    expect(report!.ok).toBe(false);
    expect(report!.checks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual(['image-bytes']);
    expect(tampered.err).toContain('failed: image-bytes');
    // The other versions do not depend on that image and still verify.
    expect((await cli('verify', token, '--at-version', '2')).code).toBe(0);
  });

  test('verify --manifest <v0 CID>: the token id comes from the manifest and version 0 is the one checked; --all is refused with it', async () => {
    expect(token).toBeDefined();
    const alone = await cli('verify', '--manifest', manifestCids[0]!, '--json');
    expect(alone.err).toBe('');
    expect(alone.code).toBe(0);
    const aloneJson = JSON.parse(alone.out) as {
      ok: boolean;
      reports: { tokenId: string; version: number; ok: boolean }[];
    };
    expect(aloneJson.ok).toBe(true);
    const [report] = aloneJson.reports;
    expect([report!.tokenId, report!.version, report!.ok]).toEqual([token, 0, true]);
    const withToken = await cli('verify', token!, '--manifest', manifestCids[0]!);
    expect(withToken.code).toBe(0);
    expect(withToken.out).toContain(`token ${token} version 0 manifest ${manifestCids[0]}`);
    const all = await cli('verify', '--all', '--manifest', manifestCids[0]!);
    expect(all.code).toBe(1);
    expect(all.out).toBe('');
    expect(all.err).toContain('--manifest and --all cannot be combined');
  });

  test('art show tells each version’s story from its manifest (model, rounds, forecast, files); a changed manifest is named, not shown (review 7)', async () => {
    expect(token).toBeDefined();
    const manifests = await Promise.all(
      manifestCids.map(async (cid) => parseManifest(await stack.content.get(cid), cid)),
    );
    const metadataCids = (
      JSON.parse((await cli('art', 'show', token!, '--json')).out) as { versions: { metadataCid: string }[] }
    ).versions.map((v) => v.metadataCid);
    const shown = await cli('art', 'show', token!);
    expect(shown.err).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.out).toContain(`ipfs://${metadataCids[2]} (the metadata of v2, the latest)`);
    for (const [version, m] of manifests.entries()) {
      const rounds = m.inputs.oracle.rounds;
      const last = rounds.at(-1)!;
      expect(shown.out).toMatch(
        new RegExp(`^v${version}  ${version === 0 ? 'minted' : 'evolved'} in block \\d+`, 'm'),
      );
      expect(shown.out).toContain(`    manifest    ${manifestCids[version]}`);
      expect(shown.out).toContain(
        `    model       ${m.model.name} ${m.model.version} (${m.model.algorithm}) ${m.model.id}`,
      );
      expect(shown.out).toContain(
        `    prices      feed ${m.inputs.oracle.feed}, rounds ${rounds[0]!.roundId}..${last.roundId} (${rounds.length}); latest ${formatUnits(BigInt(last.answer), m.inputs.oracle.decimals)} at ${new Date(Number(last.updatedAt) * 1000).toISOString().replace('.000Z', 'Z')}`,
      );
      expect(shown.out).toContain(
        `    forecast    ${m.inputs.forecast!.returnPpm} ppm (${m.inputs.forecast!.returnPpm < 0 ? '-' : '+'}`,
      );
      expect(shown.out).toContain(
        `by forecaster ${m.inputs.forecast!.modelId}; re-derived by \`provenant verify\``,
      );
      expect(shown.out).toContain(
        `    image       ${m.outputs.image.cid} (PNG 64×64, ${m.outputs.image.size} bytes)`,
      );
      expect(shown.out).toContain(`    metadata    ${metadataCids[version]}`);
      expect(shown.out).toContain(
        `    provenance  ipfs://${manifestCids[version]} (the manifest the log names)`,
      );
      if (version > 0) expect(shown.out).toContain(`    parent      ${manifestCids[version - 1]}`);
    }
    expect(shown.out).toContain(`Files: each CID above is the file ${stack.content.dir}/<cid>`);
    expect(shown.out).toContain(`Check: \`provenant verify ${token} --all\``);

    const json = JSON.parse((await cli('art', 'show', token!, '--json')).out) as {
      contentDir: string;
      versions: {
        version: number;
        manifestCid: string;
        story?: {
          model: { id: string };
          forecast: { returnPpm: number; modelId: string };
          image: { cid: string };
        };
        manifestProblem?: string;
      }[];
    };
    expect(json.contentDir).toBe(stack.content.dir);
    expect(
      json.versions.map((v) => [v.version, v.story?.model.id, v.story?.forecast.modelId, v.story?.image.cid]),
    ).toEqual(manifests.map((m, i) => [i, m.model.id, m.inputs.forecast!.modelId, m.outputs.image.cid]));

    // One changed byte in version 0's stored manifest: that version says why it cannot be shown.
    const path = stack.content.pathOf(manifestCids[0]!);
    const original = readFileSync(path);
    const changed = Buffer.from(original);
    changed[10] = (changed[10]! + 1) % 256;
    writeFileSync(path, changed);
    try {
      const damaged = await cli('art', 'show', token!);
      expect(damaged.code).toBe(0);
      expect(damaged.out).toContain(
        `    (manifest not readable from ${stack.content.dir}: Stored content does not match its CID: ${path}`,
      );
      expect(damaged.out).toContain(`    manifest    ${manifestCids[1]}`);
      expect(damaged.out).toContain(`    image       ${manifests[1]!.outputs.image.cid}`);
    } finally {
      writeFileSync(path, original);
    }
  });

  test('model show <id> says where the model file is and whether it hashes to the id (review 7)', async () => {
    const modelId = parseManifest(await stack.content.get(manifestCids[0]!)).model.id;
    const shown = await runStackCli(stack, ['model', 'show', modelId], 0);
    const line = shown.split('\n').find((l) => l.trim().startsWith('file '));
    expect(line).toMatch(/file {10}✓ \S+ \(ipfs:\/\/\S+\) hashes to the model id$/);
    const json = JSON.parse(await runStackCli(stack, ['model', 'show', modelId, '--json'], 0)) as {
      metadataURI: string;
      file: { status: string; path: string };
    };
    expect(json.file.status).toBe('matches');
    expect(json.file.path).toBe(stack.content.pathOf(json.metadataURI.slice('ipfs://'.length)));
    // A changed byte in that file: named, not passed.
    const original = readFileSync(json.file.path);
    const changed = Buffer.from(original);
    changed[5] = (changed[5]! + 1) % 256;
    writeFileSync(json.file.path, changed);
    try {
      const damaged = await runStackCli(stack, ['model', 'show', modelId], 0);
      expect(damaged).toContain(`✗ ${json.file.path} is damaged: Stored content does not match its CID`);
    } finally {
      writeFileSync(json.file.path, original);
    }
  });

  test('render from chain without a proof, with the agent’s forecaster: the replay forecast is named and verify re-derives it (forecast-replay)', async () => {
    expect(token).toBeDefined();
    // Reads through another client than `deps()`'s: viem caches the block number a client last read
    // (100 ms here), which could hide the next test's fresh registry logs from `deps()`'s scans.
    const reader = { ...stack.agent, publicClient: stack.deployer.publicClient };
    const intent = await prepareArtMint({
      clients: reader,
      addresses: stack.addresses,
      generator: stack.generator,
      agent: stack.agentAccount.address,
      size: 64,
      forecaster: stack.forecaster,
      codeVersion: 'test',
      content: stack.content,
    });
    const { manifest } = intent.asset;
    expect(manifest.proof).toEqual({ kind: 'replay' });
    expect(manifest.inputs.oracle.rounds).toHaveLength(21);
    // The forecast is the agent's own inference on the same 21 rounds, as ppm of its fixed-point output.
    const observed = await readFeedWindow(reader.publicClient, stack.addresses.feeds.WTI, 21);
    const { features } = featuresFromObservation({ wti: observed }, stack.forecaster.model.scaleBits);
    const mean = inferFixedReal(stack.forecaster.model, features)[0]!;
    const q = BigInt(mean * 2 ** stack.forecaster.model.scaleBits);
    expect(manifest.inputs.forecast).toEqual({
      returnPpm: fixedToPpm(q, stack.forecaster.model.scaleBits),
      modelId: stack.forecaster.id,
    });
    expect(manifest.marketState.forecastPpm).toBe(manifest.inputs.forecast!.returnPpm);

    const hash = await stack.agent.walletClient.sendTransaction({
      account: stack.agentAccount,
      chain: stack.agent.walletClient.chain,
      to: intent.call.to,
      data: intent.call.data,
    });
    expect((await stack.deployer.publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    // Verified by the CLI (a fresh process: its log scans see the new block).
    const verified = await cli('verify', intent.asset.tokenId.toString(), '--json');
    expect(verified.err).toBe('');
    expect(verified.code).toBe(0);
    const verifiedJson = JSON.parse(verified.out) as { ok: boolean; reports: VerifyReport[] };
    expect(verifiedJson.ok).toBe(true);
    const [report] = verifiedJson.reports;
    expect(report!.checks.filter((c) => c.status !== 'pass')).toEqual([]);
    expect(report!.ok).toBe(true);
    const replayed = report!.checks.find((c) => c.name === 'forecast-replay')!;
    const last = BigInt(manifest.inputs.oracle.rounds.at(-1)!.roundId);
    expect(replayed.expected).toBe(
      `forecast ${manifest.inputs.forecast!.returnPpm} ppm of model ${stack.forecaster.id} (fixed-point output ${q} at 2^-${stack.forecaster.model.scaleBits} on rounds ${last - 20n}..${last})`,
    );
    const printed = await cli('verify', intent.asset.tokenId.toString());
    expect(printed.code).toBe(0);
    expect(printed.out).toContain(
      `✓ forecast-replay  forecast ${manifest.inputs.forecast!.returnPpm} ppm of model ${stack.forecaster.id}`,
    );

    // The CLI mint's version 0: a render that names no forecaster skips the check (never passes it).
    const v0 = await cli('verify', token!, '--at-version', '0', '--json');
    expect(v0.code).toBe(0);
    const [v0Report] = (JSON.parse(v0.out) as { reports: VerifyReport[] }).reports;
    const named = parseManifest(await stack.content.get(manifestCids[0]!)).inputs.forecast?.modelId;
    const cliCheck = v0Report!.checks.find((c) => c.name === 'forecast-replay')!;
    expect([cliCheck.status, v0Report!.ok]).toEqual([named ? 'pass' : 'skip', true]);
  });

  test('a model revoked after the mint: past versions still pass model-approved (approval at their block, from the registry events)', async () => {
    expect(token).toBeDefined();
    const tokenId = BigInt(token!);
    const modelId = parseManifest(await stack.content.get(manifestCids[0]!)).model.id as `0x${string}`;
    const hash = await stack.guardian.walletClient.writeContract({
      address: stack.addresses.registry,
      abi: modelRegistryAbi,
      functionName: 'revokeModel',
      args: [modelId],
    });
    const receipt = await stack.guardian.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    expect(
      await stack.agent.publicClient.readContract({
        address: stack.addresses.registry,
        abi: modelRegistryAbi,
        functionName: 'isApproved',
        args: [modelId],
      }),
    ).toBe(false);

    // Versions 0 and 2 (version 1's image was tampered above) pass every check, model-approved included.
    for (const version of [0, 2]) {
      const report = await verifyAsset({ tokenId, version }, deps());
      // Every render names its forecaster (a forecast without one fails forecast-replay), and the policy
      // snapshot is re-read from the guard at its block: every check passes.
      const named = parseManifest(await stack.content.get(manifestCids[version]!)).inputs.forecast?.modelId;
      expect(named).toBeDefined();
      expect(report.checks.filter((c) => c.status !== 'pass').map((c) => c.name)).toEqual([]);
      expect(report.ok).toBe(true);
      const approved = report.checks.find((c) => c.name === 'model-approved')!;
      expect(approved.actual).toMatch(
        new RegExp(
          `^approved at block \\d+ since ModelApproved in block \\d+; later: ModelRevoked in block ${receipt.blockNumber}$`,
        ),
      );
      expect(report.checks.find((c) => c.name === 'model-logged')!.actual).toBe(modelId);
    }
    const printed = await cli('verify', token!, '--at-version', '2');
    expect(printed.code).toBe(0);
    expect(printed.out).toMatch(/✓ model-approved {2}approved at block \d+ since ModelApproved/);
    expect(printed.out).toContain(`✓ model-logged  ${modelId}`);
  });
});
