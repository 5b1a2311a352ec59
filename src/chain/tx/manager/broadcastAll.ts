// Why: a batch of freshly signed records reaches the node in nonce order, in as few round trips as the endpoint allows.
import { RpcTransientError, TransactionRejectedError } from '../errors.js';
import type { TxRecord } from '../types.js';
import type { ManagerContext } from './context.js';
import { KNOWN, NONCE_LOW } from './nodeMessages.js';
import { allHttp, type BatchAnswer, postBatch } from './postBatch.js';
import { type BroadcastOutcome, sendRaw } from './sendRaw.js';

export type BroadcastResult = BroadcastOutcome | TransactionRejectedError | Error;

/**
 * Broadcasts signed records in nonce order. Several go out as JSON-RPC batches over HTTP (one
 * round trip per 100, the endpoints tried in order); a single one, or a non-HTTP endpoint, goes
 * through the viem transport. After a transport failure nothing later is sent.
 */
export async function broadcastAll(
  ctx: ManagerContext,
  records: readonly TxRecord[],
): Promise<BroadcastResult[]> {
  const httpOnly = allHttp(ctx.clients.rpcUrls);
  if (records.length < 2 || !httpOnly || ctx.flags.batchUnsupported) return broadcastOneByOne(ctx, records);
  const results: BroadcastResult[] = [];
  for (let start = 0; start < records.length; start += 100) {
    const chunk = records.slice(start, start + 100);
    let answers: BatchAnswer[] | undefined;
    try {
      answers = await ctx.rpc('eth_sendRawTransaction (batch)', () =>
        postBatch(
          'eth_sendRawTransaction (batch)',
          ctx.clients.rpcUrls,
          chunk.map((record, id) => ({
            jsonrpc: '2.0',
            id,
            method: 'eth_sendRawTransaction',
            params: [record.attempts[0]?.raw],
          })),
        ),
      );
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      while (results.length < records.length) results.push(failure);
      return results;
    }
    if (!answers) {
      ctx.flags.batchUnsupported = true;
      return [...results, ...(await broadcastAll(ctx, records.slice(start)))];
    }
    for (const [id, record] of chunk.entries()) results.push(batchResult(record, answers, id));
    if (results.includes('accepted')) ctx.crash('after-broadcast');
  }
  return results;
}

/** Through the viem transport, one at a time; after a transport failure the rest get that failure. */
async function broadcastOneByOne(
  ctx: ManagerContext,
  records: readonly TxRecord[],
): Promise<BroadcastResult[]> {
  const results: BroadcastResult[] = [];
  for (const record of records) {
    const failed = results.find((r) => r instanceof Error && !(r instanceof TransactionRejectedError));
    if (failed) {
      results.push(failed);
      continue;
    }
    try {
      results.push(await sendRaw(ctx, record, 0));
    } catch (error) {
      results.push(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return results;
}

/** What the node said about entry `id` of a batch. */
function batchResult(record: TxRecord, answers: BatchAnswer[], id: number): BroadcastResult {
  const answer = answers.find((a) => a.id === id);
  if (!answer) return new RpcTransientError('eth_sendRawTransaction (batch): no answer for an entry');
  if (!answer.error) return 'accepted';
  const text = `${answer.error.message ?? ''} ${typeof answer.error.data === 'string' ? answer.error.data : ''}`;
  if (KNOWN.test(text)) return 'accepted';
  if (NONCE_LOW.test(text)) return 'nonce-consumed';
  return new TransactionRejectedError(record.key, record.label, text.trim());
}
