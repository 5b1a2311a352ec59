import type { Command } from 'commander';
import type { Hex } from 'viem';
import type { openJournal } from '../../agent/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { VerifyReport } from '../../provenance/index.js';
import type { GlobalOptions } from '../context.js';
import { nonNegativeInt } from '../parse.js';

// The agent and provenance modules (viem, better-sqlite3, resvg) load inside the handlers, so that
// `provenant --help` does not pay for them.

type VerifyFlags = {
  atVersion?: number;
  all?: boolean;
  json?: boolean;
  manifest?: string;
  synth?: boolean;
  ipfsGateway?: string;
};

export function parseTokenId(text: string): bigint {
  let id: bigint | undefined;
  try {
    id = BigInt(text.trim());
  } catch {}
  const details =
    'Pass the decimal or 0x-hex token id, as `provenant art show` or the Minted event prints it.';
  if (id === undefined || text.trim() === '')
    throw new NonRetryableError(`Token id '${text}' is not a number.`, { details });
  if (id < 0n)
    throw new NonRetryableError(`Token id '${text}' is negative: token ids are 0 or more.`, { details });
  if (id >= 2n ** 256n)
    throw new NonRetryableError(`Token id '${text}' is larger than a uint256: no token has it.`, { details });
  return id;
}

/**
 * The error `verify` exits 1 with: how many versions are not verified, the checks that failed (✗) and
 * those that could not run (–, in versions with no ✗), and what to do about each kind.
 */
export function notVerifiedError(reports: readonly VerifyReport[]): NonRetryableError {
  const failed = reports.filter((r) => !r.ok);
  const checks = [
    ...new Set(failed.flatMap((r) => r.checks.filter((c) => c.status === 'fail').map((c) => c.name))),
  ];
  // A version can fail with no ✗ at all: a check that could not run (e.g. the model file is not in
  // <stateDir>/models) keeps it unverified, and its – line says why.
  const unchecked = [
    ...new Set(failed.filter((r) => !r.checks.some((c) => c.status === 'fail')).flatMap((r) => r.notChecked)),
  ];
  const why = [
    ...(checks.length ? [`failed: ${checks.join(', ')}`] : []),
    ...(unchecked.length ? [`not checked: ${unchecked.join(', ')}`] : []),
  ];
  return new NonRetryableError(
    `${failed.length} of ${reports.length} version(s) NOT verified (${why.join('; ')}).`,
    {
      details: [
        ...(checks.length ? ['Each ✗ line above names the check, the expected and the found value.'] : []),
        ...(unchecked.length
          ? [
              'Each – line above says why its check could not run (for example a model file that is not in <stateDir>/models: `provenant model show <id>` names the file its registration points at; copy it there as <id>.json, or run verify with the --state-dir the agent ran with); fix what it names and verify again.',
            ]
          : []),
      ].join(' '),
      docsPath: 'docs/provenance.md#verify',
    },
  );
}

/**
 * What `verify --json` and `verify --synth --json` print: the verdict the exit code carries (`ok`: every
 * report verified, so also true when there was nothing to verify) and every report, checks included.
 */
export function verifyJson<R extends { ok: boolean }>(reports: readonly R[]): { ok: boolean; reports: R[] } {
  return { ok: reports.every((r) => r.ok), reports: [...reports] };
}

/** `verify --synth <intentId>`: the 32-byte intent id the journal records (and `verify --synth` prints). */
export function parseIntentId(text: string): Hex {
  const id = text.trim();
  if (!/^0x[0-9a-fA-F]{64}$/.test(id))
    throw new NonRetryableError(`Intent id '${text}' is not a 32-byte hex value.`, {
      details:
        'Pass the intent id as 0x followed by 64 hex digits, as `provenant verify --synth --all` prints it after "intent", or --all for every synth decision.',
    });
  return id.toLowerCase() as Hex;
}

/** `verify --manifest <cid>`: refused at once when the text is not a CID. */
async function parseManifestCid(text: string): Promise<void> {
  const { parseCid } = await import('../../provenance/index.js');
  try {
    parseCid(text);
  } catch {
    throw new NonRetryableError(`--manifest '${text}' is not a CID.`, {
      details:
        'Pass the manifest CID (bafkrei…) that `provenant art show <tokenId>` prints for the version, or that the Minted/Evolved event names.',
      docsPath: 'docs/provenance.md#verify',
    });
  }
}

export function registerVerify(program: Command): void {
  program
    .command('verify [tokenId]')
    .description(
      'Re-derive a token from its manifest and check it against the chain: one line per check, exit code 1 on any mismatch.',
    )
    .option(
      '--at-version <n>',
      'version to verify (default: the latest); `--version` is the program version',
      nonNegativeInt,
    )
    .option(
      '--manifest <cid>',
      'verify the version this manifest describes (from the content store; the token id is then optional)',
    )
    .option('--all', 'every version of every minted token (or of the given token)')
    .option('--json', 'print { ok, reports } as JSON (ok: every report verified)')
    .option(
      '--synth',
      'verify synthetic-vault decisions instead (the argument is an intent id; none or --all: every one in the journal)',
    )
    .option(
      '--ipfs-gateway <url>',
      'fetch manifests, metadata, images and model files missing from the local content store from this trustless IPFS gateway (every block verified against its CID, then stored; default: ipfs.gatewayUrl from the config)',
    )
    .action(async (tokenText: string | undefined, flags: VerifyFlags, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const { checkGatewayFlag, readThroughContentStore } = await import('./content.js');
      await checkGatewayFlag(flags.ipfsGateway);
      if (flags.synth) {
        // --manifest and --at-version name art versions; an intent id and --all are alternatives.
        const misplaced = [
          ...(flags.manifest ? ['--manifest'] : []),
          ...(flags.atVersion !== undefined ? ['--at-version'] : []),
        ];
        if (misplaced.length)
          throw new NonRetryableError(`${misplaced.join(' and ')} cannot be combined with --synth.`, {
            details:
              '--synth verifies synthetic-vault decisions by intent id (or every one with --all); --manifest and --at-version select a version of an art token. Drop one side.',
          });
        if (tokenText && flags.all)
          throw new NonRetryableError('--synth takes an intent id or --all, not both.', {
            details:
              'Pass one intent id to verify that decision, or --all (or nothing) for every decision in the journal.',
          });
        return verifySynthCommand(
          globals,
          tokenText === undefined ? undefined : parseIntentId(tokenText),
          flags,
        );
      }
      if (flags.all && flags.atVersion !== undefined)
        throw new NonRetryableError('--at-version and --all cannot be combined.', {
          details: '--all verifies every version; --at-version <n> verifies one. Pass one of them.',
        });
      if (flags.manifest && flags.all)
        throw new NonRetryableError('--manifest and --all cannot be combined.', {
          details:
            '--manifest <cid> verifies the one version that manifest describes; --all verifies every version the chain records. Pass one of them.',
        });
      if (!tokenText && !flags.all && !flags.manifest)
        throw new NonRetryableError('Nothing to verify.', {
          details:
            'Pass a token id, --manifest <cid> for the version a manifest describes, or --all for every token.',
        });
      // A malformed token id or CID is named before the chain is started (the store could only say "not found").
      const tokenId = tokenText === undefined ? undefined : parseTokenId(tokenText);
      if (flags.manifest) await parseManifestCid(flags.manifest);
      const { agentVerifyDependencies, resolveAgentAddresses } = await import('../../agent/index.js');
      const { formatVerifyReport, mintedTokenIds, verifyAllVersions, verifyAsset } = await import(
        '../../provenance/index.js'
      );
      const { toJson } = await import('../output.js');
      const { openAgentSession } = await import('./agent.js');
      const session = await openAgentSession(globals, { signer: 'none' });
      const { store, reportFetched } = await readThroughContentStore(
        session.stateDir,
        session.config.ipfs,
        flags.ipfsGateway,
      );
      try {
        const addresses = await resolveAgentAddresses(session.clients, session.stateDir);
        const deps = agentVerifyDependencies({
          client: session.clients.publicClient,
          addresses,
          stateDir: session.stateDir,
          content: store,
        });
        const reports: VerifyReport[] = [];
        if (flags.all) {
          const tokens =
            tokenId !== undefined
              ? [tokenId]
              : await mintedTokenIds(session.clients.publicClient, addresses.nft, addresses.fromBlock);
          for (const id of tokens) reports.push(...(await verifyAllVersions(id, deps)));
        } else {
          reports.push(
            await verifyAsset(
              {
                ...(tokenId !== undefined ? { tokenId } : {}),
                ...(flags.atVersion !== undefined ? { version: flags.atVersion } : {}),
                ...(flags.manifest ? { manifestCid: flags.manifest } : {}),
              },
              deps,
            ),
          );
        }
        const failed = reports.filter((r) => !r.ok);
        if (flags.json) console.log(toJson(verifyJson(reports)));
        else {
          console.log(reports.map(formatVerifyReport).join('\n\n'));
          if (flags.all)
            console.log(
              `\nverify --all: ${new Set(reports.map((r) => r.tokenId)).size} token(s), ${reports.length} version(s), ${reports.length - failed.length} verified`,
            );
        }
        if (failed.length > 0) throw notVerifiedError(reports);
      } finally {
        reportFetched();
        await session.close();
      }
    });
}

async function verifySynthCommand(
  globals: GlobalOptions,
  intentId: Hex | undefined,
  flags: VerifyFlags,
): Promise<void> {
  const { journalPath, openJournal, resolveAgentAddresses, synthVerifyDependencies, verifySynthFromJournal } =
    await import('../../agent/index.js');
  const { toJson } = await import('../output.js');
  const { openAgentSession } = await import('./agent.js');
  const { readThroughContentStore } = await import('./content.js');
  const session = await openAgentSession(globals, { signer: 'none' });
  let journal: ReturnType<typeof openJournal> | undefined;
  const { store, reportFetched } = await readThroughContentStore(
    session.stateDir,
    session.config.ipfs,
    flags.ipfsGateway,
  );
  try {
    journal = openJournal(journalPath(session.stateDir), { readonly: true });
    const addresses = await resolveAgentAddresses(session.clients, session.stateDir);
    const deps = synthVerifyDependencies({
      client: session.clients.publicClient,
      stateDir: session.stateDir,
      vault: addresses.vault,
      registry: addresses.registry,
      content: store,
      fromBlock: addresses.fromBlock,
    });
    const reports = await verifySynthFromJournal(journal, deps, { intentId });
    if (intentId && reports.length === 0)
      throw new NonRetryableError(`Intent ${intentId} is not a synth decision in ${journal.path}.`, {
        details: 'Run `provenant verify --synth --all` to list every synth decision the journal recorded.',
      });
    const failed = reports.filter((r) => !r.ok);
    // `shown` (whole units) is for people: the JSON keeps its documented shape, base units in expected/actual.
    const forMachines = reports.map((r) => ({ ...r, checks: r.checks.map(({ shown: _shown, ...c }) => c) }));
    if (flags.json) console.log(toJson(verifyJson(forMachines)));
    else {
      const { formatSynthReport, synthSummaryLine } = await import('./verify.synth.js');
      if (reports.length) console.log(reports.map(formatSynthReport).join('\n\n'));
      console.log(`\n${synthSummaryLine(reports.length, reports.length - failed.length)}`);
    }
    if (failed.length > 0) {
      const checks = [
        ...new Set(failed.flatMap((r) => r.checks.filter((c) => c.status === 'fail').map((c) => c.name))),
      ];
      throw new NonRetryableError(
        `${failed.length} of ${reports.length} synth decision(s) NOT verified (failed: ${checks.join(', ')}).`,
        { details: 'Each ✗ line above names the check, the expected and the found value.' },
      );
    }
  } finally {
    reportFetched();
    journal?.close();
    await session.close();
  }
}
