// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICollateralGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {PolicyTestBase} from "../policy/PolicyTestBase.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @notice Test asset: asks the guard for its own SYNTH_MINT policy in one call or in the two calls the
/// combined entry point replaces.
contract TwoWayAsset {
    ICollateralGuard public immutable guard;

    constructor(ICollateralGuard guard_) {
        guard = guard_;
    }

    function combined(address actor, bytes32 modelId, uint256 amount, uint256 ratio, uint256 liqRatio)
        external
    {
        // A fresh, unmoved oracle round: the oracle half always passes here (tested in
        // contracts/test/policy/PolicyGuardCollateral.t.sol).
        guard.consumeWithCollateral(
            PolicyActions.SYNTH_MINT, actor, modelId, amount, ratio, liqRatio, block.timestamp, 1, 1
        );
    }

    function separate(address actor, bytes32 modelId, uint256 amount, uint256 ratio, uint256 liqRatio)
        external
    {
        guard.consume(PolicyActions.SYNTH_MINT, actor, modelId, 0, amount);
        guard.checkCollateral(PolicyActions.SYNTH_MINT, ratio, liqRatio);
        guard.checkOracle(PolicyActions.SYNTH_MINT, block.timestamp, 1, 1);
    }
}

/// @notice Adversarial review of `PolicyGuard.consumeWithCollateral` and the hand-written uint32 epoch
/// bound (commit b61e247): a caller can only consume its own policy, the combined call refuses exactly
/// what `consume` + `checkCollateral` refuse (same revert bytes, same usage), and the epoch bound
/// reverts exactly where `SafeCast.toUint32` did, with the same error. Each test pins the safe behaviour.
contract GuardCollateralSecurityTest is PolicyTestBase {
    bytes32 internal constant MODEL = keccak256("model");
    uint256 internal constant MARGIN = 2000; // defaultLimits().marginBps
    uint256 internal constant LIQ = 12_000;
    TwoWayAsset internal asset;
    TwoWayAsset internal stranger;

    function setUp() public override {
        super.setUp();
        asset = new TwoWayAsset(guard);
        stranger = new TwoWayAsset(guard); // no policy
        vm.prank(ADMIN);
        guard.createPolicy(
            address(asset), PolicyActions.SYNTH_MINT, EPOCH, policyCeiling(), defaultLimits(), 0
        );
        registry.setApproved(MODEL, true);
    }

    function _usage() internal view returns (uint256 epochUsed, uint256 lifetimeUsed) {
        (epochUsed, lifetimeUsed,) = guard.remaining(address(asset), PolicyActions.SYNTH_MINT);
    }

    // ------------------------------------------------------------------ access control

    /// @notice Only a contract with its own policy can consume: the agent's EOA, an unregistered contract
    /// naming the agent as actor, or a registered asset with another actor are refused, and the
    /// registered asset's usage does not move.
    function test_accessControl() public {
        (uint256 left, uint256 lifetimeLeft) = _usage();
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyUnknown.selector, AGENT, PolicyActions.SYNTH_MINT)
        );
        vm.prank(AGENT);
        guard.consumeWithCollateral(
            PolicyActions.SYNTH_MINT, AGENT, MODEL, 1e18, 50_000, LIQ, block.timestamp, 1, 1
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyUnknown.selector, address(stranger), PolicyActions.SYNTH_MINT
            )
        );
        stranger.combined(AGENT, MODEL, 1e18, 50_000, LIQ);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, USER));
        asset.combined(USER, MODEL, 1e18, 50_000, LIQ);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, address(0)));
        asset.combined(address(0), MODEL, 1e18, 50_000, LIQ);
        (uint256 leftAfter, uint256 lifetimeLeftAfter) = _usage();
        assertEq(leftAfter, left);
        assertEq(lifetimeLeftAfter, lifetimeLeft);
        asset.combined(AGENT, MODEL, 1e18, 50_000, LIQ);
        (leftAfter,) = _usage();
        assertEq(leftAfter, left - 1e18, "the agent through its asset");
    }

    function testFuzz_accessControl(address caller, address actor) public {
        vm.assume(caller != address(asset) && caller != address(token));
        vm.expectRevert(); // PolicyUnknown (or PolicyNotAgent first for a non-agent actor)
        vm.prank(caller);
        guard.consumeWithCollateral(
            PolicyActions.SYNTH_MINT, actor, MODEL, 1e18, 50_000, LIQ, block.timestamp, 1, 1
        );
        (uint256 left,) = _usage();
        assertEq(left, defaultLimits().epochCap);
    }

    // ------------------------------------------------------------------ same as consume + checkCollateral

    /// @notice Every refusal in the same order with the same bytes: pause (global, asset), non-agent,
    /// unapproved model, rate limit, epoch cap, lifetime cap, then the collateral margin.
    function test_combinedEqualsSeparate() public {
        _checkSame(0, true, 1e18, LIQ + MARGIN - 1); // collateral only
        _checkSame(1, true, 1e18, 0); // global pause first
        _checkSame(2, true, 1e18, 0); // asset pause first
        _checkSame(3, true, 1e18, 0); // non-agent first
        _checkSame(0, false, 1e18, 0); // unapproved model first
        _checkSame(0, true, 1001e18, 0); // epoch cap before collateral
        _checkSame(4, true, 1e18, 0); // rate limit before collateral
        _checkSame(0, true, 1e18, LIQ + MARGIN); // passes at exactly the margin
    }

    function testFuzz_combinedEqualsSeparate(uint8 state, bool approved, uint256 amount, uint256 ratio)
        public
    {
        _checkSame(bound(state, 0, 4), approved, bound(amount, 0, 2000e18), bound(ratio, 0, 30_000));
    }

    /// @dev `state`: 0 normal, 1 global pause, 2 asset pause, 3 non-agent actor, 4 rate limit used up.
    function _checkSame(uint256 state, bool approved, uint256 amount, uint256 ratio) internal {
        uint256 snap = vm.snapshotState();
        address actor = state == 3 ? USER : AGENT;
        if (state == 1) {
            vm.prank(GUARDIAN);
            guard.pause();
        } else if (state == 2) {
            vm.prank(GUARDIAN);
            guard.pauseAsset(address(asset));
        } else if (state == 4) {
            vm.prank(ADMIN);
            guard.setLimit(address(asset), PolicyActions.SYNTH_MINT, PolicyGuard.Field.RateLimit, 1);
            asset.combined(AGENT, MODEL, 1, LIQ + MARGIN, LIQ);
        }
        registry.setApproved(MODEL, approved);
        uint256 inner = vm.snapshotState();
        (bool okC, bytes memory retC) =
            address(asset).call(abi.encodeCall(TwoWayAsset.combined, (actor, MODEL, amount, ratio, LIQ)));
        (uint256 leftC, uint256 lifeC) = _usage();
        vm.revertToState(inner);
        (bool okS, bytes memory retS) =
            address(asset).call(abi.encodeCall(TwoWayAsset.separate, (actor, MODEL, amount, ratio, LIQ)));
        (uint256 leftS, uint256 lifeS) = _usage();
        assertEq(okC, okS, "same outcome");
        assertEq(retC, retS, "same revert bytes");
        assertEq(leftC, leftS);
        assertEq(lifeC, lifeS);
        vm.revertToState(snap);
    }

    // ------------------------------------------------------------------ the uint32 epoch bound

    /// @notice With a 1-second epoch, epoch 2^32 - 1 is the last one accepted; at 2^32 both `consume`
    /// and `consumeWithCollateral` revert `SafeCastOverflowedUintDowncast(32, 2^32)`, the error
    /// `SafeCast.toUint32` gave before the change.
    function test_epochBound() public {
        _checkEpochBound(1, uint256(1) << 32);
        _checkEpochBound(EPOCH, (uint256(1) << 32) * EPOCH - 1);
        _checkEpochBound(7, (uint256(1) << 32) * 7);
    }

    function testFuzz_epochBound(uint256 epochLength, uint256 timestamp) public {
        epochLength = bound(epochLength, 1, type(uint32).max);
        _checkEpochBound(epochLength, bound(timestamp, block.timestamp, type(uint64).max));
    }

    function _checkEpochBound(uint256 epochLength, uint256 timestamp) internal {
        uint256 snap = vm.snapshotState();
        TwoWayAsset a = new TwoWayAsset(guard);
        vm.prank(ADMIN);
        guard.createPolicy(
            address(a), PolicyActions.SYNTH_MINT, epochLength, policyCeiling(), defaultLimits(), 0
        );
        vm.warp(timestamp);
        uint256 epoch = timestamp / epochLength;
        bytes memory expected = epoch > type(uint32).max
            ? abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, uint8(32), epoch)
            : bytes("");
        (bool okC, bytes memory retC) =
            address(a).call(abi.encodeCall(TwoWayAsset.combined, (AGENT, MODEL, 1, LIQ + MARGIN, LIQ)));
        (bool okS, bytes memory retS) =
            address(a).call(abi.encodeCall(TwoWayAsset.separate, (AGENT, MODEL, 1, LIQ + MARGIN, LIQ)));
        assertEq(okC, expected.length == 0, "combined accepted iff the epoch fits 32 bits");
        assertEq(okS, okC, "consume agrees");
        assertEq(retC, expected);
        assertEq(retS, expected);
        vm.revertToState(snap);
    }
}
