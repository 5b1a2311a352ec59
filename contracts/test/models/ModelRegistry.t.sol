// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {ModelShares} from "../../src/models/ModelShares.sol";

contract ModelRegistryTest is Test {
    address internal timelock = makeAddr("timelock");
    address internal guardianKey = makeAddr("guardian");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal payer = makeAddr("payer");
    bytes32 internal constant MODEL = keccak256("weights:art-generator-v1");

    TestStablecoin internal usd;
    ModelRegistry internal registry;
    ModelShares internal shares;

    function setUp() public {
        usd = new TestStablecoin();
        registry = new ModelRegistry(IERC20(address(usd)), timelock, guardianKey);
        shares = ModelShares(_register(MODEL, 600_000e18, 400_000e18));
        usd.mint(payer, 1e15);
        vm.prank(payer);
        usd.approve(address(registry), type(uint256).max);
    }

    function _register(bytes32 id, uint256 a, uint256 b) internal returns (address) {
        address[] memory holders = new address[](2);
        (holders[0], holders[1]) = (alice, bob);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (a, b);
        vm.prank(alice);
        return registry.register(
            id, ModelRegistry.Kind.Generator, "1.0.0", "ipfs://bafy-meta", "CC-BY-4.0", holders, amounts
        );
    }

    function _distribute(uint256 amount) internal {
        vm.prank(payer);
        registry.distribute(MODEL, amount);
    }

    function _claim(address who) internal returns (uint256) {
        vm.prank(who);
        return registry.claim(MODEL);
    }

    // ------------------------------------------------------------------ registration

    function test_register() public view {
        ModelRegistry.Model memory m = registry.getModel(MODEL);
        assertEq(m.owner, alice);
        assertEq(uint256(m.kind), uint256(ModelRegistry.Kind.Generator));
        assertFalse(m.approved);
        assertEq(address(m.shares), address(shares));
        assertEq(m.version, "1.0.0");
        assertEq(m.licence, "CC-BY-4.0");
        assertEq(shares.totalSupply(), 1_000_000e18);
        assertEq(shares.balanceOf(alice), 600_000e18);
        assertEq(shares.MODEL_ID(), MODEL);
        assertEq(shares.symbol(), "PMS-e5e32bca");
        assertFalse(registry.isApproved(MODEL));
    }

    function test_register_rejects() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelAlreadyRegistered.selector, MODEL));
        _register(MODEL, 600_000e18, 400_000e18);
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.InvalidShareAllocation.selector, 999_999e18, 1_000_000e18)
        );
        _register(keccak256("other"), 600_000e18, 399_999e18);
    }

    function testFuzz_register_allocation(uint256 a, uint256 b) public {
        a = bound(a, 0, 2_000_000e18);
        b = bound(b, 0, 2_000_000e18);
        if (a + b != 1_000_000e18) {
            vm.expectRevert(
                abi.encodeWithSelector(ModelRegistry.InvalidShareAllocation.selector, a + b, 1_000_000e18)
            );
        }
        _register(keccak256("other"), a, b);
    }

    function test_approval_governed() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotAdmin.selector, guardianKey));
        vm.prank(guardianKey);
        registry.approveModel(MODEL);
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelApproved(MODEL, timelock);
        vm.prank(timelock);
        registry.approveModel(MODEL);
        assertTrue(registry.isApproved(MODEL));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotGuardian.selector, alice));
        vm.prank(alice);
        registry.revokeModel(MODEL);
        vm.prank(guardianKey);
        registry.revokeModel(MODEL);
        assertFalse(registry.isApproved(MODEL));
    }

    function test_zkCommitment_writeOnce() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, MODEL, bob));
        vm.prank(bob);
        registry.setZkCommitment(MODEL, bytes32(uint256(7)));
        vm.prank(alice);
        registry.setZkCommitment(MODEL, bytes32(uint256(7)));
        assertEq(registry.getModel(MODEL).zkCommitment, bytes32(uint256(7)));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZkCommitmentLocked.selector, MODEL));
        vm.prank(alice);
        registry.setZkCommitment(MODEL, bytes32(uint256(8)));
    }

    function test_onSharesTransfer_onlyShares() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotSharesToken.selector, MODEL, alice));
        vm.prank(alice);
        registry.onSharesTransfer(MODEL, alice, 0, bob, 0);
    }

    // ------------------------------------------------------------------ revenue

    function test_distributeAndClaim_acrossTransfer() public {
        _distribute(1000e6); // alice 600, bob 400
        vm.prank(alice);
        shares.transfer(carol, 300_000e18); // now alice 30%, bob 40%, carol 30%
        _distribute(500e6); // alice 150, bob 200, carol 150
        assertEq(_claim(alice), 750e6);
        assertEq(_claim(bob), 600e6);
        assertEq(_claim(carol), 150e6);
        assertEq(_claim(carol), 0);
        assertEq(usd.balanceOf(address(registry)), 0);
    }

    function testFuzz_distributeAndClaim_acrossTransfer(uint256 first, uint256 moved, uint256 second) public {
        first = bound(first, 1, 1e12);
        second = bound(second, 1, 1e12);
        moved = bound(moved, 0, 600_000e18);
        _distribute(first);
        vm.prank(alice);
        shares.transfer(carol, moved);
        _distribute(second);
        uint256 a = _claim(alice);
        uint256 b = _claim(bob);
        uint256 c = _claim(carol);
        assertEq(a, first * 6 / 10 + second * (600_000e18 - moved) / 1_000_000e18);
        assertEq(b, (first + second) * 4 / 10); // bob settles once, at claim
        assertEq(c, second * moved / 1_000_000e18);
        // Dust: at most one unit per settlement (here 5 settlements).
        assertLe(first + second - (a + b + c), 5);
    }

    function test_distribute_rejects() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotRegistered.selector, bytes32("nope")));
        vm.prank(payer);
        registry.distribute(bytes32("nope"), 1);
        vm.expectRevert(ModelRegistry.ZeroValue.selector);
        vm.prank(payer);
        registry.distribute(MODEL, 0);
    }
}
