// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ICollateralGuard} from "../../src/policy/IPolicyGuard.sol";

/// @title TestGuard
/// @notice Test double for the invariant suites: admits ANY actor (so many positions can hold debt),
/// enforces one real per-asset cap and a collateral margin so its refusals are real reverts; no model or
/// oracle policy (the vault's own oracle checks still apply).
/// The guarded-path unit tests and the gas bench use the real `PolicyGuard`.
contract TestGuard is ICollateralGuard {
    uint256 public cap;
    uint256 public used;
    uint256 public marginBps;
    /// @notice What `modelRegistry()` reports (the vault checks its fee registry against it); 0 = none.
    IModelRegistry public modelRegistry;

    error TestGuardCapExceeded(uint256 requested, uint256 remaining);
    error TestGuardCollateralTooLow(uint256 ratioAfterBps, uint256 requiredBps);

    constructor(uint256 cap_, uint256 marginBps_) {
        cap = cap_;
        marginBps = marginBps_;
    }

    function setModelRegistry(IModelRegistry registry) external {
        modelRegistry = registry;
    }

    function consume(bytes32, address, bytes32, uint256, uint256 amount) public {
        if (used + amount > cap) revert TestGuardCapExceeded(amount, cap - used);
        used += amount;
    }

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
    ) external {
        consume(action, actor, modelId, 0, amount);
        checkCollateral(action, ratioAfterBps, liquidationRatioBps);
        checkOracle(action, updatedAt, answer, previousAnswer);
    }

    function consumeValue(bytes32, address, uint256) external {}

    function checkCollateral(bytes32, uint256 ratioAfterBps, uint256 liquidationRatioBps) public view {
        if (ratioAfterBps < liquidationRatioBps + marginBps) {
            revert TestGuardCollateralTooLow(ratioAfterBps, liquidationRatioBps + marginBps);
        }
    }

    function checkOracle(bytes32, uint256, int256, int256) public view {}

    function isModelAllowed(bytes32) external pure returns (bool) {
        return true;
    }

    function isAgent(address) external pure returns (bool) {
        return true;
    }

    function isPaused(address) external pure returns (bool) {
        return false;
    }
}
