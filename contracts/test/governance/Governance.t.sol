// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenantGovernor} from "../../src/governance/ProvenantGovernor.sol";
import {ProvenantVotes} from "../../src/governance/ProvenantVotes.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {PolicyTestBase} from "../policy/PolicyTestBase.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @notice End to end: token holders propose, vote, queue and execute a PolicyGuard limit change
/// through the timelock that is the guard's admin. Devnet parameters: delay 1 s, period 50 s,
/// quorum 4%, timelock 1 hour.
contract GovernanceTest is PolicyTestBase {
    uint48 internal constant VOTING_DELAY = 1;
    uint32 internal constant VOTING_PERIOD = 50;
    uint256 internal constant TIMELOCK_DELAY = 1 hours;
    address internal constant VOTER = address(0x707E);
    address internal constant SMALL = address(0x5A11);

    ProvenantVotes internal votes;
    TimelockController internal timelock;
    ProvenantGovernor internal governor;

    function setUp() public override {
        super.setUp();
        votes = new ProvenantVotes(address(this), 1_000_000e18);
        address[] memory none = new address[](0);
        address[] memory anyone = new address[](1); // address(0): anyone may execute
        timelock = new TimelockController(TIMELOCK_DELAY, none, anyone, address(this));
        governor = new ProvenantGovernor(votes, timelock, VOTING_DELAY, VOTING_PERIOD, 0, 4);
        timelock.grantRole(timelock.PROPOSER_ROLE(), address(governor));
        timelock.grantRole(timelock.CANCELLER_ROLE(), address(governor));
        timelock.renounceRole(timelock.DEFAULT_ADMIN_ROLE(), address(this));
        // The guard's policies were created by ADMIN in the fixture; hand governance to the timelock.
        vm.prank(ADMIN);
        guard.setAdmin(address(timelock));
        votes.transfer(VOTER, 100_000e18); // 10%: above quorum
        votes.transfer(SMALL, 10_000e18); // 1%: below quorum
        vm.prank(VOTER);
        votes.delegate(VOTER);
        vm.prank(SMALL);
        votes.delegate(SMALL);
        vm.warp(block.timestamp + 1);
    }

    function _proposal(uint256 cap)
        internal
        view
        returns (address[] memory targets, uint256[] memory values, bytes[] memory calldatas)
    {
        targets = new address[](1);
        values = new uint256[](1);
        calldatas = new bytes[](1);
        targets[0] = address(guard);
        calldatas[0] = abi.encodeCall(
            PolicyGuard.setLimit, (address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, cap)
        );
    }

    function _run(uint256 cap, address voter) internal returns (uint256 id, bytes32 descriptionHash) {
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _proposal(cap);
        string memory description = "Raise the sWTI epoch cap";
        descriptionHash = keccak256(bytes(description));
        vm.prank(voter);
        id = governor.propose(t, v, c, description);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Pending));
        vm.warp(block.timestamp + VOTING_DELAY + 1);
        vm.roll(block.number + 1);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Active));
        vm.prank(voter);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + VOTING_PERIOD);
        vm.roll(block.number + 1);
    }

    function _fullCycle(uint256 cap) internal {
        (uint256 id, bytes32 descriptionHash) = _run(cap, VOTER);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded));
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _proposal(cap);
        governor.queue(t, v, c, descriptionHash);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Queued));
        // Not before the timelock delay.
        vm.expectRevert();
        governor.execute(t, v, c, descriptionHash);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        governor.execute(t, v, c, descriptionHash);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Executed));
        assertEq(guard.limitsOf(address(token), PolicyActions.MINT).epochCap, cap);
    }

    function test_governance_fullCycleChangesLimit() public {
        _fullCycle(2000e18);
        // The agent now mints up to the new cap.
        vm.prank(AGENT);
        token.mint(USER, 2000e18);
    }

    function testFuzz_governance_fullCycleChangesLimit(uint256 cap) public {
        _fullCycle(bound(cap, 0, 1e24));
    }

    function test_governance_cannotExceedCeiling() public {
        (, bytes32 descriptionHash) = _run(1e24 + 1, VOTER);
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _proposal(1e24 + 1);
        governor.queue(t, v, c, descriptionHash);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, mintId(), PolicyGuard.Field.EpochCap, 1e24, 1e24 + 1
            )
        );
        governor.execute(t, v, c, descriptionHash);
    }

    function test_governance_belowQuorumDefeated() public {
        (uint256 id,) = _run(2000e18, SMALL);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    function test_governance_onlyTimelockGoverns() public {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, ADMIN));
        vm.prank(ADMIN);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, 1);
        assertEq(guard.admin(), address(timelock));
        assertEq(governor.timelock(), address(timelock));
        assertEq(governor.votingDelay(), VOTING_DELAY);
        assertEq(governor.votingPeriod(), VOTING_PERIOD);
        assertEq(governor.quorum(block.timestamp - 1), 40_000e18);
        assertEq(votes.CLOCK_MODE(), "mode=timestamp");
        assertEq(governor.CLOCK_MODE(), "mode=timestamp");
    }

    /// The guardian stops the agent at once; only a passed proposal (after the timelock) resumes it.
    function test_governance_guardianPausesGovernanceUnpauses() public {
        _checkGuardianPausesGovernanceUnpauses(USER, 1, ADMIN, 0);
    }

    function testFuzz_governance_guardianPausesGovernanceUnpauses(
        address to,
        uint256 amount,
        address outsider,
        uint256 lateBy
    ) public {
        vm.assume(to != address(0));
        vm.assume(outsider != address(timelock));
        amount = bound(amount, 1, defaultLimits().epochCap);
        lateBy = bound(lateBy, 0, 365 days);
        _checkGuardianPausesGovernanceUnpauses(to, amount, outsider, lateBy);
    }

    /// While paused the agent's mint of `amount` to `to` is `PolicyPaused(address(0))`; neither the
    /// guardian nor `outsider` can unpause (`PolicyUnauthorized(caller)`), nor can the passed proposal
    /// before the timelock delay; executed `lateBy` seconds after the delay, it unpauses and the same
    /// mint goes through.
    function _checkGuardianPausesGovernanceUnpauses(
        address to,
        uint256 amount,
        address outsider,
        uint256 lateBy
    ) internal {
        vm.expectEmit(address(guard));
        emit PolicyGuard.GlobalPaused(GUARDIAN);
        vm.prank(GUARDIAN);
        guard.pause();
        assertTrue(guard.isPaused(address(token)));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(0)));
        vm.prank(AGENT);
        token.mint(to, amount);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, GUARDIAN));
        vm.prank(GUARDIAN);
        guard.unpause();
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, outsider));
        vm.prank(outsider);
        guard.unpause();
        assertTrue(guard.isPaused(address(token)));

        address[] memory t = new address[](1);
        uint256[] memory v = new uint256[](1);
        bytes[] memory c = new bytes[](1);
        t[0] = address(guard);
        c[0] = abi.encodeCall(PolicyGuard.unpause, ());
        vm.prank(VOTER);
        uint256 id = governor.propose(t, v, c, "Unpause");
        vm.warp(block.timestamp + VOTING_DELAY + 1);
        vm.prank(VOTER);
        governor.castVote(id, 1);
        vm.warp(block.timestamp + VOTING_PERIOD);
        governor.queue(t, v, c, keccak256("Unpause"));
        // Queued but not ready: the timelock refuses, the guard stays paused.
        bytes32 salt = bytes20(address(governor)) ^ keccak256("Unpause");
        vm.expectRevert(
            abi.encodeWithSelector(
                TimelockController.TimelockUnexpectedOperationState.selector,
                timelock.hashOperationBatch(t, v, c, 0, salt),
                bytes32(1 << uint8(TimelockController.OperationState.Ready))
            )
        );
        governor.execute(t, v, c, keccak256("Unpause"));
        assertTrue(guard.isPaused(address(token)));
        assertEq(token.balanceOf(to), 0);

        vm.warp(block.timestamp + TIMELOCK_DELAY + lateBy);
        vm.expectEmit(address(guard));
        emit PolicyGuard.GlobalUnpaused(address(timelock));
        governor.execute(t, v, c, keccak256("Unpause"));
        assertFalse(guard.isPaused(address(token)));
        vm.prank(AGENT);
        token.mint(to, amount);
        assertEq(token.balanceOf(to), amount);
    }

    function testFuzz_governance_cannotExceedCeiling(uint256 cap) public {
        cap = bound(cap, 1e24 + 1, type(uint256).max);
        (, bytes32 descriptionHash) = _run(cap, VOTER);
        (address[] memory t, uint256[] memory v, bytes[] memory c) = _proposal(cap);
        governor.queue(t, v, c, descriptionHash);
        vm.warp(block.timestamp + TIMELOCK_DELAY);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, mintId(), PolicyGuard.Field.EpochCap, 1e24, cap
            )
        );
        governor.execute(t, v, c, descriptionHash);
    }

    function testFuzz_governance_belowQuorumDefeated(uint256 stake) public {
        stake = bound(stake, 1, 40_000e18 - 1); // quorum: 4% of 1,000,000
        address holder = address(0xC0FFEE);
        votes.transfer(holder, stake);
        vm.prank(holder);
        votes.delegate(holder);
        vm.warp(block.timestamp + 1);
        (uint256 id,) = _run(2000e18, holder);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Defeated));
    }

    function testFuzz_governance_onlyTimelockGoverns(address caller) public {
        vm.assume(caller != address(timelock));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, caller));
        vm.prank(caller);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, 1);
    }
}
