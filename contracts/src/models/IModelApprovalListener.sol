// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "./IModelRegistry.sol";

/// @title IModelApprovalListener
/// @notice What `ModelRegistry` tells its bound listener (the `PolicyGuard` that reads it) whenever a model's
/// approval changes, so the guard can answer "is this model approved?" from its own storage on the hot
/// path instead of calling the registry on every guarded action (a cold call and its slot: ~5,400 gas more).
interface IModelApprovalListener {
    /// @notice `modelId`'s approval in the registry is now `approved`. Called by the registry only.
    function onModelApprovalChanged(bytes32 modelId, bool approved) external;

    /// @notice The registry the listener reads; `ModelRegistry.bindApprovalListener` checks it is itself.
    function modelRegistry() external view returns (IModelRegistry);
}
