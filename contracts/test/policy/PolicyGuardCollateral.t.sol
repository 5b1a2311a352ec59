// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICollateralGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {PolicyTestBase} from "./PolicyTestBase.sol";

/// @notice Test asset: a collateralised mint path that asks the guard either in one call
/// (`consumeWithCollateral`) or in the two calls it replaces (`consume` then `checkCollateral`).
contract CollateralAsset {
    ICollateralGuard public immutable guard;

    constructor(ICollateralGuard guard_) {
        guard = guard_;
    }

    function combined(bytes32 modelId, uint256 amount, uint256 ratioAfterBps, uint256 liquidationRatioBps)
        external
    {
        guard.consumeWithCollateral(
            PolicyActions.SYNTH_MINT, msg.sender, modelId, amount, ratioAfterBps, liquidationRatioBps
        );
    }

    function separate(bytes32 modelId, uint256 amount, uint256 ratioAfterBps, uint256 liquidationRatioBps)
        external
    {
        guard.consume(PolicyActions.SYNTH_MINT, msg.sender, modelId, 0, amount);
        guard.checkCollateral(PolicyActions.SYNTH_MINT, ratioAfterBps, liquidationRatioBps);
    }
}

/// @notice `consumeWithCollateral` is exactly `consume(action, actor, modelId, 0, amount)` followed by
/// `checkCollateral(action, ratio, liquidationRatio)`: same errors in the same order, same usage, same event.
contract PolicyGuardCollateralTest is PolicyTestBase {
    bytes32 internal constant MODEL = keccak256("model");
    uint256 internal constant MARGIN = 2000; // defaultLimits().marginBps
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

    function test_consumeWithCollateral_recordsAndEmits() public {
        vm.expectEmit(address(guard));
        emit Consumed(id, 0, 10e18);
        vm.prank(AGENT);
        asset.combined(MODEL, 10e18, 15_000 + MARGIN, 15_000);
        (uint256 usedThisEpoch, uint256 usedLifetime, uint256 actions) = _used();
        assertEq(usedThisEpoch, 10e18);
        assertEq(usedLifetime, 10e18);
        assertEq(actions, 1);
    }

    function test_consumeWithCollateral_refusesBelowMargin() public {
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyCollateralTooLow.selector, id, 16_999, 17_000)
        );
        vm.prank(AGENT);
        asset.combined(MODEL, 10e18, 16_999, 15_000);
    }

    function test_consumeWithCollateral_consumeErrorsComeFirst() public {
        // Not the agent, and below the margin: the role error wins, as with consume then checkCollateral.
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, USER));
        vm.prank(USER);
        asset.combined(MODEL, 10e18, 0, 15_000);
        // Over the epoch cap, and below the margin: the cap error wins.
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyMintCapExceeded.selector, id, 1001e18, 1000e18)
        );
        vm.prank(AGENT);
        asset.combined(MODEL, 1001e18, 0, 15_000);
        // An unapproved model.
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelNotAllowed.selector, bytes32("x")));
        vm.prank(AGENT);
        asset.combined(bytes32("x"), 1e18, 20_000, 15_000);
    }

    function test_consumeWithCollateral_unknownPolicyAndPause() public {
        CollateralAsset stranger = new CollateralAsset(guard);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyUnknown.selector, address(stranger), PolicyActions.SYNTH_MINT
            )
        );
        vm.prank(AGENT);
        stranger.combined(MODEL, 1e18, 20_000, 15_000);
        vm.prank(GUARDIAN);
        guard.pauseAsset(address(asset));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(asset)));
        vm.prank(AGENT);
        asset.combined(MODEL, 1e18, 20_000, 15_000);
    }

    /// @dev Runs the combined call and the two separate calls from the same state and compares the
    /// outcome (success or the exact revert data) and the usage left afterwards.
    function _equivalent(address actor, bytes32 modelId, uint256 amount, uint256 ratio, uint256 liq)
        internal
    {
        uint256 snap = vm.snapshotState();
        vm.prank(actor);
        (bool okA, bytes memory errA) =
            address(asset).call(abi.encodeCall(asset.combined, (modelId, amount, ratio, liq)));
        (uint256 e1, uint256 l1, uint256 a1) = _used();
        vm.revertToState(snap);
        vm.prank(actor);
        (bool okB, bytes memory errB) =
            address(asset).call(abi.encodeCall(asset.separate, (modelId, amount, ratio, liq)));
        (uint256 e2, uint256 l2, uint256 a2) = _used();
        assertEq(okA, okB, "same outcome");
        assertEq(errA, errB, "same revert data");
        assertEq(e1, e2);
        assertEq(l1, l2);
        assertEq(a1, a2);
    }

    function test_consumeWithCollateral_equivalent() public {
        _equivalent(AGENT, MODEL, 10e18, 17_000, 15_000); // passes
        _equivalent(AGENT, MODEL, 10e18, 16_999, 15_000); // margin
        _equivalent(USER, MODEL, 10e18, 17_000, 15_000); // role
        _equivalent(AGENT, MODEL, 1001e18, 17_000, 15_000); // cap
        _equivalent(AGENT, bytes32("x"), 1e18, 17_000, 15_000); // model
        _equivalent(AGENT, bytes32(0), 1e18, 12_000, 10_000); // no model
    }

    function testFuzz_consumeWithCollateral_equivalent(
        bool isAgent,
        bool approvedModel,
        uint256 amount,
        uint256 ratio,
        uint256 liq
    ) public {
        _equivalent(
            isAgent ? AGENT : USER,
            approvedModel ? MODEL : bytes32("x"),
            bound(amount, 0, 1100e18),
            bound(ratio, 0, 2e9),
            bound(liq, 0, 1e9)
        );
    }
}
