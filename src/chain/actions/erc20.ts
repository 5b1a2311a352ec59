import { type Address, erc20Abi, maxUint256 } from 'viem';
import type { ProvenantClients } from '../clients.js';
import { testStablecoinAbi } from '../generated/contracts.js';
import { type WriteReturnType, writeContract } from './write.js';

/** Approves `spender` for `amount` (default: unlimited) unless the allowance already covers it. */
export async function ensureAllowance(
  clients: ProvenantClients,
  token: Address,
  spender: Address,
  amount: bigint = maxUint256,
): Promise<WriteReturnType | undefined> {
  const current = await clients.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'allowance',
    args: [clients.account.address, spender],
  });
  if (current >= amount) return undefined;
  return writeContract(clients, {
    address: token,
    abi: erc20Abi,
    functionName: 'approve',
    args: [spender, amount],
    label: 'approve',
  });
}

export async function balanceOf(clients: ProvenantClients, token: Address, owner: Address): Promise<bigint> {
  return clients.publicClient.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
  });
}

/** Devnet only: mints test stablecoin from the open faucet of TestStablecoin. */
export async function faucet(
  clients: ProvenantClients,
  token: Address,
  to: Address,
  amount: bigint,
): Promise<WriteReturnType> {
  return writeContract(clients, {
    address: token,
    abi: testStablecoinAbi,
    functionName: 'mint',
    args: [to, amount],
    label: 'faucet',
  });
}
