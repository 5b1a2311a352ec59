import {
  type Abi,
  type Address,
  type ContractFunctionArgs,
  type ContractFunctionName,
  encodeFunctionData,
  type Hex,
} from 'viem';

/** A prepared call: what the agent preflights, sends through the transaction manager, and journals. */
export type PreparedCall = { to: Address; data: Hex; value?: bigint; label: string };

/** Encodes a typed call without sending it. */
export function prepareCall<
  abi extends Abi,
  name extends ContractFunctionName<abi, 'nonpayable' | 'payable'>,
>(parameters: {
  address: Address;
  abi: abi;
  functionName: name;
  args: ContractFunctionArgs<abi, 'nonpayable' | 'payable', name>;
  label: string;
}): PreparedCall {
  const data = encodeFunctionData({
    abi: parameters.abi as Abi,
    functionName: parameters.functionName as string,
    args: parameters.args as unknown[],
  });
  return { to: parameters.address, data, label: parameters.label };
}
