import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { AgentRuntime, Journal, prepareArtMint } from '../../agent/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { GlobalOptions } from '../context.js';
import { artSize } from '../parse.js';
import type { AgentSession } from './agent.js';
import type { ShownVersion } from './art.show.js';
import { parseTokenId } from './verify.js';

// The agent, chain and provenance modules (viem, better-sqlite3, resvg) load inside the handlers, so
// that `provenant --help` does not pay for them.

async function withAgent<T>(
  globals: GlobalOptions,
  fn: (s: AgentSession, journal: Journal, runtime: AgentRuntime) => Promise<T>,
): Promise<T> {
  const { attestJournalHead, connectAgentRuntime, journalPath, openJournalForRun } = await import(
    '../../agent/index.js'
  );
  const { ipfsSettings } = await import('../../config/index.js');
  const { withShutdown } = await import('../context.js');
  const { openAgentSession } = await import('./agent.js');
  const session = await openAgentSession(globals, { signer: 'agent' });
  // art mint/evolve append to the agent's journal: a tampered one is refused before anything is added.
  // A signed head that no longer matches is refused; an unsigned journal (older Provenant) is accepted: a
  // person runs this command. The head is signed again after it.
  let journal: Journal;
  try {
    ({ journal } = await openJournalForRun(journalPath(session.stateDir), session.account, {
      acceptUnattested: true,
      anchors: {
        stateDir: session.stateDir,
        chain: { client: session.clients.publicClient, chainId: session.clients.chain.id },
      },
    }));
  } catch (error) {
    await session.close();
    throw error;
  }
  return withShutdown(
    async () => {
      if (journal.db.open) await attestJournalHead(journal, session.account);
      journal.close();
      await session.close();
    },
    async () =>
      fn(
        session,
        journal,
        await connectAgentRuntime({
          clients: session.clients,
          account: session.account,
          stateDir: session.stateDir,
          journal,
          ipfs: ipfsSettings(session.config.ipfs),
        }),
      ),
  );
}

async function act(
  session: AgentSession,
  journal: Journal,
  runtime: AgentRuntime,
  intent: Awaited<ReturnType<typeof prepareArtMint>>,
): Promise<void> {
  const { actOnIntent } = await import('../../agent/index.js');
  const { createTxManager } = await import('../../chain/index.js');
  const { txManagerSettings } = await import('../../config/index.js');
  const { printTable } = await import('../output.js');
  const tx = createTxManager({
    clients: session.clients,
    account: session.account,
    store: journal.txStore(),
    ...txManagerSettings(session.config.chain),
  });
  const outcome = await actOnIntent({
    journal,
    tx,
    clients: session.clients,
    addresses: runtime.addresses,
    from: session.account.address,
    intent,
  });
  const a = intent.asset;
  printTable([
    ['token', `${a.tokenId} (0x${a.tokenId.toString(16)})`],
    ['version', String(a.manifest.asset.version)],
    ['commitment', a.commitment],
    ['metadata', a.metadataAddress.cid.toString()],
    ['manifest', a.manifestAddress.cid.toString()],
    ['image', a.image.cid.toString()],
    ['regime', a.manifest.marketState.regime],
  ]);
  if (outcome.outcome === 'confirmed')
    console.log(
      `Confirmed in ${outcome.hash} (${outcome.gasUsed} gas). Check it with \`provenant verify ${a.tokenId}\`.`,
    );
  else if (outcome.outcome === 'duplicate')
    console.log(
      a.manifest.asset.version === 0
        ? 'Already done: the journal has this intent (the chain refuses the same content twice: the same manifest gives the same metadata, hence the same token id).'
        : `Already done: the journal has this intent (the chain refuses a second update from version ${a.manifest.asset.version - 1}: VersionConflict).`,
    );
  else
    throw new NonRetryableError(
      `${outcome.outcome === 'refused' ? 'Refused before sending' : 'Refused on-chain'}: ${outcome.refusal.sentence}`,
      {
        details: `Rule '${outcome.refusal.rule}' (${outcome.refusal.errorName}). The refusal is journaled; limits change only through governance.`,
        docsPath: 'docs/agent.md#refusals',
      },
    );
}

export function registerArt(program: Command): void {
  const art = program
    .command('art')
    .description('Market art NFTs with verifiable provenance: render, mint, evolve, show.');

  art
    .command('render')
    .description(
      'Render an artwork from the latest oracle rounds on the chain; write PNG, metadata and manifest; print their CIDs. Sends nothing.',
    )
    .option('--out <dir>', 'output folder', 'art')
    .option('--size <pixels>', 'width and height', artSize, 512)
    .option('--json', 'print the CIDs as JSON')
    .action(async (flags: { out: string; size: number; json?: boolean }, command: Command) => {
      const { loadAgentForecaster, loadGenerator, renderFromChain, resolveAgentAddresses } = await import(
        '../../agent/index.js'
      );
      const { writeFileAtomicSync } = await import('../../files/index.js');
      const { ContentStore } = await import('../../provenance/index.js');
      const { printTable, toJson } = await import('../output.js');
      const { openAgentSession } = await import('./agent.js');
      const session = await openAgentSession(command.optsWithGlobals<GlobalOptions>(), { signer: 'none' });
      try {
        const addresses = await resolveAgentAddresses(session.clients, session.stateDir);
        const generator = loadGenerator();
        const { asset, latestRound } = await renderFromChain({
          clients: session.clients,
          addresses,
          generator,
          agent: session.account.address,
          size: flags.size,
          forecaster: loadAgentForecaster(session.stateDir),
        });
        const content = new ContentStore(session.stateDir);
        for (const bytes of [asset.png, asset.metadataBytes, asset.manifestBytes]) await content.put(bytes);
        const out = resolve(flags.out);
        mkdirSync(out, { recursive: true });
        writeFileAtomicSync(join(out, 'image.png'), asset.png);
        writeFileAtomicSync(join(out, 'metadata.json'), asset.metadataBytes);
        writeFileAtomicSync(join(out, 'manifest.json'), asset.manifestBytes);
        // The commitment is the metadata's sha2-256 digest (a mint's token id); the metadata names the manifest.
        const cids = {
          commitment: asset.commitment,
          metadata: asset.metadataAddress.cid.toString(),
          manifest: asset.manifestAddress.cid.toString(),
          image: asset.image.cid.toString(),
          latestRound: latestRound.toString(),
          regime: asset.manifest.marketState.regime,
        };
        if (flags.json) console.log(toJson(cids));
        else {
          printTable(Object.entries(cids));
          console.log(`Wrote image.png, metadata.json, manifest.json to ${out}.`);
        }
      } finally {
        await session.close();
      }
    });

  art
    .command('mint')
    .description(
      'Mint market art from the latest rounds with the agent key: preflight (a refusal is explained and not sent), send, journal.',
    )
    .option('--size <pixels>', 'width and height', artSize, 512)
    .action(async (flags: { size: number }, command: Command) => {
      const { prepareArtMint } = await import('../../agent/index.js');
      await withAgent(command.optsWithGlobals<GlobalOptions>(), async (session, journal, runtime) => {
        const intent = await prepareArtMint({
          clients: session.clients,
          addresses: runtime.addresses,
          generator: runtime.generator,
          agent: session.account.address,
          size: flags.size,
          content: runtime.content,
          publish: runtime.publish,
          forecaster: runtime.forecaster,
        });
        await act(session, journal, runtime, intent);
      });
    });

  art
    .command('evolve <tokenId>')
    .description(
      'Re-render a token from the latest rounds as its next version (same seed, parent = latest version), through preflight.',
    )
    .option('--size <pixels>', 'width and height', artSize, 512)
    .action(async (tokenText: string, flags: { size: number }, command: Command) => {
      const { prepareArtEvolve } = await import('../../agent/index.js');
      await withAgent(command.optsWithGlobals<GlobalOptions>(), async (session, journal, runtime) => {
        const intent = await prepareArtEvolve({
          clients: session.clients,
          addresses: runtime.addresses,
          generator: runtime.generator,
          agent: session.account.address,
          size: flags.size,
          content: runtime.content,
          publish: runtime.publish,
          forecaster: runtime.forecaster,
          tokenId: parseTokenId(tokenText),
        });
        await act(session, journal, runtime, intent);
      });
    });

  art
    .command('show <tokenId>')
    .description(
      "A token's story: owner, tokenURI, and per version its block, commitment (the metadata's sha2-256 digest), metadata CID and the manifest it names, model, price rounds, forecast (and how it is proven), image CID; where the files are and how to verify.",
    )
    .option('--json', 'print as JSON')
    .option(
      '--ipfs-gateway <url>',
      'fetch metadata and manifests missing from the local content store from this trustless IPFS gateway (verified block by block, then stored; default: ipfs.gatewayUrl from the config)',
    )
    .action(async (tokenText: string, flags: { json?: boolean; ipfsGateway?: string }, command: Command) => {
      const { checkGatewayFlag, readThroughContentStore } = await import('./content.js');
      await checkGatewayFlag(flags.ipfsGateway);
      const { resolveAgentAddresses } = await import('../../agent/index.js');
      const { provenanceNFTAbi } = await import('../../chain/index.js');
      const { parseManifest, parseMetadataProvenance, rawCidFromDigest, readTokenRecord } = await import(
        '../../provenance/index.js'
      );
      const { printTable, toJson } = await import('../output.js');
      const { fetchLines, tokenUriLine, versionLines, versionStory } = await import('./art.show.js');
      const { openAgentSession } = await import('./agent.js');
      const tokenId = parseTokenId(tokenText);
      const session = await openAgentSession(command.optsWithGlobals<GlobalOptions>(), { signer: 'none' });
      const { store: content, reportFetched } = await readThroughContentStore(
        session.stateDir,
        session.config.ipfs,
        flags.ipfsGateway,
      );
      try {
        const addresses = await resolveAgentAddresses(session.clients, session.stateDir);
        const record = await readTokenRecord(session.clients.publicClient, addresses.nft, tokenId, {
          fromBlock: addresses.fromBlock,
        });
        if (record.versions.length === 0)
          throw new NonRetryableError(`Token ${tokenId} was never minted on ${addresses.nft}.`, {
            details: 'List tokens with `provenant verify --all`.',
          });
        const owner = await session.clients.publicClient.readContract({
          address: addresses.nft,
          abi: provenanceNFTAbi,
          functionName: 'ownerOf',
          args: [tokenId],
        });
        // Each file comes from the local store, which re-hashes it (or, with a gateway, from the gateway,
        // verified block by block): a changed or missing one is named, never shown as if it were the
        // recorded one. The metadata's CID is the commitment's raw CIDv1.
        const versions: ShownVersion[] = await Promise.all(
          record.versions.map(async (v, version): Promise<ShownVersion> => {
            const metadataCid = rawCidFromDigest(v.commitment);
            let link: Pick<ShownVersion, 'provenance' | 'metadataProblem'>;
            try {
              const { manifestCid } = parseMetadataProvenance(await content.get(metadataCid), metadataCid);
              link = { provenance: `ipfs://${manifestCid}` };
            } catch (error) {
              link = { metadataProblem: (error as Error).message.split('\n')[0] ?? '' };
            }
            const shown = { ...v, version, metadataCid, ...link };
            if (!v.manifestCid) return { ...shown, manifestProblem: 'the log names no manifest CID' };
            try {
              const bytes = await content.get(v.manifestCid);
              return { ...shown, story: versionStory(parseManifest(bytes, v.manifestCid)) };
            } catch (error) {
              return { ...shown, manifestProblem: (error as Error).message.split('\n')[0] ?? '' };
            }
          }),
        );
        if (flags.json) {
          console.log(
            toJson({ tokenId, owner, tokenUri: record.tokenUri, contentDir: content.dir, versions }),
          );
          return;
        }
        printTable([
          ['token', `${tokenId} (0x${tokenId.toString(16)})`],
          ['owner', owner],
          ['tokenURI', tokenUriLine(record.tokenUri, versions)],
          ['versions', String(versions.length)],
        ]);
        for (const v of versions) console.log(versionLines(v, content.dir).join('\n'));
        console.log(fetchLines(tokenId, content.dir).join('\n'));
      } finally {
        reportFetched();
        await session.close();
      }
    });
}
