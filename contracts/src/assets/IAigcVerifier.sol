// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IAigcVerifier
/// @notice Hook for on-chain proofs of AI inference (proof kind `groth16`). `ProvenanceNFT.verify`
/// first checks that the prompt matches the stored manifest commitment of (`tokenId`, `version`), then
/// asks this verifier whether `proof` shows that `aigcData` is the model's output for that manifest.
/// @dev Implemented later by the zk issue (a wrapper around a snarkjs-generated Groth16 verifier that
/// maps (commitment, aigcData) to the circuit's public signals). MUST NOT modify state.
interface IAigcVerifier {
    /// @notice True when `proof` is a valid proof that `aigcData` is the output of the model run that
    /// `manifestCommitment` (keccak256 of the canonical manifest bytes) describes.
    function verifyAigc(
        uint256 tokenId,
        uint256 version,
        bytes32 manifestCommitment,
        bytes calldata aigcData,
        bytes calldata proof
    ) external view returns (bool);
}
