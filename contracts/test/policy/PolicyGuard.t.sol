// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {GuardedToken, PolicyTestBase, TEST_MODEL, limitsArray} from "./PolicyTestBase.sol";

/// @notice Unit tests for PolicyGuard; every fuzz test has a concrete twin (`test_` / `testFuzz_`).
contract PolicyGuardConsumeTest is PolicyTestBase {
    // ------------------------------------------------------------ mint caps

    function _mintWithin(uint256 amount) internal {
        vm.expectEmit(address(guard));
        emit PolicyGuard.Consumed(mintId(), 0, amount);
        vm.prank(AGENT);
        token.mint(USER, amount);
        (uint256 epochLeft, uint256 lifetimeLeft, uint256 resetsAt) =
            guard.remaining(address(token), PolicyActions.MINT);
        assertEq(epochLeft, 1000e18 - amount);
        assertEq(lifetimeLeft, 10_000e18 - amount);
        assertEq(resetsAt, (block.timestamp / EPOCH + 1) * EPOCH);
        assertEq(token.balanceOf(USER), amount);
    }

    function test_consume_withinCap() public {
        _mintWithin(400e18);
    }

    function testFuzz_consume_withinCap(uint256 amount) public {
        _mintWithin(bound(amount, 0, 1000e18));
    }

    function _epochCapExceeded(uint256 first, uint256 second) internal {
        vm.prank(AGENT);
        token.mint(USER, first);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyMintCapExceeded.selector, mintId(), second, 1000e18 - first
            )
        );
        vm.prank(AGENT);
        token.mint(USER, second);
    }

    function test_consume_epochCapExceeded() public {
        _epochCapExceeded(700e18, 301e18);
    }

    function testFuzz_consume_epochCapExceeded(uint256 first, uint256 second) public {
        first = bound(first, 0, 1000e18);
        second = bound(second, 1000e18 - first + 1, type(uint256).max);
        _epochCapExceeded(first, second);
    }

    /// The allowance resets exactly when block.timestamp reaches the next multiple of the epoch length.
    function _epochReset(uint256 offsetBeforeReset) internal {
        vm.prank(AGENT);
        token.mint(USER, 1000e18);
        (,, uint256 resetsAt) = guard.remaining(address(token), PolicyActions.MINT);
        assertEq(resetsAt % EPOCH, 0);
        vm.warp(resetsAt - offsetBeforeReset);
        (uint256 left,,) = guard.remaining(address(token), PolicyActions.MINT);
        assertEq(left, 0);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyMintCapExceeded.selector, mintId(), 1, 0));
        vm.prank(AGENT);
        token.mint(USER, 1);
        vm.warp(resetsAt);
        (left,,) = guard.remaining(address(token), PolicyActions.MINT);
        assertEq(left, 1000e18);
        vm.prank(AGENT);
        token.mint(USER, 1000e18);
    }

    function test_consume_epochResetsAtBoundary() public {
        _epochReset(1);
    }

    function testFuzz_consume_epochResetsAtBoundary(uint256 offset) public {
        (,, uint256 resetsAt) = guard.remaining(address(token), PolicyActions.MINT);
        _epochReset(bound(offset, 1, resetsAt - block.timestamp));
    }

    function _lifetimeCap(uint256 perEpoch) internal {
        uint256 total;
        while (total + perEpoch <= 10_000e18) {
            vm.prank(AGENT);
            token.mint(USER, perEpoch);
            total += perEpoch;
            vm.warp(block.timestamp + EPOCH);
        }
        uint256 left = 10_000e18 - total;
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyLifetimeCapExceeded.selector, mintId(), perEpoch, left)
        );
        vm.prank(AGENT);
        token.mint(USER, perEpoch);
    }

    function test_consume_lifetimeCapExceeded() public {
        _lifetimeCap(1000e18);
    }

    function testFuzz_consume_lifetimeCapExceeded(uint256 perEpoch) public {
        _lifetimeCap(bound(perEpoch, 600e18, 1000e18));
    }

    // ------------------------------------------------------------ rate limits

    function _rateLimit(uint256 limit) internal {
        vm.prank(ADMIN);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.RateLimit, limit);
        for (uint256 i; i < limit; ++i) {
            vm.prank(AGENT);
            token.mint(USER, 0);
        }
        uint256 resetsAt = (block.timestamp / EPOCH + 1) * EPOCH;
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyRateLimited.selector, mintId(), 0, limit, resetsAt)
        );
        vm.prank(AGENT);
        token.mint(USER, 0);
        vm.warp(resetsAt);
        vm.prank(AGENT);
        token.mint(USER, 0);
    }

    function test_consume_rateLimited() public {
        _rateLimit(3);
    }

    function testFuzz_consume_rateLimited(uint256 limit) public {
        _rateLimit(bound(limit, 1, 20));
    }

    function _subjectRateLimit(uint256 subject) internal {
        for (uint256 i; i < 3; ++i) {
            vm.prank(AGENT);
            token.mintWith(USER, 1, TEST_MODEL, subject);
        }
        (uint256 actionsLeft, uint256 resetsAt) =
            guard.subjectRemaining(address(token), PolicyActions.MINT, subject);
        assertEq(actionsLeft, 0);
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyRateLimited.selector, mintId(), subject, 3, resetsAt)
        );
        vm.prank(AGENT);
        token.mintWith(USER, 1, TEST_MODEL, subject);
        // Another subject still has room.
        vm.prank(AGENT);
        token.mintWith(USER, 1, TEST_MODEL, subject == 1 ? 2 : 1);
    }

    function test_consume_subjectRateLimited() public {
        _subjectRateLimit(42);
    }

    function testFuzz_consume_subjectRateLimited(uint256 subject) public {
        _subjectRateLimit(bound(subject, 1, type(uint256).max));
    }

    // ------------------------------------------------------------ roles, pause, models

    function _notAgent(address actor) internal {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, actor));
        vm.prank(actor);
        token.mint(USER, 1);
    }

    function test_consume_notAgent() public {
        _notAgent(USER);
        _notAgent(ADMIN);
        _notAgent(GUARDIAN);
    }

    function testFuzz_consume_notAgent(address actor) public {
        vm.assume(actor != AGENT);
        _notAgent(actor);
    }

    function test_consume_noAgentConfigured() public {
        vm.prank(ADMIN);
        guard.setAgent(address(0));
        _notAgent(address(0));
        _notAgent(AGENT);
    }

    function _pauseFlow(address pauser) internal {
        _pauseFlow(pauser, 1, 0);
    }

    /// @dev `pauser` pauses; minting `amount` (and a fee change to `fee`, when non-zero) is refused until
    /// the admin unpauses; the guardian's unpause is refused.
    function _pauseFlow(address pauser, uint256 amount, uint256 fee) internal {
        vm.prank(pauser);
        guard.pause();
        assertTrue(guard.isPaused(address(token)));
        assertTrue(guard.globallyPaused());
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(0)));
        vm.prank(AGENT);
        token.mint(USER, amount);
        if (fee != 0) {
            vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(0)));
            vm.prank(AGENT);
            token.setFee(fee);
        }
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, GUARDIAN));
        vm.prank(GUARDIAN);
        guard.unpause();
        assertTrue(guard.globallyPaused());
        vm.prank(ADMIN);
        guard.unpause();
        assertFalse(guard.globallyPaused());
        uint256 before = token.balanceOf(USER);
        vm.prank(AGENT);
        token.mint(USER, amount);
        assertEq(token.balanceOf(USER), before + amount);
    }

    function test_pause_guardianPausesOnlyAdminUnpauses() public {
        _pauseFlow(GUARDIAN);
        _pauseFlow(ADMIN);
    }

    function testFuzz_pause_guardianPausesOnlyAdminUnpauses(bool byAdmin, uint256 amount, uint256 fee)
        public
    {
        // Within the epoch cap across the two successful mints; the fee within [5, 100] and one step of 30.
        _pauseFlow(byAdmin ? ADMIN : GUARDIAN, bound(amount, 0, 500e18), bound(fee, 20, 40));
        _pauseFlow(byAdmin ? GUARDIAN : ADMIN, bound(amount, 0, 500e18), 0);
    }

    // ------------------------------------------------------------ zero model

    /// @dev The guard refuses `bytes32(0)` as a model for any amount-consuming action, before any usage
    /// is recorded, whatever the amount or subject.
    function _zeroModel(uint256 amount, uint256 subject) internal {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelRequired.selector, mintId()));
        vm.prank(AGENT);
        token.mintWith(USER, amount, bytes32(0), subject);
        PolicyGuard.PolicyView memory p = guard.policyOf(address(token), PolicyActions.MINT);
        assertEq(p.usedThisEpoch, 0);
        assertEq(p.actionsThisEpoch, 0);
        // The same call naming an approved model goes through.
        vm.prank(AGENT);
        token.mintWith(USER, amount, TEST_MODEL, subject);
        assertEq(token.balanceOf(USER), amount);
    }

    function test_consume_refusesZeroModel() public {
        _zeroModel(1e18, 0);
        // Even with the registry "approving" the zero id.
        registry.setApproved(bytes32(0), true);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelRequired.selector, mintId()));
        vm.prank(AGENT);
        token.mintWith(USER, 1, bytes32(0), 7);
    }

    function testFuzz_consume_refusesZeroModel(uint256 amount, uint256 subject, bool zeroApproved) public {
        registry.setApproved(bytes32(0), zeroApproved);
        _zeroModel(bound(amount, 0, 1000e18), subject);
    }

    function testFuzz_pause_strangerCannotPause(address caller) public {
        vm.assume(caller != GUARDIAN && caller != ADMIN);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, caller));
        vm.prank(caller);
        guard.pause();
    }

    function test_pause_strangerCannotPause() public {
        testFuzz_pause_strangerCannotPause(AGENT);
    }

    function test_pauseAsset_onlyThatAsset() public {
        GuardedToken other = new GuardedToken(guard);
        vm.startPrank(ADMIN);
        guard.createPolicy(address(other), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
        vm.stopPrank();
        vm.prank(GUARDIAN);
        guard.pauseAsset(address(token));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(token)));
        vm.prank(AGENT);
        token.mint(USER, 1);
        vm.prank(AGENT);
        other.mint(USER, 1);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, GUARDIAN));
        vm.prank(GUARDIAN);
        guard.unpauseAsset(address(token));
        vm.prank(ADMIN);
        guard.unpauseAsset(address(token));
        vm.prank(AGENT);
        token.mint(USER, 1);
        assertFalse(guard.isPaused(address(token)));
    }

    function test_pauseAsset_appliesToPoliciesCreatedLater() public {
        GuardedToken other = new GuardedToken(guard);
        vm.prank(GUARDIAN);
        guard.pauseAsset(address(other));
        vm.prank(ADMIN);
        guard.createPolicy(address(other), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(other)));
        vm.prank(AGENT);
        other.mint(USER, 1);
    }

    function _model(bytes32 modelId) internal {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelNotAllowed.selector, mintId(), modelId));
        vm.prank(AGENT);
        token.mintWith(USER, 1, modelId, 0);
        registry.setApproved(modelId, true);
        assertTrue(guard.isModelAllowed(modelId));
        vm.prank(AGENT);
        token.mintWith(USER, 1, modelId, 0);
    }

    function test_consume_modelMustBeApproved() public {
        _model(keccak256("forecaster-v1"));
    }

    function testFuzz_consume_modelMustBeApproved(bytes32 modelId) public {
        vm.assume(modelId != bytes32(0) && modelId != TEST_MODEL); // TEST_MODEL is approved in setUp
        _model(modelId);
    }

    function test_consume_unknownPolicy() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyUnknown.selector, address(token), PolicyActions.UPDATE)
        );
        vm.prank(address(token));
        guard.consume(PolicyActions.UPDATE, AGENT, bytes32(0), 0, 1);
    }

    function testFuzz_consume_unknownPolicy(bytes32 action) public {
        vm.assume(
            action != PolicyActions.MINT && action != PolicyActions.SET_FEE
                && action != PolicyActions.SYNTH_MINT
        );
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnknown.selector, address(this), action));
        guard.consume(action, AGENT, bytes32(0), 0, 1);
    }

    // ------------------------------------------------------------ bounded value

    function _value(uint256 a, uint256 b) internal {
        // initial value 30; bounds [5, 100], step 10 per epoch
        vm.prank(AGENT);
        token.setFee(a);
        vm.prank(AGENT);
        token.setFee(b);
        PolicyGuard.PolicyView memory p = guard.policyOf(address(token), PolicyActions.SET_FEE);
        assertEq(p.value, b);
        assertEq(p.valueAtEpochStart, 30);
    }

    function test_consumeValue_withinStep() public {
        _value(40, 20);
    }

    function testFuzz_consumeValue_withinStep(uint256 a, uint256 b) public {
        _value(bound(a, 20, 40), bound(b, 20, 40));
    }

    function _valueOutOfBounds(uint256 v) internal {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyValueOutOfBounds.selector, _feeId(), v, 5, 100)
        );
        vm.prank(AGENT);
        token.setFee(v);
    }

    function test_consumeValue_outOfBounds() public {
        _valueOutOfBounds(4);
        _valueOutOfBounds(101);
    }

    function testFuzz_consumeValue_outOfBounds(uint256 v) public {
        vm.assume(v < 5 || v > 100);
        _valueOutOfBounds(v);
    }

    function _stepTooLarge(uint256 v) internal {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyStepTooLarge.selector, _feeId(), 30, v, 10));
        vm.prank(AGENT);
        token.setFee(v);
    }

    function test_consumeValue_stepTooLarge() public {
        _stepTooLarge(41);
        _stepTooLarge(19);
    }

    function testFuzz_consumeValue_stepTooLarge(uint256 v) public {
        v = bound(v, 5, 100);
        vm.assume(v > 40 || v < 20);
        _stepTooLarge(v);
    }

    function test_consumeValue_stepBaseMovesEachEpoch() public {
        vm.prank(AGENT);
        token.setFee(40);
        vm.warp((block.timestamp / EPOCH + 1) * EPOCH);
        vm.prank(AGENT);
        token.setFee(50);
        _expectStepFrom(40, 51);
    }

    function testFuzz_consumeValue_stepBaseMovesEachEpoch(uint256 epochs) public {
        epochs = bound(epochs, 1, 5);
        uint256 v = 30;
        for (uint256 i; i < epochs; ++i) {
            v += 10;
            vm.prank(AGENT);
            token.setFee(v);
            vm.warp((block.timestamp / EPOCH + 1) * EPOCH);
        }
        _expectStepFrom(v, v + 11);
    }

    function _expectStepFrom(uint256 base, uint256 v) internal {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyStepTooLarge.selector, _feeId(), base, v, 10)
        );
        vm.prank(AGENT);
        token.setFee(v);
    }

    // ------------------------------------------------------------ collateral and oracle

    function _collateral(uint256 liq, uint256 ratio) internal {
        uint256 required = liq + 2000;
        if (ratio < required) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    PolicyGuard.PolicyCollateralTooLow.selector, _synthId(), ratio, required
                )
            );
        }
        token.checkCollateral(ratio, liq);
    }

    function test_checkCollateral() public {
        _collateral(15_000, 16_999);
        _collateral(15_000, 17_000);
    }

    function testFuzz_checkCollateral(uint256 liq, uint256 ratio) public {
        _collateral(bound(liq, 0, 1e9), bound(ratio, 0, 2e9));
    }

    function _oracle(uint256 age, int256 answer, int256 previous) internal {
        uint256 updatedAt = block.timestamp - age;
        if (age > 1 hours) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    PolicyGuard.PolicyOracleStale.selector, _synthId(), updatedAt, age, 1 hours
                )
            );
        } else if (previous > 0) {
            uint256 diff = answer > previous ? uint256(answer - previous) : uint256(previous - answer);
            uint256 dev = diff * 10_000 / uint256(previous);
            if (dev > 1000) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        PolicyGuard.PolicyOracleDeviation.selector, _synthId(), answer, previous, dev, 1000
                    )
                );
            }
        }
        token.checkOracle(updatedAt, answer, previous);
    }

    function test_checkOracle() public {
        _oracle(0, 110, 100); // 10%: allowed
        _oracle(1 hours, 89, 100); // 11%: refused
        _oracle(1 hours + 1, 100, 100); // stale
        _oracle(60, -5, 100); // negative answer: deviation > 100%
        _oracle(60, 100, 0); // no previous
    }

    function testFuzz_checkOracle(uint256 age, int256 answer, int256 previous) public {
        _oracle(bound(age, 0, 2 hours), bound(answer, -1e30, 1e30), bound(previous, -1e30, 1e30));
    }

    function testFuzz_consume_noAgentConfigured(address actor) public {
        vm.prank(ADMIN);
        guard.setAgent(address(0));
        _notAgent(actor);
    }

    function testFuzz_pauseAsset_onlyThatAsset(bool byAdmin, uint256 amount) public {
        amount = bound(amount, 0, 1000e18);
        GuardedToken other = new GuardedToken(guard);
        vm.prank(ADMIN);
        guard.createPolicy(address(other), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
        vm.prank(byAdmin ? ADMIN : GUARDIAN);
        guard.pauseAsset(address(token));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(token)));
        vm.prank(AGENT);
        token.mint(USER, amount);
        vm.prank(AGENT);
        other.mint(USER, amount);
        assertEq(other.balanceOf(USER), amount);
    }

    function testFuzz_pauseAsset_appliesToPoliciesCreatedLater(bytes32 action) public {
        GuardedToken other = new GuardedToken(guard);
        vm.prank(GUARDIAN);
        guard.pauseAsset(address(other));
        vm.prank(ADMIN);
        guard.createPolicy(address(other), action, EPOCH, policyCeiling(), defaultLimits(), 0);
        assertTrue(guard.policyOf(address(other), action).paused);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(other)));
        vm.prank(address(other));
        guard.consume(action, AGENT, bytes32(0), 0, 1);
    }

    function _feeId() internal view returns (bytes32) {
        return guard.policyId(address(token), PolicyActions.SET_FEE);
    }

    function _synthId() internal view returns (bytes32) {
        return guard.policyId(address(token), PolicyActions.SYNTH_MINT);
    }
}

/// @notice Governance, guardian and agent permissions; ceilings.
contract PolicyGuardConfigTest is PolicyTestBase {
    function _setCap(uint256 cap) internal {
        vm.expectEmit(address(guard));
        PolicyGuard.Limits memory expected = defaultLimits();
        expected.epochCap = cap;
        emit PolicyGuard.LimitsChanged(mintId(), ADMIN, defaultLimits(), expected);
        vm.prank(ADMIN);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, cap);
        assertEq(guard.limitsOf(address(token), PolicyActions.MINT).epochCap, cap);
    }

    function test_setLimit_withinCeiling() public {
        _setCap(1e24);
    }

    function testFuzz_setLimit_withinCeiling(uint256 cap) public {
        _setCap(bound(cap, 0, 1e24));
    }

    function _aboveCeiling(uint256 cap) internal {
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, mintId(), PolicyGuard.Field.EpochCap, 1e24, cap
            )
        );
        vm.prank(ADMIN);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, cap);
    }

    function test_setLimit_aboveCeiling() public {
        _aboveCeiling(1e24 + 1);
    }

    function testFuzz_setLimit_aboveCeiling(uint256 cap) public {
        _aboveCeiling(bound(cap, 1e24 + 1, type(uint256).max));
    }

    function test_setLimit_marginBelowFloor() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, mintId(), PolicyGuard.Field.MarginBps, 1000, 999
            )
        );
        vm.prank(ADMIN);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.MarginBps, 999);
    }

    function _createAboveGlobal(uint256 cap) internal {
        PolicyGuard.Limits memory c = policyCeiling();
        c.lifetimeCap = cap;
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, bytes32(0), PolicyGuard.Field.LifetimeCap, 1e28, cap
            )
        );
        vm.prank(ADMIN);
        guard.createPolicy(address(0xBEEF), PolicyActions.MINT, EPOCH, c, defaultLimits(), 0);
    }

    function test_createPolicy_ceilingAboveGlobal() public {
        _createAboveGlobal(1e28 + 1);
    }

    function testFuzz_createPolicy_ceilingAboveGlobal(uint256 cap) public {
        _createAboveGlobal(bound(cap, 1e28 + 1, type(uint256).max));
    }

    function test_createPolicy_twiceReverts() public {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAlreadyExists.selector, mintId()));
        vm.prank(ADMIN);
        guard.createPolicy(address(token), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
    }

    function test_createPolicy_zeroEpochReverts() public {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyInvalidEpochLength.selector, 0));
        vm.prank(ADMIN);
        guard.createPolicy(address(0xBEEF), PolicyActions.MINT, 0, policyCeiling(), defaultLimits(), 0);
    }

    function test_constructor_zeroModelRegistryReverts() public {
        vm.expectRevert(PolicyGuard.PolicyZeroModelRegistry.selector);
        new PolicyGuard(ADMIN, GUARDIAN, AGENT, IModelRegistry(address(0)), globalCeiling());
    }

    /// The registry is fixed at construction: whatever registry is given is the one reported and read.
    function testFuzz_constructor_modelRegistryFixed(address someRegistry) public {
        vm.assume(someRegistry != address(0));
        PolicyGuard g = new PolicyGuard(ADMIN, GUARDIAN, AGENT, IModelRegistry(someRegistry), globalCeiling());
        assertEq(address(g.modelRegistry()), someRegistry);
    }

    function test_constructor_modelRegistryFixed() public view {
        assertEq(address(guard.modelRegistry()), address(registry));
    }

    function test_constructor_globalCeilingTooWide() public {
        PolicyGuard.Limits memory g = globalCeiling();
        g.subjectRateLimit = 256;
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, bytes32(0), PolicyGuard.Field.SubjectRateLimit, 255, 256
            )
        );
        new PolicyGuard(ADMIN, GUARDIAN, AGENT, registry, g);
    }

    function _lowerCeiling(uint256 newCeilingCap) internal {
        PolicyGuard.Limits memory c = policyCeiling();
        c.epochCap = newCeilingCap;
        vm.prank(ADMIN);
        guard.lowerCeiling(address(token), PolicyActions.MINT, c);
        assertEq(guard.ceilingOf(address(token), PolicyActions.MINT).epochCap, newCeilingCap);
        uint256 governed = guard.limitsOf(address(token), PolicyActions.MINT).epochCap;
        assertEq(governed, newCeilingCap < 1000e18 ? newCeilingCap : 1000e18);
        // and it can never go back up
        c.epochCap = newCeilingCap + 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector,
                mintId(),
                PolicyGuard.Field.EpochCap,
                newCeilingCap,
                newCeilingCap + 1
            )
        );
        vm.prank(ADMIN);
        guard.lowerCeiling(address(token), PolicyActions.MINT, c);
    }

    function test_lowerCeiling_clampsAndCannotRise() public {
        _lowerCeiling(500e18);
    }

    function testFuzz_lowerCeiling_clampsAndCannotRise(uint256 cap) public {
        _lowerCeiling(bound(cap, 0, 1e24 - 1));
    }

    function _guardianTightens(uint256 cap) internal {
        vm.prank(GUARDIAN);
        guard.tightenLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, cap);
        assertEq(guard.limitsOf(address(token), PolicyActions.MINT).epochCap, cap);
    }

    function test_guardian_tightens() public {
        _guardianTightens(10e18);
    }

    function testFuzz_guardian_tightens(uint256 cap) public {
        _guardianTightens(bound(cap, 0, 1000e18));
    }

    function _guardianLoosens(PolicyGuard.Field field, uint256 value) internal {
        uint256 current = _field(guard.limitsOf(address(token), PolicyActions.MINT), field);
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.GuardianCannotLoosen.selector, mintId(), field, current, value)
        );
        vm.prank(GUARDIAN);
        guard.tightenLimit(address(token), PolicyActions.MINT, field, value);
    }

    function test_guardian_cannotLoosen() public {
        _guardianLoosens(PolicyGuard.Field.EpochCap, 1000e18 + 1);
        _guardianLoosens(PolicyGuard.Field.MinValue, 4);
        _guardianLoosens(PolicyGuard.Field.MarginBps, 1999);
        _guardianLoosens(PolicyGuard.Field.MaxOracleAge, 1 hours + 1);
    }

    function testFuzz_guardian_cannotLoosen(uint8 f, uint256 delta) public {
        PolicyGuard.Field field = PolicyGuard.Field(bound(f, 0, 9));
        uint256 current = _field(guard.limitsOf(address(token), PolicyActions.MINT), field);
        bool lowerLooser = field == PolicyGuard.Field.MinValue || field == PolicyGuard.Field.MarginBps;
        uint256 value = lowerLooser ? current - bound(delta, 1, current) : current + bound(delta, 1, 1e30);
        _guardianLoosens(field, value);
    }

    function test_guardian_tightenLimitsWholeStruct() public {
        PolicyGuard.Limits memory l = defaultLimits();
        l.marginBps = 3000;
        l.maxValue = 50;
        vm.prank(GUARDIAN);
        guard.tightenLimits(address(token), PolicyActions.MINT, l);
        l.maxStep = 11;
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.GuardianCannotLoosen.selector, mintId(), PolicyGuard.Field.MaxStep, 10, 11
            )
        );
        vm.prank(GUARDIAN);
        guard.tightenLimits(address(token), PolicyActions.MINT, l);
    }

    function _cannotGovern(address caller) internal {
        bytes4 err = PolicyGuard.PolicyUnauthorized.selector;
        vm.startPrank(caller);
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, 1);
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.setLimits(address(token), PolicyActions.MINT, defaultLimits());
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.lowerCeiling(address(token), PolicyActions.MINT, defaultLimits());
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.createPolicy(address(1), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.unpause();
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.setAgent(caller);
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.setGuardian(caller);
        vm.expectRevert(abi.encodeWithSelector(err, caller));
        guard.setAdmin(caller);
        vm.stopPrank();
    }

    function test_agentAndGuardian_cannotGovern() public {
        _cannotGovern(AGENT);
        _cannotGovern(GUARDIAN);
    }

    /// @dev Whatever keys governance appoints as agent and guardian, neither can govern.
    function testFuzz_agentAndGuardian_cannotGovern(address agentKey, address guardianKey) public {
        vm.assume(agentKey != address(0) && guardianKey != address(0));
        vm.assume(agentKey != ADMIN && guardianKey != ADMIN && agentKey != guardianKey);
        vm.assume(agentKey != GUARDIAN && guardianKey != AGENT);
        vm.startPrank(ADMIN);
        guard.setAgent(agentKey);
        guard.setGuardian(guardianKey);
        vm.stopPrank();
        assertEq(guard.agent(), agentKey);
        assertEq(guard.guardian(), guardianKey);
        _cannotGovern(agentKey);
        _cannotGovern(guardianKey);
    }

    function testFuzz_stranger_cannotGovern(address caller) public {
        vm.assume(caller != ADMIN);
        _cannotGovern(caller);
    }

    function test_agent_cannotTightenOrPause() public {
        bytes memory err = abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, AGENT);
        vm.startPrank(AGENT);
        vm.expectRevert(err);
        guard.tightenLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, 0);
        vm.expectRevert(err);
        guard.pause();
        vm.expectRevert(err);
        guard.pauseAsset(address(token));
        vm.stopPrank();
    }

    function test_agent_cannotHoldConfigRoles() public {
        vm.startPrank(ADMIN);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAgentCannotConfigure.selector, GUARDIAN));
        guard.setAgent(GUARDIAN);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAgentCannotConfigure.selector, AGENT));
        guard.setGuardian(AGENT);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAgentCannotConfigure.selector, AGENT));
        guard.setAdmin(AGENT);
        vm.stopPrank();
    }

    function test_views_policyIdsAndPolicyOf() public {
        bytes32[] memory ids = guard.policyIds();
        assertEq(ids.length, 3);
        assertEq(ids[0], mintId());
        (address asset, bytes32 action) = guard.policyKey(ids[0]);
        assertEq(asset, address(token));
        assertEq(action, PolicyActions.MINT);
        vm.prank(AGENT);
        token.mint(USER, 5e18);
        PolicyGuard.PolicyView memory p = guard.policyOf(address(token), PolicyActions.MINT);
        assertEq(p.policyId, mintId());
        assertEq(p.epochLength, EPOCH);
        assertEq(p.usedThisEpoch, 5e18);
        assertEq(p.usedLifetime, 5e18);
        assertEq(p.actionsThisEpoch, 1);
        assertEq(p.epochIndex, block.timestamp / EPOCH);
        assertEq(p.epochResetsAt, (block.timestamp / EPOCH + 1) * EPOCH);
        assertEq(p.limits.epochCap, 1000e18);
        assertEq(p.ceiling.epochCap, 1e24);
        assertFalse(p.paused);
        assertEq(guard.globalCeiling().epochCap, 1e27);
        assertTrue(guard.isAgent(AGENT));
        assertFalse(guard.isAgent(address(0)));
        vm.warp(p.epochResetsAt);
        p = guard.policyOf(address(token), PolicyActions.MINT);
        assertEq(p.usedThisEpoch, 0);
        assertEq(p.actionsThisEpoch, 0);
        assertEq(p.usedLifetime, 5e18);
    }

    function test_views_unknownPolicyReverts() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyUnknown.selector, address(1), PolicyActions.MINT)
        );
        guard.remaining(address(1), PolicyActions.MINT);
    }

    function testFuzz_createPolicy_twiceReverts(address asset, bytes32 action) public {
        vm.assume(asset != address(token));
        vm.startPrank(ADMIN);
        bytes32 id = guard.createPolicy(asset, action, EPOCH, policyCeiling(), defaultLimits(), 0);
        assertEq(id, guard.policyId(asset, action));
        assertEq(id, keccak256(abi.encode(asset, action)));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAlreadyExists.selector, id));
        guard.createPolicy(asset, action, EPOCH, policyCeiling(), defaultLimits(), 0);
        vm.stopPrank();
    }

    function testFuzz_createPolicy_invalidEpochLength(uint256 len) public {
        vm.assume(len == 0 || len > type(uint32).max);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyInvalidEpochLength.selector, len));
        vm.prank(ADMIN);
        guard.createPolicy(address(0xBEEF), PolicyActions.MINT, len, policyCeiling(), defaultLimits(), 0);
    }

    function testFuzz_constructor_globalCeilingTooWide(uint256 excess) public {
        PolicyGuard.Limits memory g = globalCeiling();
        g.rateLimit = uint256(type(uint16).max) + bound(excess, 1, 1e30);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector,
                bytes32(0),
                PolicyGuard.Field.RateLimit,
                type(uint16).max,
                g.rateLimit
            )
        );
        new PolicyGuard(ADMIN, GUARDIAN, AGENT, registry, g);
    }

    function testFuzz_setLimit_marginBelowFloor(uint256 margin) public {
        margin = bound(margin, 0, 999);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.CeilingExceeded.selector, mintId(), PolicyGuard.Field.MarginBps, 1000, margin
            )
        );
        vm.prank(ADMIN);
        guard.setLimit(address(token), PolicyActions.MINT, PolicyGuard.Field.MarginBps, margin);
    }

    function testFuzz_guardian_tightenLimitsWholeStruct(uint256 seed) public {
        PolicyGuard.Limits memory cur = defaultLimits();
        PolicyGuard.Limits memory l = PolicyGuard.Limits({
            epochCap: bound(seed, 0, cur.epochCap),
            lifetimeCap: bound(seed >> 8, 0, cur.lifetimeCap),
            rateLimit: bound(seed >> 16, 0, cur.rateLimit),
            subjectRateLimit: bound(seed >> 24, 0, cur.subjectRateLimit),
            minValue: bound(seed >> 32, cur.minValue, 1e20),
            maxValue: bound(seed >> 40, 0, cur.maxValue),
            maxStep: bound(seed >> 48, 0, cur.maxStep),
            marginBps: bound(seed >> 56, cur.marginBps, 1e6),
            maxOracleAge: bound(seed >> 64, 0, cur.maxOracleAge),
            maxDeviationBps: bound(seed >> 72, 0, cur.maxDeviationBps)
        });
        vm.prank(GUARDIAN);
        guard.tightenLimits(address(token), PolicyActions.MINT, l);
        assertEq(
            keccak256(abi.encode(guard.limitsOf(address(token), PolicyActions.MINT))),
            keccak256(abi.encode(l))
        );
    }

    function testFuzz_agent_cannotTightenOrPause(uint8 f, uint256 value) public {
        PolicyGuard.Field field = PolicyGuard.Field(bound(f, 0, 9));
        bytes memory err = abi.encodeWithSelector(PolicyGuard.PolicyUnauthorized.selector, AGENT);
        vm.startPrank(AGENT);
        vm.expectRevert(err);
        guard.tightenLimit(address(token), PolicyActions.MINT, field, value);
        vm.expectRevert(err);
        guard.pause();
        vm.stopPrank();
    }

    function testFuzz_agent_cannotHoldConfigRoles(address account) public {
        vm.assume(account != address(0) && account != ADMIN && account != GUARDIAN);
        vm.startPrank(ADMIN);
        guard.setAgent(account);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAgentCannotConfigure.selector, account));
        guard.setGuardian(account);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyAgentCannotConfigure.selector, account));
        guard.setAdmin(account);
        vm.stopPrank();
    }

    function testFuzz_views_policyOfTracksUsage(uint256 amount, uint256 dt) public {
        amount = bound(amount, 0, 1000e18);
        dt = bound(dt, 0, 3 * EPOCH);
        vm.prank(AGENT);
        token.mint(USER, amount);
        uint256 mintedEpoch = block.timestamp / EPOCH;
        vm.warp(block.timestamp + dt);
        PolicyGuard.PolicyView memory p = guard.policyOf(address(token), PolicyActions.MINT);
        bool same = block.timestamp / EPOCH == mintedEpoch;
        assertEq(p.usedThisEpoch, same ? amount : 0);
        assertEq(p.actionsThisEpoch, same ? 1 : 0);
        assertEq(p.usedLifetime, amount);
        (uint256 left, uint256 lifetimeLeft, uint256 resetsAt) =
            guard.remaining(address(token), PolicyActions.MINT);
        assertEq(left, 1000e18 - p.usedThisEpoch);
        assertEq(lifetimeLeft, 10_000e18 - amount);
        assertEq(resetsAt, p.epochResetsAt);
        assertGt(resetsAt, block.timestamp);
        assertLe(resetsAt - block.timestamp, EPOCH);
    }

    function testFuzz_views_unknownPolicyReverts(address asset, bytes32 action) public {
        vm.assume(asset != address(token));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyUnknown.selector, asset, action));
        guard.policyOf(asset, action);
    }

    function _field(PolicyGuard.Limits memory l, PolicyGuard.Field f) internal pure returns (uint256) {
        return limitsArray(l)[uint256(f)];
    }
}
