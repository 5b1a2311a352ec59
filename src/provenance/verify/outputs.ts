// Why: re-running the generator must give back the stored image and metadata that tokenURI names.
import type { ModelFile } from '../../models/index.js';
import { deriveOutputs } from '../asset.js';
import type { Manifest } from '../manifest.js';
import type { Hex, TokenRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { describeBytes, equalBytes, firstDifference, tryLoad } from './util.js';

/**
 * `image-bytes`, `image-cid`, `metadata-bytes`, `metadata-cid`: the outputs re-derived with `model`
 * against the stored ones and the manifest's CIDs; all four skipped without an authentic model file.
 */
export async function outputChecks(
  model: ModelFile | undefined,
  manifest: Manifest,
  deps: VerifyDependencies,
): Promise<VerifyCheck[]> {
  if (!model)
    return (['image-bytes', 'image-cid', 'metadata-bytes', 'metadata-cid'] as const).map((name) => ({
      name,
      status: 'skip',
      detail: 'no authentic model file to re-run',
    }));
  const { image, metadata } = manifest.outputs;
  const out = await deriveOutputs(model, {
    seed: manifest.parameters.seed as Hex,
    version: manifest.asset.version,
    marketState: manifest.marketState,
    width: manifest.parameters.width,
    height: manifest.parameters.height,
    imageCid: image.cid,
  });
  const imageBytes = await storedBytesCheck('image-bytes', out.png, image.cid, deps, image.size);
  const imageCid = cidCheck('image-cid', out.image.cid.toString(), image.cid);
  const metadataBytes = await storedBytesCheck('metadata-bytes', out.metadataBytes, metadata.cid, deps);
  const metadataCid = cidCheck('metadata-cid', out.metadataAddress.cid.toString(), metadata.cid);
  return [imageBytes, imageCid, metadataBytes, metadataCid];
}

/**
 * `image-bytes` / `metadata-bytes`: the re-derived bytes are the ones stored at `cid`; for the image, the
 * manifest's stated size (`statedSize`) is also the stored image's.
 */
async function storedBytesCheck(
  name: 'image-bytes' | 'metadata-bytes',
  derived: Uint8Array,
  cid: string,
  deps: VerifyDependencies,
  statedSize?: number,
): Promise<VerifyCheck> {
  const [stored, remade] =
    name === 'image-bytes' ? ['stored image', 're-rendered image'] : ['stored metadata', 'rebuilt metadata'];
  const loaded = await tryLoad(() => deps.loadContent(cid));
  if ('error' in loaded)
    return { name, status: 'fail', expected: describeBytes(derived), detail: `${stored}: ${loaded.error}` };
  const same = equalBytes(derived, loaded.bytes);
  const sizeOk = statedSize === undefined || statedSize === loaded.bytes.length;
  return {
    name,
    status: same && sizeOk ? 'pass' : 'fail',
    expected: describeBytes(derived),
    actual:
      statedSize === undefined
        ? describeBytes(loaded.bytes)
        : `${describeBytes(loaded.bytes)}; manifest size ${statedSize}`,
    ...(!same
      ? { detail: `${remade} differs from the stored one (${firstDifference(derived, loaded.bytes)})` }
      : sizeOk
        ? {}
        : {
            detail: `the manifest states an image of ${statedSize} bytes; the image has ${loaded.bytes.length}`,
          }),
  };
}

/** `image-cid` / `metadata-cid`: the CID of the re-derived output is the one the manifest names. */
function cidCheck(name: 'image-cid' | 'metadata-cid', derived: string, stated: string): VerifyCheck {
  return { name, status: derived === stated ? 'pass' : 'fail', expected: derived, actual: stated };
}

/**
 * `token-uri`, when the record carries the NFT's tokenURI: for the latest version it is the manifest's
 * metadata CID; an older version passes (tokenURI names the latest). Undefined: no check reported.
 */
export function tokenUriCheck(
  record: TokenRecord,
  version: number,
  manifest: Manifest,
): VerifyCheck | undefined {
  if (record.tokenUri === undefined) return undefined;
  if (version !== record.versions.length - 1)
    return { name: 'token-uri', status: 'pass', detail: 'not the latest version; tokenURI names the latest' };
  const expected = `ipfs://${manifest.outputs.metadata.cid}`;
  return {
    name: 'token-uri',
    status: record.tokenUri === expected ? 'pass' : 'fail',
    expected,
    actual: record.tokenUri,
  };
}
