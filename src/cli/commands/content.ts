import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { IpfsConfig } from '../../config/index.js';
import { NonRetryableError } from '../../errors/index.js';
import type { ContentStore } from '../../provenance/index.js';
import type { GlobalOptions } from '../context.js';

// The provenance module (multiformats, IPLD, viem) loads inside the handlers, not at start-up.
const provenance = () => import('../../provenance/index.js');

/** Largest CAR `content import` reads (it is read whole into memory): 1 GiB. */
export const MAX_IMPORT_CAR_BYTES = 2 ** 30;
const context = () => import('../context.js');

/**
 * The local content store (`<stateDir>/content`): export it as a CAR for any pinning service, or push it
 * to an IPFS node's HTTP API. Nothing leaves the machine unless you run one of these.
 */
export function registerContent(program: Command): void {
  const content = program
    .command('content')
    .description(
      'The local content store of images, metadata, manifests and model files: list, export as CAR, push to IPFS.',
    );
  content
    .command('list')
    .description(
      'Every CID in the local content store (<stateDir>/content); a file there whose name is not a CID is named on stderr and left out.',
    )
    .action(async (_flags: unknown, command: Command) => {
      const { cids } = await storedCids(command);
      for (const cid of cids) console.log(cid);
    });
  content
    .command('export <file>')
    .description(
      'Write every stored file, verified, into one CAR file (CARv1) for upload to a pinning service; refuses (writing nothing) when a stored file no longer matches its CID.',
    )
    .action(async (file: string, _flags: unknown, command: Command) => {
      const { addBytes, ContentCorruptedError, exportFilesCar } = await provenance();
      const { writeFileAtomicSync } = await import('../../files/index.js');
      const { store, cids } = await storedCids(command);
      if (cids.length === 0)
        throw new NonRetryableError(`The content store ${store.dir} holds no files: nothing to export.`, {
          details:
            'Pass the --state-dir the agent or the demo ran with (its content/ folder holds the images, metadata, manifests and model files).',
        });
      // Every file is read (and re-hashed) before anything is written, so every damaged one is named.
      const damaged: string[] = [];
      const files = [];
      for (const cid of cids) {
        try {
          files.push(await addBytes(await store.get(cid)));
        } catch (error) {
          if (!(error instanceof ContentCorruptedError)) throw error;
          damaged.push(error.message.split('\n')[0] ?? error.message);
        }
      }
      if (damaged.length > 0)
        throw new NonRetryableError(
          `${damaged.length} of ${cids.length} stored file(s) no longer match their CID; nothing was written to ${resolve(file)}.`,
          {
            details: `${damaged.join('\n')}\nEach was changed or damaged after it was stored: put the original bytes back (from IPFS, e.g. \`ipfs get <cid>\`, or an earlier CAR export; the agent re-renders its own on restart), or move the file out of the store to export the rest.`,
          },
        );
      const car = await exportFilesCar(files);
      writeFileAtomicSync(resolve(file), car);
      console.log(`Wrote ${files.length} file(s), ${car.length} bytes, to ${resolve(file)}.`);
    });
  content
    .command('import <file>')
    .description(
      'Load every file of a CAR (e.g. what `content export` wrote elsewhere) into the local content store: each block is checked against its CID, each file re-added and stored under the same CID; one line per file, exit 1 if any failed.',
    )
    .action(async (file: string, _flags: unknown, command: Command) => {
      const { readFileSync, statSync } = await import('node:fs');
      const { ContentStore, importCar } = await provenance();
      const { loadCliConfig } = await context();
      const path = resolve(file);
      let car: Uint8Array;
      try {
        const stat = statSync(path);
        if (!stat.isFile()) throw new Error('not a file');
        // The CAR is read whole into memory: a file over the limit is refused before it is read.
        if (stat.size > MAX_IMPORT_CAR_BYTES)
          throw new NonRetryableError(
            `The CAR file ${path} is ${stat.size} bytes, over the ${MAX_IMPORT_CAR_BYTES / 2 ** 30} GiB import limit.`,
            {
              details:
                'A CAR is read whole into memory. Export the files in smaller CARs, or fetch them from a gateway with `provenant verify --ipfs-gateway <url>`.',
            },
          );
        car = new Uint8Array(readFileSync(path));
      } catch (error) {
        if (error instanceof NonRetryableError) throw error;
        throw new NonRetryableError(`Cannot read the CAR file ${path}: ${(error as Error).message}.`, {
          details:
            'Pass the path of a CAR written by `provenant content export <file.car>` (or `ipfs dag export`).',
        });
      }
      const store = new ContentStore(loadCliConfig(command.optsWithGlobals<GlobalOptions>()).stateDirPath);
      const { results, blocks } = await importCar(store, car, { describe: `the CAR file ${path}` });
      for (const r of results)
        console.log(
          r.status === 'failed'
            ? `${r.cid}  failed: ${r.error.shortMessage}`
            : `${r.cid}  ${r.bytes} bytes  ${r.status === 'imported' ? 'imported' : r.status === 'replaced' ? 'replaced a damaged copy (it no longer matched its CID)' : 'already there'}`,
        );
      const count = (status: string) => results.filter((r) => r.status === status).length;
      const failed = count('failed');
      const line = `${results.length} file(s) in ${path} (${blocks} blocks): ${count('imported')} imported, ${count('replaced')} replaced (damaged), ${count('present')} already there, ${failed} failed; store ${store.dir}.`;
      if (failed === 0) {
        console.log(line);
        return;
      }
      throw new NonRetryableError(line, {
        details:
          'The files imported are stored; each failed line names the CID and the block that is changed or missing (nothing of that file was stored). Get those files from another copy (another CAR, or an IPFS gateway with `provenant verify --ipfs-gateway <url>`).',
        docsPath: 'docs/provenance.md#content',
      });
    });
  content
    .command('push')
    .description(
      'Add every stored file to an IPFS node over its HTTP API (e.g. http://127.0.0.1:5001) and check it returns the same CID. Defaults come from the `ipfs` config section.',
    )
    .option('--api-url <url>', 'the IPFS node RPC API (default: ipfs.apiUrl from the config)')
    .option(
      '--authorization-env <name>',
      'environment variable whose value is sent as the Authorization header (default: ipfs.authorizationEnv); the value is never printed',
    )
    .option('--no-pin', 'do not pin')
    .action(async (flags: { apiUrl?: string; authorizationEnv?: string; pin: boolean }, command: Command) => {
      const { pushToIpfs } = await provenance();
      const { loadCliConfig } = await context();
      const config = loadCliConfig(command.optsWithGlobals<GlobalOptions>());
      const { redactUrl } = await import('../../config/index.js');
      if (flags.apiUrl !== undefined)
        (await context()).checkUrlFlag(
          '--api-url',
          flags.apiUrl,
          /^https?:$/,
          'an http(s) URL',
          'Pass the IPFS node RPC API, e.g. --api-url http://127.0.0.1:5001 (not a gateway URL), or set ipfs.apiUrl in the config file.',
        );
      const apiUrl = flags.apiUrl ?? config.ipfs?.apiUrl;
      if (!apiUrl)
        throw new NonRetryableError('No IPFS endpoint to push to.', {
          details:
            'Pass --api-url http://127.0.0.1:5001 (the node RPC API, not a gateway) or set ipfs.apiUrl in the config file.',
          docsPath: 'docs/config.md',
        });
      const envName = flags.authorizationEnv ?? config.ipfs?.authorizationEnv;
      const authorization = envName ? process.env[envName] : undefined;
      if (envName && !authorization)
        throw new NonRetryableError(`The environment variable ${envName} is not set.`, {
          details: `It should hold the Authorization header value for ${redactUrl(apiUrl)} (e.g. "Bearer <token>"). Set it, or drop --authorization-env / ipfs.authorizationEnv for a node without authentication.`,
          docsPath: 'docs/config.md',
        });
      // A flag `--no-pin` wins; otherwise the config's ipfs.pin (default true).
      const pin = flags.pin === false ? false : (config.ipfs?.pin ?? true);
      const { store, cids } = await storedCids(command);
      for (const [index, cid] of cids.entries()) {
        const pushed = await pushToIpfs(await store.get(cid), {
          apiUrl,
          pin,
          ...(authorization ? { authorization } : {}),
          ...(config.ipfs?.timeoutMs ? { timeoutMs: config.ipfs.timeoutMs } : {}),
        });
        process.stderr.write(`\r${index + 1}/${cids.length} ${pushed}`);
      }
      process.stderr.write('\n');
      console.log(`Pushed ${cids.length} file(s) to ${redactUrl(apiUrl)}.`);
    });
}

/**
 * The store of the command's state dir and the CIDs in it. A missing store is refused (a mistyped
 * --state-dir would otherwise list nothing, or export an empty CAR, and exit 0); a file whose name is
 * not a CID (copied in by hand) is named on stderr and left out.
 */
async function storedCids(command: Command) {
  const { ContentStore, parseCid } = await provenance();
  const { loadCliConfig } = await context();
  const store = new ContentStore(loadCliConfig(command.optsWithGlobals<GlobalOptions>()).stateDirPath);
  if (!existsSync(store.dir))
    throw new NonRetryableError(`No content store at ${store.dir}.`, {
      details:
        'Pass the --state-dir the agent or the demo ran with (or set stateDir in the config): its content/ folder holds the images, metadata, manifests and model files.',
    });
  const cids: string[] = [];
  for (const name of await store.list()) {
    let canonical: string | undefined;
    try {
      canonical = parseCid(name).toString();
    } catch {}
    if (canonical === name) cids.push(name);
    else
      process.stderr.write(
        `Skipped ${join(store.dir, name)}: its name is not a CID, so it is not content this store can verify.\n`,
      );
  }
  return { store, cids };
}

/**
 * `--ipfs-gateway <url>` (verify, verify --synth, art show): refused at once when it is not an http(s)
 * URL, shown redacted (it may carry credentials, or be a token pasted in the wrong place).
 */
export async function checkGatewayFlag(url: string | undefined): Promise<void> {
  if (url === undefined) return;
  (await context()).checkUrlFlag(
    '--ipfs-gateway',
    url,
    /^https?:$/,
    'an http(s) URL',
    'Pass the base URL of a trustless IPFS gateway (one that serves GET /ipfs/<cid>?format=raw), e.g. --ipfs-gateway https://trustless-gateway.link, or set ipfs.gatewayUrl in the config file.',
  );
}

/**
 * The content store `verify` and `art show` read: the local one under `stateDir`, reading through to a
 * trustless gateway (the `--ipfs-gateway` flag, else `ipfs.gatewayUrl`) for a file it does not hold;
 * what it fetches is verified block by block and stored. `reportFetched` says on stderr what was fetched.
 */
export async function readThroughContentStore(
  stateDir: string,
  ipfs: IpfsConfig | undefined,
  flag: string | undefined,
): Promise<{ store: ContentStore; reportFetched: () => void }> {
  const { ContentStore, gatewayBlockSource } = await provenance();
  const { ipfsGatewayUrl, redactUrl } = await import('../../config/index.js');
  const gatewayUrl = ipfsGatewayUrl(ipfs, flag);
  if (!gatewayUrl) return { store: new ContentStore(stateDir), reportFetched: () => {} };
  const shownAs = redactUrl(gatewayUrl);
  const store = new ContentStore(stateDir, {
    remote: gatewayBlockSource({
      gatewayUrl,
      shownAs,
      ...(ipfs?.timeoutMs ? { timeoutMs: ipfs.timeoutMs } : {}),
    }),
  });
  return {
    store,
    reportFetched: () => {
      if (store.fetched.length > 0)
        process.stderr.write(`fetched ${store.fetched.length} file(s) from ${shownAs} into ${store.dir}\n`);
    },
  };
}
