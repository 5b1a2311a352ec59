// Why: the proof points are not in the manifest (they are randomised), so the zk checks read them, and the
// statement as sent, back from the mint transaction's calldata.
import { decodeFunctionData, type Hex, type PublicClient, parseEventLogs } from 'viem';
import { syntheticVaultAbi } from '../../chain/index.js';
import type { Groth16Proof } from '../../zk/index.js';

/** A statement and its proof points as the contracts take them (Solidity argument order). */
export type ProofCalldata = {
  lastRoundId: bigint;
  a: readonly [bigint, bigint];
  b: readonly [readonly [bigint, bigint], readonly [bigint, bigint]];
  c: readonly [bigint, bigint];
  publicSignals: readonly bigint[];
};

/** Undoes the Solidity argument order (pi_b coordinates swapped), see zk/prover.ts `toCalldata`. */
export function groth16Of(p: ProofCalldata): Groth16Proof {
  const s = (v: bigint) => v.toString();
  return {
    pi_a: [s(p.a[0]), s(p.a[1]), '1'],
    pi_b: [
      [s(p.b[0][1]), s(p.b[0][0])],
      [s(p.b[1][1]), s(p.b[1][0])],
      ['1', '0'],
    ],
    pi_c: [s(p.c[0]), s(p.c[1]), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

type MintedWithProof = { proofId: Hex; amount: bigint; maxDebt: bigint } | undefined;

/** What a zk mint transaction sent: `proveAndMint` (statement + points) or `mintWithProof` (a proof id). */
export type MintCall =
  | {
      via: 'proveAndMint';
      lastRoundId: bigint;
      publicSignals: bigint[];
      proof: Groth16Proof;
      mintedWithProof: MintedWithProof;
    }
  | {
      via: 'mintWithProof';
      amount: bigint;
      modelId: Hex;
      intentId: Hex;
      proofId: Hex;
      /** The position's mint nonce the call named. */
      nonce: bigint;
      mintedWithProof: MintedWithProof;
    };

/** The zk mint transaction's call (`proveAndMint` or `mintWithProof`) and its MintedWithProof log. */
export async function mintCallArgs(client: PublicClient, hash: Hex): Promise<MintCall | undefined> {
  const [tx, receipt] = await Promise.all([
    client.getTransaction({ hash }),
    client.getTransactionReceipt({ hash }),
  ]);
  let decoded: ReturnType<typeof decodeFunctionData<typeof syntheticVaultAbi>>;
  try {
    decoded = decodeFunctionData({ abi: syntheticVaultAbi, data: tx.input });
  } catch {
    return undefined;
  }
  const events = parseEventLogs({
    abi: syntheticVaultAbi,
    eventName: 'MintedWithProof',
    logs: receipt.logs,
  });
  const e = events[0]?.args as { proofId: Hex; amount: bigint; maxDebt: bigint } | undefined;
  const mintedWithProof = e ? { proofId: e.proofId, amount: e.amount, maxDebt: e.maxDebt } : undefined;
  if (decoded.functionName === 'mintWithProof') {
    const [amount, modelId, intentId, proofId, nonce] = decoded.args;
    return { via: 'mintWithProof', amount, modelId, intentId, proofId, nonce, mintedWithProof };
  }
  if (decoded.functionName !== 'proveAndMint') return undefined;
  const p = (decoded.args as readonly unknown[])[3] as ProofCalldata;
  return {
    via: 'proveAndMint',
    lastRoundId: p.lastRoundId,
    publicSignals: [...p.publicSignals],
    proof: groth16Of(p),
    mintedWithProof,
  };
}

/**
 * The mint nonce a nonce-checked mint transaction named (`mint`, `mintWithProof`, `depositAndMint`: its
 * last argument), or undefined for any other call (`proveAndMint` names none) or calldata that does not
 * decode against the vault.
 */
export async function sentMintNonce(client: PublicClient, hash: Hex): Promise<bigint | undefined> {
  const tx = await client.getTransaction({ hash });
  try {
    const decoded = decodeFunctionData({ abi: syntheticVaultAbi, data: tx.input });
    if (decoded.functionName === 'mint') return decoded.args[3];
    if (decoded.functionName === 'mintWithProof' || decoded.functionName === 'depositAndMint')
      return decoded.args[4];
  } catch {}
  return undefined;
}
