// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {IModelApprovalListener} from "../../src/models/IModelApprovalListener.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {IPolicyGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {Test} from "forge-std/Test.sol";

/// @dev The fields of a `Limits`, in `PolicyGuard.Field` order: one test-side copy, written independently of
/// the guard's own conversion so tests do not trust the code under test.
function limitsArray(PolicyGuard.Limits memory l) pure returns (uint256[10] memory) {
    return [
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

/// @notice Test double: a model registry whose approvals the test sets. Once a listener is bound (as
/// `ModelRegistry.bindApprovalListener` does; unchecked here), every `setApproved` is pushed to it.
contract TestModelRegistry is IModelRegistry {
    mapping(bytes32 => bool) public approved;
    IModelApprovalListener public approvalListener;

    function bindApprovalListener(IModelApprovalListener listener) external {
        approvalListener = listener;
    }

    function setApproved(bytes32 modelId, bool value) external {
        approved[modelId] = value;
        if (address(approvalListener) != address(0)) approvalListener.onModelApprovalChanged(modelId, value);
    }

    function isApproved(bytes32 modelId) external view returns (bool) {
        return approved[modelId];
    }

    function distribute(bytes32, uint256) external pure {}

    function FEE_TOKEN() external pure returns (IERC20) {
        return IERC20(address(0));
    }
}

/// @dev The model `GuardedToken.mint` names; `PolicyTestBase` approves it (the guard refuses a zero model).
bytes32 constant TEST_MODEL = keccak256("provenant.test.model");

/// @notice Test asset: an ERC-20 whose single mint path asks the guard first.
contract GuardedToken is ERC20 {
    IPolicyGuard public immutable guard;

    constructor(IPolicyGuard guard_) ERC20("Guarded", "GRD") {
        guard = guard_;
    }

    function mint(address to, uint256 amount) external {
        guard.consume(PolicyActions.MINT, msg.sender, TEST_MODEL, 0, amount);
        _mint(to, amount);
    }

    function mintWith(address to, uint256 amount, bytes32 modelId, uint256 subject) external {
        guard.consume(PolicyActions.MINT, msg.sender, modelId, subject, amount);
        _mint(to, amount);
    }

    function setFee(uint256 fee) external {
        guard.consumeValue(PolicyActions.SET_FEE, msg.sender, fee);
    }

    function checkCollateral(uint256 ratioAfterBps, uint256 liquidationRatioBps) external view {
        guard.checkCollateral(PolicyActions.SYNTH_MINT, ratioAfterBps, liquidationRatioBps);
    }

    function checkOracle(uint256 updatedAt, int256 answer, int256 previousAnswer) external view {
        guard.checkOracle(PolicyActions.SYNTH_MINT, updatedAt, answer, previousAnswer);
    }
}

/// @notice Test asset: the same ERC-20 mint with no guard, the gas baseline.
contract PlainToken is ERC20 {
    constructor() ERC20("Plain", "PLN") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice Shared fixture: a guard with a global ceiling, a registry, roles and a MINT policy.
abstract contract PolicyTestBase is Test {
    address internal constant ADMIN = address(0xA11CE);
    address internal constant GUARDIAN = address(0x6A4D);
    address internal constant AGENT = address(0xA6E7);
    address internal constant USER = address(0xB0B);
    uint256 internal constant EPOCH = 1 days;

    PolicyGuard internal guard;
    TestModelRegistry internal registry;
    GuardedToken internal token;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        registry = new TestModelRegistry();
        guard = new PolicyGuard(ADMIN, GUARDIAN, AGENT, registry, globalCeiling());
        token = new GuardedToken(guard);
        registry.setApproved(TEST_MODEL, true);
        vm.startPrank(ADMIN);
        guard.createPolicy(address(token), PolicyActions.MINT, EPOCH, policyCeiling(), defaultLimits(), 0);
        guard.createPolicy(address(token), PolicyActions.SET_FEE, EPOCH, policyCeiling(), defaultLimits(), 30);
        guard.createPolicy(
            address(token), PolicyActions.SYNTH_MINT, EPOCH, policyCeiling(), defaultLimits(), 0
        );
        vm.stopPrank();
    }

    function globalCeiling() internal pure returns (PolicyGuard.Limits memory) {
        return PolicyGuard.Limits({
            epochCap: 1e27,
            lifetimeCap: 1e28,
            rateLimit: 10_000,
            subjectRateLimit: 100,
            minValue: 0,
            maxValue: 10_000,
            maxStep: 1000,
            marginBps: 500,
            maxOracleAge: 7 days,
            maxDeviationBps: 5000
        });
    }

    function policyCeiling() internal pure returns (PolicyGuard.Limits memory) {
        return PolicyGuard.Limits({
            epochCap: 1e24,
            lifetimeCap: 1e26,
            rateLimit: 1000,
            subjectRateLimit: 10,
            minValue: 1,
            maxValue: 1000,
            maxStep: 100,
            marginBps: 1000,
            maxOracleAge: 1 days,
            maxDeviationBps: 2000
        });
    }

    function defaultLimits() internal pure returns (PolicyGuard.Limits memory) {
        return PolicyGuard.Limits({
            epochCap: 1000e18,
            lifetimeCap: 10_000e18,
            rateLimit: 100,
            subjectRateLimit: 3,
            minValue: 5,
            maxValue: 100,
            maxStep: 10,
            marginBps: 2000,
            maxOracleAge: 1 hours,
            maxDeviationBps: 1000
        });
    }

    function mintId() internal view returns (bytes32) {
        return guard.policyId(address(token), PolicyActions.MINT);
    }
}
