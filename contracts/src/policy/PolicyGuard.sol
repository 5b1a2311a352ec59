// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelApprovalListener} from "../models/IModelApprovalListener.sol";
import {IModelRegistry} from "../models/IModelRegistry.sol";
import {ICollateralGuard, IPolicyGuard} from "./IPolicyGuard.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title PolicyGuard
/// @notice The limits every agent action must fit. Asset contracts call `consume` / `consumeValue` /
/// `checkCollateral` / `checkOracle` (or `consumeWithCollateral`, which is `consume` then
/// `checkCollateral` then `checkOracle` in one call) from their single internal mint/update path with
/// `msg.sender` = the asset; a policy is keyed by (asset, action) and its id is
/// `keccak256(abi.encode(asset, action))`.
///
/// Two tiers of limits:
///  - HARD CEILINGS. The global ceiling is fixed in the constructor (immutables) and never changes. Each
///    policy gets its own ceiling when governance creates it, within the global one; afterwards it can
///    only be lowered (`lowerCeiling`), never raised.
///  - GOVERNED LIMITS, at or below the policy ceiling, set only by `admin` (the TimelockController).
/// The GUARDIAN may pause (globally or per asset) and tighten governed limits at once, but never loosen
/// them or unpause. The AGENT (one key, rotated by governance) is the only `actor` the guard accepts and
/// can configure nothing; the agent can never also be the admin or the guardian.
///
/// "Looser" per field: a higher epochCap, lifetimeCap, rateLimit, subjectRateLimit, maxValue, maxStep,
/// maxOracleAge or maxDeviationBps; a LOWER minValue or marginBps. "Within" means not looser.
///
/// Epochs: for a policy with `epochLength` L seconds the epoch index is `block.timestamp / L`; the
/// allowance of epoch i is available for `i*L <= block.timestamp < (i+1)*L` and resets exactly when
/// `block.timestamp` reaches the next multiple of L (epochs are aligned to the Unix epoch, so L = 86_400
/// resets at 00:00:00 UTC). `remaining()` returns that reset time.
///
/// Invariants (tested as forge invariants):
///  - the amount consumed in any epoch never exceeds that policy's epoch cap at the time of consumption,
///    and the lifetime amount never exceeds the lifetime cap;
///  - for every policy: governed limits are within its ceiling, and its ceiling is within the global one;
///  - no call by the guardian makes any limit looser or unpauses; no call by the agent changes config;
///  - no amount is consumed without a non-zero model approved in the registry (`PolicyModelRequired`,
///    `PolicyModelNotAllowed`): every amount-consuming action produces an asset named after its model.
/// @dev Gas: `consume` reads 3 storage slots (gate = agent + global pause; the policy's packed caps; the
/// policy's packed usage) and writes one (usage); a subject rate limit adds one more slot, the model check
/// (always made: a model is required) one more: the guard's copy of the registry's approval, which the
/// registry keeps current by telling the guard of every change once bound (`ModelRegistry.
/// bindApprovalListener`); a model the copy does not hold (approved before the binding, or a guard the
/// registry does not tell) is asked of the registry: ~5,400 gas dearer (the cold call and its slot, after reading the empty copy). Measured
/// (contracts/test/bench/GuardGas.t.sol, cold accounts and slots as in a fresh transaction): a guarded
/// ERC-20 mint costs 17,982 gas more than the same mint unguarded with the model read from the guard's
/// copy, 23,349 when the guard must ask the registry (15,700 before the model became required).
/// Under EIP-2929 pricing the floor for any external guard that keeps a revocable agent role, writes
/// usage and emits an event is 2,600 (cold call) + 2,100 (role) + 5,000 (usage read + write) + 1,637
/// (event) = 11,337 gas before any computation, plus 2,100 for the required model (the copy's slot) =
/// 13,437, so the issue's 8,000 target needs the check inlined in the
/// asset or fewer cold slots (see the report for options).
contract PolicyGuard is ICollateralGuard, IModelApprovalListener {
    using SafeCast for uint256;

    // ---------------------------------------------------------------- types

    /// @notice One value per configurable field; used for governed limits, per-policy ceilings and the
    /// global ceiling alike (see the contract header for which direction is looser).
    struct Limits {
        uint256 epochCap; // max amount per epoch (fits uint96)
        uint256 lifetimeCap; // max amount ever (fits uint96)
        uint256 rateLimit; // max actions per epoch for the asset (fits uint16)
        uint256 subjectRateLimit; // max actions per epoch per non-zero subject, e.g. a token id (fits uint8)
        uint256 minValue; // consumeValue lower bound (fits uint80)
        uint256 maxValue; // consumeValue upper bound (fits uint80)
        uint256 maxStep; // max |value - value at epoch start| (fits uint80)
        uint256 marginBps; // collateral margin over the liquidation ratio, bps (fits uint32)
        uint256 maxOracleAge; // max seconds since the oracle round used was updated (fits uint32)
        uint256 maxDeviationBps; // max move between the feed's consecutive answers, bps (fits uint32)
    }

    /// @notice Field indices, in `Limits` order; carried by `CeilingExceeded` and `GuardianCannotLoosen`.
    enum Field {
        EpochCap,
        LifetimeCap,
        RateLimit,
        SubjectRateLimit,
        MinValue,
        MaxValue,
        MaxStep,
        MarginBps,
        MaxOracleAge,
        MaxDeviationBps
    }

    /// @notice Everything `policyOf` returns: config, ceiling and usage as of now.
    struct PolicyView {
        bytes32 policyId;
        address asset;
        bytes32 action;
        uint256 epochLength;
        bool paused; // policy's asset paused, or global pause
        Limits limits;
        Limits ceiling;
        uint256 epochIndex; // current epoch index
        uint256 epochResetsAt; // timestamp when the current epoch ends
        uint256 usedThisEpoch;
        uint256 actionsThisEpoch;
        uint256 usedLifetime;
        uint256 value; // last value recorded by consumeValue (or the initial value)
        uint256 valueAtEpochStart; // the base maxStep is measured from in the current epoch
    }

    /// @dev Read by every `consume` from one packed slot: agent key and global pause.
    struct Gate {
        address agent;
        bool paused;
    }

    /// @dev The governed fields `consume` reads, plus epoch length and the asset pause flag; stored packed
    /// in one uint256 (see `_loadCaps`).
    struct Caps {
        uint96 epochCap;
        uint96 lifetimeCap;
        uint16 rateLimit;
        uint8 subjectRateLimit;
        uint32 epochLength;
        bool paused;
    }

    /// @dev The usage `consume` reads and writes, stored packed in one uint256 (see `_packUsage`).
    struct Usage {
        uint32 epochIndex;
        uint32 epochActions;
        uint96 epochUsed;
        uint96 lifetimeUsed;
    }

    /// @dev One slot: bounded-value limits.
    struct Bounds {
        uint80 minValue;
        uint80 maxValue;
        uint80 maxStep;
    }

    /// @dev One slot: collateral and oracle limits.
    struct Safety {
        uint32 marginBps;
        uint32 maxOracleAge;
        uint32 maxDeviationBps;
    }

    /// @dev One slot: the bounded value's state.
    struct ValueState {
        uint32 epochIndex;
        uint80 epochStartValue;
        uint80 value;
    }

    /// @dev One slot per (policy, subject).
    struct SubjectUsage {
        uint32 epochIndex;
        uint32 count;
    }

    struct PolicyKey {
        address asset;
        bytes32 action;
    }

    // ---------------------------------------------------------------- constants

    uint256 private constant _FIELDS = 10;
    uint256 private constant _BPS = 10_000;
    uint256 private constant _MASK32 = type(uint32).max;
    uint256 private constant _MASK96 = type(uint96).max;

    // ---------------------------------------------------------------- state

    uint256 private immutable _CEIL_EPOCH_CAP;
    uint256 private immutable _CEIL_LIFETIME_CAP;
    uint256 private immutable _CEIL_RATE_LIMIT;
    uint256 private immutable _CEIL_SUBJECT_RATE_LIMIT;
    uint256 private immutable _CEIL_MIN_VALUE;
    uint256 private immutable _CEIL_MAX_VALUE;
    uint256 private immutable _CEIL_MAX_STEP;
    uint256 private immutable _CEIL_MARGIN_BPS;
    uint256 private immutable _CEIL_MAX_ORACLE_AGE;
    uint256 private immutable _CEIL_MAX_DEVIATION_BPS;

    /// @dev Where `isApproved(modelId)` is read. Immutable on purpose: the assets route model fees to
    /// their own (immutable) registry, so a guard that could switch registries would approve models the
    /// assets cannot pay (their fees would be stranded), and an immutable read saves a cold SLOAD (2,100
    /// gas) on every guarded action. A new registry means a new guard (and new assets).
    IModelRegistry private immutable _MODEL_REGISTRY;

    /// @dev The registry's approvals as it last told them (`onModelApprovalChanged`). True only while the
    /// registry has this guard bound as its listener and approves the model: the registry tells its bound
    /// listener of every revocation, and nobody else can write here. False means "ask the registry".
    mapping(bytes32 modelId => bool) private _approvedByRegistry;

    /// @dev Packed Gate: bits 0..159 agent, bit 160 global pause (one SLOAD on the hot path).
    uint256 private _gate;
    address private _admin;
    address private _guardian;

    bytes32[] private _policyIds;
    mapping(bytes32 policyId => PolicyKey) private _keys;
    mapping(bytes32 policyId => uint256 packedCaps) private _caps;
    mapping(bytes32 policyId => uint256 packedUsage) private _usage;
    mapping(bytes32 policyId => Bounds) private _bounds;
    mapping(bytes32 policyId => Safety) private _safety;
    mapping(bytes32 policyId => ValueState) private _values;
    mapping(bytes32 policyId => Limits) private _ceilings;
    mapping(bytes32 policyId => mapping(uint256 subject => SubjectUsage)) private _subjects;
    mapping(address asset => bool) private _assetPaused;
    mapping(address asset => bytes32[]) private _assetPolicies;

    // ---------------------------------------------------------------- events

    /// @notice Governance created a policy with its (fixed-at-most) ceiling and its initial limits.
    event PolicyCreated(
        bytes32 indexed policyId,
        address indexed asset,
        bytes32 indexed action,
        uint256 epochLength,
        Limits ceiling,
        Limits limits,
        uint256 initialValue
    );
    /// @notice Governed limits changed (by governance, or tightened by the guardian: see `by`).
    event LimitsChanged(bytes32 indexed policyId, address indexed by, Limits previous, Limits current);
    /// @notice A policy's ceiling was lowered by governance (governed limits were clamped to it).
    event CeilingLowered(bytes32 indexed policyId, Limits previous, Limits current);
    /// @notice The agent consumed `amount` (and one action) of a policy; `subject` 0 means none.
    /// The actor is always the agent (see `AgentChanged`), so it is not repeated here.
    event Consumed(bytes32 indexed policyId, uint256 subject, uint256 amount);
    /// @notice The agent moved a bounded value.
    event ValueConsumed(
        bytes32 indexed policyId, address indexed actor, uint256 previousValue, uint256 newValue
    );
    event GlobalPaused(address indexed by);
    event GlobalUnpaused(address indexed by);
    event AssetPaused(address indexed asset, address indexed by);
    event AssetUnpaused(address indexed asset, address indexed by);
    event AgentChanged(address indexed previousAgent, address indexed newAgent);
    /// @notice The registry told the guard that `modelId`'s approval is now `approved`.
    event ModelApprovalSynced(bytes32 indexed modelId, bool approved);
    event GuardianChanged(address indexed previousGuardian, address indexed newGuardian);
    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);

    // ---------------------------------------------------------------- errors

    error PolicyMintCapExceeded(bytes32 policyId, uint256 requested, uint256 remaining);
    error PolicyLifetimeCapExceeded(bytes32 policyId, uint256 requested, uint256 remaining);
    /// @param subject 0 for the per-asset limit, else the subject whose limit was hit.
    error PolicyRateLimited(bytes32 policyId, uint256 subject, uint256 limit, uint256 resetsAt);
    error PolicyValueOutOfBounds(bytes32 policyId, uint256 value, uint256 minValue, uint256 maxValue);
    error PolicyStepTooLarge(bytes32 policyId, uint256 fromValue, uint256 toValue, uint256 maxStep);
    error PolicyCollateralTooLow(bytes32 policyId, uint256 ratioAfterBps, uint256 requiredBps);
    error PolicyOracleStale(bytes32 policyId, uint256 updatedAt, uint256 age, uint256 maxAge);
    error PolicyOracleDeviation(
        bytes32 policyId, int256 answer, int256 previousAnswer, uint256 deviationBps, uint256 maxDeviationBps
    );
    error PolicyModelNotAllowed(bytes32 policyId, bytes32 modelId);
    /// @notice `consume` / `consumeWithCollateral` was given no model (`bytes32(0)`): every amount-consuming
    /// action produces an asset and must name an approved model.
    error PolicyModelRequired(bytes32 policyId);
    /// @param asset The paused asset, or address(0) when the guard is paused globally.
    error PolicyPaused(address asset);
    error PolicyNotAgent(address actor);
    error PolicyUnknown(address asset, bytes32 action);
    error PolicyAlreadyExists(bytes32 policyId);
    error PolicyInvalidEpochLength(uint256 epochLength);
    error PolicyUnauthorized(address caller);
    error PolicyAgentCannotConfigure(address agent);
    /// @notice The constructor was given no model registry (every amount-consuming action checks one).
    error PolicyZeroModelRegistry();
    /// @notice Only the model registry may report approval changes.
    error PolicyNotModelRegistry(address caller);
    /// @param policyId 0 for the global ceiling.
    error CeilingExceeded(bytes32 policyId, Field field, uint256 ceiling, uint256 requested);
    error GuardianCannotLoosen(bytes32 policyId, Field field, uint256 current, uint256 requested);

    // ---------------------------------------------------------------- modifiers

    modifier onlyAdmin() {
        if (msg.sender != _admin) revert PolicyUnauthorized(msg.sender);
        _;
    }

    modifier onlyGuardianOrAdmin() {
        if (msg.sender != _guardian && msg.sender != _admin) revert PolicyUnauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- constructor

    /// @param admin_ The TimelockController: the only account that creates policies, loosens, unpauses.
    /// @param guardian_ May pause and tighten at once (e.g. a multisig); address(0) for none.
    /// @param agent_ The agent key, the only accepted `actor`; address(0) for none yet.
    /// @param modelRegistry_ Where `isApproved(modelId)` is read; non-zero, fixed forever (see `_MODEL_REGISTRY`).
    /// @param globalCeiling_ The hard ceiling for every policy, forever. Each field must fit its storage
    /// width (uint96 caps, uint16 rateLimit, uint8 subjectRateLimit, uint80 values, uint32 the rest).
    constructor(
        address admin_,
        address guardian_,
        address agent_,
        IModelRegistry modelRegistry_,
        Limits memory globalCeiling_
    ) {
        uint256[_FIELDS] memory c = _toArray(globalCeiling_);
        uint256[_FIELDS] memory w = _widths();
        for (uint256 i; i < _FIELDS; ++i) {
            if (c[i] > w[i]) revert CeilingExceeded(bytes32(0), Field(i), w[i], c[i]);
        }
        _CEIL_EPOCH_CAP = globalCeiling_.epochCap;
        _CEIL_LIFETIME_CAP = globalCeiling_.lifetimeCap;
        _CEIL_RATE_LIMIT = globalCeiling_.rateLimit;
        _CEIL_SUBJECT_RATE_LIMIT = globalCeiling_.subjectRateLimit;
        _CEIL_MIN_VALUE = globalCeiling_.minValue;
        _CEIL_MAX_VALUE = globalCeiling_.maxValue;
        _CEIL_MAX_STEP = globalCeiling_.maxStep;
        _CEIL_MARGIN_BPS = globalCeiling_.marginBps;
        _CEIL_MAX_ORACLE_AGE = globalCeiling_.maxOracleAge;
        _CEIL_MAX_DEVIATION_BPS = globalCeiling_.maxDeviationBps;
        _setAdmin(admin_);
        _setGuardian(guardian_);
        _setAgent(agent_);
        if (address(modelRegistry_) == address(0)) revert PolicyZeroModelRegistry();
        _MODEL_REGISTRY = modelRegistry_;
    }

    // ---------------------------------------------------------------- external: assets (hot path)

    /// @inheritdoc IPolicyGuard
    function consume(bytes32 action, address actor, bytes32 modelId, uint256 subject, uint256 amount)
        external
    {
        _consume(action, actor, modelId, subject, amount);
    }

    /// @inheritdoc ICollateralGuard
    function consumeWithCollateral(
        bytes32 action,
        address actor,
        bytes32 modelId,
        uint256 amount,
        uint256 ratioAfterBps,
        uint256 liquidationRatioBps,
        uint256 updatedAt,
        int256 answer,
        int256 previousAnswer
    ) external {
        bytes32 id = _consume(action, actor, modelId, 0, amount);
        // `_consume` has checked that the policy exists (the check `checkCollateral` and `checkOracle`
        // make). One read of the safety slot serves the margin and both oracle limits.
        Safety memory s = _safety[id];
        uint256 required = liquidationRatioBps + s.marginBps;
        if (ratioAfterBps < required) revert PolicyCollateralTooLow(id, ratioAfterBps, required);
        _checkOracle(id, s, updatedAt, answer, previousAnswer);
    }

    /// @inheritdoc IPolicyGuard
    /// @dev Also counts one action against the per-asset rate limit.
    function consumeValue(bytes32 action, address actor, uint256 newValue) external {
        Gate memory gate = _loadGate();
        if (gate.paused) revert PolicyPaused(address(0));
        if (actor != gate.agent || actor == address(0)) revert PolicyNotAgent(actor);
        bytes32 id = keccak256(abi.encode(msg.sender, action));
        Caps memory caps = _loadCaps(id);
        if (caps.epochLength == 0) revert PolicyUnknown(msg.sender, action);
        if (caps.paused) revert PolicyPaused(msg.sender);

        uint256 epoch = block.timestamp / caps.epochLength;
        Usage memory u = _rolled(_unpackUsage(_usage[id]), epoch);
        if (u.epochActions >= caps.rateLimit) {
            revert PolicyRateLimited(id, 0, caps.rateLimit, (epoch + 1) * caps.epochLength);
        }
        Bounds memory b = _bounds[id];
        if (newValue < b.minValue || newValue > b.maxValue) {
            revert PolicyValueOutOfBounds(id, newValue, b.minValue, b.maxValue);
        }
        ValueState memory v = _values[id];
        if (v.epochIndex != epoch) {
            v.epochIndex = epoch.toUint32();
            v.epochStartValue = v.value;
        }
        uint256 step =
            newValue > v.epochStartValue ? newValue - v.epochStartValue : v.epochStartValue - newValue;
        if (step > b.maxStep) revert PolicyStepTooLarge(id, v.epochStartValue, newValue, b.maxStep);
        uint256 previous = v.value;
        v.value = uint80(newValue); // newValue <= maxValue < 2**80
        _values[id] = v;
        // unchecked: epochActions < rateLimit <= type(uint16).max.
        unchecked {
            u.epochActions += 1;
        }
        _usage[id] = _packUsage(u);
        emit ValueConsumed(id, actor, previous, newValue);
    }

    /// @inheritdoc IPolicyGuard
    function checkCollateral(bytes32 action, uint256 ratioAfterBps, uint256 liquidationRatioBps)
        external
        view
    {
        bytes32 id = _existing(msg.sender, action);
        uint256 required = liquidationRatioBps + _safety[id].marginBps;
        if (ratioAfterBps < required) revert PolicyCollateralTooLow(id, ratioAfterBps, required);
    }

    /// @inheritdoc IPolicyGuard
    /// @dev A non-positive `previousAnswer` means "no previous round": only freshness is checked. A round
    /// stamped in the future counts as age 0. Deviation = |answer - previous| * 10_000 / |previous|,
    /// rounded down.
    function checkOracle(bytes32 action, uint256 updatedAt, int256 answer, int256 previousAnswer)
        external
        view
    {
        bytes32 id = _existing(msg.sender, action);
        _checkOracle(id, _safety[id], updatedAt, answer, previousAnswer);
    }

    // ---------------------------------------------------------------- external: governance (admin)

    /// @notice Creates the policy for (`asset`, `action`) with its ceiling (within the global one, can only
    /// be lowered afterwards) and governed limits (within the ceiling).
    /// @param epochLength Seconds per epoch, fixed for the policy's life (1 ..= 2**32-1).
    /// @param initialValue Starting value for `consumeValue` (the base of the first epoch's step).
    function createPolicy(
        address asset,
        bytes32 action,
        uint256 epochLength,
        Limits calldata ceiling,
        Limits calldata limits,
        uint256 initialValue
    ) external onlyAdmin returns (bytes32 id) {
        id = policyId(asset, action);
        if (_caps[id] != 0) revert PolicyAlreadyExists(id);
        if (epochLength == 0 || epochLength > type(uint32).max) revert PolicyInvalidEpochLength(epochLength);
        _requireWithin(bytes32(0), _toArray(globalCeiling()), _toArray(ceiling), false);
        _requireWithin(id, _toArray(ceiling), _toArray(limits), false);
        _policyIds.push(id);
        _assetPolicies[asset].push(id);
        _keys[id] = PolicyKey(asset, action);
        _ceilings[id] = ceiling;
        _saveCaps(id, Caps(0, 0, 0, 0, uint32(epochLength), _assetPaused[asset]));
        _store(id, limits);
        uint80 v = initialValue.toUint80();
        _values[id] = ValueState(uint32(block.timestamp / epochLength), v, v);
        emit PolicyCreated(id, asset, action, epochLength, ceiling, limits, initialValue);
    }

    /// @notice Sets all governed limits of a policy; each must be within the policy's ceiling.
    function setLimits(address asset, bytes32 action, Limits calldata limits) external onlyAdmin {
        bytes32 id = _existing(asset, action);
        _requireWithin(id, _toArray(_ceilings[id]), _toArray(limits), false);
        _change(id, limits);
    }

    /// @notice Sets one governed limit of a policy; it must be within the policy's ceiling.
    function setLimit(address asset, bytes32 action, Field field, uint256 value) external onlyAdmin {
        bytes32 id = _existing(asset, action);
        uint256[_FIELDS] memory next = _toArray(limitsOf(asset, action));
        next[uint256(field)] = value;
        _requireWithin(id, _toArray(_ceilings[id]), next, false);
        _change(id, _fromArray(next));
    }

    /// @notice Lowers a policy's ceiling (every field within the current ceiling); governed limits looser
    /// than the new ceiling are clamped to it.
    function lowerCeiling(address asset, bytes32 action, Limits calldata ceiling) external onlyAdmin {
        bytes32 id = _existing(asset, action);
        uint256[_FIELDS] memory previousCeiling = _toArray(_ceilings[id]);
        uint256[_FIELDS] memory nextCeiling = _toArray(ceiling);
        _requireWithin(id, previousCeiling, nextCeiling, false);
        _ceilings[id] = ceiling;
        emit CeilingLowered(id, _fromArray(previousCeiling), ceiling);
        uint256[_FIELDS] memory current = _toArray(limitsOf(asset, action));
        uint256[_FIELDS] memory clamped = current;
        bool changed;
        for (uint256 i; i < _FIELDS; ++i) {
            if (_looser(i, current[i], nextCeiling[i])) {
                clamped[i] = nextCeiling[i];
                changed = true;
            }
        }
        if (changed) _change(id, _fromArray(clamped));
    }

    /// @notice Lifts the global pause. Governance only: the guardian cannot unpause.
    function unpause() external onlyAdmin {
        _saveGate(Gate(_loadGate().agent, false));
        emit GlobalUnpaused(msg.sender);
    }

    /// @notice Lifts the pause of `asset`. Governance only.
    function unpauseAsset(address asset) external onlyAdmin {
        _setAssetPaused(asset, false);
        emit AssetUnpaused(asset, msg.sender);
    }

    /// @notice Rotates the agent key (address(0) = no agent). It may be neither admin nor guardian.
    function setAgent(address agent_) external onlyAdmin {
        _setAgent(agent_);
    }

    /// @notice Replaces the guardian (address(0) = none). It may not be the agent.
    function setGuardian(address guardian_) external onlyAdmin {
        _setGuardian(guardian_);
    }

    /// @notice Hands governance to a new admin (e.g. a new timelock). It may not be the agent.
    function setAdmin(address admin_) external onlyAdmin {
        _setAdmin(admin_);
    }

    // ---------------------------------------------------------------- external: guardian (or admin)

    /// @notice Pauses every action of every asset at once.
    function pause() external onlyGuardianOrAdmin {
        _saveGate(Gate(_loadGate().agent, true));
        emit GlobalPaused(msg.sender);
    }

    /// @notice Pauses every action of `asset` (including policies created for it later).
    function pauseAsset(address asset) external onlyGuardianOrAdmin {
        _setAssetPaused(asset, true);
        emit AssetPaused(asset, msg.sender);
    }

    /// @notice Tightens all governed limits of a policy: every field must be within its current value.
    function tightenLimits(address asset, bytes32 action, Limits calldata limits)
        external
        onlyGuardianOrAdmin
    {
        bytes32 id = _existing(asset, action);
        _requireWithin(id, _toArray(limitsOf(asset, action)), _toArray(limits), true);
        _change(id, limits);
    }

    /// @notice Tightens one governed limit of a policy (e.g. lowers a cap, raises the margin).
    function tightenLimit(address asset, bytes32 action, Field field, uint256 value)
        external
        onlyGuardianOrAdmin
    {
        bytes32 id = _existing(asset, action);
        uint256[_FIELDS] memory current = _toArray(limitsOf(asset, action));
        if (_looser(uint256(field), value, current[uint256(field)])) {
            revert GuardianCannotLoosen(id, field, current[uint256(field)], value);
        }
        current[uint256(field)] = value;
        _change(id, _fromArray(current));
    }

    // ---------------------------------------------------------------- registry

    /// @inheritdoc IModelApprovalListener
    /// @dev Keeps `_approvedByRegistry` equal to the registry's approval (see there). Registry only.
    function onModelApprovalChanged(bytes32 modelId, bool approved) external {
        if (msg.sender != address(_MODEL_REGISTRY)) revert PolicyNotModelRegistry(msg.sender);
        _approvedByRegistry[modelId] = approved;
        emit ModelApprovalSynced(modelId, approved);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IPolicyGuard
    function isModelAllowed(bytes32 modelId) external view returns (bool) {
        return _modelApproved(modelId);
    }

    /// @inheritdoc IPolicyGuard
    function isAgent(address account) external view returns (bool) {
        return account != address(0) && account == _loadGate().agent;
    }

    /// @inheritdoc IPolicyGuard
    function isPaused(address asset) external view returns (bool) {
        return _loadGate().paused || _assetPaused[asset];
    }

    /// @notice True when the guard is paused globally.
    function globallyPaused() external view returns (bool) {
        return _loadGate().paused;
    }

    function admin() external view returns (address) {
        return _admin;
    }

    function guardian() external view returns (address) {
        return _guardian;
    }

    function agent() external view returns (address) {
        return _loadGate().agent;
    }

    function modelRegistry()
        external
        view
        override(IPolicyGuard, IModelApprovalListener)
        returns (IModelRegistry)
    {
        return _MODEL_REGISTRY;
    }

    /// @notice Every policy id, in creation order.
    function policyIds() external view returns (bytes32[] memory) {
        return _policyIds;
    }

    /// @notice The (asset, action) a policy id belongs to (zeros when unknown).
    function policyKey(bytes32 id) external view returns (address asset, bytes32 action) {
        PolicyKey memory k = _keys[id];
        return (k.asset, k.action);
    }

    /// @notice What is left now: amount this epoch, amount over the lifetime, and when the epoch resets.
    /// Does not account for pauses, the rate limit or the agent check (see `policyOf`).
    function remaining(address asset, bytes32 action)
        external
        view
        returns (uint256 remainingThisEpoch, uint256 remainingLifetime, uint256 epochResetsAt)
    {
        bytes32 id = _existing(asset, action);
        Caps memory caps = _loadCaps(id);
        uint256 epoch = block.timestamp / caps.epochLength;
        Usage memory u = _rolled(_unpackUsage(_usage[id]), epoch);
        remainingThisEpoch = caps.epochCap > u.epochUsed ? caps.epochCap - u.epochUsed : 0;
        remainingLifetime = caps.lifetimeCap > u.lifetimeUsed ? caps.lifetimeCap - u.lifetimeUsed : 0;
        epochResetsAt = (epoch + 1) * caps.epochLength;
    }

    /// @notice Actions left this epoch for `subject` of a policy, and when they reset.
    function subjectRemaining(address asset, bytes32 action, uint256 subject)
        external
        view
        returns (uint256 actionsLeft, uint256 epochResetsAt)
    {
        bytes32 id = _existing(asset, action);
        Caps memory caps = _loadCaps(id);
        uint256 epoch = block.timestamp / caps.epochLength;
        SubjectUsage memory s = _subjects[id][subject];
        uint256 used = s.epochIndex == epoch ? s.count : 0;
        actionsLeft = caps.subjectRateLimit > used ? caps.subjectRateLimit - used : 0;
        epochResetsAt = (epoch + 1) * caps.epochLength;
    }

    /// @notice The whole policy: limits, ceiling, pause state and usage as of `block.timestamp`.
    function policyOf(address asset, bytes32 action) external view returns (PolicyView memory p) {
        bytes32 id = _existing(asset, action);
        Caps memory caps = _loadCaps(id);
        uint256 epoch = block.timestamp / caps.epochLength;
        Usage memory u = _rolled(_unpackUsage(_usage[id]), epoch);
        ValueState memory v = _values[id];
        p.policyId = id;
        p.asset = asset;
        p.action = action;
        p.epochLength = caps.epochLength;
        p.paused = caps.paused || _loadGate().paused;
        p.limits = limitsOf(asset, action);
        p.ceiling = _ceilings[id];
        p.epochIndex = epoch;
        p.epochResetsAt = (epoch + 1) * caps.epochLength;
        p.usedThisEpoch = u.epochUsed;
        p.actionsThisEpoch = u.epochActions;
        p.usedLifetime = u.lifetimeUsed;
        p.value = v.value;
        p.valueAtEpochStart = v.epochIndex == epoch ? v.epochStartValue : v.value;
    }

    /// @notice The governed limits of a policy.
    function limitsOf(address asset, bytes32 action) public view returns (Limits memory l) {
        bytes32 id = _existing(asset, action);
        Caps memory c = _loadCaps(id);
        Bounds memory b = _bounds[id];
        Safety memory s = _safety[id];
        l = Limits(
            c.epochCap,
            c.lifetimeCap,
            c.rateLimit,
            c.subjectRateLimit,
            b.minValue,
            b.maxValue,
            b.maxStep,
            s.marginBps,
            s.maxOracleAge,
            s.maxDeviationBps
        );
    }

    /// @notice The ceiling of a policy.
    function ceilingOf(address asset, bytes32 action) external view returns (Limits memory) {
        return _ceilings[_existing(asset, action)];
    }

    /// @notice The global ceiling fixed at deployment.
    function globalCeiling() public view returns (Limits memory) {
        return Limits(
            _CEIL_EPOCH_CAP,
            _CEIL_LIFETIME_CAP,
            _CEIL_RATE_LIMIT,
            _CEIL_SUBJECT_RATE_LIMIT,
            _CEIL_MIN_VALUE,
            _CEIL_MAX_VALUE,
            _CEIL_MAX_STEP,
            _CEIL_MARGIN_BPS,
            _CEIL_MAX_ORACLE_AGE,
            _CEIL_MAX_DEVIATION_BPS
        );
    }

    /// @notice `keccak256(abi.encode(asset, action))`.
    function policyId(address asset, bytes32 action) public pure returns (bytes32) {
        return keccak256(abi.encode(asset, action));
    }

    // ---------------------------------------------------------------- internal

    /// @dev The body of `consume` (shared with `consumeWithCollateral`); returns the policy id.
    function _consume(bytes32 action, address actor, bytes32 modelId, uint256 subject, uint256 amount)
        internal
        returns (bytes32 id)
    {
        // Hot path: works on the packed words directly (layouts in `_saveGate`, `_saveCaps`, `_packUsage`).
        uint256 gate = _gate;
        if (gate >> 160 != 0) revert PolicyPaused(address(0));
        if (actor != address(uint160(gate)) || actor == address(0)) revert PolicyNotAgent(actor);
        id = keccak256(abi.encode(msg.sender, action));
        uint256 caps = _caps[id];
        uint256 epochLength = (caps >> 216) & _MASK32;
        if (epochLength == 0) revert PolicyUnknown(msg.sender, action);
        if (caps >> 248 != 0) revert PolicyPaused(msg.sender);
        // Every amount-consuming action produces an asset, and every asset names the model that made it:
        // a zero model would skip the approval check (and strand the asset's fee), so it is refused.
        if (modelId == bytes32(0)) revert PolicyModelRequired(id);
        if (!_modelApproved(modelId)) revert PolicyModelNotAllowed(id, modelId);

        uint256 epoch = block.timestamp / epochLength;
        // The epoch index is stored in 32 bits (as `SafeCast.toUint32` would check).
        if (epoch > _MASK32) revert SafeCast.SafeCastOverflowedUintDowncast(32, epoch);
        uint256 usage = _usage[id];
        uint256 actions;
        uint256 used;
        if (usage & _MASK32 == epoch) {
            actions = (usage >> 32) & _MASK32;
            used = (usage >> 64) & _MASK96;
        }
        uint256 lifetimeUsed = usage >> 160;
        {
            uint256 rateLimit = (caps >> 192) & 0xffff;
            if (actions >= rateLimit) revert PolicyRateLimited(id, 0, rateLimit, (epoch + 1) * epochLength);
        }
        uint256 cap = caps & _MASK96;
        uint256 left = cap > used ? cap - used : 0;
        if (amount > left) revert PolicyMintCapExceeded(id, amount, left);
        cap = (caps >> 96) & _MASK96;
        left = cap > lifetimeUsed ? cap - lifetimeUsed : 0;
        if (amount > left) revert PolicyLifetimeCapExceeded(id, amount, left);
        if (subject != 0) _consumeSubject(id, subject, (caps >> 208) & 0xff, epoch, epochLength);

        // unchecked: actions < rateLimit <= type(uint16).max; amount <= the remaining allowances, so
        // used + amount <= epochCap and lifetimeUsed + amount <= lifetimeCap, both < 2**96.
        unchecked {
            _usage[id] =
                epoch | ((actions + 1) << 32) | ((used + amount) << 64) | ((lifetimeUsed + amount) << 160);
        }
        emit Consumed(id, subject, amount);
    }

    /// @dev The guard's copy of the registry's approval when it holds one (one slot), else the registry.
    function _modelApproved(bytes32 modelId) internal view returns (bool) {
        return _approvedByRegistry[modelId] || _MODEL_REGISTRY.isApproved(modelId);
    }

    /// @dev The body of `checkOracle` (shared with `consumeWithCollateral`), on the policy's safety slot.
    function _checkOracle(
        bytes32 id,
        Safety memory s,
        uint256 updatedAt,
        int256 answer,
        int256 previousAnswer
    ) internal view {
        uint256 age = block.timestamp > updatedAt ? block.timestamp - updatedAt : 0;
        if (age > s.maxOracleAge) revert PolicyOracleStale(id, updatedAt, age, s.maxOracleAge);
        if (previousAnswer > 0) {
            uint256 deviation = _deviationBps(answer, previousAnswer);
            if (deviation > s.maxDeviationBps) {
                revert PolicyOracleDeviation(id, answer, previousAnswer, deviation, s.maxDeviationBps);
            }
        }
    }

    function _consumeSubject(bytes32 id, uint256 subject, uint256 limit, uint256 epoch, uint256 epochLength)
        internal
    {
        SubjectUsage memory s = _subjects[id][subject];
        if (s.epochIndex != epoch) {
            s.epochIndex = epoch.toUint32();
            s.count = 0;
        }
        if (s.count >= limit) revert PolicyRateLimited(id, subject, limit, (epoch + 1) * epochLength);
        // unchecked: count < subjectRateLimit <= type(uint8).max.
        unchecked {
            s.count += 1;
        }
        _subjects[id][subject] = s;
    }

    function _change(bytes32 id, Limits memory next) internal {
        (address asset, bytes32 action) = (_keys[id].asset, _keys[id].action);
        Limits memory previous = limitsOf(asset, action);
        _store(id, next);
        emit LimitsChanged(id, msg.sender, previous, next);
    }

    /// @dev Caller has checked `l` is within the policy ceiling, hence within the type widths.
    function _store(bytes32 id, Limits memory l) internal {
        Caps memory c = _loadCaps(id);
        c.epochCap = uint96(l.epochCap);
        c.lifetimeCap = uint96(l.lifetimeCap);
        c.rateLimit = uint16(l.rateLimit);
        c.subjectRateLimit = uint8(l.subjectRateLimit);
        _saveCaps(id, c);
        _bounds[id] = Bounds(uint80(l.minValue), uint80(l.maxValue), uint80(l.maxStep));
        _safety[id] = Safety(uint32(l.marginBps), uint32(l.maxOracleAge), uint32(l.maxDeviationBps));
    }

    function _setAssetPaused(address asset, bool paused) internal {
        _assetPaused[asset] = paused;
        bytes32[] storage ids = _assetPolicies[asset];
        for (uint256 i; i < ids.length; ++i) {
            Caps memory c = _loadCaps(ids[i]);
            c.paused = paused;
            _saveCaps(ids[i], c);
        }
    }

    function _setAgent(address agent_) internal {
        if (agent_ != address(0) && (agent_ == _admin || agent_ == _guardian)) {
            revert PolicyAgentCannotConfigure(agent_);
        }
        Gate memory gate = _loadGate();
        emit AgentChanged(gate.agent, agent_);
        _saveGate(Gate(agent_, gate.paused));
    }

    function _setGuardian(address guardian_) internal {
        if (guardian_ != address(0) && guardian_ == _loadGate().agent) {
            revert PolicyAgentCannotConfigure(guardian_);
        }
        emit GuardianChanged(_guardian, guardian_);
        _guardian = guardian_;
    }

    function _setAdmin(address admin_) internal {
        if (admin_ != address(0) && admin_ == _loadGate().agent) revert PolicyAgentCannotConfigure(admin_);
        emit AdminChanged(_admin, admin_);
        _admin = admin_;
    }

    function _existing(address asset, bytes32 action) internal view returns (bytes32 id) {
        id = keccak256(abi.encode(asset, action));
        if (_caps[id] == 0) revert PolicyUnknown(asset, action);
    }

    /// @dev Reverts unless every field of `value` is within (not looser than) `bound`.
    function _requireWithin(
        bytes32 id,
        uint256[_FIELDS] memory bound,
        uint256[_FIELDS] memory value,
        bool byGuardian
    ) internal pure {
        for (uint256 i; i < _FIELDS; ++i) {
            if (_looser(i, value[i], bound[i])) {
                if (byGuardian) revert GuardianCannotLoosen(id, Field(i), bound[i], value[i]);
                revert CeilingExceeded(id, Field(i), bound[i], value[i]);
            }
        }
    }

    /// @dev True when `a` is looser than `b` for field `i` (minValue and marginBps: lower is looser).
    function _looser(uint256 i, uint256 a, uint256 b) internal pure returns (bool) {
        return (i == uint256(Field.MinValue) || i == uint256(Field.MarginBps)) ? a < b : a > b;
    }

    function _loadGate() internal view returns (Gate memory) {
        uint256 w = _gate;
        return Gate(address(uint160(w)), (w >> 160) & 1 == 1);
    }

    function _saveGate(Gate memory g) internal {
        _gate = uint256(uint160(g.agent)) | (g.paused ? 1 << 160 : 0);
    }

    /// @dev Layout: bits 0..95 epochCap, 96..191 lifetimeCap, 192..207 rateLimit, 208..215
    /// subjectRateLimit, 216..247 epochLength, bit 248 paused. Non-zero iff the policy exists.
    function _loadCaps(bytes32 id) internal view returns (Caps memory c) {
        uint256 w = _caps[id];
        // forge-lint: disable-next-item(unsafe-typecast)
        c = Caps(
            uint96(w),
            uint96(w >> 96),
            uint16(w >> 192),
            uint8(w >> 208),
            uint32(w >> 216),
            (w >> 248) & 1 == 1
        );
    }

    function _saveCaps(bytes32 id, Caps memory c) internal {
        _caps[id] = uint256(c.epochCap) | (uint256(c.lifetimeCap) << 96) | (uint256(c.rateLimit) << 192)
            | (uint256(c.subjectRateLimit) << 208) | (uint256(c.epochLength) << 216)
            | (c.paused ? 1 << 248 : 0);
    }

    /// @dev Layout: bits 0..31 epochIndex, 32..63 epochActions, 64..159 epochUsed, 160..255 lifetimeUsed.
    function _packUsage(Usage memory u) internal pure returns (uint256) {
        return uint256(u.epochIndex) | (uint256(u.epochActions) << 32) | (uint256(u.epochUsed) << 64)
            | (uint256(u.lifetimeUsed) << 160);
    }

    function _unpackUsage(uint256 w) internal pure returns (Usage memory u) {
        // forge-lint: disable-next-item(unsafe-typecast)
        u = Usage(uint32(w), uint32(w >> 32), uint96(w >> 64), uint96(w >> 160));
    }

    function _rolled(Usage memory u, uint256 epoch) internal pure returns (Usage memory) {
        if (u.epochIndex != epoch) {
            u.epochIndex = epoch.toUint32();
            u.epochActions = 0;
            u.epochUsed = 0;
        }
        return u;
    }

    function _deviationBps(int256 answer, int256 previous) internal pure returns (uint256) {
        uint256 prev = uint256(previous); // previous > 0 checked by the caller
        uint256 diff;
        if (answer >= previous) {
            diff = uint256(answer) - prev; // answer >= previous > 0
        } else if (answer >= 0) {
            diff = prev - uint256(answer);
        } else {
            // answer < 0 < previous: |answer - previous| = previous + |answer|, may exceed int256.
            diff = prev + (answer == type(int256).min ? uint256(type(int256).max) + 1 : uint256(-answer));
        }
        return Math.mulDiv(diff, _BPS, prev);
    }

    function _widths() internal pure returns (uint256[_FIELDS] memory w) {
        w = [
            uint256(type(uint96).max),
            type(uint96).max,
            type(uint16).max,
            type(uint8).max,
            type(uint80).max,
            type(uint80).max,
            type(uint80).max,
            type(uint32).max,
            type(uint32).max,
            type(uint32).max
        ];
    }

    function _toArray(Limits memory l) internal pure returns (uint256[_FIELDS] memory a) {
        a = [
            l.epochCap,
            l.lifetimeCap,
            l.rateLimit,
            l.subjectRateLimit,
            l.minValue,
            l.maxValue,
            l.maxStep,
            l.marginBps,
            l.maxOracleAge,
            l.maxDeviationBps
        ];
    }

    function _fromArray(uint256[_FIELDS] memory a) internal pure returns (Limits memory) {
        return Limits(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    }
}
