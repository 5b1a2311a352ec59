// Why: the synth-decision manifest as the agent writes it, and the one way its bytes are read back.
import type { Hex } from 'viem';

export type SynthManifest = {
  format: string;
  kind: string;
  vault: string;
  date: string;
  action: 'mint' | 'repay';
  amount: string;
  model: { id: Hex };
  inputs: {
    feed: string;
    decimals: number;
    rounds: [string, string][];
    /** The block the agent read the rounds at (decisions journalled before it was recorded lack it). */
    readBlock?: string;
  };
  features: string[];
  forecast: { mean: string; vol: string };
  position: { debt: string; target: string };
  proof:
    | {
        kind: 'groth16';
        circuit: string;
        roundIds: string[];
        lastRoundId: string;
        publicSignals: string[];
        maxDebt: string;
        /** Present when the gate already held the statement (front-run): sent as `mintWithProof`. */
        sentAs?: 'mintWithProof';
        proofId?: Hex;
      }
    | { kind: 'replay' };
};

/** The zk part of a manifest (`proof.kind === 'groth16'`). */
export type SynthGroth16Proof = Extract<SynthManifest['proof'], { kind: 'groth16' }>;

/** The manifest's JSON; throws (a SyntaxError) on bytes that are not JSON. No shape check here. */
export function parseSynthManifest(bytes: Uint8Array): SynthManifest {
  return JSON.parse(new TextDecoder().decode(bytes)) as SynthManifest;
}
