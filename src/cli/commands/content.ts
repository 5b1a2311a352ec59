import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addBytes, ContentStore, exportFilesCar, pushToIpfs } from '../../provenance/index.js';
import { type GlobalOptions, loadCliConfig } from '../context.js';

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
    .description('Every CID in the local content store.')
    .action(async (_flags: unknown, command: Command) => {
      const store = new ContentStore(loadCliConfig(command.optsWithGlobals<GlobalOptions>()).stateDirPath);
      for (const cid of await store.list()) console.log(cid);
    });
  content
    .command('export <file>')
    .description(
      'Write every stored file, verified, into one CAR file (CARv1) for upload to a pinning service.',
    )
    .action(async (file: string, _flags: unknown, command: Command) => {
      const store = new ContentStore(loadCliConfig(command.optsWithGlobals<GlobalOptions>()).stateDirPath);
      const cids = await store.list();
      const files = await Promise.all(cids.map(async (cid) => addBytes(await store.get(cid))));
      const car = await exportFilesCar(files);
      writeFileSync(resolve(file), car);
      console.log(`Wrote ${files.length} file(s), ${car.length} bytes, to ${resolve(file)}.`);
    });
  content
    .command('push')
    .description(
      'Add every stored file to an IPFS node over its HTTP API (e.g. http://127.0.0.1:5001) and check it returns the same CID.',
    )
    .requiredOption('--api-url <url>', 'the IPFS node HTTP API')
    .option('--no-pin', 'do not pin')
    .action(async (flags: { apiUrl: string; pin: boolean }, command: Command) => {
      const store = new ContentStore(loadCliConfig(command.optsWithGlobals<GlobalOptions>()).stateDirPath);
      const cids = await store.list();
      for (const [index, cid] of cids.entries()) {
        const pushed = await pushToIpfs(await store.get(cid), { apiUrl: flags.apiUrl, pin: flags.pin });
        process.stderr.write(`\r${index + 1}/${cids.length} ${pushed}`);
      }
      process.stderr.write('\n');
      console.log(`Pushed ${cids.length} file(s) to ${flags.apiUrl}.`);
    });
}
