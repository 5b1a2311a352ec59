// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "../models/IModelRegistry.sol";

/// @title IPolicyGuard
/// @notice The single gate every agent action passes through. Asset contracts (vaults, pools, NFTs)
/// call it from their one internal mint/update path; `msg.sender` is the asset, so a policy is keyed
/// by (asset, action). Every check reverts with a custom error that carries the values.
/// @dev Implemented by `PolicyGuard`. Actions are `bytes32` ids from `PolicyActions`.
interface IPolicyGuard {
    /// @notice Checks and records `amount` units of `action` by `actor` on the calling asset.
    /// Reverts unless: nothing is paused (globally or for the asset), `actor` holds the agent role,
    /// `modelId` is non-zero (`PolicyModelRequired`: every amount-consuming action produces an asset, and
    /// the asset names its model) and approved in the model registry (`PolicyModelNotAllowed`), and the
    /// per-epoch and lifetime caps (amount) and the rate limit (one action; per `subject` when non-zero,
    /// e.g. a token id) all have room. Consumes the allowance. Checks run in this order: global pause,
    /// agent, policy exists, asset pause, model required, model approved, rate limit, epoch cap, lifetime
    /// cap, subject rate limit.
    function consume(bytes32 action, address actor, bytes32 modelId, uint256 subject, uint256 amount) external;

    /// @notice Checks and records a change of a bounded value (e.g. a pool fee) by `actor`. Takes no model
    /// (a parameter change produces no asset).
    /// Reverts unless `newValue` lies in [min, max] and differs by at most `maxStep` from the value at
    /// the start of the current epoch. Records the new value.
    function consumeValue(bytes32 action, address actor, uint256 newValue) external;

    /// @notice Reverts unless `ratioAfterBps >= liquidationRatioBps + margin(asset, action)`.
    function checkCollateral(bytes32 action, uint256 ratioAfterBps, uint256 liquidationRatioBps) external view;

    /// @notice Reverts unless the oracle round used is fresh (`block.timestamp - updatedAt <= maxAge`)
    /// and moved at most `maxDeviationBps` from the feed's previous round (`previousAnswer`, the round
    /// before it: a circuit breaker on consecutive rounds, so a one-round jump is refused and a move the
    /// next round confirms is accepted; it does not bound the move since the agent's last action).
    function checkOracle(bytes32 action, uint256 updatedAt, int256 answer, int256 previousAnswer)
        external
        view;

    /// @notice True when `modelId` may produce assets (approved in the model registry).
    function isModelAllowed(bytes32 modelId) external view returns (bool);

    /// @notice The registry model approvals are read from. Fixed for the guard's life; assets that route
    /// model fees must route them to this registry (they check it), so every approved model can be paid.
    function modelRegistry() external view returns (IModelRegistry);

    /// @notice True when `account` holds the agent role.
    function isAgent(address account) external view returns (bool);

    /// @notice True when the guard is paused globally or for `asset`.
    function isPaused(address asset) external view returns (bool);
}

/// @title ICollateralGuard
/// @notice `IPolicyGuard` plus one combined entry point for collateralised mints (the synthetic vault):
/// the same checks as `consume`, then `checkCollateral`, then `checkOracle`, in one external call.
/// Separate from `IPolicyGuard` so guards (and test doubles) that implement only the base interface stay
/// valid.
interface ICollateralGuard is IPolicyGuard {
    /// @notice Exactly `consume(action, actor, modelId, 0, amount)`, then
    /// `checkCollateral(action, ratioAfterBps, liquidationRatioBps)`, then
    /// `checkOracle(action, updatedAt, answer, previousAnswer)`, with the same errors in the same order and
    /// the same `Consumed` event; saves two calls and two policy lookups (one read of the policy's
    /// margin/oracle slot serves both checks).
    /// @param updatedAt When the oracle round that prices the mint was updated.
    /// @param answer That round's answer.
    /// @param previousAnswer The answer of the round before it (`getRoundData(roundId - 1)`); zero or
    /// negative when there is none, in which case only freshness is checked.
    function consumeWithCollateral(
        bytes32 action,
        address actor,
        bytes32 modelId,
        uint256 amount,
        uint256 ratioAfterBps,
        uint256 liquidationRatioBps,
        uint256 updatedAt,
        int256 answer,
        int256 previousAnswer
    ) external;
}

/// @title PolicyActions
/// @notice The action ids assets pass to the guard.
library PolicyActions {
    bytes32 internal constant MINT = keccak256("provenant.action.MINT");
    bytes32 internal constant UPDATE = keccak256("provenant.action.UPDATE");
    bytes32 internal constant SET_FEE = keccak256("provenant.action.SET_FEE");
    bytes32 internal constant SYNTH_MINT = keccak256("provenant.action.SYNTH_MINT");
}
