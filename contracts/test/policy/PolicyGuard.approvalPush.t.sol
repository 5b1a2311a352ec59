// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Vm, VmSafe} from "forge-std/Vm.sol";

import {IModelApprovalListener} from "../../src/models/IModelApprovalListener.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {TestFeeToken} from "../assets/FeeDoubles.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";
import {GuardedToken, PolicyTestBase} from "./PolicyTestBase.sol";

/// @notice The registry → guard approval push, with the real `ModelRegistry` and the real `PolicyGuard`:
/// `bindApprovalListener`'s refusals (deployer only, once, non-zero, a guard that reads this registry), the
/// guard's refusal of anyone but its registry, the pushes themselves (approve → true, revoke → false and the
/// model refused at once in a guarded action), and that a guard answers exactly what the registry says in
/// every case: bound (fast path, no registry call for a pushed approval), unbound or a second guard on the
/// same registry (slow path), and a model approved before the binding (slow path until its next change).
/// `GuardedToken.mintWith` is the guarded action (`guard.consume`, which checks the model first).
contract PolicyGuardApprovalPushTest is PolicyTestBase {
    bytes32 internal constant M1 = keccak256("weights:push-1");
    bytes32 internal constant M2 = keccak256("weights:push-2");
    bytes32 internal constant M3 = keccak256("weights:push-3");
    address internal constant REGISTRANT = address(0x5E6);

    ModelRegistry internal reg;
    /// @dev A guard on `reg` with a MINT policy for `asset` (the guard under test); `guard2`/`asset2`: a
    /// second guard on the same registry, never bound.
    PolicyGuard internal g;
    GuardedToken internal asset;
    PolicyGuard internal guard2;
    GuardedToken internal asset2;
    bytes32[] internal ids;

    function setUp() public override {
        super.setUp();
        reg = new ModelRegistry(IERC20(address(new TestFeeToken())), ADMIN, GUARDIAN);
        (g, asset) = _guardOn(reg);
        (guard2, asset2) = _guardOn(reg);
        ids.push(M1);
        ids.push(M2);
        ids.push(M3);
        ids.push(keccak256("weights:never-registered"));
        address[] memory holders = new address[](1);
        holders[0] = REGISTRANT;
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1_000_000e18; // the registry's fixed share supply
        vm.startPrank(REGISTRANT);
        for (uint256 i; i < 3; ++i) {
            reg.register(ids[i], ModelRegistry.Kind.Forecaster, "1", "", "MIT", holders, amounts);
        }
        vm.stopPrank();
    }

    // ------------------------------------------------------------------ helpers

    function _guardOn(ModelRegistry r) internal returns (PolicyGuard pg, GuardedToken t) {
        pg = new PolicyGuard(ADMIN, GUARDIAN, AGENT, IModelRegistry(address(r)), globalCeiling());
        t = new GuardedToken(pg);
        vm.prank(ADMIN);
        pg.createPolicy(address(t), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
    }

    function _approve(bytes32 id) internal {
        ModelRegistry.Model memory m = reg.getRegistration(id, REGISTRANT);
        vm.prank(ADMIN);
        reg.approveModel(id, REGISTRANT, address(m.shares), m.zkCommitment);
    }

    function _revoke(bytes32 id) internal {
        vm.prank(GUARDIAN);
        reg.revokeModel(id);
    }

    /// @dev The guarded action on `t` (guard `pg`) with `id`: lands iff `allowed`, else is refused
    /// `PolicyModelNotAllowed` at once. `registryCalls`: how many times the guard asks the registry
    /// (0: it answered from its copy; 1: the slow path).
    function _guardedMint(PolicyGuard pg, GuardedToken t, bytes32 id, bool allowed, uint64 registryCalls)
        internal
    {
        bytes memory refusal = abi.encodeWithSelector(
            PolicyGuard.PolicyModelNotAllowed.selector, pg.policyId(address(t), PolicyActions.MINT), id
        );
        vm.startStateDiffRecording();
        if (!allowed) vm.expectRevert(refusal);
        vm.prank(AGENT);
        t.mintWith(USER, 1, id, 0);
        Vm.AccountAccess[] memory accesses = vm.stopAndReturnStateDiff();
        uint256 calls;
        for (uint256 i; i < accesses.length; ++i) {
            if (
                accesses[i].account == address(reg) && accesses[i].kind == VmSafe.AccountAccessKind.StaticCall
            ) {
                ++calls;
            }
        }
        assertEq(calls, registryCalls, "calls from the guard to the registry");
    }

    /// @dev Every id: each guard's answer is the registry's.
    function _assertFollows() internal view {
        for (uint256 i; i < ids.length; ++i) {
            bool approved = reg.isApproved(ids[i]);
            assertEq(g.isModelAllowed(ids[i]), approved, "bound guard != registry");
            assertEq(guard2.isModelAllowed(ids[i]), approved, "second guard != registry");
        }
    }

    // ------------------------------------------------------------------ bindApprovalListener: refusals

    function test_bind_refusals() public {
        address other = makeAddr("not the deployer");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotDeployer.selector, other));
        vm.prank(other);
        reg.bindApprovalListener(g);
        // Not even governance: the deployer only.
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotDeployer.selector, ADMIN));
        vm.prank(ADMIN);
        reg.bindApprovalListener(g);
        assertEq(reg.DEPLOYER(), address(this));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZeroValue.selector, "listener"));
        reg.bindApprovalListener(IModelApprovalListener(address(0)));
        // A guard that reads another registry.
        ModelRegistry otherReg = new ModelRegistry(IERC20(address(new TestFeeToken())), ADMIN, GUARDIAN);
        (PolicyGuard foreign,) = _guardOn(otherReg);
        vm.expectRevert(
            abi.encodeWithSelector(
                ModelRegistry.ApprovalListenerRegistryMismatch.selector, address(foreign), address(otherReg)
            )
        );
        reg.bindApprovalListener(foreign);
        assertEq(address(reg.approvalListener()), address(0), "nothing bound by the refusals");
        // Bound once, for good: neither the same guard nor another one again.
        vm.expectEmit(address(reg));
        emit ModelRegistry.ApprovalListenerBound(address(g));
        reg.bindApprovalListener(g);
        assertEq(address(reg.approvalListener()), address(g));
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.ApprovalListenerAlreadyBound.selector, address(g))
        );
        reg.bindApprovalListener(g);
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.ApprovalListenerAlreadyBound.selector, address(g))
        );
        reg.bindApprovalListener(guard2);
    }

    /// @dev Fuzz twin: any caller but the deployer is refused; a guard on any other registry is refused;
    /// after a binding, any further binding is refused.
    function testFuzz_bind_refusals(address caller, address otherRegistry, bool bindFirst) public {
        vm.assume(caller != address(this) && otherRegistry != address(reg) && otherRegistry != address(0));
        if (bindFirst) reg.bindApprovalListener(g);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.RegistryNotDeployer.selector, caller));
        vm.prank(caller);
        reg.bindApprovalListener(guard2);
        PolicyGuard foreign =
            new PolicyGuard(ADMIN, GUARDIAN, AGENT, IModelRegistry(otherRegistry), globalCeiling());
        if (bindFirst) {
            vm.expectRevert(
                abi.encodeWithSelector(ModelRegistry.ApprovalListenerAlreadyBound.selector, address(g))
            );
        } else {
            vm.expectRevert(
                abi.encodeWithSelector(
                    ModelRegistry.ApprovalListenerRegistryMismatch.selector, address(foreign), otherRegistry
                )
            );
        }
        reg.bindApprovalListener(foreign);
        assertEq(address(reg.approvalListener()), bindFirst ? address(g) : address(0));
    }

    /// @dev Only the guard's registry may write its copy: anyone else (the deployer, governance, another
    /// registry) is refused `PolicyNotModelRegistry`, and the guard's answer is unchanged.
    function test_onModelApprovalChanged_registryOnly() public {
        address[3] memory callers = [address(this), ADMIN, address(registry)];
        for (uint256 i; i < callers.length; ++i) {
            vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotModelRegistry.selector, callers[i]));
            vm.prank(callers[i]);
            g.onModelApprovalChanged(M1, true);
        }
        assertFalse(g.isModelAllowed(M1));
        _guardedMint(g, asset, M1, false, 1);
    }

    function testFuzz_onModelApprovalChanged_registryOnly(address caller, bytes32 id, bool approved) public {
        vm.assume(caller != address(reg));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotModelRegistry.selector, caller));
        vm.prank(caller);
        g.onModelApprovalChanged(id, approved);
        assertEq(g.isModelAllowed(id), reg.isApproved(id));
    }

    // ------------------------------------------------------------------ the push

    /// @dev Bound: approve pushes true (the guard then answers from its copy, no registry call), revoke pushes
    /// false and the very next guarded action with the model is refused; re-approval pushes true again.
    function test_push_approveThenRevoke() public {
        reg.bindApprovalListener(g);
        vm.expectEmit(address(g));
        emit PolicyGuard.ModelApprovalSynced(M1, true);
        _approve(M1);
        assertTrue(g.isModelAllowed(M1));
        _guardedMint(g, asset, M1, true, 0);
        vm.expectEmit(address(reg));
        emit ModelRegistry.ModelRevoked(M1, GUARDIAN);
        vm.expectEmit(address(g));
        emit PolicyGuard.ModelApprovalSynced(M1, false);
        _revoke(M1);
        assertFalse(g.isModelAllowed(M1));
        // Refused at once (same block): the copy says no, so the guard asks the registry, which says no.
        _guardedMint(g, asset, M1, false, 1);
        vm.expectEmit(address(g));
        emit PolicyGuard.ModelApprovalSynced(M1, true);
        _approve(M1);
        _guardedMint(g, asset, M1, true, 0);
        _assertFollows();
    }

    /// @dev The push reaches the bound guard only: the second guard on the same registry emits nothing and
    /// follows the registry by asking it (slow path), in both directions.
    function test_unboundGuards_followTheRegistry() public {
        // Nobody bound yet: both guards ask the registry.
        _approve(M1);
        _guardedMint(g, asset, M1, true, 1);
        _guardedMint(guard2, asset2, M1, true, 1);
        _revoke(M1);
        _guardedMint(g, asset, M1, false, 1);
        _guardedMint(guard2, asset2, M1, false, 1);
        _assertFollows();
        // `g` bound: `guard2` is never told, and still follows the registry exactly.
        reg.bindApprovalListener(g);
        vm.recordLogs();
        _approve(M2);
        _revoke(M2);
        _approve(M2);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 pushes;
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].emitter != address(guard2), "the second guard was told");
            if (logs[i].emitter == address(g)) ++pushes;
        }
        assertEq(pushes, 3, "the bound guard was told of each change");
        _guardedMint(guard2, asset2, M2, true, 1);
        _guardedMint(g, asset, M2, true, 0);
        _revoke(M2);
        _guardedMint(guard2, asset2, M2, false, 1);
        _guardedMint(g, asset, M2, false, 1);
        _assertFollows();
    }

    /// @dev A model approved before the binding is allowed (its approval was never pushed: slow path), and
    /// its later revocation is pushed and refuses it at once; its re-approval is pushed (fast path).
    function test_approvedBeforeBinding() public {
        _approve(M3);
        reg.bindApprovalListener(g);
        assertTrue(g.isModelAllowed(M3));
        _guardedMint(g, asset, M3, true, 1);
        vm.expectEmit(address(g));
        emit PolicyGuard.ModelApprovalSynced(M3, false);
        _revoke(M3);
        assertFalse(g.isModelAllowed(M3));
        _guardedMint(g, asset, M3, false, 1);
        _approve(M3);
        _guardedMint(g, asset, M3, true, 0);
        _assertFollows();
    }

    /// @dev Fuzz twin of all the above: any sequence of approve / revoke (of three registered ids) and the
    /// binding (at any point, or never) leaves `isModelAllowed(id) == registry.isApproved(id)` for every id
    /// (a never-registered one included), on the bound guard and on the second guard, after every step; and
    /// the guarded action with each id lands exactly when the registry approves it.
    function testFuzz_anySequence_guardFollowsRegistry(uint256 seed, uint8 steps) public {
        steps = uint8(bound(steps, 1, 24));
        for (uint256 s; s < steps; ++s) {
            uint256 r = uint256(keccak256(abi.encode(seed, s)));
            bytes32 id = ids[(r >> 8) % 3];
            uint256 op = r % 3;
            if (op == 0) {
                _approve(id);
            } else if (op == 1) {
                // Revoking an id never approved is refused by the registry (nothing changes, nothing told).
                vm.prank(GUARDIAN);
                try reg.revokeModel(id) {} catch {}
            } else if (address(reg.approvalListener()) == address(0)) {
                reg.bindApprovalListener(g);
            }
            _assertFollows();
        }
        vm.warp(block.timestamp + EPOCH); // fresh rate limits for the guarded actions
        for (uint256 i; i < ids.length; ++i) {
            bool approved = reg.isApproved(ids[i]);
            vm.prank(AGENT);
            try asset.mintWith(USER, 1, ids[i], 0) {
                assertTrue(approved, "a guarded action landed with a model the registry does not approve");
            } catch (bytes memory err) {
                assertFalse(approved, "a guarded action was refused with an approved model");
                assertEq(bytes4(err), PolicyGuard.PolicyModelNotAllowed.selector);
            }
        }
    }
}

/// @notice The push in the markets stack as deployed (`MarketsFixture` binds the guard): revoking the
/// vault's model refuses the agent's very next mint; re-approving it lets the same nonce mint.
contract PolicyGuardApprovalPushVaultTest is MarketsFixture {
    function setUp() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
    }

    function _revokeRefusesVaultMint(uint256 amount) internal {
        _agentOpen(50_000e6, 10e18, keccak256("open"));
        assertEq(address(registry.approvalListener()), address(guard));
        vm.expectEmit(address(guard));
        emit PolicyGuard.ModelApprovalSynced(MODEL, false);
        vm.prank(guardianKey);
        registry.revokeModel(MODEL);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyModelNotAllowed.selector,
                guard.policyId(address(vault), PolicyActions.SYNTH_MINT),
                MODEL
            )
        );
        vm.prank(agent);
        vault.mint(amount, MODEL, keccak256("after revoke"), 1);
        _approveModel(MODEL);
        vm.prank(agent);
        vault.mint(amount, MODEL, keccak256("after re-approval"), 1);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18 + amount);
    }

    function test_revokeRefusesVaultMintAtOnce() public {
        _revokeRefusesVaultMint(5e18);
    }

    function testFuzz_revokeRefusesVaultMintAtOnce(uint256 amount) public {
        _revokeRefusesVaultMint(bound(amount, 1, 100e18));
    }
}
