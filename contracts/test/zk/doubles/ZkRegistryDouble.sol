// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IZkModelRegistry} from "../../../src/zk/IZkModelRegistry.sol";

/// @notice Test double for the model registry's zk view.
contract ZkRegistryDouble is IZkModelRegistry {
    mapping(bytes32 modelId => bool) public isApproved;
    mapping(bytes32 modelId => bytes32) public zkCommitmentOf;

    event ModelSet(bytes32 modelId, bool approved, bytes32 zkCommitment);

    function set(bytes32 modelId, bool approved, bytes32 zkCommitment) external {
        isApproved[modelId] = approved;
        zkCommitmentOf[modelId] = zkCommitment;
        emit ModelSet(modelId, approved, zkCommitment);
    }
}
