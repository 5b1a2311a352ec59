// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IZkModelRegistry
/// @notice What `ForecastProofGate` reads from the model registry: whether a model is approved, and the
/// Poseidon commitment to its weights that zero-knowledge proofs of its inference must carry.
/// @dev `ModelRegistry` (markets) implements it next to `IModelRegistry`. The commitment is the field
/// element computed by `src/zk/commitment.ts` (`zkCommitmentHex`), stored as bytes32; zero means "none".
interface IZkModelRegistry {
    /// @notice True when `modelId` is registered and approved for agent use.
    function isApproved(bytes32 modelId) external view returns (bool);

    /// @notice The registered zk commitment of `modelId`'s weights, or zero when none is registered.
    function zkCommitmentOf(bytes32 modelId) external view returns (bytes32);
}
