// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title IModelRegistry
/// @notice The parts of `ModelRegistry` other contracts read: whether a model (a commitment to its
/// weights file) is approved for use by the agent, and where the fees of what it creates go.
interface IModelRegistry {
    /// @notice True when `modelId` is registered and approved (by governance) for agent use.
    function isApproved(bytes32 modelId) external view returns (bool);

    /// @notice Pays `amount` of the fee token (pulled from `msg.sender`) to the holders of `modelId`'s
    /// shares, pro rata. O(1) in the number of holders.
    function distribute(bytes32 modelId, uint256 amount) external;

    /// @notice The token `distribute` pulls: an asset paying model fees must pay in this token (the vault
    /// and the NFT check it), or every payment reverts and the fees are stuck.
    function FEE_TOKEN() external view returns (IERC20);
}
