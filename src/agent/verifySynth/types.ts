// Why: the report, check and dependency shapes every step of `verify --synth` shares, in one place.
import type { Address, Hex, PublicClient } from 'viem';
import type { ChainPosition, ContentStore } from '../../provenance/index.js';
import type { CircuitLayout, VerificationKey } from '../../zk/index.js';

export type SynthCheckStatus = 'pass' | 'fail';
export type SynthCheck = {
  name: string;
  status: SynthCheckStatus;
  expected?: string | undefined;
  actual?: string | undefined;
  detail?: string | undefined;
  /**
   * The same expected/actual as a person reads them (amounts in whole sWTI), for the text output only;
   * `expected`/`actual` keep the base units machines rely on.
   */
  shown?: { expected?: string | undefined; actual?: string | undefined } | undefined;
};

export type SynthVerifyReport = {
  intentId: Hex;
  manifestCid: string;
  action?: string | undefined;
  date?: string | undefined;
  amount?: string | undefined;
  proofKind?: string | undefined;
  ok: boolean;
  checks: SynthCheck[];
};

/** A synth decision the agent executed: its intent id and the CID of its manifest (from the journal). */
export type SynthDecisionRef = { intentId: Hex; manifestCid: string; kind: string };

export type SynthVerifyDependencies = {
  client: PublicClient;
  vault: Address;
  registry: Address;
  content: ContentStore;
  loadModelFile: (id: Hex) => Promise<Uint8Array>;
  /** Where the vault-event scan starts: the suite's deployment block (default 0). */
  fromBlock?: bigint | undefined;
  /**
   * The agent account whose intents the vault recorded (intent ids are kept per caller). Default: the
   * sender named by the intent's Minted (`owner`) or Repaid (`by`) log.
   */
  agent?: Address | undefined;
  /** Verification key and layout of a circuit by hash; default: `zk/<name>/` (committed) or the zk cache. */
  loadCircuit?: (circuitHash: string) => { layout: CircuitLayout; vkey: VerificationKey } | undefined;
  /**
   * Where a feed round was published (`readRoundPublication`). `synthVerifyDependencies` memoizes it for
   * the run: consecutive decisions name overlapping windows, so the same rounds' logs would be scanned
   * again per decision. Default: an unmemoized scan.
   */
  roundPublication?: (feed: Hex, roundId: bigint) => Promise<ChainPosition | undefined>;
};
