// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {IPolicyGuard} from "../../src/policy/IPolicyGuard.sol";

/// @title TestPolicyGuard
/// @notice A small but real guard for the asset tests: one agent role, global and per-asset pause,
/// allowed models, a lifetime cap per (asset, action) and a minimum interval between actions per
/// (asset, action, subject). Test double only; the product uses `policy/PolicyGuard`.
/// Invariant: `used(asset, action) <= cap(asset, action)` at all times.
contract TestPolicyGuard is IPolicyGuard {
    /// @dev One slot per (asset, action): cap, consumption and rate limit.
    struct Limit {
        uint64 cap;
        uint64 used;
        uint32 minInterval;
        bool configured;
    }

    address public immutable admin;
    /// @notice What `modelRegistry()` reports (the NFT checks its fee registry against it); 0 = none.
    IModelRegistry public modelRegistry;
    bool public globalPaused;
    mapping(address account => bool) private _agents;
    mapping(address asset => bool) private _assetPaused;
    mapping(bytes32 modelId => bool) private _models;
    mapping(address asset => mapping(bytes32 action => Limit)) private _limits;
    mapping(bytes32 key => uint256 timestamp) private _lastAt;

    event Consumed(
        address indexed asset, bytes32 indexed action, address indexed actor, uint256 subject, uint256 amount
    );

    error NotAdmin(address caller);
    error NotAgent(address actor);
    error GuardPaused(address asset);
    error ModelNotAllowed(bytes32 modelId);
    error PolicyUnset(address asset, bytes32 action);
    error CapExceeded(bytes32 action, uint256 requested, uint256 remaining);
    error RateLimited(bytes32 action, uint256 subject, uint256 nextAllowedAt);
    error Unsupported();

    constructor(address agent) {
        admin = msg.sender;
        _agents[agent] = true;
    }

    modifier onlyAdmin() {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        _;
    }

    function setModelRegistry(IModelRegistry registry) external onlyAdmin {
        modelRegistry = registry;
    }

    function setAgent(address account, bool allowed) external onlyAdmin {
        _agents[account] = allowed;
    }

    function setModel(bytes32 modelId, bool allowed) external onlyAdmin {
        _models[modelId] = allowed;
    }

    function setPaused(bool paused) external onlyAdmin {
        globalPaused = paused;
    }

    function setAssetPaused(address asset, bool paused) external onlyAdmin {
        _assetPaused[asset] = paused;
    }

    function setLimit(address asset, bytes32 action, uint64 capValue, uint32 minInterval) external onlyAdmin {
        Limit storage limit = _limits[asset][action];
        limit.cap = capValue;
        limit.minInterval = minInterval;
        limit.configured = true;
    }

    function consume(bytes32 action, address actor, bytes32 modelId, uint256 subject, uint256 amount)
        external
    {
        if (globalPaused || _assetPaused[msg.sender]) revert GuardPaused(msg.sender);
        if (!_agents[actor]) revert NotAgent(actor);
        if (modelId != 0 && !_models[modelId]) revert ModelNotAllowed(modelId);
        Limit memory limit = _limits[msg.sender][action];
        if (!limit.configured) revert PolicyUnset(msg.sender, action);
        uint256 remaining = limit.cap - limit.used;
        if (amount > remaining) revert CapExceeded(action, amount, remaining);
        if (limit.minInterval != 0) {
            bytes32 key = keccak256(abi.encode(msg.sender, action, subject));
            uint256 last = _lastAt[key];
            if (last != 0 && block.timestamp < last + limit.minInterval) {
                revert RateLimited(action, subject, last + limit.minInterval);
            }
            _lastAt[key] = block.timestamp;
        }
        _limits[msg.sender][action].used = limit.used + uint64(amount);
        emit Consumed(msg.sender, action, actor, subject, amount);
    }

    function consumeValue(bytes32, address, uint256) external pure {
        revert Unsupported();
    }

    function checkCollateral(bytes32, uint256, uint256) external pure {
        revert Unsupported();
    }

    function checkOracle(bytes32, uint256, int256, int256) external pure {
        revert Unsupported();
    }

    function used(address asset, bytes32 action) external view returns (uint256) {
        return _limits[asset][action].used;
    }

    function cap(address asset, bytes32 action) external view returns (uint256) {
        return _limits[asset][action].cap;
    }

    function isModelAllowed(bytes32 modelId) external view returns (bool) {
        return _models[modelId];
    }

    function isAgent(address account) external view returns (bool) {
        return _agents[account];
    }

    function isPaused(address asset) external view returns (bool) {
        return globalPaused || _assetPaused[asset];
    }
}
