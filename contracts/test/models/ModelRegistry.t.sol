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

    /// `caller` approves `id` with the values of its current record (what a reviewer who read it would pass).
    /// (expecting revert data `revertData` when it is not empty).
    function _approveAs(address caller, bytes32 id, bytes memory revertData) internal {
        ModelRegistry.Model memory m = registry.getModel(id);
        if (revertData.length != 0) vm.expectRevert(revertData);
        vm.prank(caller);
        registry.approveModel(id, m.owner, address(m.shares), m.zkCommitment);
    }

    function _allocation(address h0, address h1, uint256 a)
        internal
        pure
        returns (address[] memory holders, uint256[] memory amounts)
    {
        holders = new address[](2);
        (holders[0], holders[1]) = (h0, h1);
        amounts = new uint256[](2);
        (amounts[0], amounts[1]) = (a, 1_000_000e18 - a);
    }

    /// Governance approves (and so binds) MODEL as alice registered it: revenue can flow from then on.
    function _bind() internal {
        vm.prank(timelock);
        registry.approveModel(MODEL, alice, address(shares), bytes32(0));
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
        vm.assume(taken != bytes32(0) && caller != address(0));
        if (taken != MODEL) _register(taken, 600_000e18, 400_000e18);
        vm.assume(fresh != bytes32(0) && fresh != MODEL && fresh != taken);
        dupA = bound(dupA, 0, 1_000_000e18);
        a = bound(a, 0, 2_000_000e18);
        b = bound(b, 0, 2_000_000e18);
        vm.assume(a + b != 1_000_000e18);
        _checkRegisterRejects(caller, taken, dupA, fresh, a, b);
    }

    /// Any caller: an id alice registered is still open to the caller's own registration (once), a second
    /// registration of it by the caller and the zero id are refused with `ModelAlreadyRegistered(id,
    /// caller)`; a fresh id whose amounts `a + b` miss the supply is refused with
    /// `InvalidShareAllocation(a + b, supply)`. Alice's registration never changes; a refusal records nothing.
    function _checkRegisterRejects(
        address caller,
        bytes32 taken,
        uint256 dupA,
        bytes32 fresh,
        uint256 a,
        uint256 b
    ) internal {
        ModelRegistry.Model memory before = registry.getRegistration(taken, alice);
        if (caller != alice) {
            address own = _registerAs(caller, taken, dupA, 1_000_000e18 - dupA);
            assertEq(registry.getRegistration(taken, caller).owner, caller);
            assertEq(address(registry.getRegistration(taken, caller).shares), own);
            assertTrue(own != address(before.shares));
        }
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelAlreadyRegistered.selector, taken, caller));
        _registerAs(caller, taken, dupA, 1_000_000e18 - dupA);
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.ModelAlreadyRegistered.selector, bytes32(0), caller)
        );
        _registerAs(caller, bytes32(0), dupA, 1_000_000e18 - dupA);
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.InvalidShareAllocation.selector, a + b, 1_000_000e18)
        );
        _registerAs(caller, fresh, a, b);
        ModelRegistry.Model memory afterwards = registry.getRegistration(taken, alice);
        assertEq(registry.getModel(taken).owner, alice, "before approval: the earliest registration");
        assertEq(afterwards.owner, before.owner);
        assertEq(address(afterwards.shares), address(before.shares));
        assertEq(afterwards.registeredAt, before.registeredAt);
        assertEq(afterwards.shares.totalSupply(), 1_000_000e18);
        assertEq(registry.getModel(fresh).owner, address(0));
        assertEq(registry.getRegistration(fresh, caller).owner, address(0));
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
        _approveAs(notAdmin, id, abi.encodeWithSelector(ModelRegistry.RegistryNotAdmin.selector, notAdmin));
        assertFalse(registry.isApproved(id));
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelApproved(id, timelock);
        _approveAs(timelock, id, "");
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

    // ------------------------------------------------------------------ squatting (audit 2, F2)

    function test_predictShares_matchesDeployed() public view {
        _checkPredictShares(MODEL, 600_000e18, 400_000e18);
    }

    function testFuzz_predictShares_matchesDeployed(bytes32 id, uint256 a) public {
        vm.assume(id != bytes32(0) && id != MODEL);
        a = bound(a, 0, 1_000_000e18);
        _register(id, a, 1_000_000e18 - a);
        _checkPredictShares(id, a, 1_000_000e18 - a);
    }

    /// The share token sits where `predictShares` says for the registered allocation, and anywhere else
    /// for any other registrant or allocation (another split, or other holders).
    function _checkPredictShares(bytes32 id, uint256 a, uint256 b) internal view {
        (address[] memory holders, uint256[] memory amounts) = _allocation(alice, bob, a);
        assertEq(a + b, 1_000_000e18);
        assertEq(registry.predictShares(id, alice, holders, amounts), registry.sharesOf(id));
        assertTrue(registry.predictShares(id, bob, holders, amounts) != registry.sharesOf(id));
        (holders, amounts) = _allocation(bob, alice, a);
        assertTrue(registry.predictShares(id, alice, holders, amounts) != registry.sharesOf(id));
        (holders, amounts) = _allocation(alice, carol, a);
        assertTrue(registry.predictShares(id, alice, holders, amounts) != registry.sharesOf(id));
    }

    function test_squattedRegistration_notApprovable() public {
        _checkSquatNotApprovable(keccak256("weights:victim-model"), makeAddr("attacker"), 1_000_000e18);
    }

    function testFuzz_squattedRegistration_notApprovable(bytes32 id, address attacker, uint256 a) public {
        vm.assume(id != bytes32(0) && id != MODEL);
        vm.assume(attacker != alice && attacker != address(0));
        _checkSquatNotApprovable(id, attacker, bound(a, 0, 1_000_000e18));
    }

    /// The attacker registers `id` first (owner: attacker, shares split attacker/`a`, bob/rest). Governance
    /// reviewed alice's registration (owner alice, 600k/400k to alice/bob, no zk commitment): before alice
    /// registers, the approval reverts `RegistrationNotFound(id, alice)`; approving the attacker's record
    /// with the reviewed values reverts with both records' values, with or without a zk commitment. Alice
    /// then registers (the squat does not block her) and the same approval binds the id to her; the
    /// attacker's record, even named exactly, can then never be approved (`ModelIdBound`).
    function _checkSquatNotApprovable(bytes32 id, address attacker, uint256 a) internal {
        (address[] memory holders, uint256[] memory amounts) = _allocation(attacker, bob, a);
        vm.prank(attacker);
        address squatShares =
            registry.register(id, ModelRegistry.Kind.Generator, "1", "ipfs://x", "MIT", holders, amounts);
        (address[] memory reviewedHolders, uint256[] memory reviewedAmounts) =
            _allocation(alice, bob, 600_000e18);
        address reviewedShares = registry.predictShares(id, alice, reviewedHolders, reviewedAmounts);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistrationNotFound.selector, id, alice));
        vm.prank(timelock);
        registry.approveModel(id, alice, reviewedShares, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                ModelRegistry.RegistrationMismatch.selector,
                id,
                attacker,
                attacker,
                squatShares,
                reviewedShares,
                bytes32(0),
                bytes32(0)
            )
        );
        vm.prank(timelock);
        registry.approveModel(id, attacker, reviewedShares, bytes32(0));
        assertFalse(registry.isApproved(id));
        // The squatter's zk commitment does not help either.
        vm.prank(attacker);
        registry.setZkCommitment(id, bytes32(uint256(9)));
        vm.prank(timelock);
        vm.expectPartialRevert(ModelRegistry.RegistrationMismatch.selector);
        registry.approveModel(id, attacker, reviewedShares, bytes32(0));
        assertFalse(registry.isApproved(id));
        assertEq(registry.zkCommitmentOf(id), bytes32(0), "an unapproved id names no commitment");

        _registerAs(alice, id, 600_000e18, 400_000e18);
        assertEq(registry.getRegistration(id, alice).owner, alice);
        vm.expectEmit(address(registry));
        emit ModelRegistry.ModelBound(id, alice, reviewedShares);
        vm.prank(timelock);
        registry.approveModel(id, alice, reviewedShares, bytes32(0));
        assertTrue(registry.isApproved(id));
        assertEq(registry.getModel(id).owner, alice);
        assertTrue(registry.getModel(id).approved);
        assertFalse(registry.getRegistration(id, attacker).approved);
        assertEq(registry.sharesOf(id), reviewedShares);
        assertEq(registry.boundOwnerOf(id), alice);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIdBound.selector, id, alice, attacker));
        vm.prank(timelock);
        registry.approveModel(id, attacker, squatShares, bytes32(uint256(9)));
    }

    function test_approve_pinsEveryField() public {
        _checkApprovePinsEveryField(alice, address(shares), bytes32(uint256(7)), bytes32(uint256(7)));
    }

    function test_approve_refusesOtherOwner() public {
        _checkApprovePinsEveryField(bob, address(shares), bytes32(uint256(7)), bytes32(uint256(7)));
    }

    function test_approve_refusesChangedCommitment() public {
        _checkApprovePinsEveryField(alice, address(shares), bytes32(0), bytes32(uint256(7)));
    }

    function test_approve_refusesOtherShares() public {
        _checkApprovePinsEveryField(alice, carol, bytes32(uint256(7)), bytes32(uint256(7)));
    }

    function testFuzz_approve_pinsEveryField(address owner, address sharesToken, bytes32 zk, bytes32 setZk)
        public
    {
        vm.assume(setZk != bytes32(0));
        _checkApprovePinsEveryField(owner, sharesToken, zk, setZk);
    }

    /// Alice sets zk commitment `setZk` on MODEL; governance approves expecting (`owner`, `sharesToken`,
    /// `zk`): it succeeds exactly when all three equal alice's record; another owner (who has no
    /// registration) reverts `RegistrationNotFound`, other values revert with both sets of values.
    function _checkApprovePinsEveryField(address owner, address sharesToken, bytes32 zk, bytes32 setZk)
        internal
    {
        vm.prank(alice);
        registry.setZkCommitment(MODEL, setZk);
        bool matches = owner == alice && sharesToken == address(shares) && zk == setZk;
        if (owner != alice) {
            vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistrationNotFound.selector, MODEL, owner));
        } else if (!matches) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ModelRegistry.RegistrationMismatch.selector,
                    MODEL,
                    alice,
                    alice,
                    address(shares),
                    sharesToken,
                    setZk,
                    zk
                )
            );
        }
        vm.prank(timelock);
        registry.approveModel(MODEL, owner, sharesToken, zk);
        assertEq(registry.isApproved(MODEL), matches);
    }

    /// Each owner sets its own registration's commitment, once; bob (no registration) cannot touch
    /// alice's; after bob registers, his commitment is his own; approval locks an unset commitment.
    function test_zkCommitment_writeOnce() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistrationNotFound.selector, MODEL, bob));
        vm.prank(bob);
        registry.setZkCommitment(MODEL, bytes32(uint256(7)));
        vm.expectEmit(address(registry));
        emit ModelRegistry.ZkCommitmentSet(MODEL, alice, bytes32(uint256(7)));
        vm.prank(alice);
        registry.setZkCommitment(MODEL, bytes32(uint256(7)));
        assertEq(registry.getModel(MODEL).zkCommitment, bytes32(uint256(7)));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZkCommitmentLocked.selector, MODEL, alice));
        vm.prank(alice);
        registry.setZkCommitment(MODEL, bytes32(uint256(8)));
        _registerAs(bob, MODEL, 600_000e18, 400_000e18);
        vm.prank(bob);
        registry.setZkCommitment(MODEL, bytes32(uint256(8)));
        assertEq(registry.getRegistration(MODEL, bob).zkCommitment, bytes32(uint256(8)));
        assertEq(registry.getRegistration(MODEL, alice).zkCommitment, bytes32(uint256(7)));
        // Approval (of bob's record) locks his registration; an unset commitment cannot be added then.
        bytes32 other = keccak256("other");
        address otherShares = _registerAs(bob, other, 600_000e18, 400_000e18);
        vm.prank(timelock);
        registry.approveModel(other, bob, otherShares, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZkCommitmentLocked.selector, other, bob));
        vm.prank(bob);
        registry.setZkCommitment(other, bytes32(uint256(9)));
        assertEq(registry.zkCommitmentOf(other), bytes32(0));
        assertEq(registry.zkCommitmentOf(MODEL), bytes32(0), "MODEL is not approved: no commitment named");
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
        _bind();
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
        _bind();
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
        _bind();
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
        if (unknown != bytes32(0) && uint256(unknown) % 2 == 0) {
            _registerAs(carol, unknown, 1, 1_000_000e18 - 1);
        }
        amount = bound(amount, 1, type(uint256).max);
        _checkDistributeRejects(caller, unknown, amount, anyId);
    }

    /// Paying a positive `amount` to an id never approved (unregistered, or registered like MODEL here) is
    /// `ModelNotApproved(id)`, and so is claiming from it; paying zero to any id is `ZeroValue`. A refusal
    /// moves no token and leaves the accumulator as it was.
    function _checkDistributeRejects(address caller, bytes32 unknown, uint256 amount, bytes32 anyId)
        internal
    {
        uint256 callerBalance = usd.balanceOf(caller);
        uint256 held = usd.balanceOf(address(registry));
        uint256 acc = registry.accRewardPerShare(MODEL);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotApproved.selector, unknown));
        vm.prank(caller);
        registry.distribute(unknown, amount);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotApproved.selector, MODEL));
        vm.prank(caller);
        registry.distribute(MODEL, amount);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelNotApproved.selector, unknown));
        vm.prank(caller);
        registry.claim(unknown);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZeroValue.selector, "amount"));
        vm.prank(caller);
        registry.distribute(anyId, 0);
        assertEq(usd.balanceOf(caller), callerBalance);
        assertEq(usd.balanceOf(address(registry)), held);
        assertEq(registry.accRewardPerShare(MODEL), acc);
        assertEq(registry.accRewardPerShare(unknown), 0);
    }
}
