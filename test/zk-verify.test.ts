import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAbiParameters, formatUnits, type Hex, keccak256, toHex } from 'viem';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  agentVerifyDependencies,
  type DemoResult,
  runDemo,
  type SynthDecisionRef,
  type SynthVerifyDependencies,
  synthDecisions,
  synthVerifyDependencies,
  verifySynthDecision,
  verifySynthFromJournal,
} from '../src/agent/index.js';
import {
  forecastProofGateAbi,
  provenanceNFTAbi,
  readMintNonce,
  syntheticVaultAbi,
  writeContract,
} from '../src/chain/index.js';
import { canonicalJson } from '../src/models/index.js';
import {
  cidToBytes,
  FORECAST_PROOF_CHECK_NAMES,
  forecastProofChecks,
  manifestBytes,
  mintedTokenIds,
  parseManifest,
  rawCidFromDigest,
  readTokenRecord,
  verifyAllVersions,
} from '../src/provenance/index.js';
import { releaseCurves } from '../src/zk/index.js';
import { runCli } from './fixtures/cli.js';

/**
 * Issue 8's last two pieces on anvil: `provenant verify --synth` re-derives the demo's zk-gated synth
 * decisions (and names the check a tampered manifest, public signal or oracle answer fails), and
 * ERC-7007 `verify` on the NFT accepts a groth16 proof through ForecastAigcVerifier.
 */
let dir: string;
let result: DemoResult;
let deps: SynthVerifyDependencies;
let refs: SynthDecisionRef[];

const failed = (r: { checks: { name: string; status: string }[] }) =>
  r.checks.filter((c) => c.status === 'fail').map((c) => c.name);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'provenant-zk-verify-'));
  result = await runDemo({
    stateDir: dir,
    start: '2020-01-02',
    end: '2020-01-31',
    persist: false,
    agent: { art: { size: 64, evolveEveryEpochs: 10, maxTokens: 2 } },
  });
  const { stack } = result;
  deps = synthVerifyDependencies({
    client: stack.agent.publicClient,
    stateDir: dir,
    vault: stack.addresses.vault,
    registry: stack.addresses.registry,
    content: stack.content,
  });
  refs = synthDecisions(result.journal);
}, 120_000);

afterAll(async () => {
  result?.journal.close();
  await result?.stack.close();
  await releaseCurves();
});

type Manifest = {
  date: string;
  action: string;
  model: { id: Hex };
  inputs: { rounds: [string, string][] } & Record<string, unknown>;
  proof: { kind: string; roundIds: string[]; lastRoundId: string; publicSignals: string[] } & Record<
    string,
    unknown
  >;
} & Record<string, unknown>;

/** The manifest of a zk-gated mint, parsed, with its ref. */
async function zkMint(): Promise<{ ref: SynthDecisionRef; manifest: Manifest }> {
  for (const ref of refs) {
    const manifest: Manifest = JSON.parse(
      new TextDecoder().decode(await result.stack.content.get(ref.manifestCid)),
    );
    if (manifest.proof?.kind === 'groth16' && manifest.action === 'mint') return { ref, manifest };
  }
  throw new Error('the demo made no zk-gated mint');
}

async function storeTampered(manifest: unknown): Promise<string> {
  return result.stack.content.put(new TextEncoder().encode(canonicalJson(manifest)));
}

describe('provenant verify --synth', () => {
  test('every synth decision of the demo verifies, zk-gated mints with every zk check', async () => {
    const reports = await verifySynthFromJournal(result.journal, deps);
    expect(reports.length).toBe(refs.length);
    expect(reports.length).toBeGreaterThan(0);
    for (const r of reports) expect(failed(r)).toEqual([]);
    const zk = reports.filter((r) => r.proofKind === 'groth16');
    expect(zk.length).toBeGreaterThan(0);
    expect(zk[0]!.checks.map((c) => c.name)).toEqual([
      'manifest-stored',
      'intent-id',
      'intent-used',
      'manifest-format',
      'vault-event',
      'model-file',
      'features-replay',
      'forecast-replay',
      'oracle-rounds',
      'oracle-feed',
      'oracle-window',
      'zk-circuit',
      'zk-commitment',
      'zk-rounds',
      'zk-accumulator',
      'zk-forecast',
      'zk-calldata',
      'zk-proof',
      'zk-bound',
    ]);
    // --json keeps base units; the text output reads the same amount in whole sWTI (user walk s9).
    const vaultEvent = zk[0]!.checks.find((c) => c.name === 'vault-event')!;
    expect(vaultEvent.expected).toBe(zk[0]!.amount);
    expect(vaultEvent.shown?.expected).toBe(`${formatUnits(BigInt(zk[0]!.amount!), 18)} sWTI`);
  });

  test('without <stateDir>/models, the forecaster file is the one the registry names in the content store', async () => {
    // What an auditor has who holds only the content store (a CAR export) and a node: the model file behind
    // the registry's metadataURI (ipfs://<cid>), accepted only because it hashes to the model id.
    const models = join(dir, 'models');
    renameSync(models, `${models}.aside`);
    try {
      const { stack } = result;
      const reports = await verifySynthFromJournal(
        result.journal,
        synthVerifyDependencies({
          client: stack.agent.publicClient,
          stateDir: dir,
          vault: stack.addresses.vault,
          registry: stack.addresses.registry,
          content: stack.content,
        }),
      );
      expect(reports.length).toBe(refs.length);
      for (const r of reports) expect(failed(r)).toEqual([]);
      for (const r of reports) expect(r.checks.find((c) => c.name === 'model-file')?.status).toBe('pass');
    } finally {
      renameSync(`${models}.aside`, models);
    }
  });

  test('one flipped byte of a stored manifest fails manifest-stored', async () => {
    const { ref } = await zkMint();
    const path = result.stack.content.pathOf(ref.manifestCid);
    const original = readFileSync(path);
    const tampered = Buffer.from(original);
    tampered[tampered.length >> 1]! ^= 0x01;
    writeFileSync(path, tampered);
    try {
      const report = await verifySynthDecision(ref, deps);
      expect(report.ok).toBe(false);
      expect(failed(report)).toEqual(['manifest-stored']);
    } finally {
      writeFileSync(path, original);
    }
    expect((await verifySynthDecision(ref, deps)).ok).toBe(true);
  });

  test('a changed public signal fails the proof (and the intent id)', async () => {
    const { ref, manifest } = await zkMint();
    const signals = [...manifest.proof.publicSignals];
    signals[2] = (BigInt(signals[2]!) + 1n).toString(); // output0 + 1 in the packed word
    const cid = await storeTampered({ ...manifest, proof: { ...manifest.proof, publicSignals: signals } });
    const report = await verifySynthDecision({ intentId: ref.intentId, manifestCid: cid }, deps);
    const names = failed(report);
    expect(names).toContain('intent-id');
    expect(names).toContain('zk-proof');
    expect(names).toContain('zk-forecast');
    expect(names).toContain('zk-calldata');
    expect(names).not.toContain('oracle-rounds');
    const proof = report.checks.find((c) => c.name === 'zk-proof')!;
    expect(proof).toMatchObject({ expected: 'valid', actual: 'invalid' });
  });

  test('a changed oracle answer fails oracle-rounds, with the round and both answers', async () => {
    const { ref, manifest } = await zkMint();
    const rounds = manifest.inputs.rounds.map(([id, answer]): [string, string] => [id, answer]);
    const last = rounds.at(-1)!;
    const onChain = last[1];
    last[1] = (BigInt(onChain) + 1n).toString();
    const cid = await storeTampered({ ...manifest, inputs: { ...manifest.inputs, rounds } });
    const report = await verifySynthDecision({ intentId: ref.intentId, manifestCid: cid }, deps);
    // One unit (1e-8 USD) is below the features' resolution (2^-20 of a return), so the features and
    // the forecast stay the same; the exact checks catch it: the round itself and the proof's accumulator.
    expect(failed(report)).toEqual(['intent-id', 'oracle-rounds', 'zk-accumulator']);
    const check = report.checks.find((c) => c.name === 'oracle-rounds')!;
    expect(check.expected).toContain(`round ${last[0]}`);
    expect(check.expected).toContain(last[1]);
    expect(check.actual).toBe(`${onChain} (getRoundData)`);
  });

  test('the CLI: exit 0 when all verify, exit 1 naming the failed check', async () => {
    const rpc = result.stack.devnet.rpcUrl; // last: --rpc-url is variadic
    const ok = await runCli(['--state-dir', dir, 'verify', '--synth', '--all', '--rpc-url', rpc]);
    expect(ok.err).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain(`verify --synth: ${refs.length} decisions, ${refs.length} verified`);
    // Amounts in whole sWTI, not base units (user walk s9).
    expect(ok.out).toMatch(/✓ vault-event +[\d.]+ sWTI\n/);
    expect(ok.out).not.toMatch(/✓ vault-event +\d{10,}/);
    expect(ok.out).toMatch(
      /✓ zk-bound +MintedWithProof\(0x[0-9a-f]{8}…, amount [\d.]+ sWTI, bound [\d.]+ sWTI\)/,
    );

    const { ref } = await zkMint();
    const path = result.stack.content.pathOf(ref.manifestCid);
    const original = readFileSync(path);
    writeFileSync(path, Buffer.concat([original, Buffer.from(' ')]));
    try {
      const bad = await runCli(['--state-dir', dir, 'verify', '--synth', ref.intentId, '--rpc-url', rpc]);
      expect(bad.code).toBe(1);
      expect(bad.out).toContain('✗ manifest-stored');
      expect(bad.err).toContain('failed: manifest-stored');
    } finally {
      writeFileSync(path, original);
    }
  });
});

describe('ERC-7007 verify with a groth16 proof (ForecastAigcVerifier)', () => {
  test('the bootstrap plugged the adapter in; a manifest naming a proven forecast verifies', async () => {
    const { stack } = result;
    const nft = stack.addresses.nft;
    const adapter = stack.addresses.aigcVerifier;
    expect(adapter).toBeDefined();
    const read = stack.agent.publicClient;
    expect(
      await read.readContract({ address: nft, abi: provenanceNFTAbi, functionName: 'aigcVerifier' }),
    ).toBe(adapter);

    // The statement of a zk-gated mint of the demo, as the gate recorded it.
    const { manifest: synth } = await zkMint();
    const modelId = synth.model.id as Hex;
    const proofId = keccak256(
      encodeAbiParameters(
        [{ type: 'uint80' }, { type: 'uint256[]' }],
        [BigInt(synth.proof.lastRoundId), synth.proof.publicSignals.map(BigInt)],
      ),
    );
    const gate = stack.addresses.zkGate!;
    const recorded = await read.readContract({
      address: gate,
      abi: forecastProofGateAbi,
      functionName: 'provenForecast',
      args: [modelId, proofId],
    });
    // A groth16 art manifest (canonical JSON with `forecastProof: { modelId, proofId }`) and the metadata
    // that names it: the version's commitment (the token id) is the metadata's sha2-256 digest.
    const art = {
      format: 'provenant-manifest/2',
      kind: 'art-test',
      date: synth.date,
      forecastProof: { modelId, proofId },
    };
    const sha256 = (b: Uint8Array): Hex => `0x${createHash('sha256').update(b).digest('hex')}`;
    const bytes = new TextEncoder().encode(canonicalJson(art));
    const manifestDigest = sha256(bytes);
    const metadataOf = (digest: Hex) =>
      new TextEncoder().encode(
        canonicalJson({ name: 'zk-verify test', provenance: `ipfs://${rawCidFromDigest(digest)}` }),
      );
    const metadata = metadataOf(manifestDigest);
    const metadataDigest = sha256(metadata);
    await writeContract(stack.agent, {
      address: nft,
      abi: provenanceNFTAbi,
      functionName: 'mint',
      args: [
        stack.agentAccount.address,
        stack.generator.id,
        metadataDigest,
        keccak256(toHex('zk-verify test intent')),
        manifestDigest,
      ],
      label: 'mint a groth16 test token',
    });
    const tokenId = BigInt(metadataDigest);
    const head = (kindProof: Hex) =>
      `0x02${tokenId.toString(16).padStart(64, '0')}${'00'.repeat(32)}${kindProof.slice(2)}` as Hex;
    const kindProof = (id: Hex, outputs: readonly [bigint, bigint] = [recorded.output0, recorded.output1]) =>
      encodeAbiParameters(
        [{ type: 'bytes32' }, { type: 'bytes32' }, { type: 'bytes' }, { type: 'int256' }, { type: 'int256' }],
        [modelId, id, toHex(bytes), outputs[0], outputs[1]],
      );
    const verify = (proof: Hex, aigcData: Uint8Array = metadata, prompt: Uint8Array = bytes) =>
      read.readContract({
        address: nft,
        abi: provenanceNFTAbi,
        functionName: 'verify',
        args: [toHex(prompt), toHex(aigcData), proof],
      });

    expect(await verify(head(kindProof(proofId)))).toBe(true);
    // The prompt may also be the manifest's 36-byte binary raw CIDv1.
    expect(
      await verify(head(kindProof(proofId)), metadata, cidToBytes(rawCidFromDigest(manifestDigest))),
    ).toBe(true);
    // Not the proven forecast's outputs; a forecast the gate never recorded.
    expect(await verify(head(kindProof(proofId, [recorded.output0 + 1n, recorded.output1])))).toBe(false);
    expect(await verify(head(kindProof(keccak256(toHex('never proven')))))).toBe(false);
    // Metadata that is not the minted commitment, or a minted metadata naming another manifest.
    expect(await verify(head(kindProof(proofId)), metadataOf(keccak256(toHex('other'))))).toBe(false);
    const other = new TextEncoder().encode(canonicalJson({ ...art, kind: 'art-test-2' }));
    expect(await verify(head(kindProof(proofId)), metadata, other)).toBe(false);
  });
});

describe('the demo vault accepts proven mints only (zkRequired)', () => {
  test('governance switched zkRequired on; a plain mint by the agent key is refused with ZkProofRequired', async () => {
    const { stack } = result;
    const read = stack.agent.publicClient;
    expect(
      await read.readContract({
        address: stack.addresses.vault,
        abi: syntheticVaultAbi,
        functionName: 'zkRequired',
      }),
    ).toBe(true);
    await expect(
      read.simulateContract({
        account: stack.agentAccount,
        address: stack.addresses.vault,
        abi: syntheticVaultAbi,
        functionName: 'mint',
        // The current mint nonce, so the zk rule (checked after the nonce) is what refuses it.
        args: [
          10n ** 18n,
          stack.forecaster.id,
          keccak256(toHex('plain mint without a proof')),
          await readMintNonce(stack.agent, stack.addresses.vault, stack.agentAccount.address),
        ],
      }),
    ).rejects.toThrow(/ZkProofRequired/);
  });
});

describe('groth16 artworks: the art strategy renders on the forecast the gate recorded', () => {
  test('versions rendered after a proven forecast are groth16 and pass every check, ERC-7007 verify included', async () => {
    const { stack } = result;
    const verifyDeps = agentVerifyDependencies({
      client: stack.agent.publicClient,
      addresses: stack.addresses,
      stateDir: stack.stateDir,
      content: stack.content,
    });
    const reports = [];
    for (const tokenId of await mintedTokenIds(stack.agent.publicClient, stack.addresses.nft))
      reports.push(...(await verifyAllVersions(tokenId, verifyDeps)));
    const groth = reports.filter((r) => r.checks.some((c) => c.name === 'erc7007-verify'));
    expect(groth.length).toBeGreaterThan(0);
    // An update too: its ERC-7007 proof carries the chain suffix the NFT recomputes its head from.
    expect(groth.some((r) => r.version > 0)).toBe(true);
    for (const r of groth) {
      expect(failed(r)).toEqual([]);
      expect(
        r.checks.filter((c) => c.name.startsWith('zk-') || c.name === 'erc7007-verify').map((c) => c.name),
      ).toEqual([...FORECAST_PROOF_CHECK_NAMES]);
    }

    // The same manifest naming a proof id the gate never recorded fails exactly the gate-backed checks.
    const sample = groth[0]!;
    const bytes = await stack.content.get(sample.manifestCid!);
    const manifest = parseManifest(bytes);
    if (manifest.proof.kind !== 'groth16') throw new Error('expected a groth16 manifest');
    const forged = {
      ...manifest,
      proof: {
        ...manifest.proof,
        forecastProof: { ...manifest.proof.forecastProof, proofId: keccak256(toHex('never proven')) },
      },
    };
    // The version's committed metadata (its digest is the version's commitment); it names the real manifest.
    const onChain = await readTokenRecord(
      stack.agent.publicClient,
      stack.addresses.nft,
      BigInt(sample.tokenId),
      {
        fromBlock: stack.addresses.fromBlock,
      },
    );
    const metadata = await stack.content.get(rawCidFromDigest(onChain.versions[sample.version]!.commitment));
    const forgedChecks = await forecastProofChecks(
      {
        manifest: forged,
        manifestBytes: manifestBytes(forged),
        metadataBytes: metadata,
        tokenId: BigInt(sample.tokenId),
        version: sample.version,
      },
      { ...verifyDeps.forecastProof!, loadModelFile: verifyDeps.loadModelFile },
    );
    expect(forgedChecks.filter((c) => c.status === 'fail').map((c) => c.name)).toEqual([
      'zk-forecast-recorded',
      'erc7007-verify',
    ]);
  });
});
