import { type Abi, type Address, encodeDeployData, getAddress, type Hex, keccak256 } from 'viem';
import type { ProvenantClients } from './clients.js';
import { TransactionRevertedError } from './errors.js';
import { artifacts, type ContractName } from './generated/contracts.js';
import { type DeployedContract, type DeploymentManifest, readManifest, writeManifest } from './manifest.js';

/** One contract in a deployment plan. `args` may read addresses deployed by earlier steps. */
export type DeployStep = {
  /** Key in the manifest (unique), e.g. 'SyntheticVault.sWTI'. */
  name: string;
  contract: ContractName;
  args: (deployed: Record<string, Address>) => readonly unknown[];
};

export type DeployPlanResult = {
  manifest: DeploymentManifest;
  manifestPath: string;
  /** What happened per step: deployed anew, reused, or redeployed because the recorded code was gone/changed. */
  outcomes: {
    name: string;
    address: Address;
    outcome: 'deployed' | 'reused' | 'redeployed';
    reason?: string;
  }[];
};

/**
 * Deploys `steps` in order, idempotently. A step is reused when the manifest has it, the same init
 * code (bytecode + arguments) and the same runtime code hash is still at its address; otherwise it is
 * deployed and the manifest is written after every step, so an interrupted deploy resumes.
 */
export async function deployPlan(
  clients: ProvenantClients,
  stateDir: string,
  steps: readonly DeployStep[],
  onStep?: (outcome: DeployPlanResult['outcomes'][number]) => void,
): Promise<DeployPlanResult> {
  const { publicClient, walletClient } = clients;
  const chainId = clients.chain.id;
  const manifest = readManifest(stateDir, chainId);
  const deployed: Record<string, Address> = {};
  const outcomes: DeployPlanResult['outcomes'] = [];
  let path = '';
  for (const step of steps) {
    const artifact = artifacts[step.contract] as { abi: Abi; bytecode: Hex };
    const args = step.args(deployed);
    const data = encodeDeployData({
      abi: artifact.abi,
      bytecode: artifact.bytecode,
      args: args as unknown[],
    });
    const initHash = keccak256(data);
    const recorded = manifest.contracts[step.name];
    let reason: string | undefined;
    if (recorded) {
      const code = await publicClient.getCode({ address: recorded.address });
      if (!code || code === '0x') reason = `no code at recorded address ${recorded.address}`;
      else if (keccak256(code) !== recorded.codeHash)
        reason = `code at ${recorded.address} differs from what was deployed`;
      else if (recorded.initHash !== initHash) reason = 'the contract or its constructor arguments changed';
      if (!reason) {
        deployed[step.name] = recorded.address;
        const outcome = { name: step.name, address: recorded.address, outcome: 'reused' as const };
        outcomes.push(outcome);
        onStep?.(outcome);
        continue;
      }
    }
    const hash = await walletClient.sendTransaction({
      data,
      account: walletClient.account,
      chain: walletClient.chain,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress)
      throw new TransactionRevertedError(hash, `deploy ${step.name}`);
    const code = await publicClient.getCode({ address: receipt.contractAddress });
    const entry: DeployedContract = {
      contract: step.contract,
      address: getAddress(receipt.contractAddress),
      codeHash: keccak256(code ?? '0x'),
      initHash,
      transactionHash: hash,
      blockNumber: receipt.blockNumber.toString(),
    };
    manifest.contracts[step.name] = entry;
    path = writeManifest(stateDir, manifest);
    deployed[step.name] = entry.address;
    const outcome = {
      name: step.name,
      address: entry.address,
      outcome: recorded ? ('redeployed' as const) : ('deployed' as const),
      ...(reason ? { reason } : {}),
    };
    outcomes.push(outcome);
    onStep?.(outcome);
  }
  path = writeManifest(stateDir, manifest);
  return { manifest, manifestPath: path, outcomes };
}
