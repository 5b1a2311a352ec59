import {
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  encodeFunctionData,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import type { ProvenantClients } from '../clients.js';
import { TransactionRevertedError } from '../errors.js';
import { withGasMargin } from '../gasMargin.js';
import { toContractRevertError } from '../revert.js';
import { toInsufficientBalanceError } from '../tx/funds.js';
import { type DecodedEvent, decodeEvents, projectEventsAbi } from './events.js';

export { type DecodedEvent, decodeEvents };

export type WriteParameters<
  abi extends Abi,
  name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
> = {
  address: Address;
  abi: abi;
  functionName: name;
  args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', name>;
  value?: bigint;
  /** Human label for errors and logs, e.g. 'mint sWTI'. */
  label?: string;
};

export type WriteReturnType = {
  hash: Hex;
  receipt: TransactionReceipt;
  /** Every event the transaction emitted that the project's ABIs know, decoded. */
  events: DecodedEvent[];
  gasUsed: bigint;
};

/**
 * Simulates a contract write (so a refusal is decoded into a ContractRevertError with its values
 * before anything is sent), sends it, waits for the receipt, refuses to report a reverted receipt as
 * success, and returns the decoded events.
 */
export async function writeContract<
  abi extends Abi,
  name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
>(
  clients: ProvenantClients,
  parameters: WriteParameters<abi, name>,
  eventAbis: readonly Abi[] = [],
): Promise<WriteReturnType> {
  const data = encodeFunctionData({
    abi: parameters.abi as Abi,
    functionName: parameters.functionName as string,
    args: parameters.args as unknown[],
  });
  const call = {
    to: parameters.address,
    data,
    value: parameters.value,
    label: parameters.label ?? String(parameters.functionName),
  };
  return sendPrepared(clients, call, [parameters.abi as Abi, ...eventAbis]);
}

/**
 * Sends a prepared call: simulate first (a refusal becomes a ContractRevertError with its values and
 * nothing is sent), send, wait for the receipt, never report a reverted receipt as success, decode events.
 */
export async function sendPrepared(
  clients: ProvenantClients,
  call: { to: Address; data: Hex; value?: bigint | undefined; label: string },
  eventAbis: readonly Abi[] = [],
): Promise<WriteReturnType> {
  const { publicClient, walletClient, account } = clients;
  // A revert is named by its custom error; an account that cannot pay gas × fee + value becomes an
  // InsufficientBalanceError naming the address, its balance and the cost (never viem's "probably a bug").
  let gas: bigint | undefined;
  const explain = async (error: unknown): Promise<unknown> =>
    toContractRevertError(error) ??
    (await toInsufficientBalanceError(clients, error, {
      label: call.label,
      account: account.address,
      to: call.to,
      data: call.data,
      gas,
      value: call.value,
    })) ??
    error;
  try {
    await publicClient.call({ account, to: call.to, data: call.data, value: call.value });
  } catch (error) {
    throw await explain(error);
  }
  let hash: Hex;
  try {
    const estimate = await publicClient.estimateGas({
      account,
      to: call.to,
      data: call.data,
      value: call.value,
    });
    gas = withGasMargin(estimate);
    hash = await walletClient.sendTransaction({
      account,
      chain: walletClient.chain,
      to: call.to,
      data: call.data,
      value: call.value,
      gas,
    });
  } catch (error) {
    throw await explain(error);
  }
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') {
    // Re-run the call on the parent block's state with the mined block's number and time, to name the
    // revert (the receipt carries no reason; a time-dependent revert needs the block's time).
    const transaction = await publicClient.getTransaction({ hash });
    const mined = await publicClient.getBlock({ blockNumber: receipt.blockNumber }).catch(() => undefined);
    const revert = await publicClient
      .call({
        account,
        to: call.to,
        data: call.data,
        value: call.value,
        gas: transaction.gas,
        blockNumber: receipt.blockNumber - 1n,
        ...(mined ? { blockOverrides: { number: mined.number, time: mined.timestamp } } : {}),
      })
      .then(() => undefined)
      .catch((error: unknown) => toContractRevertError(error) ?? error);
    throw new TransactionRevertedError(hash, call.label, revert);
  }
  const events = decodeEvents([...eventAbis.flat(), ...(projectEventsAbi as Abi)] as Abi, receipt);
  return { hash, receipt, events, gasUsed: receipt.gasUsed };
}
