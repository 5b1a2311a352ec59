// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {ModelShares} from "../../src/models/ModelShares.sol";

/// @title Registration squatting cannot deny a model id (audit 5, F3)
/// @notice A squatter that copies the owner's pending `register(modelId, ...)` (the id is the public
/// weights commitment) only creates a registration of its own: the real owner still registers, governance
/// approves (and binds the id to) the registration it reviewed, and the fees paid to the id reach the
/// real holders only. The squatter's registration is never approved and earns nothing, whatever the
/// order of the two registrations and whatever allocation the squatter copies.
contract ModelRegistrySquattingTest is Test {
    address internal timelock = makeAddr("timelock");
    address internal guardianKey = makeAddr("guardian");
    address internal owner = makeAddr("owner");
    address internal partner = makeAddr("partner");
    address internal squatter = makeAddr("squatter");
    address internal payer = makeAddr("payer");
    bytes32 internal constant MODEL = keccak256("weights:wti-forecaster-v2");

    TestStablecoin internal usd;
    ModelRegistry internal registry;

    function setUp() public {
        usd = new TestStablecoin();
        registry = new ModelRegistry(IERC20(address(usd)), timelock, guardianKey);
        usd.mint(payer, 1e15);
        vm.prank(payer);
        usd.approve(address(registry), type(uint256).max);
    }

    /// The owner's allocation: 700k to the owner, 300k to its partner.
    function _ownerAllocation() internal view returns (address[] memory holders, uint256[] memory amounts) {
        holders = new address[](2);
        (holders[0], holders[1]) = (owner, partner);
        amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (700_000e18, 300_000e18);
    }

    /// The squatter's allocation: the owner's copied exactly, or everything to itself.
    function _squatAllocation(bool copy)
        internal
        view
        returns (address[] memory holders, uint256[] memory amounts)
    {
        if (copy) return _ownerAllocation();
        holders = new address[](1);
        holders[0] = squatter;
        amounts = new uint256[](1);
        amounts[0] = registry.SHARE_SUPPLY();
    }

    function _register(address who, address[] memory holders, uint256[] memory amounts)
        internal
        returns (address)
    {
        vm.prank(who);
        return
            registry.register(
                MODEL, ModelRegistry.Kind.Forecaster, "2.0.0", "ipfs://m", "MIT", holders, amounts
            );
    }

    function test_squatterFirst_ownerRegistersAndIsPaid() public {
        _checkSquatScenario(squatter, true, true, 1000e6);
    }

    function test_squatterAfter_ownAllocation() public {
        _checkSquatScenario(squatter, false, false, 1);
    }

    function testFuzz_squat_ownerRegistersAndIsPaid(address who, bool squatFirst, bool copy, uint256 fee)
        public
    {
        vm.assume(who != owner && who != partner && who != address(0));
        // Neither the registry, the fee payer nor the fee token can be a squatter whose balance means
        // "earned nothing" (the registry holds rounding dust; found by the fifth review).
        vm.assume(who != address(registry) && who != payer && who != address(usd));
        _checkSquatScenario(who, squatFirst, copy, bound(fee, 1, 1e15));
    }

    /// `who` squats MODEL (before or after the owner, copying the owner's allocation or taking everything);
    /// both registrations land. Governance reviewed the owner's (owner, predicted shares, no zk commitment)
    /// and approves it: the id is bound to it, `getModel`/`sharesOf`/`isApproved` name it, the squatter's
    /// record stays unapproved and can never be approved. `fee` paid to the id is claimable 70/30 by the
    /// owner and partner, the squatter claims nothing, moving the squatter's tokens changes nothing, and
    /// claims leave the registry holding only the rounding dust.
    function _checkSquatScenario(address who, bool squatFirst, bool copy, uint256 fee) internal {
        squatter = who;
        (address[] memory holders, uint256[] memory amounts) = _ownerAllocation();
        (address[] memory sHolders, uint256[] memory sAmounts) = _squatAllocation(copy);
        address reviewed = registry.predictShares(MODEL, owner, holders, amounts);
        address squatShares;
        if (squatFirst) squatShares = _register(who, sHolders, sAmounts);
        assertEq(_register(owner, holders, amounts), reviewed, "the owner registers despite the squat");
        if (!squatFirst) squatShares = _register(who, sHolders, sAmounts);
        assertTrue(squatShares != reviewed);

        vm.prank(timelock);
        registry.approveModel(MODEL, owner, reviewed, bytes32(0));
        assertTrue(registry.isApproved(MODEL));
        assertEq(registry.getModel(MODEL).owner, owner);
        assertEq(registry.sharesOf(MODEL), reviewed);
        assertFalse(registry.getRegistration(MODEL, who).approved);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIdBound.selector, MODEL, owner, who));
        vm.prank(timelock);
        registry.approveModel(MODEL, who, squatShares, bytes32(0));

        vm.prank(payer);
        registry.distribute(MODEL, fee);
        // Moving the squatter's token (to the owner even) neither reverts nor earns anything.
        vm.prank(sHolders[0]);
        ModelShares(squatShares).transfer(owner, sAmounts[0] / 2);
        assertEq(registry.claimable(MODEL, who), 0);
        assertEq(registry.claimable(MODEL, owner), fee * 7 / 10);
        assertEq(registry.claimable(MODEL, partner), fee * 3 / 10);
        vm.prank(who);
        assertEq(registry.claim(MODEL), 0);
        vm.prank(owner);
        assertEq(registry.claim(MODEL), fee * 7 / 10);
        vm.prank(partner);
        assertEq(registry.claim(MODEL), fee * 3 / 10);
        assertEq(usd.balanceOf(who), 0);
        assertLe(usd.balanceOf(address(registry)), 2, "only rounding dust stays");
    }

    function test_revokeKeepsBinding() public {
        _checkRevokeKeepsBinding(squatter, 500e6);
    }

    function testFuzz_revokeKeepsBinding(address who, uint256 fee) public {
        vm.assume(who != owner && who != partner && who != address(0));
        _checkRevokeKeepsBinding(who, bound(fee, 1, 1e15));
    }

    /// After the guardian revokes the owner's approved registration, the id stays bound to it: the
    /// squatter's record still cannot be approved, fees paid meanwhile (e.g. flushed vault fees accrued
    /// while approved) still reach the owner's holders, and governance may re-approve the same record.
    function _checkRevokeKeepsBinding(address who, uint256 fee) internal {
        (address[] memory holders, uint256[] memory amounts) = _ownerAllocation();
        address reviewed = _register(owner, holders, amounts);
        (address[] memory sHolders, uint256[] memory sAmounts) = _squatAllocation(false);
        squatter = who;
        address squatShares = _register(who, sHolders, sAmounts);
        vm.prank(timelock);
        registry.approveModel(MODEL, owner, reviewed, bytes32(0));
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelRevoked(MODEL, guardianKey);
        vm.prank(guardianKey);
        registry.revokeModel(MODEL);
        assertFalse(registry.isApproved(MODEL));
        assertEq(registry.getModel(MODEL).owner, owner, "a revoked id still names its registration");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIdBound.selector, MODEL, owner, who));
        vm.prank(timelock);
        registry.approveModel(MODEL, who, squatShares, bytes32(0));
        vm.prank(payer);
        registry.distribute(MODEL, fee);
        assertEq(registry.claimable(MODEL, owner), fee * 7 / 10);
        assertEq(registry.claimable(MODEL, who), 0);
        vm.prank(timelock);
        registry.approveModel(MODEL, owner, reviewed, bytes32(0));
        assertTrue(registry.isApproved(MODEL));
    }

    /// Revoking an id that was never approved has nothing to revoke.
    function test_revoke_neverApproved() public {
        (address[] memory holders, uint256[] memory amounts) = _ownerAllocation();
        _register(owner, holders, amounts);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotApproved.selector, MODEL));
        vm.prank(guardianKey);
        registry.revokeModel(MODEL);
    }
}
