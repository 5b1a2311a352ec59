// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICollateralGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {PolicyTestBase} from "./PolicyTestBase.sol";

/// @notice Test asset: a collateralised mint path that asks the guard either in one call
/// (`consumeWithCollateral`) or in the three calls it replaces (`consume`, `checkCollateral`,
/// `checkOracle`). `combined` / `separate` price with a fresh, unmoved round (answer 100, previous 100).
contract CollateralAsset {
    /// @notice The oracle round passed to the guard.
    struct Round {
        uint256 updatedAt;
        int256 answer;
        int256 previousAnswer;
    }

    ICollateralGuard public immutable guard;

    constructor(ICollateralGuard guard_) {
        guard = guard_;
    }

    function combined(bytes32 modelId, uint256 amount, uint256 ratioAfterBps, uint256 liquidationRatioBps)
        external
    {
        combinedAt(modelId, amount, ratioAfterBps, liquidationRatioBps, Round(block.timestamp, 100, 100));
    }

    function combinedAt(
        bytes32 modelId,
        uint256 amount,
        uint256 ratioAfterBps,
        uint256 liquidationRatioBps,
        Round memory r
    ) public {
        guard.consumeWithCollateral(
            PolicyActions.SYNTH_MINT,
            msg.sender,
            modelId,
            amount,
            ratioAfterBps,
            liquidationRatioBps,
            r.updatedAt,
            r.answer,
            r.previousAnswer
        );
    }

    function separate(bytes32 modelId, uint256 amount, uint256 ratioAfterBps, uint256 liquidationRatioBps)
        external
    {
        separateAt(modelId, amount, ratioAfterBps, liquidationRatioBps, Round(block.timestamp, 100, 100));
    }

    function separateAt(
        bytes32 modelId,
        uint256 amount,
        uint256 ratioAfterBps,
        uint256 liquidationRatioBps,
        Round memory r
    ) public {
        guard.consume(PolicyActions.SYNTH_MINT, msg.sender, modelId, 0, amount);
        guard.checkCollateral(PolicyActions.SYNTH_MINT, ratioAfterBps, liquidationRatioBps);
        guard.checkOracle(PolicyActions.SYNTH_MINT, r.updatedAt, r.answer, r.previousAnswer);
    }
}

/// @notice `consumeWithCollateral` is exactly `consume(action, actor, modelId, 0, amount)`, then
/// `checkCollateral(action, ratio, liquidationRatio)`, then `checkOracle(action, updatedAt, answer,
/// previousAnswer)`: same errors in the same order, same usage, same event.
contract PolicyGuardCollateralTest is PolicyTestBase {
    bytes32 internal constant MODEL = keccak256("model");
    uint256 internal constant MARGIN = 2000; // defaultLimits().marginBps
    uint256 internal constant MAX_AGE = 1 hours; // defaultLimits().maxOracleAge
    uint256 internal constant MAX_DEV = 1000; // defaultLimits().maxDeviationBps
    CollateralAsset internal asset;
    bytes32 internal id;

    event Consumed(bytes32 indexed policyId, uint256 subject, uint256 amount);

    function setUp() public override {
        super.setUp();
        asset = new CollateralAsset(guard);
        vm.prank(ADMIN);
        guard.createPolicy(
            address(asset), PolicyActions.SYNTH_MINT, EPOCH, policyCeiling(), defaultLimits(), 0
        );
        id = guard.policyId(address(asset), PolicyActions.SYNTH_MINT);
        registry.setApproved(MODEL, true);
    }

    function _used() internal view returns (uint256 usedThisEpoch, uint256 usedLifetime, uint256 actions) {
        PolicyGuard.PolicyView memory v = guard.policyOf(address(asset), PolicyActions.SYNTH_MINT);
        return (v.usedThisEpoch, v.usedLifetime, v.actionsThisEpoch);
    }

    function _fresh() internal view returns (CollateralAsset.Round memory) {
        return CollateralAsset.Round(block.timestamp, 100, 100);
    }

    // ------------------------------------------------------------ records and emits

    function _recordsAndEmits(uint256 amount, uint256 liq, uint256 extra) internal {
        vm.expectEmit(address(guard));
        emit Consumed(id, 0, amount);
        vm.prank(AGENT);
        asset.combined(MODEL, amount, liq + MARGIN + extra, liq);
        (uint256 usedThisEpoch, uint256 usedLifetime, uint256 actions) = _used();
        assertEq(usedThisEpoch, amount);
        assertEq(usedLifetime, amount);
        assertEq(actions, 1);
    }

    function test_consumeWithCollateral_recordsAndEmits() public {
        _recordsAndEmits(10e18, 15_000, 0);
    }

    function testFuzz_consumeWithCollateral_recordsAndEmits(uint256 amount, uint256 liq, uint256 extra)
        public
    {
        _recordsAndEmits(bound(amount, 0, 1000e18), bound(liq, 0, 1e9), bound(extra, 0, 1e9));
    }

    // ------------------------------------------------------------ margin

    function _refusesBelowMargin(uint256 liq, uint256 shortBy) internal {
        uint256 required = liq + MARGIN;
        uint256 ratio = required - shortBy;
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyCollateralTooLow.selector, id, ratio, required)
        );
        vm.prank(AGENT);
        asset.combined(MODEL, 10e18, ratio, liq);
        (uint256 usedThisEpoch,,) = _used();
        assertEq(usedThisEpoch, 0, "a refused call records nothing");
    }

    function test_consumeWithCollateral_refusesBelowMargin() public {
        _refusesBelowMargin(15_000, 1); // 16,999 < 17,000
    }

    function testFuzz_consumeWithCollateral_refusesBelowMargin(uint256 liq, uint256 shortBy) public {
        liq = bound(liq, 0, 1e9);
        _refusesBelowMargin(liq, bound(shortBy, 1, liq + MARGIN));
    }

    // ------------------------------------------------------------ error order

    function _consumeErrorsComeFirst(address stranger, uint256 over, bytes32 badModel) internal {
        // Not the agent, below the margin and stale: the role error wins, as with the separate calls.
        CollateralAsset.Round memory stale = CollateralAsset.Round(block.timestamp - MAX_AGE - 1, 100, 100);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, stranger));
        vm.prank(stranger);
        asset.combinedAt(MODEL, 10e18, 0, 15_000, stale);
        // Over the epoch cap, below the margin and stale: the cap error wins.
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyMintCapExceeded.selector, id, 1000e18 + over, 1000e18)
        );
        vm.prank(AGENT);
        asset.combinedAt(MODEL, 1000e18 + over, 0, 15_000, stale);
        // An unapproved model, below the margin: the model error wins.
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelNotAllowed.selector, id, badModel));
        vm.prank(AGENT);
        asset.combinedAt(badModel, 1e18, 0, 15_000, stale);
        // No model at all.
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelRequired.selector, id));
        vm.prank(AGENT);
        asset.combinedAt(bytes32(0), 1e18, 0, 15_000, stale);
        // Below the margin and stale: the margin error wins over the oracle errors.
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyCollateralTooLow.selector, id, 0, 17_000));
        vm.prank(AGENT);
        asset.combinedAt(MODEL, 1e18, 0, 15_000, stale);
    }

    function test_consumeWithCollateral_consumeErrorsComeFirst() public {
        _consumeErrorsComeFirst(USER, 1e18, bytes32("x"));
    }

    function testFuzz_consumeWithCollateral_consumeErrorsComeFirst(
        address stranger,
        uint256 over,
        bytes32 badModel
    ) public {
        vm.assume(stranger != AGENT);
        vm.assume(badModel != MODEL && badModel != bytes32(0) && !registry.approved(badModel));
        _consumeErrorsComeFirst(stranger, bound(over, 1, 1e24), badModel);
    }

    // ------------------------------------------------------------ unknown policy and pause

    function _unknownPolicyAndPause(bool byAdmin, bool global, uint256 amount) internal {
        CollateralAsset stranger = new CollateralAsset(guard);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyUnknown.selector, address(stranger), PolicyActions.SYNTH_MINT
            )
        );
        vm.prank(AGENT);
        stranger.combined(MODEL, amount, 20_000, 15_000);
        vm.startPrank(byAdmin ? ADMIN : GUARDIAN);
        if (global) guard.pause();
        else guard.pauseAsset(address(asset));
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, global ? address(0) : address(asset))
        );
        vm.prank(AGENT);
        asset.combined(MODEL, amount, 20_000, 15_000);
    }

    function test_consumeWithCollateral_unknownPolicyAndPause() public {
        _unknownPolicyAndPause(false, false, 1e18);
    }

    function testFuzz_consumeWithCollateral_unknownPolicyAndPause(bool byAdmin, bool global, uint256 amount)
        public
    {
        _unknownPolicyAndPause(byAdmin, global, bound(amount, 0, 1000e18));
    }

    // ------------------------------------------------------------ zero model

    function _refusesZeroModel(uint256 amount, uint256 ratio) internal {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelRequired.selector, id));
        vm.prank(AGENT);
        asset.combined(bytes32(0), amount, ratio, 15_000);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelRequired.selector, id));
        vm.prank(AGENT);
        asset.separate(bytes32(0), amount, ratio, 15_000);
        (uint256 usedThisEpoch,, uint256 actions) = _used();
        assertEq(usedThisEpoch, 0);
        assertEq(actions, 0);
    }

    function test_consumeWithCollateral_refusesZeroModel() public {
        _refusesZeroModel(1e18, 20_000);
    }

    function testFuzz_consumeWithCollateral_refusesZeroModel(uint256 amount, uint256 ratio) public {
        _refusesZeroModel(bound(amount, 0, 1000e18), bound(ratio, 17_000, 1e9));
    }

    // ------------------------------------------------------------ oracle policy

    /// @dev Expected outcome of the oracle half, computed independently of the guard.
    function _expectOracle(uint256 updatedAt, int256 answer, int256 previous) internal {
        uint256 age = block.timestamp > updatedAt ? block.timestamp - updatedAt : 0;
        if (age > MAX_AGE) {
            vm.expectRevert(
                abi.encodeWithSelector(PolicyGuard.PolicyOracleStale.selector, id, updatedAt, age, MAX_AGE)
            );
        } else if (previous > 0) {
            uint256 diff = answer > previous ? uint256(answer - previous) : uint256(previous - answer);
            uint256 dev = diff * 10_000 / uint256(previous);
            if (dev > MAX_DEV) {
                vm.expectRevert(
                    abi.encodeWithSelector(
                        PolicyGuard.PolicyOracleDeviation.selector, id, answer, previous, dev, MAX_DEV
                    )
                );
            }
        }
    }

    function _oracle(uint256 age, int256 answer, int256 previous) internal {
        CollateralAsset.Round memory r = CollateralAsset.Round(block.timestamp - age, answer, previous);
        _expectOracle(r.updatedAt, answer, previous);
        vm.prank(AGENT);
        asset.combinedAt(MODEL, 1e18, 17_000, 15_000, r);
    }

    function test_consumeWithCollateral_oracle() public {
        _oracle(0, 110, 100); // 10%: allowed
        _oracle(MAX_AGE, 89, 100); // 11%: refused
        _oracle(MAX_AGE + 1, 100, 100); // stale
        _oracle(60, -5, 100); // negative answer: deviation > 100%
        _oracle(60, 1000, 0); // no previous round: freshness only
        _oracle(60, 1000, -37); // a negative previous answer counts as none
    }

    function testFuzz_consumeWithCollateral_oracle(uint256 age, int256 answer, int256 previous) public {
        _oracle(bound(age, 0, 2 hours), bound(answer, -1e30, 1e30), bound(previous, -1e30, 1e30));
    }

    /// @dev A round stamped in the future counts as age 0 (as `checkOracle` documents).
    function test_consumeWithCollateral_futureRoundIsFresh() public {
        vm.prank(AGENT);
        asset.combinedAt(
            MODEL, 1e18, 17_000, 15_000, CollateralAsset.Round(block.timestamp + 1 days, 100, 100)
        );
    }

    // ------------------------------------------------------------ equivalence

    /// @dev Runs the combined call and the three separate calls from the same state and compares the
    /// outcome (success or the exact revert data) and the usage left afterwards.
    function _equivalent(
        address actor,
        bytes32 modelId,
        uint256 amount,
        uint256 ratio,
        uint256 liq,
        CollateralAsset.Round memory r
    ) internal {
        uint256 snap = vm.snapshotState();
        vm.prank(actor);
        (bool okA, bytes memory errA) =
            address(asset).call(abi.encodeCall(asset.combinedAt, (modelId, amount, ratio, liq, r)));
        (uint256 e1, uint256 l1, uint256 a1) = _used();
        vm.revertToState(snap);
        vm.prank(actor);
        (bool okB, bytes memory errB) =
            address(asset).call(abi.encodeCall(asset.separateAt, (modelId, amount, ratio, liq, r)));
        (uint256 e2, uint256 l2, uint256 a2) = _used();
        assertEq(okA, okB, "same outcome");
        assertEq(errA, errB, "same revert data");
        assertEq(e1, e2);
        assertEq(l1, l2);
        assertEq(a1, a2);
    }

    function test_consumeWithCollateral_equivalent() public {
        CollateralAsset.Round memory fresh = _fresh();
        _equivalent(AGENT, MODEL, 10e18, 17_000, 15_000, fresh); // passes
        _equivalent(AGENT, MODEL, 10e18, 16_999, 15_000, fresh); // margin
        _equivalent(USER, MODEL, 10e18, 17_000, 15_000, fresh); // role
        _equivalent(AGENT, MODEL, 1001e18, 17_000, 15_000, fresh); // cap
        _equivalent(AGENT, bytes32("x"), 1e18, 17_000, 15_000, fresh); // model
        _equivalent(AGENT, bytes32(0), 1e18, 12_000, 10_000, fresh); // no model
        _equivalent(
            AGENT, MODEL, 1e18, 17_000, 15_000, CollateralAsset.Round(block.timestamp - 2 hours, 1, 1)
        );
        _equivalent(AGENT, MODEL, 1e18, 17_000, 15_000, CollateralAsset.Round(block.timestamp, 120, 100));
    }

    function testFuzz_consumeWithCollateral_equivalent(
        bool isAgent,
        uint8 model,
        uint256 amount,
        uint256 ratio,
        uint256 liq,
        uint256 age,
        int256 answer,
        int256 previous
    ) public {
        bytes32 modelId = model % 3 == 0 ? MODEL : model % 3 == 1 ? bytes32("x") : bytes32(0);
        _equivalent(
            isAgent ? AGENT : USER,
            modelId,
            bound(amount, 0, 1100e18),
            bound(ratio, 0, 2e9),
            bound(liq, 0, 1e9),
            CollateralAsset.Round(
                block.timestamp - bound(age, 0, 2 hours),
                bound(answer, -1e30, 1e30),
                bound(previous, -1e30, 1e30)
            )
        );
    }
}
