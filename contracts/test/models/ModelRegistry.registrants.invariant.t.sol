// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test, console} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {RegistrantsHandler} from "./RegistrantsHandler.sol";

/// @notice ModelRegistry invariants with several registrants of one model id: squatters registering
/// before and after the owner, bound and unbound share tokens moving among holders (and into the
/// registry), distributions, claims by anyone, binding, revokes, re-approvals, refused approvals of
/// squatters' registrations and `setZkCommitment` by every registrant (see `RegistrantsHandler`).
/// Invariants:
/// - claimed + claimable(every holder) <= paid in, and paid in - (claimed + claimable) <= settlements,
///   counting each claimable read as the pending settlement it is (the documented dust bound);
/// - a holder that never held the bound token never claimed anything and has nothing claimable;
/// - the registry's fee-token balance is paid in - claimed, and covers the sum of claimable;
/// - the binding (owner, share token, zk commitment) never changes once set, is the owner's reviewed
///   registration, and `isApproved` follows the last approve / revoke;
/// - every approval of a non-bound registration after binding reverted `ModelIdBound`, every approval of
///   the owner's reviewed registration succeeded, revenue calls on the unbound id reverted
///   `ModelNotApproved`, duplicate registrations reverted, and `setZkCommitment` succeeded exactly when
///   the registration was not the bound one and had no commitment yet;
/// - a PolicyGuard bound as the registry's approval listener, and a second guard on the registry that is
///   not, both answer `isModelAllowed(MODEL) == registry.isApproved(MODEL)` (the push and the slow path).
/// forge-config: default.invariant.fail-on-revert = true
contract ModelRegistryRegistrantsInvariantTest is Test {
    bytes32 internal constant MODEL = keccak256("weights:registrants-invariant");
    TestStablecoin internal usd;
    ModelRegistry internal registry;
    RegistrantsHandler internal handler;
    address internal timelock = makeAddr("timelock");
    address internal guardianKey = makeAddr("guardian");
    /// @dev Bound as the registry's approval listener (told of every approve / revoke); `unboundGuard` is not.
    PolicyGuard internal boundGuard;
    PolicyGuard internal unboundGuard;

    function setUp() public {
        usd = new TestStablecoin();
        registry = new ModelRegistry(IERC20(address(usd)), timelock, guardianKey);
        address[] memory pool = new address[](7);
        pool[0] = makeAddr("owner");
        pool[1] = makeAddr("partner");
        for (uint256 i; i < 3; ++i) {
            pool[2 + i] = makeAddr(string.concat("squatter", vm.toString(i)));
        }
        pool[5] = makeAddr("outsider");
        pool[6] = address(registry);
        handler = new RegistrantsHandler(registry, usd, MODEL, timelock, guardianKey, pool);
        targetContract(address(handler));
        PolicyGuard.Limits memory ceiling;
        boundGuard = new PolicyGuard(
            timelock, guardianKey, makeAddr("agent"), IModelRegistry(address(registry)), ceiling
        );
        unboundGuard = new PolicyGuard(
            timelock, guardianKey, makeAddr("agent"), IModelRegistry(address(registry)), ceiling
        );
        registry.bindApprovalListener(boundGuard);
    }

    /// @notice Both guards follow the registry's approval exactly, through every approve and revoke.
    function invariant_guardsFollowRegistry() public view {
        bool approved = registry.isApproved(MODEL);
        assertEq(boundGuard.isModelAllowed(MODEL), approved, "bound guard != registry");
        assertEq(unboundGuard.isModelAllowed(MODEL), approved, "unbound guard != registry");
        assertFalse(boundGuard.isModelAllowed(keccak256("weights:other")), "an id never approved is allowed");
    }

    function _claimable() internal view returns (uint256 sum) {
        address[] memory pool = handler.pool();
        for (uint256 i; i < pool.length; ++i) {
            sum += registry.claimable(MODEL, pool[i]);
        }
    }

    /// @notice Revenue conservation within the dust bound.
    function invariant_claimedPlusClaimableWithinDust() public view {
        uint256 accounted = handler.claimedTotal() + _claimable();
        uint256 paid = handler.paidIn();
        assertLe(accounted, paid, "claimed + claimable exceeds paid in");
        // Each committed settlement floors once; each claimable read is one more (pending) settlement.
        assertLe(paid - accounted, handler.settlements() + handler.pool().length, "dust beyond bound");
    }

    /// @notice Unbound tokens earn nothing: whoever never held the bound token has no revenue.
    function invariant_unboundHoldersEarnNothing() public view {
        address[] memory pool = handler.pool();
        address bound = handler.ghostBoundShares();
        for (uint256 i; i < pool.length; ++i) {
            if (handler.everHeld(bound, pool[i])) continue;
            assertEq(handler.claimedBy(pool[i]), 0, "a holder that never held the bound token claimed");
            assertEq(registry.claimable(MODEL, pool[i]), 0, "a holder that never held the bound token earns");
        }
    }

    /// @notice The registry holds exactly paid in - claimed, enough for every claimable amount.
    function invariant_registrySolvent() public view {
        uint256 balance = usd.balanceOf(address(registry));
        assertEq(balance, handler.paidIn() - handler.claimedTotal(), "balance != paid in - claimed");
        assertGe(balance, _claimable(), "balance below sum of claimable");
    }

    /// @notice The binding is set once, to the owner's reviewed registration, and never changes.
    function invariant_bindingFixed() public view {
        address owner = handler.ghostBoundOwner();
        assertEq(registry.boundOwnerOf(MODEL), owner, "boundOwnerOf changed");
        assertEq(registry.zkCommitmentOf(MODEL), handler.ghostBoundZk(), "zkCommitmentOf changed");
        assertEq(registry.isApproved(MODEL), handler.ghostApproved(), "isApproved != last approve/revoke");
        if (owner == address(0)) return;
        assertEq(owner, handler.pool()[0], "bound to a registration other than the owner's");
        ModelRegistry.Model memory m = registry.getModel(MODEL);
        assertEq(m.owner, owner, "getModel does not name the bound registration");
        assertEq(address(m.shares), handler.ghostBoundShares(), "bound share token changed");
        assertEq(m.zkCommitment, handler.ghostBoundZk(), "bound registration's commitment changed");
        assertEq(registry.sharesOf(MODEL), handler.ghostBoundShares(), "sharesOf != bound token");
    }

    /// @notice No call had an outcome the header rules out.
    function invariant_noForbiddenOutcome() public view {
        assertFalse(handler.otherApprovalAccepted(), "approval of a non-bound registration not refused");
        assertFalse(handler.ownerApprovalRefused(), "approval of the owner's reviewed registration refused");
        assertFalse(handler.unboundRevenueAccepted(), "revenue call on the unbound id did not revert");
        assertFalse(handler.zkOutcomeWrong(), "setZkCommitment outcome wrong");
        assertFalse(handler.duplicateAccepted(), "duplicate registration not refused");
        assertFalse(handler.callRefused(), "a revoke or a transfer within balance reverted");
    }

    /// @dev The paths the invariants are about must be reached, or they hold vacuously. A campaign of
    /// `depth` calls is too short to promise every path in every run, so the counts accumulate across the
    /// runs of this process (environment variables survive the per-run state reset, as in
    /// SyntheticVault.invariant.t.sol) and are asserted once 32 runs have been seen. Printed with -vv.
    function afterInvariant() external {
        uint256 runs = _bump("MODELS_INVARIANT_RUNS", 1);
        console.log("models.cum runs", runs);
        bool check = runs >= 32;
        _reach(check, "SQUAT_BEFORE", "squatter registrations before the owner", handler.squatsBeforeOwner());
        _reach(check, "SQUAT_AFTER", "squatter registrations after the owner", handler.squatsAfterOwner());
        _reach(
            check, "DUPLICATES", "duplicate registrations refused", handler.duplicateRegistrationsRefused()
        );
        _reach(check, "BOUND_TRANSFERS", "bound-token transfers", handler.boundTransfers());
        _reach(check, "UNBOUND_TRANSFERS", "unbound-token transfers", handler.unboundTransfers());
        _reach(check, "TO_REGISTRY", "share transfers into the registry", handler.transfersToRegistry());
        _reach(check, "DISTRIBUTIONS", "distributions", handler.distributions());
        _reach(check, "PAID_CLAIMS", "claims paying > 0", handler.paidClaims());
        _reach(check, "UNBOUND_CLAIMS", "claims by never-bound holders", handler.claimsByUnboundOnly());
        _reach(check, "UNBOUND_ONLY", "run ends with holders of unbound tokens only", _unboundOnlyHolders());
        _reach(check, "BINDINGS", "bindings", handler.bindings());
        _reach(check, "REVOKES", "revokes", handler.revokes());
        _reach(check, "REAPPROVALS", "re-approvals", handler.reapprovals());
        _reach(
            check, "OTHER_REFUSED", "squatter approvals refused ModelIdBound", handler.otherApprovalsRefused()
        );
        _reach(check, "ZK_BEFORE_BIND", "zk commitments set before binding", handler.zkSetsBeforeBinding());
        _reach(check, "ZK_UNBOUND", "zk commitments set by squatters after binding", handler.zkSetsUnbound());
        _reach(check, "ZK_LOCKED", "zk changes refused for the bound owner", handler.zkRefusedBound());
    }

    /// Adds `add` to the process-wide count `key`, prints it, and once `check` asserts it is nonzero.
    function _reach(bool check, string memory key, string memory label, uint256 add) internal {
        uint256 total = _bump(string.concat("MODELS_INVARIANT_", key), add);
        console.log(string.concat("models.cum ", label), total);
        if (check) assertGt(total, 0, string.concat("path never reached: ", label));
    }

    /// Pool members that hold some unbound token now and never held the bound one (only when bound).
    function _unboundOnlyHolders() internal view returns (uint256 n) {
        address bound = handler.ghostBoundShares();
        if (bound == address(0)) return 0;
        address[] memory pool = handler.pool();
        uint256 count = handler.tokenCount();
        for (uint256 i; i < pool.length; ++i) {
            if (handler.everHeld(bound, pool[i])) continue;
            for (uint256 t; t < count; ++t) {
                address token = handler.tokens(t);
                if (token != bound && IERC20(token).balanceOf(pool[i]) != 0) {
                    ++n;
                    break;
                }
            }
        }
    }

    function _bump(string memory key, uint256 add) internal returns (uint256 total) {
        total = vm.envOr(key, uint256(0)) + add;
        vm.setEnv(key, vm.toString(total));
    }
}
