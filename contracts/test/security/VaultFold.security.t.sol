// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {ICollateralGuard} from "../../src/policy/IPolicyGuard.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";
import {TestFeed} from "../markets/TestFeed.sol";
import {TestGuard} from "../markets/TestGuard.sol";
import {TestToken} from "../markets/TestToken.sol";
import {HookToken, ReentrantOwner} from "./VaultReentrancy.security.t.sol";

/// @notice Test double: a guard that, while the vault is inside `_mintSynth` (before the mint's effects),
/// moves the synth it holds and tries to re-enter the vault's `repay`, recording the outcome.
contract HostileGuard is ICollateralGuard {
    SyntheticVault public vault;
    address public sink;
    bool public armed;
    bool public repayReentered;
    bytes public repayError;

    function arm(SyntheticVault v, address sink_) external {
        vault = v;
        sink = sink_;
        armed = true;
    }

    function consumeWithCollateral(
        bytes32,
        address actor,
        bytes32,
        uint256,
        uint256,
        uint256,
        uint256,
        int256,
        int256
    ) external {
        if (!armed) return;
        armed = false;
        // A synth transfer mid-call is allowed (transfers are not nonReentrant) ...
        vault.transfer(sink, vault.balanceOf(address(this)));
        // ... a ledger-changing entry is not.
        (repayReentered, repayError) =
            address(vault).call(abi.encodeCall(SyntheticVault.repay, (actor, 1e18, bytes32(0))));
    }

    function consume(bytes32, address, bytes32, uint256, uint256) external {}
    function consumeValue(bytes32, address, uint256) external {}
    function checkCollateral(bytes32, uint256, uint256) external view {}
    function checkOracle(bytes32, uint256, int256, int256) external view {}

    function isModelAllowed(bytes32) external pure returns (bool) {
        return true;
    }

    function modelRegistry() external pure returns (IModelRegistry) {
        return IModelRegistry(address(0));
    }

    function isAgent(address) external pure returns (bool) {
        return true;
    }

    function isPaused(address) external pure returns (bool) {
        return false;
    }
}

/// @notice Regression tests from the contract review of the vault's folds (the synth folded into the
/// vault, the liquidation globals folded into one slot; session 9): synth may move while the vault calls
/// out, but only where the synth ledger is whole, and no callee can desync `totalDebt`; the reserve
/// saturates at `MAX_TOTAL` in the full regime too; and the review's two findings, fixed — collateral with
/// more than 18 decimals is refused (its reserve would saturate at a dust amount), and synth cannot be
/// sent to the vault's own address (it would be locked for ever).
contract VaultFoldSecurityTest is MarketsFixture {
    uint256 internal constant MAX = type(uint96).max;

    /// @dev supply == totalDebt == sum of the owners' debts == sum of the holders' balances.
    function _ledger(SyntheticVault v, address[] memory holders, address[] memory owners) internal view {
        uint256 balances;
        for (uint256 i; i < holders.length; ++i) {
            balances += v.balanceOf(holders[i]);
        }
        uint256 debts;
        for (uint256 i; i < owners.length; ++i) {
            (, uint256 d) = v.positionOf(owners[i]);
            debts += d;
        }
        assertEq(v.totalSupply(), v.totalDebt(), "supply == totalDebt");
        assertEq(v.totalDebt(), debts, "totalDebt == sum of debts");
        assertEq(balances, debts, "sum of balances == sum of debts");
    }

    function _hookVault() internal returns (SyntheticVault hv, HookToken hook, ReentrantOwner owner) {
        vm.warp(1_750_000_000);
        hook = new HookToken();
        feed = new TestFeed(8, WTI);
        TestGuard anyGuard = new TestGuard(type(uint256).max, MARGIN_BPS);
        SyntheticVault.Config memory c =
            _vaultConfig(IERC20Metadata(address(hook)), feed, anyGuard, ModelRegistry(address(0)));
        c.risk.mintFeeBps = 0;
        hv = new SyntheticVault(c);
        owner = new ReentrantOwner(hv, hook);
        hook.mint(address(owner), 100_000e6);
    }

    // ------------------------------------------------------------------ synth moves mid-call

    /// @notice A collateral hook that transfers synth during `depositAndMint`'s collateral pull (after the
    /// mint's effects) succeeds, and the ledger is whole afterwards.
    function test_synthTransferDuringCollateralPull() public {
        (SyntheticVault hv, HookToken hook, ReentrantOwner owner) = _hookVault();
        owner.setReentry(abi.encodeCall(IERC20.transfer, (bob, 20e18)));
        owner.call(abi.encodeCall(SyntheticVault.depositAndMint, (10_000e6, 50e18, MODEL, keccak256("o"), 0)));
        assertTrue(owner.reentrySucceeded(), "transfer mid-call allowed");
        assertEq(hv.balanceOf(address(owner)), 30e18);
        assertEq(hv.balanceOf(bob), 20e18);
        address[] memory holders = new address[](2);
        (holders[0], holders[1]) = (address(owner), bob);
        address[] memory owners = new address[](1);
        owners[0] = address(owner);
        _ledger(hv, holders, owners);
        assertEq(hook.balanceOf(address(hv)), 10_000e6);
    }

    /// @notice A liquidator whose collateral payout hook moves its remaining synth (after the burn):
    /// allowed, the ledger is whole, and the vault's collateral still backs positions plus reserve.
    function test_synthTransferDuringLiquidationPayout() public {
        (SyntheticVault hv, HookToken hook, ReentrantOwner owner) = _hookVault();
        hook.mint(alice, 12_000e6);
        vm.startPrank(alice);
        hook.approve(address(hv), type(uint256).max);
        hv.depositAndMint(12_000e6, 100e18, MODEL, keccak256("a"), 0);
        hv.transfer(address(owner), 100e18);
        vm.stopPrank();
        feed.set(105e8); // 114.3%: partial regime
        owner.setReentry(abi.encodeCall(IERC20.transfer, (bob, 60e18)));
        owner.call(abi.encodeCall(SyntheticVault.liquidate, (alice, 40e18, bytes32(0))));
        assertTrue(owner.reentered() && owner.reentrySucceeded(), "payout hook moved synth");
        assertEq(hv.balanceOf(bob), 60e18);
        assertEq(hv.balanceOf(address(owner)), 0);
        address[] memory holders = new address[](3);
        (holders[0], holders[1], holders[2]) = (address(owner), bob, alice);
        address[] memory owners = new address[](1);
        owners[0] = alice;
        _ledger(hv, holders, owners);
        (uint256 c,) = hv.positionOf(alice);
        assertEq(hook.balanceOf(address(hv)), c + hv.reserve(), "collateral backed");
    }

    /// @notice A guard that moves synth and tries `repay` from inside `consumeWithCollateral` (before the
    /// mint writes `totalDebt` from its memory copy): the transfer goes through, the repay is refused
    /// `ReentrancyGuardReentrantCall`, so the stale copy cannot overwrite a concurrent change.
    function test_hostileGuardCannotDesyncTotalDebt() public {
        vm.warp(1_750_000_000);
        HostileGuard hg = new HostileGuard();
        feed = new TestFeed(8, WTI);
        TestToken c6 = new TestToken("c6", 6);
        SyntheticVault.Config memory c =
            _vaultConfig(IERC20Metadata(address(c6)), feed, hg, ModelRegistry(address(0)));
        c.risk.mintFeeBps = 0;
        SyntheticVault hv = new SyntheticVault(c);
        c6.mint(agent, 100_000e6);
        vm.startPrank(agent);
        c6.approve(address(hv), type(uint256).max);
        hv.depositAndMint(50_000e6, 100e18, MODEL, keccak256("1"), 0);
        hv.transfer(address(hg), 40e18);
        vm.stopPrank();
        hg.arm(hv, bob);
        vm.prank(agent);
        hv.mint(10e18, MODEL, keccak256("2"), 1);
        assertEq(
            hg.repayError(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        assertFalse(hg.repayReentered());
        assertEq(hv.balanceOf(bob), 40e18);
        address[] memory holders = new address[](3);
        (holders[0], holders[1], holders[2]) = (agent, bob, address(hg));
        address[] memory owners = new address[](1);
        owners[0] = agent;
        _ledger(hv, holders, owners);
        assertEq(hv.totalDebt(), 110e18);
    }

    // ------------------------------------------------------------------ reserve saturation, full regime

    /// @notice Full regime, whole debt repaid, reserve with 1 tUSD of room: the position keeps what the
    /// reserve cannot take (debt 0), the owner withdraws it without a price, `withdrawReserve` still works,
    /// and the collateral invariant holds throughout.
    function test_reserveSaturation_fullRegime() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
        _agentOpen(12_000e6, 100e18, keccak256("open"));
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(114e8); // 11,977.5 / 11,400 = 105.07% < 110%: full regime
        _storeReserve(MAX - 1e6);
        uint256 vaultBefore = usd.balanceOf(address(vault));
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, 100e18, bytes32(0));
        assertEq(repaid, 100e18);
        assertEq(paid, 11_970e6); // 11,400 * 1.05
        assertEq(vault.reserve(), MAX, "saturated");
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 0);
        assertEq(coll, 6.5e6, "7.5 of penalty, 1 to the reserve, 6.5 stays with the owner");
        assertEq(vaultBefore - usd.balanceOf(address(vault)), paid, "only the keeper's payout left the vault");
        vm.warp(block.timestamp + 2 days); // stale feed: a debt-free withdraw needs no price
        vm.prank(agent);
        vault.withdraw(coll, agent, bytes32(0));
        vm.prank(timelock);
        vault.withdrawReserve(alice, 1e6);
        assertEq(vault.reserve(), MAX - 1e6);
    }

    /// @dev Sets `reserve` (bits 96..191 of the packed globals slot, found by its content).
    function _storeReserve(uint256 value) internal {
        SyntheticVault.RiskParams memory r = vault.riskParams();
        uint256 expected = uint256(vault.totalDebt()) | (uint256(vault.reserve()) << 96)
            | (uint256(r.maxOracleAge) << 192) | (uint256(r.liquidationRatioBps) << 224)
            | (uint256(r.liquidationPenaltyBps) << 240);
        for (uint256 i; i < 64; ++i) {
            uint256 word = uint256(vm.load(address(vault), bytes32(i)));
            if (word == expected) {
                uint256 mask = MAX << 96;
                vm.store(address(vault), bytes32(i), bytes32((word & ~mask) | (value << 96)));
                return;
            }
        }
        revert("globals slot not found");
    }

    // ------------------------------------------------------------------ finding 1 fixed: decimals

    /// @notice The review's finding: with 30-decimal collateral `MAX_TOTAL` was 0.079 whole tokens, so the
    /// first liquidation saturated the reserve. Such collateral is now refused at deployment; at 18
    /// decimals (and 6, 0) the same liquidation puts the reserve's whole half of the penalty in it.
    function test_highDecimalCollateralRefused_reserveTakesItsShare() public {
        vm.warp(1_750_000_000);
        _checkRefused(30);
        _checkRefused(19);
        _checkReserveShare(18);
        _checkReserveShare(6);
        _checkReserveShare(0);
    }

    function testFuzz_highDecimalCollateralRefused_reserveTakesItsShare(uint8 decimals) public {
        vm.warp(1_750_000_000);
        if (decimals > 18) _checkRefused(decimals);
        else _checkReserveShare(decimals);
    }

    function _collateralConfig(TestToken token) internal returns (SyntheticVault.Config memory c) {
        feed = new TestFeed(8, WTI);
        TestGuard anyGuard = new TestGuard(type(uint256).max, MARGIN_BPS);
        c = _vaultConfig(IERC20Metadata(address(token)), feed, anyGuard, ModelRegistry(address(0)));
        c.risk.mintFeeBps = 0;
    }

    function _checkRefused(uint8 decimals) internal {
        SyntheticVault.Config memory c = _collateralConfig(new TestToken("cX", decimals));
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.UnsupportedDecimals.selector, decimals));
        new SyntheticVault(c);
    }

    /// @dev 12,000 tokens back 100 synth at 75; at 101 (118.8%, partial regime) 40 synth are liquidated:
    /// value 4,040 USD, seized 4,444 tokens, keeper 4,242, reserve 202 — whole tokens at any decimals.
    function _checkReserveShare(uint8 decimals) internal {
        uint256 one = 10 ** uint256(decimals);
        TestToken token = new TestToken("cX", decimals);
        SyntheticVault hv = new SyntheticVault(_collateralConfig(token));
        token.mint(alice, 12_000 * one);
        vm.startPrank(alice);
        token.approve(address(hv), type(uint256).max);
        hv.depositAndMint(12_000 * one, 100e18, MODEL, keccak256("a"), 0);
        hv.transfer(keeper, 100e18);
        vm.stopPrank();
        feed.set(101e8);
        vm.prank(keeper);
        (, uint256 paid) = hv.liquidate(alice, 40e18, bytes32(0));
        assertEq(paid, 4242 * one, "keeper's due");
        assertEq(hv.reserve(), 202 * one, "the reserve takes its half of the penalty");
        (uint256 coll,) = hv.positionOf(alice);
        assertEq(coll, (12_000 - 4444) * one, "seized");
        assertEq(token.balanceOf(address(hv)), coll + hv.reserve(), "collateral backed");
    }

    // ------------------------------------------------------------------ finding 2 fixed: synth to the vault

    /// @notice The review's finding: "repay by sending it back" — a synth transfer to the vault's own
    /// address — used to succeed and lock the synth for ever. It is refused `ERC20InvalidReceiver`, and
    /// nothing changes: the balance, the debt and the supply stay as they were; `repay` does the job.
    function test_synthSentToVaultRefused() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
        _agentOpen(12_000e6, 100e18, keccak256("open"));
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InvalidReceiver.selector, address(vault)));
        vm.prank(agent);
        synth.transfer(address(vault), 10e18);
        assertEq(synth.balanceOf(agent), 100e18);
        assertEq(synth.balanceOf(address(vault)), 0);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 100e18);
        assertEq(synth.totalSupply(), 100e18);
        vm.prank(agent);
        vault.repay(agent, 10e18, bytes32(0));
        (, debt) = vault.positionOf(agent);
        assertEq(debt, 90e18, "repay is the way back");
    }
}
