// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {DynamicFeePool} from "../../src/markets/DynamicFeePool.sol";
import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {ICollateralGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {TestFeed} from "./TestFeed.sol";

/// @notice Deploys the markets stack in its production order and wiring, with the real PolicyGuard:
/// stablecoin -> ModelRegistry -> PolicyGuard -> SyntheticVault (itself the synth ERC-20) ->
/// guard.createPolicy(vault, SYNTH_MINT) -> DynamicFeePool -> guard.createPolicy(pool, SET_FEE) ->
/// register + approve a model.
abstract contract MarketsFixture is Test {
    address internal timelock = makeAddr("timelock");
    address internal guardianKey = makeAddr("guardian");
    address internal agent = makeAddr("agent");
    address internal keeper = makeAddr("keeper");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    bytes32 internal constant MODEL = keccak256("weights:wti-forecaster-v1");
    int256 internal constant WTI = 75e8; // 75.00 USD per barrel, 8 decimals
    uint256 internal constant EPOCH_CAP = 1000e18;
    uint256 internal constant MARGIN_BPS = 1000;
    uint16 internal constant POOL_FEE = 30;

    TestStablecoin internal usd;
    TestFeed internal feed;
    ModelRegistry internal registry;
    PolicyGuard internal guard;
    SyntheticVault internal vault;
    /// @dev The synth is the vault itself (`vault.SYNTH() == address(vault)`); named apart for readability.
    SyntheticVault internal synth;
    DynamicFeePool internal pool;

    function _deployMarkets() internal {
        vm.warp(1_750_000_000);
        usd = new TestStablecoin();
        feed = new TestFeed(8, WTI);
        registry = new ModelRegistry(IERC20(address(usd)), timelock, guardianKey);
        guard = new PolicyGuard(
            timelock, guardianKey, agent, IModelRegistry(address(registry)), _globalCeiling()
        );
        // As the deployment does: the registry tells the guard of every approval change (its fast path).
        registry.bindApprovalListener(guard);
        vault = new SyntheticVault(_vaultConfig(IERC20Metadata(address(usd)), feed, guard, registry));
        synth = SyntheticVault(vault.SYNTH());
        pool = new DynamicFeePool(
            IERC20(address(synth)),
            IERC20(address(usd)),
            guard,
            1000,
            POOL_FEE,
            "Provenant sWTI/tUSD LP",
            "pLP-sWTI"
        );
        PolicyGuard.Limits memory mintLimits = _emptyLimits();
        mintLimits.epochCap = EPOCH_CAP;
        mintLimits.lifetimeCap = 1_000_000e18;
        mintLimits.rateLimit = 1000;
        mintLimits.marginBps = MARGIN_BPS;
        mintLimits.maxOracleAge = 3600;
        mintLimits.maxDeviationBps = 10_000;
        PolicyGuard.Limits memory feeLimits = _emptyLimits();
        feeLimits.rateLimit = 100;
        feeLimits.minValue = 5;
        feeLimits.maxValue = 100;
        feeLimits.maxStep = 20;
        vm.startPrank(timelock);
        guard.createPolicy(address(vault), PolicyActions.SYNTH_MINT, 1 days, _globalCeiling(), mintLimits, 0);
        guard.createPolicy(
            address(pool), PolicyActions.SET_FEE, 1 days, _globalCeiling(), feeLimits, POOL_FEE
        );
        vm.stopPrank();
        _registerModel(MODEL, _pair(alice, bob), _pair(600_000e18, 400_000e18));
        _approveModel(MODEL);
    }

    /// @dev Governance approves `id` as registered (owner, share token and zk commitment read back).
    function _approveModel(bytes32 id) internal {
        ModelRegistry.Model memory m = registry.getModel(id);
        vm.prank(timelock);
        registry.approveModel(id, m.owner, address(m.shares), m.zkCommitment);
    }

    function _vaultConfig(
        IERC20Metadata collateral,
        AggregatorV3Interface feed_,
        ICollateralGuard guard_,
        ModelRegistry reg
    ) internal view returns (SyntheticVault.Config memory c) {
        c.name = "Provenant Synthetic WTI";
        c.symbol = "sWTI";
        c.collateral = collateral;
        c.feed = feed_;
        c.guard = guard_;
        c.registry = IModelRegistry(address(reg));
        c.admin = timelock;
        c.guardian = guardianKey;
        c.bounds = SyntheticVault.Bounds({
            liquidationRatioFloorBps: 11_000,
            liquidationPenaltyCeilingBps: 2000,
            mintFeeCeilingBps: 200,
            oracleAgeCeiling: 1 days
        });
        c.risk = SyntheticVault.RiskParams({
            minCollateralRatioBps: 15_000,
            liquidationRatioBps: 12_000,
            liquidationPenaltyBps: 1000,
            mintFeeBps: 30,
            maxOracleAge: 3600,
            mintingPaused: false,
            minDebt: 1e18
        });
        c.debtCeiling = 100_000e18;
    }

    function _globalCeiling() internal pure returns (PolicyGuard.Limits memory l) {
        l.epochCap = 1e27;
        l.lifetimeCap = 1e27;
        l.rateLimit = 65_535;
        l.subjectRateLimit = 255;
        l.minValue = 0;
        l.maxValue = 1e24;
        l.maxStep = 1e24;
        l.marginBps = 0;
        l.maxOracleAge = 1 days;
        l.maxDeviationBps = 10_000;
    }

    function _emptyLimits() internal pure returns (PolicyGuard.Limits memory l) {}

    function _registerModel(bytes32 id, address[] memory holders, uint256[] memory amounts) internal {
        vm.prank(alice);
        registry.register(
            id, ModelRegistry.Kind.Forecaster, "1.0.0", "ipfs://bafy-model", "MIT", holders, amounts
        );
    }

    function _pair(address a, address b) internal pure returns (address[] memory out) {
        out = new address[](2);
        (out[0], out[1]) = (a, b);
    }

    function _pair(uint256 a, uint256 b) internal pure returns (uint256[] memory out) {
        out = new uint256[](2);
        (out[0], out[1]) = (a, b);
    }

    function _fund(address who, uint256 amount) internal {
        usd.mint(who, amount);
        vm.startPrank(who);
        usd.approve(address(vault), type(uint256).max);
        usd.approve(address(pool), type(uint256).max);
        synth.approve(address(pool), type(uint256).max);
        vm.stopPrank();
    }

    /// @dev Moves the price to `answer` and holds it for a second round, so a mint priced at it sees no
    /// move from the previous round (the guard's SYNTH_MINT policy refuses moves above its
    /// `maxDeviationBps`, 100% here).
    function _steadyPrice(int256 answer) internal {
        feed.set(answer);
        feed.set(answer);
    }

    /// @dev Agent opens a position with `coll` collateral and mints `amount` (at its current mint nonce).
    /// Reads the nonce with a call, which a pending `vm.expectRevert` would take for the call it expects: use
    /// `_agentOpenAt` there.
    function _agentOpen(uint256 coll, uint256 amount, bytes32 intent) internal {
        _agentOpenAt(coll, amount, intent, vault.mintNonce(agent));
    }

    /// @dev `_agentOpen` naming `nonce` (no call before the mint: safe under `vm.expectRevert`).
    function _agentOpenAt(uint256 coll, uint256 amount, bytes32 intent, uint256 nonce) internal {
        vm.prank(agent);
        vault.depositAndMint(coll, amount, MODEL, intent, nonce);
    }
}
