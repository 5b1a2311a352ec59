// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";

/// @title A bound registration's zk commitment is frozen, also after a revoke (fifth review, F1)
/// @notice The header promises "an id is bound at most once, to a registration equal to the (owner, shares,
/// zk commitment) the admin named". `setZkCommitment` locks only while the bound registration is
/// approved, so after a revoke the owner can change the bound record (zero -> X): `zkCommitmentOf` of the
/// bound id changes without governance, and a queued re-approval naming the reviewed (zero) commitment
/// reverts RegistrationMismatch (the owner can grief it during the timelock delay).
contract ModelRegistryBoundZkCommitmentTest is Test {
    address internal timelock = makeAddr("timelock");
    address internal guardianKey = makeAddr("guardian");
    address internal owner = makeAddr("owner");
    bytes32 internal constant MODEL = keccak256("weights:review5");

    ModelRegistry internal registry;
    address internal shares;

    function setUp() public {
        TestStablecoin usd = new TestStablecoin();
        registry = new ModelRegistry(IERC20(address(usd)), timelock, guardianKey);
        address[] memory holders = new address[](1);
        holders[0] = owner;
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = registry.SHARE_SUPPLY();
        vm.prank(owner);
        shares =
            registry.register(MODEL, ModelRegistry.Kind.Forecaster, "1", "ipfs://m", "MIT", holders, amounts);
        vm.prank(timelock);
        registry.approveModel(MODEL, owner, shares, bytes32(0));
        vm.prank(guardianKey);
        registry.revokeModel(MODEL);
    }

    /// A bound registration is frozen: its owner cannot change the commitment governance approved.
    function test_boundRegistrationCommitmentIsFrozenAfterRevoke() public {
        vm.prank(owner);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZkCommitmentLocked.selector, MODEL, owner));
        registry.setZkCommitment(MODEL, keccak256("other commitment"));
    }

    /// Governance re-approves exactly the registration it bound (zero commitment), whatever the owner does.
    function test_reapprovalOfTheReviewedRecordCannotBeGriefed() public {
        vm.prank(owner);
        try registry.setZkCommitment(MODEL, keccak256("other commitment")) {} catch {}
        assertEq(
            registry.zkCommitmentOf(MODEL), bytes32(0), "bound id's commitment changed without governance"
        );
        vm.prank(timelock);
        registry.approveModel(MODEL, owner, shares, bytes32(0));
        assertTrue(registry.isApproved(MODEL));
    }
}
