// Why: re-running the generator must give back the stored image and the committed metadata that tokenURI names.

import { isRetryable } from '../../errors/index.js';
import type { ModelFile } from '../../models/index.js';
import { deriveOutputs } from '../asset.js';
import type { CommittedManifest } from './commitment.js';
import type { Hex, TokenRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { describeBytes, equalBytes, firstDifference, tryLoad } from './util.js';

/**
 * `image-bytes`, `image-cid`, `metadata-bytes`: the outputs re-derived with `model` from the committed
 * manifest against the stored image, the manifest's image CID and the committed metadata bytes (which
 * name the manifest by its CID); all three skipped without an authentic model file.
 */
export async function outputChecks(
  model: ModelFile | undefined,
  committed: CommittedManifest,
  deps: VerifyDependencies,
): Promise<VerifyCheck[]> {
  if (!model)
    return (['image-bytes', 'image-cid', 'metadata-bytes'] as const).map((name) => ({
      name,
      status: 'skip',
      detail: 'no authentic model file to re-run',
    }));
  const { manifest } = committed;
  const { image } = manifest.outputs;
  let out: Awaited<ReturnType<typeof deriveOutputs>>;
  try {
    out = await deriveOutputs(model, {
      seed: manifest.parameters.seed as Hex,
      version: manifest.asset.version,
      marketState: manifest.marketState,
      width: manifest.parameters.width,
      height: manifest.parameters.height,
      manifestCid: committed.manifestCid,
      imageCid: image.cid,
    });
  } catch (error) {
    if (isRetryable(error)) throw error;
    const detail = `re-deriving failed: ${(error as Error).message.split('\n')[0]}`;
    return (['image-bytes', 'image-cid', 'metadata-bytes'] as const).map((name) => ({
      name,
      status: 'fail',
      detail,
    }));
  }
  const imageBytes = await storedImageCheck(out.png, image.cid, image.size, deps);
  const imageCid = {
    name: 'image-cid',
    status: out.image.cid.toString() === image.cid ? 'pass' : 'fail',
    expected: out.image.cid.toString(),
    actual: image.cid,
  } satisfies VerifyCheck;
  const same = equalBytes(out.metadataBytes, committed.metadataBytes);
  const metadataBytes: VerifyCheck = {
    name: 'metadata-bytes',
    status: same ? 'pass' : 'fail',
    expected: describeBytes(out.metadataBytes),
    actual: describeBytes(committed.metadataBytes),
    ...(same
      ? {}
      : {
          detail: `the metadata rebuilt from the manifest differs from the committed one (${firstDifference(out.metadataBytes, committed.metadataBytes)})`,
        }),
  };
  return [imageBytes, imageCid, metadataBytes];
}

/** `image-bytes`: the re-rendered PNG is the one stored at `cid`, of the manifest's stated size. */
async function storedImageCheck(
  derived: Uint8Array,
  cid: string,
  statedSize: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  const name = 'image-bytes';
  const loaded = await tryLoad(() => deps.loadContent(cid));
  if ('error' in loaded)
    return {
      name,
      status: 'fail',
      expected: describeBytes(derived),
      detail: `stored image: ${loaded.error}`,
    };
  const same = equalBytes(derived, loaded.bytes);
  const sizeOk = statedSize === loaded.bytes.length;
  return {
    name,
    status: same && sizeOk ? 'pass' : 'fail',
    expected: describeBytes(derived),
    actual: `${describeBytes(loaded.bytes)}; manifest size ${statedSize}`,
    ...(!same
      ? {
          detail: `re-rendered image differs from the stored one (${firstDifference(derived, loaded.bytes)})`,
        }
      : sizeOk
        ? {}
        : {
            detail: `the manifest states an image of ${statedSize} bytes; the image has ${loaded.bytes.length}`,
          }),
  };
}

/**
 * `token-uri`, when the record carries the NFT's tokenURI: for the latest version it is `ipfs://` + the
 * committed metadata's CID; an older version passes (tokenURI names the latest). Undefined: no check.
 */
export function tokenUriCheck(
  record: TokenRecord,
  version: number,
  committed: CommittedManifest,
): VerifyCheck | undefined {
  if (record.tokenUri === undefined) return undefined;
  if (version !== record.versions.length - 1)
    return { name: 'token-uri', status: 'pass', detail: 'not the latest version; tokenURI names the latest' };
  const expected = `ipfs://${committed.metadataCid}`;
  return {
    name: 'token-uri',
    status: record.tokenUri === expected ? 'pass' : 'fail',
    expected,
    actual: record.tokenUri,
  };
}
