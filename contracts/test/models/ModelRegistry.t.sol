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
        return _registerAs(alice, id, a, b);
    }

    function _registerAs(address caller, bytes32 id, uint256 a, uint256 b) internal returns (address) {
        address[] memory holders = new address[](2);
        (holders[0], holders[1]) = (alice, bob);
        uint256[] memory amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (a, b);
        vm.prank(caller);
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
        _checkRegisterRejects(alice, MODEL, 600_000e18, keccak256("other"), 600_000e18, 399_999e18);
    }

    function testFuzz_register_rejects(
        address caller,
        bytes32 taken,
        uint256 dupA,
        bytes32 fresh,
        uint256 a,
        uint256 b
    ) public {
        vm.assume(taken != bytes32(0));
        if (taken != MODEL) _register(taken, 600_000e18, 400_000e18);
        vm.assume(fresh != bytes32(0) && fresh != MODEL && fresh != taken);
        dupA = bound(dupA, 0, 1_000_000e18);
        a = bound(a, 0, 2_000_000e18);
        b = bound(b, 0, 2_000_000e18);
        vm.assume(a + b != 1_000_000e18);
        _checkRegisterRejects(caller, taken, dupA, fresh, a, b);
    }

    /// Any caller: a taken id (even with a valid allocation) and the zero id are refused with
    /// `ModelAlreadyRegistered(id)`; a fresh id whose amounts `a + b` miss the supply is refused with
    /// `InvalidShareAllocation(a + b, supply)`. Nothing is recorded by a refusal.
    function _checkRegisterRejects(
        address caller,
        bytes32 taken,
        uint256 dupA,
        bytes32 fresh,
        uint256 a,
        uint256 b
    ) internal {
        ModelRegistry.Model memory before = registry.getModel(taken);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelAlreadyRegistered.selector, taken));
        _registerAs(caller, taken, dupA, 1_000_000e18 - dupA);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelAlreadyRegistered.selector, bytes32(0)));
        _registerAs(caller, bytes32(0), dupA, 1_000_000e18 - dupA);
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.InvalidShareAllocation.selector, a + b, 1_000_000e18)
        );
        _registerAs(caller, fresh, a, b);
        ModelRegistry.Model memory afterwards = registry.getModel(taken);
        assertEq(afterwards.owner, before.owner);
        assertEq(address(afterwards.shares), address(before.shares));
        assertEq(afterwards.registeredAt, before.registeredAt);
        assertEq(afterwards.shares.totalSupply(), 1_000_000e18);
        assertEq(registry.getModel(fresh).owner, address(0));
        assertEq(registry.sharesOf(fresh), address(0));
        assertEq(registry.sharesOf(bytes32(0)), address(0));
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
        _checkApprovalGoverned(MODEL, guardianKey, alice, guardianKey);
    }

    function testFuzz_approval_governed(bytes32 id, address notAdmin, address notGuardian, bool byAdmin)
        public
    {
        vm.assume(id != bytes32(0));
        if (id != MODEL) _register(id, 600_000e18, 400_000e18);
        vm.assume(notAdmin != timelock);
        vm.assume(notGuardian != timelock && notGuardian != guardianKey);
        _checkApprovalGoverned(id, notAdmin, notGuardian, byAdmin ? timelock : guardianKey);
    }

    /// Only the admin approves (`RegistryNotAdmin(caller)` otherwise, approval stays off); only the guardian
    /// or the admin revokes (`RegistryNotGuardian(caller)` otherwise, approval stays on).
    function _checkApprovalGoverned(bytes32 id, address notAdmin, address notGuardian, address revoker)
        internal
    {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotAdmin.selector, notAdmin));
        vm.prank(notAdmin);
        registry.approveModel(id);
        assertFalse(registry.isApproved(id));
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelApproved(id, timelock);
        vm.prank(timelock);
        registry.approveModel(id);
        assertTrue(registry.isApproved(id));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotGuardian.selector, notGuardian));
        vm.prank(notGuardian);
        registry.revokeModel(id);
        assertTrue(registry.isApproved(id));
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelRevoked(id, revoker);
        vm.prank(revoker);
        registry.revokeModel(id);
        assertFalse(registry.isApproved(id));
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
        _checkOnSharesTransferOnlyShares(MODEL, alice, alice, 0, bob, 0);
    }

    function testFuzz_onSharesTransfer_onlyShares(
        bytes32 id,
        address caller,
        address from,
        uint256 fromBalance,
        address to,
        uint256 toBalance
    ) public {
        // An unregistered id has no share token (address(0)), which no real caller can be.
        vm.assume(caller != registry.sharesOf(id) && caller != address(0));
        _checkOnSharesTransferOnlyShares(id, caller, from, fromBalance, to, toBalance);
    }

    /// Only `id`'s own share token may report a balance change: anyone else (a holder, another model's
    /// token) gets `NotSharesToken(id, caller)`, and nobody's accrued revenue moves. Revenue is paid in
    /// first so that a forged settlement would show in `claimable`.
    function _checkOnSharesTransferOnlyShares(
        bytes32 id,
        address caller,
        address from,
        uint256 fromBalance,
        address to,
        uint256 toBalance
    ) internal {
        _distribute(1000e6);
        uint256[4] memory before = [
            registry.claimable(MODEL, from),
            registry.claimable(MODEL, to),
            registry.claimable(id, from),
            registry.claimable(id, to)
        ];
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotSharesToken.selector, id, caller));
        vm.prank(caller);
        registry.onSharesTransfer(id, from, fromBalance, to, toBalance);
        assertEq(registry.claimable(MODEL, from), before[0]);
        assertEq(registry.claimable(MODEL, to), before[1]);
        assertEq(registry.claimable(id, from), before[2]);
        assertEq(registry.claimable(id, to), before[3]);
        assertEq(registry.claimable(MODEL, alice), 600e6);
        assertEq(registry.claimable(MODEL, bob), 400e6);
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
        _checkDistributeRejects(payer, bytes32("nope"), 1, MODEL);
    }

    function testFuzz_distribute_rejects(address caller, bytes32 unknown, uint256 amount, bytes32 anyId)
        public
    {
        vm.assume(unknown != MODEL);
        amount = bound(amount, 1, type(uint256).max);
        _checkDistributeRejects(caller, unknown, amount, anyId);
    }

    /// Paying a positive `amount` to an unregistered id is `ModelNotRegistered(id)`; paying zero to any id
    /// is `ZeroValue`. A refusal moves no token and leaves the accumulator as it was.
    function _checkDistributeRejects(address caller, bytes32 unknown, uint256 amount, bytes32 anyId)
        internal
    {
        uint256 callerBalance = usd.balanceOf(caller);
        uint256 held = usd.balanceOf(address(registry));
        uint256 acc = registry.accRewardPerShare(MODEL);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotRegistered.selector, unknown));
        vm.prank(caller);
        registry.distribute(unknown, amount);
        vm.expectRevert(ModelRegistry.ZeroValue.selector);
        vm.prank(caller);
        registry.distribute(anyId, 0);
        assertEq(usd.balanceOf(caller), callerBalance);
        assertEq(usd.balanceOf(address(registry)), held);
        assertEq(registry.accRewardPerShare(MODEL), acc);
        assertEq(registry.accRewardPerShare(unknown), 0);
    }
}
