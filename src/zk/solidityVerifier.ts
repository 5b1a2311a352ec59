import { readFileSync } from 'node:fs';
import { ZkToolError } from './errors.js';
import { snarkjs, snarkjsFile } from './snarkjs.js';

/** The only edit made to snarkjs' output: its open pragma becomes the project's pinned compiler. */
export const SNARKJS_PRAGMA = 'pragma solidity >=0.7.0 <0.9.0;';
export const PROJECT_PRAGMA = 'pragma solidity 0.8.37;';

/**
 * Exports the Groth16 verifier for `zkey` with snarkjs (`zkey export solidityverifier`, via the API)
 * and adds a GENERATED header. The single substitution — the pragma — is documented in the header.
 */
export async function exportSolidityVerifier(
  zkey: string,
  provenance: { circuitHash: string; zkeySha256: string; contractName?: string },
): Promise<string> {
  const template = readFileSync(snarkjsFile('templates/verifier_groth16.sol.ejs'), 'utf8');
  const raw = await snarkjs.zKey.exportSolidityVerifier(zkey, { groth16: template });
  if (!raw.includes(SNARKJS_PRAGMA))
    throw new ZkToolError(
      'export verifier',
      `snarkjs output has no '${SNARKJS_PRAGMA}' line; the template changed`,
    );
  const header = [
    '// GENERATED FILE — DO NOT EDIT.',
    '// Produced by src/zk/generateArtifacts.ts with snarkjs 0.7.6 `zkey export solidityverifier` (API).',
    `// Circuit sha256 ${provenance.circuitHash}; zkey sha256 ${provenance.zkeySha256}.`,
    `// The one change to snarkjs' output: '${SNARKJS_PRAGMA}' was replaced by '${PROJECT_PRAGMA}'.`,
  ];
  const name = provenance.contractName ?? 'Groth16Verifier';
  if (name !== 'Groth16Verifier') {
    header.push(
      `// Second change: the contract is named '${name}' (snarkjs: 'Groth16Verifier') so several verifiers compile together.`,
    );
  }
  const lines = raw
    .replace(SNARKJS_PRAGMA, PROJECT_PRAGMA)
    .replace('contract Groth16Verifier {', `contract ${name} {`)
    .split('\n');
  const spdx = lines.findIndex((l) => l.includes('SPDX-License-Identifier'));
  // Keep the SPDX line first (the compiler expects it near the top), then the header.
  if (spdx >= 0) {
    const [spdxLine] = lines.splice(spdx, 1);
    return `${spdxLine}\n${header.join('\n')}\n${lines.join('\n')}`;
  }
  return `${header.join('\n')}\n${lines.join('\n')}`;
}
