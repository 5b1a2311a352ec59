// Why: a manifest made for another chain, NFT, guard or agent must not pass as this token's.
import type { Manifest } from '../manifest.js';
import { logName } from './position.js';
import type { TokenVersionRecord, VerifyCheck, VerifyDependencies } from './types.js';
import { sameAddress, tryRead } from './util.js';

/**
 * `manifest-context`: the manifest was made for the chain being verified. Its `chainId` is the chain's
 * id, `asset.contract` the NFT the token lives on, `policy.guard` that NFT's `guard()`, and `agent` the
 * account that sent the version's Minted/Evolved transaction. Skipped (so not `ok`) when the chain
 * context or the sender is unknown.
 */
export async function manifestContextCheck(
  manifest: Manifest,
  onChain: TokenVersionRecord,
  version: number,
  deps: VerifyDependencies,
): Promise<VerifyCheck> {
  const name = 'manifest-context';
  const stated = `chain ${manifest.chainId}, NFT ${manifest.asset.contract ?? 'none'}, guard ${manifest.policy.guard ?? 'none'}, agent ${manifest.agent}`;
  if (!deps.chainContext)
    return { name, status: 'skip', actual: stated, detail: 'no chain context wired; pass chainContext' };
  const read = await tryRead(() => deps.chainContext!());
  if ('error' in read)
    return {
      name,
      status: 'fail',
      actual: stated,
      detail: `reading the chain context failed: ${read.error}`,
    };
  const ctx = read.value;
  const sender = onChain.sender;
  const expected = `chain ${ctx.chainId}, NFT ${ctx.nft.toLowerCase()}, guard ${ctx.guard.toLowerCase()}, agent ${sender?.toLowerCase() ?? `unknown (sender of the ${logName(version)} tx)`}`;
  const problems: string[] = [];
  if (manifest.chainId !== ctx.chainId)
    problems.push(`chainId ${manifest.chainId} is not this chain (${ctx.chainId})`);
  if (!sameAddress(manifest.asset.contract, ctx.nft))
    problems.push('asset.contract is not the NFT being verified');
  if (!sameAddress(manifest.policy.guard, ctx.guard)) problems.push("policy.guard is not the NFT's guard");
  if (sender !== undefined && !sameAddress(manifest.agent, sender))
    problems.push(`agent is not the sender of the ${logName(version)} transaction`);
  if (problems.length) return { name, status: 'fail', expected, actual: stated, detail: problems.join('; ') };
  if (sender === undefined)
    return {
      name,
      status: 'skip',
      expected,
      actual: stated,
      detail: `the sender of the ${logName(version)} transaction is unknown, so the agent is not checked`,
    };
  return { name, status: 'pass', expected, actual: stated };
}
