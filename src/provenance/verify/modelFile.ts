// Why: a version is re-rendered only with an authentic generator file, the one its log recorded.
import { keccak256 } from 'viem';
import {
  GENERATOR_ALGORITHM,
  type ModelFile,
  parseModelFile,
  validateGeneratorModel,
} from '../../models/index.js';
import type { Manifest } from '../manifest.js';
import { logName } from './position.js';
import type { Hex, TokenVersionRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { tryLoad } from './util.js';

/**
 * `model-id`: the model file hashes to the manifest's model id, is a valid generator, and its name,
 * version and algorithm are the manifest's. `model` is the file when it is authentic (hash and
 * validation), whatever its description: the re-derivation runs on it.
 */
export async function modelIdCheck(
  manifest: Manifest,
  deps: VerifyDependencies,
): Promise<{ check: VerifyCheck; model: ModelFile | undefined }> {
  const modelIdClaimed = manifest.model.id as Hex;
  let model: ModelFile | undefined;
  const loadedModel = await tryLoad(() => deps.loadModelFile(modelIdClaimed));
  if ('error' in loadedModel) {
    return {
      check: {
        name: 'model-id',
        status: 'fail',
        expected: modelIdClaimed,
        detail: `model file: ${loadedModel.error}`,
      },
      model,
    };
  }
  const actualId = keccak256(loadedModel.bytes);
  let problem: string | undefined;
  if (actualId === modelIdClaimed) {
    try {
      model = parseModelFile(loadedModel.bytes, modelIdClaimed);
      validateGeneratorModel(model);
    } catch (error) {
      model = undefined;
      problem = (error as Error).message.split('\n')[0];
    }
  }
  // The descriptive fields must describe the file: name, version and algorithm as renderAsset records them.
  const described = (m: { name: string; version: string; algorithm: string }) =>
    `${m.name} ${m.version} (${m.algorithm})`;
  const fileDescription = model
    ? {
        name: model.name,
        version: model.version,
        algorithm: String(model.metadata.algorithm ?? GENERATOR_ALGORITHM),
      }
    : undefined;
  const descriptionOk =
    fileDescription === undefined ||
    (fileDescription.name === manifest.model.name &&
      fileDescription.version === manifest.model.version &&
      fileDescription.algorithm === manifest.model.algorithm);
  return {
    check: {
      name: 'model-id',
      status: actualId === modelIdClaimed && model && descriptionOk ? 'pass' : 'fail',
      expected: `${modelIdClaimed}${fileDescription ? `, ${described(fileDescription)}` : ''}`,
      actual: `${actualId}, ${described(manifest.model)}`,
      ...(actualId !== modelIdClaimed
        ? { detail: 'the model file does not hash to the model id in the manifest' }
        : problem
          ? { detail: problem }
          : descriptionOk
            ? {}
            : { detail: "the manifest's model name, version or algorithm is not the model file's" }),
    },
    model,
  };
}

/**
 * `model-logged`: the model the Minted/Evolved log recorded (what the guard let through) is the manifest's.
 * Undefined (no check reported) when the record does not carry the logged model.
 */
export function modelLoggedCheck(
  manifest: Manifest,
  onChain: TokenVersionRecord,
  version: number,
): VerifyCheck | undefined {
  if (onChain.modelId === undefined) return undefined;
  const modelIdClaimed = manifest.model.id as Hex;
  const same = onChain.modelId.toLowerCase() === modelIdClaimed.toLowerCase();
  return {
    name: 'model-logged',
    status: same ? 'pass' : 'fail',
    expected: modelIdClaimed,
    actual: onChain.modelId,
    ...(same ? {} : { detail: `the ${logName(version)} log names another model than the manifest` }),
  };
}
