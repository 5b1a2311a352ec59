// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IZkModelRegistry} from "../zk/IZkModelRegistry.sol";
import {IModelApprovalListener} from "./IModelApprovalListener.sol";
import {IModelRegistry} from "./IModelRegistry.sol";
import {IModelSharesHook, ModelShares} from "./ModelShares.sol";

/// @title ModelRegistry
/// @notice The registry of models the agent may use, and the revenue router for their shareholders.
/// - Registration is open to anyone and keyed by (modelId, registrant): a weights commitment (`modelId`,
///   bytes32), kind, version, metadata URI, licence and owner (the caller), plus a `ModelShares` ERC-20
///   with a fixed supply of `SHARE_SUPPLY` minted to the owners list (CREATE2, salt
///   `keccak256(abi.encode(modelId, owner))`, see `predictShares`). Any number of registrants may
///   register the same id, each at most once. A model id is computable from the published weights, so
///   nobody can be kept from registering it: a squatter that copies a pending `register` only creates a
///   registration of its own, which governance never approves. A `zkCommitment` slot (e.g. a Poseidon
///   hash of the weights for a later circuit) can be set once by each registration's owner before approval.
/// - Approval for agent use is a separate, governed step: only `ADMIN` (the timelock) approves; the
///   guardian or the admin may revoke at once (tighten fast, loosen slow). PolicyGuard reads `isApproved`;
///   the guard bound by `bindApprovalListener` is also told of every change, so it answers from its own
///   storage on the hot path (see `approvalListener`). Trust: `DEPLOYER` chooses that listener, once, and a
///   listener that reverts makes approvals and revocations revert (so a revocation can never land while the
///   guard's copy still says approved). The deployment binds the suite's guard right after deploying it, and
///   anyone can check `approvalListener()` (`provenant agent check` does); a guardian who finds it wrong
///   pauses the guard, which stops every guarded action at once.
///   Governance approves the registration it reviewed, not an id: `approveModel` names the expected owner
///   (which selects the registration), share token and zk commitment and reverts with
///   `RegistrationMismatch` when the record differs. The share token's address is a CREATE2 of the
///   owner, holders and amounts, so pinning it pins the initial revenue split too.
/// - Binding: the first approval binds the model id to that registration for good (`ModelBound`). From
///   then on every id-level read and write (`isApproved`, `zkCommitmentOf`, `getModel`, `sharesOf`,
///   `distribute`, `claim`, `claimable`, `accRewardPerShare`) resolves through the bound registration.
///   Revoking keeps the binding (revenue accrued before and after stays with that token's holders); the
///   admin may re-approve the same registration, but never bind the id to another one
///   (`ModelIdBound`): the accumulator and the holders' snapshots are per model id, so switching tokens
///   would let the new holders claim the old holders' revenue. A different model is a different id.
/// - Revenue: `distribute(modelId, amount)` pulls `FEE_TOKEN` from the caller and raises the model's
///   reward-per-share accumulator by `amount * ACC_SCALE / SHARE_SUPPLY` — O(1) whatever the number of
///   holders. A holder's revenue is `balance * (acc - snapshot) / ACC_SCALE`, settled into `owed` before
///   every balance change of the bound token (ModelShares calls `onSharesTransfer`) and on `claim`. An id
///   that was never approved has no owner to pay: `distribute` reverts `ModelNotApproved`.
///
/// Rounding dust: with `ACC_SCALE = 1e36` and `SHARE_SUPPLY = 1e24` the accumulator step is exactly
/// `amount * 1e12` (no rounding at distribution). Each settlement floors `balance * delta / 1e36`, losing
/// < 1 fee-token unit per holder per settlement; the dust stays in the registry unclaimable. So for any
/// history: paid in - (claimed + claimable) is in [0, number of settlements].
///
/// Invariants: claimed + claimable(all holders) <= paid in, within the dust bound above;
/// `FEE_TOKEN.balanceOf(this) >= sum of claimable`; a model's share supply never changes; a registrant
/// has at most one registration per id and a registration is never removed or overwritten; an id is
/// bound at most once, to a registration equal to the (owner, shares, zk commitment) the admin named, and
/// only the admin turns approval on; revenue reaches only the bound registration's holders.
/// Limits: a holder's owed balance is a uint96 and the accumulator a uint160
/// (about 1.4e36 fee-token units distributed per model) — SafeCast reverts beyond them.
contract ModelRegistry is IModelRegistry, IZkModelRegistry, IModelSharesHook, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice What a model does.
    enum Kind {
        Forecaster,
        Generator
    }

    /// @notice A registration (what `getModel` and `getRegistration` return). `approved` is true only for
    /// the registration its id is bound to, while that binding is approved.
    struct Model {
        address owner;
        Kind kind;
        bool approved;
        uint64 registeredAt;
        ModelShares shares;
        bytes32 zkCommitment;
        string version;
        string metadataURI;
        string licence;
    }

    /// @notice A model id's binding: the bound registration's share token, whether it is approved now,
    /// and its zk commitment as approved (copied at each approval, so the gate's per-proof
    /// `zkCommitmentOf` reads one slot instead of the binding and then the registration).
    struct Binding {
        ModelShares shares;
        bool approved;
        bytes32 zkCommitment;
    }

    /// @notice A holder's revenue state for one model: accumulator snapshot and settled-but-unclaimed.
    struct Holder {
        uint160 accSnapshot;
        uint96 owed;
    }

    /// @notice Fixed share supply of every model (1,000,000 shares, 18 decimals).
    uint256 public constant SHARE_SUPPLY = 1_000_000e18;
    /// @notice Scale of the reward-per-share accumulator.
    uint256 public constant ACC_SCALE = 1e36;
    /// @notice Most owners a registration may list.
    uint256 public constant MAX_HOLDERS = 64;

    /// @notice The token fees are paid in (the collateral stablecoin).
    IERC20 public immutable FEE_TOKEN;
    /// @notice Governance (the timelock): approves models, sets the guardian.
    address public immutable ADMIN;

    /// @notice The account that deployed the registry: may bind the approval listener, once.
    address public immutable DEPLOYER;

    /// @notice May revoke approvals at once.
    address public guardian;
    /// @notice The guard told of every approval change (`onModelApprovalChanged`), so it can read approvals
    /// from its own storage. Bound once by `DEPLOYER` (zero until then); never rebound, because a guard
    /// that stopped being told would keep allowing a model revoked after the switch.
    IModelApprovalListener public approvalListener;
    mapping(bytes32 key => Model) private _registrations;
    mapping(bytes32 modelId => address) private _firstRegistrant;
    mapping(bytes32 modelId => address) private _boundOwner;
    mapping(bytes32 modelId => Binding) private _bindings;
    mapping(address shares => bytes32 modelId) private _modelOfShares;
    mapping(bytes32 modelId => uint256) private _acc;
    mapping(bytes32 modelId => mapping(address holder => Holder)) private _holders;

    /// @notice `owner` registered `modelId` (its own registration of the id) with share token `shares`.
    event ModelRegistered(
        bytes32 indexed modelId,
        address indexed owner,
        Kind kind,
        address shares,
        string version,
        string metadataURI,
        string licence
    );
    /// @notice `modelId` is bound for good to `owner`'s registration (share token `shares`): first approval.
    event ModelBound(bytes32 indexed modelId, address indexed owner, address shares);
    /// @notice Governance approved `modelId` (its bound registration) for agent use.
    event ModelApproved(bytes32 indexed modelId, address indexed by);
    /// @notice `by` (guardian or admin) revoked `modelId`'s approval.
    event ModelRevoked(bytes32 indexed modelId, address indexed by);
    /// @notice `owner` set the zero-knowledge commitment of its registration of `modelId`.
    event ZkCommitmentSet(bytes32 indexed modelId, address indexed owner, bytes32 zkCommitment);
    /// @notice `from` paid `amount` of revenue to `modelId`'s holders; `accRewardPerShare` is the new value.
    event RevenueDistributed(
        bytes32 indexed modelId, address indexed from, uint256 amount, uint256 accRewardPerShare
    );
    /// @notice `holder` claimed `amount`.
    event RevenueClaimed(bytes32 indexed modelId, address indexed holder, uint256 amount);
    /// @notice Governance replaced the guardian.
    event GuardianSet(address guardian);
    /// @notice `listener` will be told of every approval change from now on.
    event ApprovalListenerBound(address indexed listener);

    /// @notice `modelId` is zero, or `registrant` already registered it.
    error ModelAlreadyRegistered(bytes32 modelId, address registrant);
    /// @notice Nobody registered `modelId`.
    error ModelNotRegistered(bytes32 modelId);
    /// @notice `registrant` has no registration of `modelId`.
    error RegistrationNotFound(bytes32 modelId, address registrant);
    /// @notice `modelId` was never approved, so no registration (no holders) receives its revenue.
    error ModelNotApproved(bytes32 modelId);
    /// @notice `modelId` is bound to `boundOwner`'s registration; another one cannot be approved.
    error ModelIdBound(bytes32 modelId, address boundOwner, address requestedOwner);
    /// @notice Share amounts must sum to `SHARE_SUPPLY`.
    error InvalidShareAllocation(uint256 sum, uint256 expected);
    /// @notice Owners list empty, too long, or lengths differ.
    error InvalidHolders(uint256 holders, uint256 amounts);
    /// @notice Caller is not the admin.
    error RegistryNotAdmin(address caller);
    /// @notice Caller is neither guardian nor admin.
    error RegistryNotGuardian(address caller);
    /// @notice Caller is not a share token of `modelId`.
    error NotSharesToken(bytes32 modelId, address caller);
    /// @notice The zk commitment is already set, the registration is the bound one (approved, or revoked
    /// since: frozen), or the value is zero.
    error ZkCommitmentLocked(bytes32 modelId, address owner);
    /// @notice A zero amount or address.
    error ZeroValue(string field);
    /// @notice Only `DEPLOYER` may bind the approval listener.
    error RegistryNotDeployer(address caller);
    /// @notice The approval listener is already bound (to `listener`); it is bound once, for good.
    error ApprovalListenerAlreadyBound(address listener);
    /// @notice `listener` reads approvals from `listenerRegistry`, not from this registry.
    error ApprovalListenerRegistryMismatch(address listener, address listenerRegistry);
    /// @notice The registration of `modelId` by `owner` is not the one governance reviewed: the on-chain
    /// values first, each followed by the value the approval expected.
    error RegistrationMismatch(
        bytes32 modelId,
        address owner,
        address expectedOwner,
        address shares,
        address expectedShares,
        bytes32 zkCommitment,
        bytes32 expectedZkCommitment
    );

    modifier onlyAdmin() {
        if (msg.sender != ADMIN) revert RegistryNotAdmin(msg.sender);
        _;
    }

    /// @param feeToken The token fees are paid in. @param admin The timelock. @param guardian_ The guardian.
    constructor(IERC20 feeToken, address admin, address guardian_) {
        if (address(feeToken) == address(0)) revert ZeroValue("feeToken");
        if (admin == address(0)) revert ZeroValue("admin");
        FEE_TOKEN = feeToken;
        ADMIN = admin;
        DEPLOYER = msg.sender;
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    // ------------------------------------------------------------------ registration & approval

    /// @notice Registers the caller's registration of `modelId` (the commitment to the weights file) and
    /// deploys its share token (CREATE2, salt `keccak256(abi.encode(modelId, msg.sender))`) minting
    /// `amounts[i]` to `holders[i]`; the amounts must sum to `SHARE_SUPPLY`. Open to anyone; each caller
    /// registers an id at most once, and other callers' registrations of the same id do not block it.
    /// Approval is separate and pins the owner, share token and zk commitment governance reviewed.
    function register(
        bytes32 modelId,
        Kind kind,
        string calldata version,
        string calldata metadataURI,
        string calldata licence,
        address[] calldata holders,
        uint256[] calldata amounts
    ) external returns (address shares) {
        shares = _deployShares(modelId, holders, amounts);
        _record(modelId, kind, shares, version, metadataURI, licence);
    }

    /// @notice Approves `modelId` for agent use, provided `expectedOwner`'s registration of it is the one
    /// governance reviewed: share token `expectedShares` (see `predictShares`: it fixes the initial holders
    /// and amounts) and zk commitment `expectedZkCommitment` (zero for none). Reverts
    /// `RegistrationNotFound` when `expectedOwner` has no registration of the id, `RegistrationMismatch`
    /// when it differs, and `ModelIdBound` when the id is already bound to another owner's registration.
    /// The first approval binds the id to the registration for good (`ModelBound`). Admin (timelock) only.
    function approveModel(
        bytes32 modelId,
        address expectedOwner,
        address expectedShares,
        bytes32 expectedZkCommitment
    ) external onlyAdmin {
        Model storage m = _registrations[_key(modelId, expectedOwner)];
        if (m.owner == address(0)) revert RegistrationNotFound(modelId, expectedOwner);
        if (address(m.shares) != expectedShares || m.zkCommitment != expectedZkCommitment) {
            revert RegistrationMismatch(
                modelId,
                m.owner,
                expectedOwner,
                address(m.shares),
                expectedShares,
                m.zkCommitment,
                expectedZkCommitment
            );
        }
        address bound = _boundOwner[modelId];
        if (bound == address(0)) {
            _boundOwner[modelId] = expectedOwner;
            emit ModelBound(modelId, expectedOwner, expectedShares);
        } else if (bound != expectedOwner) {
            revert ModelIdBound(modelId, bound, expectedOwner);
        }
        _bindings[modelId] = Binding({shares: m.shares, approved: true, zkCommitment: m.zkCommitment});
        emit ModelApproved(modelId, msg.sender);
        _tellListener(modelId, true);
    }

    /// @notice Revokes `modelId`'s approval at once (its binding stays). Guardian or admin.
    function revokeModel(bytes32 modelId) external {
        if (msg.sender != guardian && msg.sender != ADMIN) revert RegistryNotGuardian(msg.sender);
        Binding storage b = _bindings[modelId];
        if (address(b.shares) == address(0)) revert ModelNotApproved(modelId);
        b.approved = false;
        emit ModelRevoked(modelId, msg.sender);
        _tellListener(modelId, false);
    }

    /// @notice Binds the guard to tell of every approval change (see `approvalListener`). `DEPLOYER` only,
    /// once; `listener` must read this registry. Approvals made before the binding are not pushed: the
    /// guard finds them by asking the registry (its slow path), so binding late is safe, only costlier.
    function bindApprovalListener(IModelApprovalListener listener) external {
        if (msg.sender != DEPLOYER) revert RegistryNotDeployer(msg.sender);
        address bound = address(approvalListener);
        if (bound != address(0)) revert ApprovalListenerAlreadyBound(bound);
        if (address(listener) == address(0)) revert ZeroValue("listener");
        address read = address(listener.modelRegistry());
        if (read != address(this)) revert ApprovalListenerRegistryMismatch(address(listener), read);
        approvalListener = listener;
        emit ApprovalListenerBound(address(listener));
    }

    /// @notice Sets the zk commitment (e.g. Poseidon hash of the weights) of the caller's own registration
    /// of `modelId`, once, while that registration is not approved.
    function setZkCommitment(bytes32 modelId, bytes32 zkCommitment) external {
        Model storage m = _registrations[_key(modelId, msg.sender)];
        if (m.owner == address(0)) revert RegistrationNotFound(modelId, msg.sender);
        if (
            m.zkCommitment != bytes32(0) || zkCommitment == bytes32(0)
                // A bound registration is frozen (approved or revoked since): its commitment is the one
                // governance approved, and a re-approval naming it must not be griefed by a change.
                || _boundOwner[modelId] == msg.sender
        ) {
            revert ZkCommitmentLocked(modelId, msg.sender);
        }
        m.zkCommitment = zkCommitment;
        emit ZkCommitmentSet(modelId, msg.sender, zkCommitment);
    }

    /// @notice Replaces the guardian. Admin only.
    function setGuardian(address newGuardian) external onlyAdmin {
        guardian = newGuardian;
        emit GuardianSet(newGuardian);
    }

    // ------------------------------------------------------------------ revenue

    /// @inheritdoc IModelRegistry
    /// @dev Pays the holders of the registration `modelId` is bound to, approved now or revoked since;
    /// reverts `ModelNotApproved` for an id never approved (no owner to pay). Anyone may pay.
    function distribute(bytes32 modelId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroValue("amount");
        if (address(_bindings[modelId].shares) == address(0)) revert ModelNotApproved(modelId);
        // Exact when ACC_SCALE is a multiple of SHARE_SUPPLY (it is: 1e12).
        uint256 acc = _acc[modelId] + amount * (ACC_SCALE / SHARE_SUPPLY);
        _acc[modelId] = uint256(acc.toUint160());
        FEE_TOKEN.safeTransferFrom(msg.sender, address(this), amount);
        emit RevenueDistributed(modelId, msg.sender, amount, acc);
    }

    /// @notice Pays the caller everything `modelId` (its bound registration's token) owes them. Returns
    /// the amount (may be zero). Reverts `ModelNotApproved` for an id never approved.
    function claim(bytes32 modelId) external nonReentrant returns (uint256 amount) {
        ModelShares shares = _bindings[modelId].shares;
        if (address(shares) == address(0)) revert ModelNotApproved(modelId);
        Holder memory h = _settled(modelId, msg.sender, shares.balanceOf(msg.sender));
        amount = h.owed;
        h.owed = 0;
        _holders[modelId][msg.sender] = h;
        if (amount != 0) FEE_TOKEN.safeTransfer(msg.sender, amount);
        emit RevenueClaimed(modelId, msg.sender, amount);
    }

    /// @inheritdoc IModelSharesHook
    /// @dev Settles when the caller is the token `modelId` is bound to. Another registration's token of
    /// the same id (unbound: no revenue ever accrues to it) passes without effect; anyone else reverts.
    function onSharesTransfer(
        bytes32 modelId,
        address from,
        uint256 fromBalance,
        address to,
        uint256 toBalance
    ) external {
        if (msg.sender != address(_bindings[modelId].shares)) {
            if (modelId == bytes32(0) || _modelOfShares[msg.sender] != modelId) {
                revert NotSharesToken(modelId, msg.sender);
            }
            return;
        }
        _holders[modelId][from] = _settled(modelId, from, fromBalance);
        if (to != address(0)) _holders[modelId][to] = _settled(modelId, to, toBalance);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IModelRegistry
    /// @dev True when `modelId` is bound to a registration and that binding is approved now.
    function isApproved(bytes32 modelId)
        external
        view
        override(IModelRegistry, IZkModelRegistry)
        returns (bool)
    {
        return _bindings[modelId].approved;
    }

    /// @inheritdoc IZkModelRegistry
    /// @dev The bound registration's commitment; zero for an id never approved.
    function zkCommitmentOf(bytes32 modelId) external view returns (bytes32) {
        return _bindings[modelId].zkCommitment;
    }

    /// @notice The registration `modelId` names: the bound one (approved, or approved once and revoked
    /// since). Before any approval, the id's earliest registration, for display only: it may be a
    /// squatter's; a reviewer reads `getRegistration(modelId, owner)` of the owner it expects. Zero values
    /// if nobody registered the id.
    function getModel(bytes32 modelId) external view returns (Model memory) {
        return _view(modelId, _namedRegistrant(modelId));
    }

    /// @notice `registrant`'s registration of `modelId` (zero values if none).
    function getRegistration(bytes32 modelId, address registrant) external view returns (Model memory) {
        return _view(modelId, registrant);
    }

    /// @notice The owner of the registration `modelId` is bound to (zero if it was never approved).
    function boundOwnerOf(bytes32 modelId) external view returns (address) {
        return _boundOwner[modelId];
    }

    /// @notice The share token of the registration `modelId` names (see `getModel`; zero if unregistered).
    function sharesOf(bytes32 modelId) external view returns (address) {
        return address(_registrations[_key(modelId, _namedRegistrant(modelId))].shares);
    }

    /// @notice The address `registrant`'s `register(modelId, ..., holders, amounts)` deploys (or
    /// deployed) the share token at: CREATE2 from this registry, salt `keccak256(abi.encode(modelId,
    /// registrant))`, over the token's name and the allocation. Two registrations of one id differ by
    /// registrant or allocation and so by address; governance pins the registrant and revenue split it
    /// reviewed by passing this as `approveModel`'s `expectedShares`.
    function predictShares(
        bytes32 modelId,
        address registrant,
        address[] calldata holders,
        uint256[] calldata amounts
    ) external view returns (address) {
        string memory tag = _shortHex(modelId);
        bytes32 initCodeHash = keccak256(
            abi.encodePacked(
                type(ModelShares).creationCode,
                abi.encode(
                    modelId,
                    string.concat("Provenant Model Shares ", tag),
                    string.concat("PMS-", tag),
                    holders,
                    amounts
                )
            )
        );
        return Create2.computeAddress(_key(modelId, registrant), initCodeHash);
    }

    /// @notice The reward-per-share accumulator of `modelId`, scaled by `ACC_SCALE`.
    function accRewardPerShare(bytes32 modelId) external view returns (uint256) {
        return _acc[modelId];
    }

    /// @notice What `holder` could claim from `modelId` now (zero for an id never approved).
    function claimable(bytes32 modelId, address holder) external view returns (uint256) {
        ModelShares shares = _bindings[modelId].shares;
        if (address(shares) == address(0)) return 0;
        return _settled(modelId, holder, shares.balanceOf(holder)).owed;
    }

    // ------------------------------------------------------------------ internal

    /// @dev Tells the bound listener (if any) of `modelId`'s new approval, after the state change and its event.
    function _tellListener(bytes32 modelId, bool approved) internal {
        IModelApprovalListener listener = approvalListener;
        if (address(listener) != address(0)) listener.onModelApprovalChanged(modelId, approved);
    }

    /// @dev The registration key (and share token CREATE2 salt) of `registrant`'s registration of `modelId`.
    function _key(bytes32 modelId, address registrant) internal pure returns (bytes32) {
        return keccak256(abi.encode(modelId, registrant));
    }

    /// @dev The bound registrant of `modelId`, else its first registrant (zero if none).
    function _namedRegistrant(bytes32 modelId) internal view returns (address bound) {
        bound = _boundOwner[modelId];
        if (bound == address(0)) bound = _firstRegistrant[modelId];
    }

    /// @dev `registrant`'s registration of `modelId` with `approved` filled in from the id's binding.
    function _view(bytes32 modelId, address registrant) internal view returns (Model memory m) {
        if (registrant == address(0)) return m;
        m = _registrations[_key(modelId, registrant)];
        m.approved =
            m.owner != address(0) && _boundOwner[modelId] == registrant && _bindings[modelId].approved;
    }

    /// @dev `holder`'s state with revenue up to now folded into `owed` (rounded down: the dust).
    function _settled(bytes32 modelId, address holder, uint256 balance)
        internal
        view
        returns (Holder memory h)
    {
        h = _holders[modelId][holder];
        uint256 acc = _acc[modelId];
        if (acc != h.accSnapshot) {
            uint256 earned = Math.mulDiv(balance, acc - h.accSnapshot, ACC_SCALE);
            h.owed = (uint256(h.owed) + earned).toUint96();
            h.accSnapshot = uint160(acc); // acc was stored as a uint160
        }
    }

    /// @dev Checks the caller has no registration of `modelId` (nonzero) and the allocation (1 to
    /// `MAX_HOLDERS` holders, amounts summing to `SHARE_SUPPLY`), deploys the share token (CREATE2, salt =
    /// the registration key) and indexes it: the token's model id, and the id's first registrant.
    function _deployShares(bytes32 modelId, address[] calldata holders, uint256[] calldata amounts)
        internal
        returns (address shares)
    {
        bytes32 key = _key(modelId, msg.sender);
        if (modelId == bytes32(0) || _registrations[key].owner != address(0)) {
            revert ModelAlreadyRegistered(modelId, msg.sender);
        }
        if (holders.length == 0 || holders.length > MAX_HOLDERS || holders.length != amounts.length) {
            revert InvalidHolders(holders.length, amounts.length);
        }
        uint256 sum;
        for (uint256 i; i < amounts.length; ++i) {
            sum += amounts[i];
        }
        if (sum != SHARE_SUPPLY) revert InvalidShareAllocation(sum, SHARE_SUPPLY);
        string memory tag = _shortHex(modelId);
        shares = address(
            new ModelShares{salt: key}(
                modelId,
                string.concat("Provenant Model Shares ", tag),
                string.concat("PMS-", tag),
                holders,
                amounts
            )
        );
        _modelOfShares[shares] = modelId;
        if (_firstRegistrant[modelId] == address(0)) _firstRegistrant[modelId] = msg.sender;
    }

    /// @dev Writes the caller's registration of `modelId` and emits `ModelRegistered`.
    function _record(
        bytes32 modelId,
        Kind kind,
        address shares,
        string calldata version,
        string calldata metadataURI,
        string calldata licence
    ) internal {
        Model storage m = _registrations[_key(modelId, msg.sender)];
        (m.owner, m.kind, m.registeredAt, m.shares) =
        (msg.sender, kind, uint64(block.timestamp), ModelShares(shares));
        (m.version, m.metadataURI, m.licence) = (version, metadataURI, licence);
        emit ModelRegistered(modelId, msg.sender, kind, shares, version, metadataURI, licence);
    }

    /// @dev First 4 bytes of `modelId` as 8 lowercase hex characters, for share token names.
    function _shortHex(bytes32 modelId) internal pure returns (string memory) {
        bytes memory alphabet = "0123456789abcdef";
        bytes memory out = new bytes(8);
        for (uint256 i; i < 4; ++i) {
            uint8 b = uint8(modelId[i]);
            out[2 * i] = alphabet[b >> 4];
            out[2 * i + 1] = alphabet[b & 0x0f];
        }
        return string(out);
    }
}
