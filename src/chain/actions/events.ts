import { type Abi, type AbiEvent, type Address, parseEventLogs, type TransactionReceipt } from 'viem';
import { artifacts } from '../generated/contracts.js';

/** One decoded log: the event's name, its named arguments, and the emitting contract. */
export type DecodedEvent = { eventName: string; args: Record<string, unknown>; address: Address };

/**
 * The identity of an event ABI item: name, parameter types and which parameters are indexed, e.g.
 * `Transfer(address!,address!,uint256)` (ERC-20) vs `Transfer(address!,address!,uint256!)` (ERC-721).
 * Both share one topic0, so the indexed flags are what tells them apart; a key without them collapses
 * the two and decodes an NFT's `Transfer` without its `tokenId`.
 */
export function eventKey(item: AbiEvent): string {
  return `${item.name}(${item.inputs.map((i) => `${i.type}${i.indexed ? '!' : ''}`).join(',')})`;
}

/** The event items of `abi`, one per `eventKey`, the first occurrence kept. */
function uniqueEvents(abi: Abi): AbiEvent[] {
  const seen = new Map<string, AbiEvent>();
  for (const item of abi) {
    if (item.type !== 'event') continue;
    const key = eventKey(item);
    if (!seen.has(key)) seen.set(key, item);
  }
  return [...seen.values()];
}

/** Every event of every deployable project contract, de-duplicated by `eventKey`, so any receipt decodes. */
export const projectEventsAbi: Abi = uniqueEvents(
  (Object.values(artifacts) as { abi: Abi }[]).flatMap(({ abi }) => [...abi]),
);

/**
 * Decodes the logs of `receipt` that `abi` knows. Events are de-duplicated by their full signature
 * including indexed flags (`eventKey`, the first occurrence kept, so a caller's ABI listed first names
 * the arguments); where several items share a log's topic0 (ERC-20 and ERC-721 `Transfer`/`Approval`),
 * viem keeps the one that decodes the log's topics and data exactly. Logs no item knows are skipped.
 */
export function decodeEvents(abi: Abi, receipt: Pick<TransactionReceipt, 'logs'>): DecodedEvent[] {
  return parseEventLogs({ abi: uniqueEvents(abi), logs: receipt.logs, strict: false }).map((log) => ({
    eventName: log.eventName as string,
    args: (log.args ?? {}) as Record<string, unknown>,
    address: log.address,
  }));
}
