// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IZkModelRegistry} from "../zk/IZkModelRegistry.sol";
import {IModelRegistry} from "./IModelRegistry.sol";
import {IModelSharesHook, ModelShares} from "./ModelShares.sol";

/// @title ModelRegistry
/// @notice The registry of models the agent may use, and the revenue router for their shareholders.
/// - Registration is open to anyone: a weights commitment (`modelId`, bytes32), kind, version, metadata
///   URI, licence and owner (the caller), plus a `ModelShares` ERC-20 with a fixed supply of
///   `SHARE_SUPPLY` minted to the owners list. A `zkCommitment` slot (e.g. a Poseidon hash of the
///   weights for a later circuit) can be set once by the owner before approval.
/// - Approval for agent use is a separate, governed step: only `ADMIN` (the timelock) approves; the
///   guardian or the admin may revoke at once (tighten fast, loosen slow). PolicyGuard reads `isApproved`.
///   Registration is first-come (a model id is computable from the published weights, so anyone may
///   register it first), hence governance approves the registration it reviewed, not an id:
///   `approveModel` names the expected owner, share token and zk commitment and reverts with
///   `RegistrationMismatch` when the record differs. The share token's address is a CREATE2 of the
///   holders and amounts (`predictShares`), so pinning it pins the initial revenue split too.
/// - Revenue: `distribute(modelId, amount)` pulls `FEE_TOKEN` from the caller and raises the model's
///   reward-per-share accumulator by `amount * ACC_SCALE / SHARE_SUPPLY` — O(1) whatever the number of
///   holders. A holder's revenue is `balance * (acc - snapshot) / ACC_SCALE`, settled into `owed` before
///   every balance change (ModelShares calls `onSharesTransfer`) and on `claim`.
///
/// Rounding dust: with `ACC_SCALE = 1e36` and `SHARE_SUPPLY = 1e24` the accumulator step is exactly
/// `amount * 1e12` (no rounding at distribution). Each settlement floors `balance * delta / 1e36`, losing
/// < 1 fee-token unit per holder per settlement; the dust stays in the registry unclaimable. So for any
/// history: paid in - (claimed + claimable) is in [0, number of settlements].
///
/// Invariants: claimed + claimable(all holders) <= paid in, within the dust bound above;
/// `FEE_TOKEN.balanceOf(this) >= sum of claimable`; a model's share supply never changes; only the
/// admin turns approval on, and only for a record equal to the (owner, shares, zk commitment) it names. Limits: a holder's owed balance is a uint96 and the accumulator a uint160
/// (about 1.4e36 fee-token units distributed per model) — SafeCast reverts beyond them.
contract ModelRegistry is IModelRegistry, IZkModelRegistry, IModelSharesHook, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice What a model does.
    enum Kind {
        Forecaster,
        Generator
    }

    /// @notice A registered model.
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

    /// @notice May revoke approvals at once.
    address public guardian;
    mapping(bytes32 modelId => Model) private _models;
    mapping(bytes32 modelId => uint256) private _acc;
    mapping(bytes32 modelId => mapping(address holder => Holder)) private _holders;

    /// @notice A model was registered by `owner` with its share token `shares`.
    event ModelRegistered(
        bytes32 indexed modelId,
        address indexed owner,
        Kind kind,
        address shares,
        string version,
        string metadataURI,
        string licence
    );
    /// @notice Governance approved `modelId` for agent use.
    event ModelApproved(bytes32 indexed modelId, address indexed by);
    /// @notice `by` (guardian or admin) revoked `modelId`'s approval.
    event ModelRevoked(bytes32 indexed modelId, address indexed by);
    /// @notice The owner set the zero-knowledge commitment.
    event ZkCommitmentSet(bytes32 indexed modelId, bytes32 zkCommitment);
    /// @notice `from` paid `amount` of revenue to `modelId`'s holders; `accRewardPerShare` is the new value.
    event RevenueDistributed(
        bytes32 indexed modelId, address indexed from, uint256 amount, uint256 accRewardPerShare
    );
    /// @notice `holder` claimed `amount`.
    event RevenueClaimed(bytes32 indexed modelId, address indexed holder, uint256 amount);
    /// @notice Governance replaced the guardian.
    event GuardianSet(address guardian);

    /// @notice `modelId` is zero or already registered.
    error ModelAlreadyRegistered(bytes32 modelId);
    /// @notice `modelId` is not registered.
    error ModelNotRegistered(bytes32 modelId);
    /// @notice Share amounts must sum to `SHARE_SUPPLY`.
    error InvalidShareAllocation(uint256 sum, uint256 expected);
    /// @notice Owners list empty, too long, or lengths differ.
    error InvalidHolders(uint256 holders, uint256 amounts);
    /// @notice Caller is not the admin.
    error RegistryNotAdmin(address caller);
    /// @notice Caller is neither guardian nor admin.
    error RegistryNotGuardian(address caller);
    /// @notice Caller is not the model's owner.
    error NotModelOwner(bytes32 modelId, address caller);
    /// @notice Caller is not the model's share token.
    error NotSharesToken(bytes32 modelId, address caller);
    /// @notice The zk commitment is already set, the model is already approved, or the value is zero.
    error ZkCommitmentLocked(bytes32 modelId);
    /// @notice A zero amount or address.
    error ZeroValue();
    /// @notice The registration of `modelId` is not the one governance reviewed: the on-chain values
    /// first, each followed by the value the approval expected.
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
        if (address(feeToken) == address(0) || admin == address(0)) revert ZeroValue();
        FEE_TOKEN = feeToken;
        ADMIN = admin;
        guardian = guardian_;
        emit GuardianSet(guardian_);
    }

    // ------------------------------------------------------------------ registration & approval

    /// @notice Registers `modelId` (the commitment to the weights file) owned by the caller and deploys
    /// its share token (CREATE2, salt = modelId) minting `amounts[i]` to `holders[i]`; the amounts must
    /// sum to `SHARE_SUPPLY`. Open to anyone and first-come; approval is separate and pins the owner,
    /// share token and zk commitment governance reviewed, so a squatter's record is never approved.
    function register(
        bytes32 modelId,
        Kind kind,
        string calldata version,
        string calldata metadataURI,
        string calldata licence,
        address[] calldata holders,
        uint256[] calldata amounts
    ) external returns (address shares) {
        if (modelId == bytes32(0) || _models[modelId].owner != address(0)) {
            revert ModelAlreadyRegistered(modelId);
        }
        if (holders.length == 0 || holders.length > MAX_HOLDERS || holders.length != amounts.length) {
            revert InvalidHolders(holders.length, amounts.length);
        }
        shares = address(_deployShares(modelId, holders, amounts));
        _models[modelId] = Model({
            owner: msg.sender,
            kind: kind,
            approved: false,
            registeredAt: uint64(block.timestamp),
            shares: ModelShares(shares),
            zkCommitment: bytes32(0),
            version: version,
            metadataURI: metadataURI,
            licence: licence
        });
        emit ModelRegistered(modelId, msg.sender, kind, shares, version, metadataURI, licence);
    }

    /// @notice Approves `modelId` for agent use, provided its registration is the one governance reviewed:
    /// owner `expectedOwner`, share token `expectedShares` (see `predictShares`: it fixes the initial
    /// holders and amounts) and zk commitment `expectedZkCommitment` (zero for none). Reverts
    /// `RegistrationMismatch` otherwise, so a squatter's registration of the same id is never approved.
    /// Admin (timelock) only.
    function approveModel(
        bytes32 modelId,
        address expectedOwner,
        address expectedShares,
        bytes32 expectedZkCommitment
    ) external onlyAdmin {
        Model storage m = _existing(modelId);
        if (
            m.owner != expectedOwner || address(m.shares) != expectedShares
                || m.zkCommitment != expectedZkCommitment
        ) {
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
        m.approved = true;
        emit ModelApproved(modelId, msg.sender);
    }

    /// @notice Revokes `modelId`'s approval at once. Guardian or admin.
    function revokeModel(bytes32 modelId) external {
        if (msg.sender != guardian && msg.sender != ADMIN) revert RegistryNotGuardian(msg.sender);
        Model storage m = _existing(modelId);
        m.approved = false;
        emit ModelRevoked(modelId, msg.sender);
    }

    /// @notice Sets the zk commitment (e.g. Poseidon hash of the weights) once, before approval. Owner only.
    function setZkCommitment(bytes32 modelId, bytes32 zkCommitment) external {
        Model storage m = _existing(modelId);
        if (msg.sender != m.owner) revert NotModelOwner(modelId, msg.sender);
        if (m.zkCommitment != bytes32(0) || m.approved || zkCommitment == bytes32(0)) {
            revert ZkCommitmentLocked(modelId);
        }
        m.zkCommitment = zkCommitment;
        emit ZkCommitmentSet(modelId, zkCommitment);
    }

    /// @notice Replaces the guardian. Admin only.
    function setGuardian(address newGuardian) external onlyAdmin {
        guardian = newGuardian;
        emit GuardianSet(newGuardian);
    }

    // ------------------------------------------------------------------ revenue

    /// @inheritdoc IModelRegistry
    /// @dev Any registered model (approved or not) can receive revenue; anyone may pay.
    function distribute(bytes32 modelId, uint256 amount) external nonReentrant {
        if (amount == 0) revert ZeroValue();
        if (address(_models[modelId].shares) == address(0)) revert ModelNotRegistered(modelId);
        // Exact when ACC_SCALE is a multiple of SHARE_SUPPLY (it is: 1e12).
        uint256 acc = _acc[modelId] + amount * (ACC_SCALE / SHARE_SUPPLY);
        _acc[modelId] = uint256(acc.toUint160());
        FEE_TOKEN.safeTransferFrom(msg.sender, address(this), amount);
        emit RevenueDistributed(modelId, msg.sender, amount, acc);
    }

    /// @notice Pays the caller everything `modelId` owes them. Returns the amount (may be zero).
    function claim(bytes32 modelId) external nonReentrant returns (uint256 amount) {
        ModelShares shares = _models[modelId].shares;
        if (address(shares) == address(0)) revert ModelNotRegistered(modelId);
        Holder memory h = _settled(modelId, msg.sender, shares.balanceOf(msg.sender));
        amount = h.owed;
        h.owed = 0;
        _holders[modelId][msg.sender] = h;
        if (amount != 0) FEE_TOKEN.safeTransfer(msg.sender, amount);
        emit RevenueClaimed(modelId, msg.sender, amount);
    }

    /// @inheritdoc IModelSharesHook
    function onSharesTransfer(
        bytes32 modelId,
        address from,
        uint256 fromBalance,
        address to,
        uint256 toBalance
    ) external {
        if (msg.sender != address(_models[modelId].shares)) {
            revert NotSharesToken(modelId, msg.sender);
        }
        _holders[modelId][from] = _settled(modelId, from, fromBalance);
        if (to != address(0)) _holders[modelId][to] = _settled(modelId, to, toBalance);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IModelRegistry
    function isApproved(bytes32 modelId)
        external
        view
        override(IModelRegistry, IZkModelRegistry)
        returns (bool)
    {
        return _models[modelId].approved;
    }

    /// @inheritdoc IZkModelRegistry
    function zkCommitmentOf(bytes32 modelId) external view returns (bytes32) {
        return _models[modelId].zkCommitment;
    }

    /// @notice The full record of `modelId` (zero values if unregistered).
    function getModel(bytes32 modelId) external view returns (Model memory) {
        return _models[modelId];
    }

    /// @notice The share token of `modelId` (zero if unregistered).
    function sharesOf(bytes32 modelId) external view returns (address) {
        return address(_models[modelId].shares);
    }

    /// @notice The address `register(modelId, ..., holders, amounts)` deploys (or deployed) the share
    /// token at: CREATE2 from this registry, salt `modelId`, over the token's name and the allocation. Two
    /// registrations of one id with different holders or amounts get different addresses, so governance
    /// pins the revenue split it reviewed by passing this as `approveModel`'s `expectedShares`.
    function predictShares(bytes32 modelId, address[] calldata holders, uint256[] calldata amounts)
        external
        view
        returns (address)
    {
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
        return Create2.computeAddress(modelId, initCodeHash);
    }

    /// @notice The reward-per-share accumulator of `modelId`, scaled by `ACC_SCALE`.
    function accRewardPerShare(bytes32 modelId) external view returns (uint256) {
        return _acc[modelId];
    }

    /// @notice What `holder` could claim from `modelId` now.
    function claimable(bytes32 modelId, address holder) external view returns (uint256) {
        ModelShares shares = _models[modelId].shares;
        if (address(shares) == address(0)) return 0;
        return _settled(modelId, holder, shares.balanceOf(holder)).owed;
    }

    // ------------------------------------------------------------------ internal

    function _existing(bytes32 modelId) internal view returns (Model storage m) {
        m = _models[modelId];
        if (m.owner == address(0)) revert ModelNotRegistered(modelId);
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

    /// @dev Checks the allocation sums to `SHARE_SUPPLY` and deploys the share token (CREATE2, salt = id).
    function _deployShares(bytes32 modelId, address[] calldata holders, uint256[] calldata amounts)
        internal
        returns (ModelShares)
    {
        uint256 sum;
        for (uint256 i; i < amounts.length; ++i) {
            sum += amounts[i];
        }
        if (sum != SHARE_SUPPLY) revert InvalidShareAllocation(sum, SHARE_SUPPLY);
        string memory tag = _shortHex(modelId);
        return new ModelShares{salt: modelId}(
            modelId,
            string.concat("Provenant Model Shares ", tag),
            string.concat("PMS-", tag),
            holders,
            amounts
        );
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
