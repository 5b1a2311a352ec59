// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Governor} from "@openzeppelin/contracts/governance/Governor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";
import {
    GovernorCountingSimple
} from "@openzeppelin/contracts/governance/extensions/GovernorCountingSimple.sol";
import {GovernorSettings} from "@openzeppelin/contracts/governance/extensions/GovernorSettings.sol";
import {
    GovernorTimelockControl
} from "@openzeppelin/contracts/governance/extensions/GovernorTimelockControl.sol";
import {GovernorVotes} from "@openzeppelin/contracts/governance/extensions/GovernorVotes.sol";
import {
    GovernorVotesQuorumFraction
} from "@openzeppelin/contracts/governance/extensions/GovernorVotesQuorumFraction.sol";
import {IVotes} from "@openzeppelin/contracts/governance/utils/IVotes.sol";

/// @title ProvenantGovernor
/// @notice Governs every Provenant parameter through an OpenZeppelin `TimelockController`: a proposal is
/// voted with `ProvenantVotes`, then queued in the timelock, then executed by the timelock, which is the
/// `admin` of `PolicyGuard`, `MedianOracle` and the other governed contracts.
/// @dev The clock is the token's: `block.timestamp`, so all delays are in SECONDS.
/// Lifecycle and its timing (devnet defaults in brackets, production values in parentheses):
///  - `votingDelay` seconds after `propose` voting opens  [1]      (1 day = 86_400);
///  - voting lasts `votingPeriod` seconds                   [50]     (1 week = 604_800);
///  - a proposal passes when for > against and for + abstain >= quorum, where quorum =
///    `quorumNumerator`% of the token's total supply at the proposal's snapshot [4%] (4%);
///  - `queue` puts it in the timelock, which waits its `getMinDelay()` seconds [3_600] (2 days) before
///    anyone may `execute` it.
///  - `proposalThreshold` votes are needed to propose [0] (e.g. 0.1% of supply).
/// The timelock must grant this governor PROPOSER_ROLE and CANCELLER_ROLE; EXECUTOR_ROLE may be open
/// (address(0)). Invariant: no governed parameter changes without a passed proposal and the timelock delay.
contract ProvenantGovernor is
    Governor,
    GovernorSettings,
    GovernorCountingSimple,
    GovernorVotes,
    GovernorVotesQuorumFraction,
    GovernorTimelockControl
{
    /// @param token The votes token (`ProvenantVotes`, timestamp clock).
    /// @param timelock The `TimelockController` that executes passed proposals.
    /// @param initialVotingDelay Seconds between proposal and the start of voting (devnet: 1).
    /// @param initialVotingPeriod Seconds voting stays open (devnet: 50).
    /// @param initialProposalThreshold Votes needed to propose (devnet: 0).
    /// @param quorumPercent Quorum as a percentage of total supply (devnet: 4).
    constructor(
        IVotes token,
        TimelockController timelock,
        uint48 initialVotingDelay,
        uint32 initialVotingPeriod,
        uint256 initialProposalThreshold,
        uint256 quorumPercent
    )
        Governor("ProvenantGovernor")
        GovernorSettings(initialVotingDelay, initialVotingPeriod, initialProposalThreshold)
        GovernorVotes(token)
        GovernorVotesQuorumFraction(quorumPercent)
        GovernorTimelockControl(timelock)
    {}

    /// @inheritdoc Governor
    function state(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (ProposalState)
    {
        return super.state(proposalId);
    }

    /// @inheritdoc Governor
    function proposalNeedsQueuing(uint256 proposalId)
        public
        view
        override(Governor, GovernorTimelockControl)
        returns (bool)
    {
        return super.proposalNeedsQueuing(proposalId);
    }

    /// @inheritdoc Governor
    function proposalThreshold() public view override(Governor, GovernorSettings) returns (uint256) {
        return super.proposalThreshold();
    }

    function _queueOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint48) {
        return super._queueOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _executeOperations(
        uint256 proposalId,
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) {
        super._executeOperations(proposalId, targets, values, calldatas, descriptionHash);
    }

    function _cancel(
        address[] memory targets,
        uint256[] memory values,
        bytes[] memory calldatas,
        bytes32 descriptionHash
    ) internal override(Governor, GovernorTimelockControl) returns (uint256) {
        return super._cancel(targets, values, calldatas, descriptionHash);
    }

    function _executor() internal view override(Governor, GovernorTimelockControl) returns (address) {
        return super._executor();
    }
}
