// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {ModelShares} from "../../src/models/ModelShares.sol";

/// @notice Drives one model id through random sequences of: the owner's registration, squatters'
/// registrations of the same id (before or after the owner's), transfers of the bound and of unbound
/// share tokens among a fixed pool of holders (and into the registry), distributions by a payer, claims by
/// anyone in the pool, the admin's approval of the owner's registration (binding on the first), attempts
/// to approve a squatter's registration, revokes, re-approvals and `setZkCommitment` by any registrant.
/// Keeps ghost sums (paid in, claimed per holder, settlements), the binding as first observed, which
/// holders ever held each token, and flags for every call whose outcome contradicts the header.
/// @dev Pool layout: 0 owner, 1 partner, 2..4 squatters, 5 outsider, 6 the registry (receives shares
/// only: it has no function that moves them, so it never sends). Only the owner's registration is ever
/// approved with matching values, as governance does after review.
contract RegistrantsHandler is Test {
    uint256 internal constant SQUATTERS = 3;
    uint256 internal constant SENDERS = 6; // the pool minus the registry

    ModelRegistry internal registry;
    TestStablecoin internal usd;
    bytes32 public modelId;
    address public admin;
    address public guardianKey;
    address public payer;
    address[] internal _pool;

    /// Every registered share token: the owner's (if registered) and the squatters', in order.
    address[] public tokens;
    mapping(address registrant => address) public sharesOf;
    mapping(address token => mapping(address holder => bool)) public everHeld;

    // ghost sums
    uint256 public paidIn;
    uint256 public claimedTotal;
    mapping(address holder => uint256) public claimedBy;
    uint256 public settlements;

    // the binding as first observed
    address public ghostBoundOwner;
    address public ghostBoundShares;
    bytes32 public ghostBoundZk;
    bool public ghostApproved;

    // flags: a call whose outcome contradicts the contract's header
    bool public otherApprovalAccepted; // an approval of a non-bound registration did not revert ModelIdBound
    bool public ownerApprovalRefused; // the admin's approval of the owner's reviewed registration reverted
    bool public unboundRevenueAccepted; // distribute/claim on an id never approved did not revert
    bool public zkOutcomeWrong; // the bound owner changed its commitment, or a free one was refused
    bool public callRefused; // a revoke of the bound id or a share transfer within balance reverted
    bool public duplicateAccepted; // a registrant registered the id twice

    // path counters (per run)
    uint256 public ownerRegistrations;
    uint256 public squatsBeforeOwner;
    uint256 public squatsAfterOwner;
    uint256 public duplicateRegistrationsRefused;
    uint256 public boundTransfers;
    uint256 public unboundTransfers;
    uint256 public transfersToRegistry;
    uint256 public distributions;
    uint256 public paidClaims;
    uint256 public claimsByUnboundOnly;
    uint256 public bindings;
    uint256 public reapprovals;
    uint256 public revokes;
    uint256 public otherApprovalsRefused;
    uint256 public zkSetsBeforeBinding;
    uint256 public zkSetsUnbound;
    uint256 public zkRefusedBound;

    constructor(
        ModelRegistry r,
        TestStablecoin u,
        bytes32 id,
        address admin_,
        address guardian_,
        address[] memory pool_
    ) {
        registry = r;
        usd = u;
        modelId = id;
        admin = admin_;
        guardianKey = guardian_;
        payer = makeAddr("payer");
        _pool = pool_;
        vm.prank(payer);
        usd.approve(address(r), type(uint256).max);
    }

    function pool() external view returns (address[] memory) {
        return _pool;
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    // ------------------------------------------------------------------ registration

    /// The owner registers (600k owner, 399,999 partner, 1 share to the outsider); a second attempt
    /// must revert `ModelAlreadyRegistered`.
    function registerOwner() external {
        (address[] memory holders, uint256[] memory amounts) = _ownerAllocation();
        _register(_pool[0], holders, amounts, true);
    }

    /// A squatter registers the same id: the owner's allocation copied, or its own (999,999 shares to
    /// itself, 1 to the next squatter).
    function registerSquatter(uint256 who, bool copy) external {
        uint256 i = 2 + (who % SQUATTERS);
        address squatter = _pool[i];
        address[] memory holders;
        uint256[] memory amounts;
        if (copy) {
            (holders, amounts) = _ownerAllocation();
        } else {
            holders = new address[](2);
            (holders[0], holders[1]) = (squatter, _pool[2 + ((i - 1) % SQUATTERS)]);
            amounts = new uint256[](2);
            (amounts[0], amounts[1]) = (999_999e18, 1e18);
        }
        _register(squatter, holders, amounts, false);
    }

    // ------------------------------------------------------------------ share transfers

    /// Moves part of a holder's balance of one registered token (bound or not) to another pool member
    /// or the registry. When the picked sender holds none, the next sender that does is used.
    function transfer(uint256 tokenSeed, uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        if (tokens.length == 0) return;
        ModelShares token = ModelShares(tokens[tokenSeed % tokens.length]);
        address from;
        for (uint256 k; k < SENDERS; ++k) {
            address candidate = _pool[(fromSeed % SENDERS + k) % SENDERS];
            if (token.balanceOf(candidate) != 0) {
                from = candidate;
                break;
            }
        }
        if (from == address(0)) return; // all of it sits in the registry
        address to = _pool[toSeed % _pool.length];
        amount = _bound(amount, 1, token.balanceOf(from));
        bool isBound = address(token) == ghostBoundShares;
        vm.prank(from);
        try token.transfer(to, amount) {}
        catch {
            callRefused = true;
            return;
        }
        everHeld[address(token)][to] = true;
        if (isBound) {
            ++boundTransfers;
            settlements += 2; // sender and recipient each settle (floor) once
        } else {
            ++unboundTransfers;
        }
        if (to == address(registry)) ++transfersToRegistry;
    }

    // ------------------------------------------------------------------ revenue

    /// The payer distributes; an id never approved must revert `ModelNotApproved`.
    function distribute(uint256 amount) external {
        amount = _bound(amount, 1, 1e15);
        usd.mint(payer, amount);
        vm.prank(payer);
        try registry.distribute(modelId, amount) {
            if (ghostBoundOwner == address(0)) unboundRevenueAccepted = true;
            paidIn += amount;
            ++distributions;
        } catch (bytes memory reason) {
            if (ghostBoundOwner != address(0) || !_is(reason, ModelRegistry.ModelNotApproved.selector)) {
                unboundRevenueAccepted = true;
            }
        }
    }

    /// Anyone in the pool claims; an id never approved must revert `ModelNotApproved`.
    function claim(uint256 who) external {
        address h = _pool[who % SENDERS];
        vm.prank(h);
        try registry.claim(modelId) returns (uint256 amount) {
            if (ghostBoundOwner == address(0)) unboundRevenueAccepted = true;
            claimedTotal += amount;
            claimedBy[h] += amount;
            ++settlements;
            if (amount != 0) ++paidClaims;
            if (!everHeld[ghostBoundShares][h]) ++claimsByUnboundOnly;
        } catch (bytes memory reason) {
            if (ghostBoundOwner != address(0) || !_is(reason, ModelRegistry.ModelNotApproved.selector)) {
                unboundRevenueAccepted = true;
            }
        }
    }

    // ------------------------------------------------------------------ governance

    /// The admin approves the owner's registration with the values it reviewed (the record as it is):
    /// the first approval binds the id; later ones re-approve the same registration.
    function approveOwner() external {
        address owner = _pool[0];
        address shares = sharesOf[owner];
        if (shares == address(0)) return;
        bytes32 zk = registry.getRegistration(modelId, owner).zkCommitment;
        vm.prank(admin);
        try registry.approveModel(modelId, owner, shares, zk) {
            if (ghostBoundOwner == address(0)) {
                (ghostBoundOwner, ghostBoundShares, ghostBoundZk) = (owner, shares, zk);
                ++bindings;
            } else {
                ++reapprovals;
            }
            ghostApproved = true;
        } catch {
            ownerApprovalRefused = true;
        }
    }

    /// The admin tries to approve a squatter's registration, naming its exact values: once the id is
    /// bound this must revert `ModelIdBound`. Before the binding nothing is attempted (governance never
    /// approves a registration it did not review).
    function approveOther(uint256 who) external {
        if (ghostBoundOwner == address(0)) return;
        address squatter = _pool[2 + (who % SQUATTERS)];
        address shares = sharesOf[squatter];
        if (shares == address(0)) return;
        bytes32 zk = registry.getRegistration(modelId, squatter).zkCommitment;
        vm.prank(admin);
        try registry.approveModel(modelId, squatter, shares, zk) {
            otherApprovalAccepted = true;
        } catch (bytes memory reason) {
            if (
                keccak256(reason)
                    != keccak256(
                        abi.encodeWithSelector(
                            ModelRegistry.ModelIdBound.selector, modelId, ghostBoundOwner, squatter
                        )
                    )
            ) otherApprovalAccepted = true;
            else ++otherApprovalsRefused;
        }
    }

    /// The guardian or the admin revokes; only a bound id can be revoked.
    function revoke(bool byGuardian) external {
        if (ghostBoundOwner == address(0)) return;
        vm.prank(byGuardian ? guardianKey : admin);
        try registry.revokeModel(modelId) {
            ghostApproved = false;
            ++revokes;
        } catch {
            callRefused = true;
        }
    }

    /// Any registrant sets its registration's zk commitment: allowed once per registration, never for the
    /// bound one.
    function setZk(uint256 who, uint256 value) external {
        address registrant = who % 4 == 0 ? _pool[0] : _pool[1 + (who % 4)];
        if (sharesOf[registrant] == address(0)) return;
        bytes32 zk = keccak256(abi.encode(value));
        bool free = registry.getRegistration(modelId, registrant).zkCommitment == bytes32(0)
            && registrant != ghostBoundOwner;
        vm.prank(registrant);
        try registry.setZkCommitment(modelId, zk) {
            if (!free) zkOutcomeWrong = true;
            if (ghostBoundOwner == address(0)) ++zkSetsBeforeBinding;
            else ++zkSetsUnbound;
        } catch {
            if (free) zkOutcomeWrong = true;
            if (registrant == ghostBoundOwner) ++zkRefusedBound;
        }
    }

    // ------------------------------------------------------------------ internal

    function _ownerAllocation() internal view returns (address[] memory holders, uint256[] memory amounts) {
        holders = new address[](3);
        (holders[0], holders[1], holders[2]) = (_pool[0], _pool[1], _pool[5]);
        amounts = new uint256[](3);
        (amounts[0], amounts[1], amounts[2]) = (600_000e18, 399_999e18, 1e18);
    }

    function _register(address who, address[] memory holders, uint256[] memory amounts, bool isOwner)
        internal
    {
        bool again = sharesOf[who] != address(0);
        vm.prank(who);
        try registry.register(
            modelId, ModelRegistry.Kind.Forecaster, "1", "ipfs://m", "MIT", holders, amounts
        ) returns (
            address shares
        ) {
            if (again) {
                duplicateAccepted = true;
                return;
            }
            sharesOf[who] = shares;
            tokens.push(shares);
            for (uint256 k; k < holders.length; ++k) {
                everHeld[shares][holders[k]] = true;
            }
            if (isOwner) ++ownerRegistrations;
            else if (sharesOf[_pool[0]] == address(0)) ++squatsBeforeOwner;
            else ++squatsAfterOwner;
        } catch (bytes memory reason) {
            bytes memory expected =
                abi.encodeWithSelector(ModelRegistry.ModelAlreadyRegistered.selector, modelId, who);
            if (!again || keccak256(reason) != keccak256(expected)) duplicateAccepted = true;
            else ++duplicateRegistrationsRefused;
        }
    }

    function _is(bytes memory reason, bytes4 selector) internal pure returns (bool) {
        return reason.length >= 4 && bytes4(reason) == selector;
    }
}
