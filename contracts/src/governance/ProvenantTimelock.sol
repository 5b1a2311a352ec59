// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title ProvenantTimelock
/// @notice OpenZeppelin's TimelockController, unchanged, under a name the deployment can compile and
/// bind to. It owns every governed parameter of Provenant (PolicyGuard limits, vault risk values,
/// oracle reporters, model approvals). Proposals reach it only through `ProvenantGovernor`.
/// @dev Deployment: proposers and cancellers = [governor] (granted after the governor exists), executors =
/// [address(0)] (anyone may execute a queued, ready operation), and the deployer as temporary admin who
/// renounces once roles are set, so no key can bypass the delay.
contract ProvenantTimelock is TimelockController {
    /// @param minDelay Seconds between queueing and execution (the devnet demo uses 3600).
    /// @param proposers Accounts that may schedule (the governor).
    /// @param executors Accounts that may execute (address(0) = anyone).
    /// @param admin Optional temporary admin that sets roles and then renounces (address(0) for none).
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
