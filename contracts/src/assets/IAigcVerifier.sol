// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IAigcVerifier
/// @notice Hook for on-chain proofs of AI inference (proof kind `groth16`). `ProvenanceNFT.verify`
/// first checks that `aigcData` (the version's metadata JSON) is the recorded commitment of (`tokenId`,
/// `version`) and that it names the manifest whose sha2-256 digest is `manifestDigest`, then asks this
/// verifier whether `proof` shows that the model run that manifest describes is proven.
/// @dev MUST NOT modify state.
interface IAigcVerifier {
    /// @notice True when `proof` is a valid proof for the model run described by the manifest with
    /// sha2-256 digest `manifestDigest` (its raw CIDv1 digest), whose metadata is `aigcData`.
    function verifyAigc(
        uint256 tokenId,
        uint256 version,
        bytes32 manifestDigest,
        bytes calldata aigcData,
        bytes calldata proof
    ) external view returns (bool);
}
