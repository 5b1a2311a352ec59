// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {SynthToken} from "../../src/markets/SynthToken.sol";
import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {OracleLib} from "../../src/oracle/OracleLib.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {MarketsFixture} from "./MarketsFixture.sol";
import {TestFeed} from "./TestFeed.sol";

contract Token18 is ERC20 {
    constructor() ERC20("Dai-like", "DAI18") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

contract SyntheticVaultTest is MarketsFixture {
    bytes32 internal constant I1 = keccak256("intent-1");
    bytes32 internal constant I2 = keccak256("intent-2");

    function setUp() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
        _fund(keeper, 1_000_000e6);
        _fund(alice, 1_000_000e6);
    }

    // ------------------------------------------------------------------ mint

    function test_depositAndMint() public {
        vm.expectEmit(address(vault));
        emit SyntheticVault.Minted(agent, MODEL, I1, 100e18, 22_500_000, 26_636, 75e18);
        _agentOpen(20_000e6, 100e18, I1);
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        assertEq(coll, 20_000e6 - 22_500_000, "collateral net of fee");
        assertEq(debt, 100e18);
        assertEq(synth.balanceOf(agent), 100e18);
        assertEq(synth.totalSupply(), vault.totalDebt());
        assertTrue(vault.intentUsed(I1));
        assertEq(vault.collateralRatioBps(agent), 26_636);
        // The 0.30% fee (22.5 tUSD) accrued to the model; a flush (anyone) routes it to the holders, 60/40,
        // keeping 1 unit in the slot.
        assertEq(vault.feesAccrued(MODEL), 22_500_000);
        vm.expectEmit(address(vault));
        emit SyntheticVault.FeesFlushed(MODEL, keeper, 22_499_999);
        vm.prank(keeper);
        assertEq(vault.flushFees(MODEL), 22_499_999);
        assertEq(vault.feesAccrued(MODEL), 1);
        assertEq(registry.claimable(MODEL, alice), 13_499_999);
        assertEq(registry.claimable(MODEL, bob), 8_999_999);
        assertEq(usd.balanceOf(address(registry)), 22_499_999);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.NothingToFlush.selector, MODEL));
        vault.flushFees(MODEL);
    }

    function testFuzz_depositAndMint(uint256 coll, uint256 amount, int256 price) public {
        coll = bound(coll, 1e6, 500_000e6);
        amount = bound(amount, 1e18, EPOCH_CAP);
        price = bound(price, 1e8, 500e8);
        feed.set(price);
        uint256 valueWad = (amount * uint256(price) * 1e10 + 1e18 - 1) / 1e18;
        uint256 fee = ((valueWad * 30 + 9999) / 10_000 + 1e12 - 1) / 1e12;
        if (fee > coll) {
            vm.expectRevert(abi.encodeWithSelector(SyntheticVault.InsufficientCollateral.selector, coll, fee));
            _agentOpen(coll, amount, I1);
            return;
        }
        uint256 ratio = (coll - fee) * 1e12 * 10_000 / valueWad;
        if (ratio < 15_000) {
            vm.expectRevert(
                abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, ratio, 15_000)
            );
            _agentOpen(coll, amount, I1);
            return;
        }
        _agentOpen(coll, amount, I1);
        (uint256 c, uint256 d) = vault.positionOf(agent);
        assertEq(c, coll - fee);
        assertEq(d, amount);
        assertEq(synth.totalSupply(), d);
        assertGe(vault.collateralRatioBps(agent), 15_000);
        assertEq(vault.feesAccrued(MODEL), fee);
        assertEq(usd.balanceOf(address(vault)), c + fee);
    }

    function test_mint_refusedAboveEpochCap() public {
        _agentOpen(200_000e6, 900e18, I1);
        bytes32 id = guard.policyId(address(vault), PolicyActions.SYNTH_MINT);
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyMintCapExceeded.selector, id, 200e18, 100e18)
        );
        vm.prank(agent);
        vault.mint(200e18, MODEL, I2);
        // Nothing changed, and the intent of the refused mint is still free for a retry.
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 900e18);
        assertFalse(vault.intentUsed(I2));
    }

    function testFuzz_mint_refusedAboveEpochCap(uint256 first, uint256 second) public {
        first = bound(first, 1e18, EPOCH_CAP - 1e18);
        second = bound(second, EPOCH_CAP - first + 1, 5 * EPOCH_CAP);
        _agentOpen(900_000e6, first, I1);
        bytes32 id = guard.policyId(address(vault), PolicyActions.SYNTH_MINT);
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyMintCapExceeded.selector, id, second, EPOCH_CAP - first)
        );
        vm.prank(agent);
        vault.mint(second, MODEL, I2);
    }

    function test_mint_refusedForNonAgent() public {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, alice));
        vm.prank(alice);
        vault.depositAndMint(20_000e6, 10e18, MODEL, I1);
    }

    function test_mint_refusedForUnapprovedModel() public {
        bytes32 other = keccak256("weights:unapproved");
        _registerModel(other, _pair(alice, bob), _pair(500_000e18, 500_000e18));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelNotAllowed.selector, other));
        vm.prank(agent);
        vault.depositAndMint(20_000e6, 10e18, other, I1);
    }

    function test_mint_refusedByGuardMargin() public {
        // Governance raises the guard's margin to 40% over the 120% liquidation ratio (160% > 150% min).
        vm.prank(timelock);
        guard.setLimit(address(vault), PolicyActions.SYNTH_MINT, PolicyGuard.Field.MarginBps, 4000);
        bytes32 id = guard.policyId(address(vault), PolicyActions.SYNTH_MINT);
        // 11,700 tUSD, 100 sWTI at 75: ratio after fee = 11,677.5 / 7,500 = 155.70%.
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyCollateralTooLow.selector, id, 15_570, 16_000)
        );
        _agentOpen(11_700e6, 100e18, I1);
    }

    function testFuzz_mint_refusedByGuardMargin(uint256 coll) public {
        vm.prank(timelock);
        guard.setLimit(address(vault), PolicyActions.SYNTH_MINT, PolicyGuard.Field.MarginBps, 4000);
        coll = bound(coll, 11_272.5e6, 12_022.5e6 - 1); // ratio in [150%, 160%)
        uint256 ratio = (coll - 22_500_000) * 1e12 * 10_000 / 7500e18;
        bytes32 id = guard.policyId(address(vault), PolicyActions.SYNTH_MINT);
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyCollateralTooLow.selector, id, ratio, 16_000)
        );
        _agentOpen(coll, 100e18, I1);
    }

    function test_mint_belowMinRatio() public {
        // 11,000 - 22.5 = 10,977.5 against 7,500 = 146.36% < 150%.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, 14_636, 15_000));
        _agentOpen(11_000e6, 100e18, I1);
    }

    function test_mint_duplicateIntent() public {
        _agentOpen(20_000e6, 10e18, I1);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DuplicateIntent.selector, I1));
        vm.prank(agent);
        vault.mint(10e18, MODEL, I1);
    }

    function testFuzz_mint_duplicateIntent(bytes32 intent) public {
        vm.assume(intent != bytes32(0));
        _agentOpen(20_000e6, 10e18, intent);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DuplicateIntent.selector, intent));
        vm.prank(agent);
        vault.mint(10e18, MODEL, intent);
    }

    function test_mint_missingIntent() public {
        vm.expectRevert(SyntheticVault.MissingIntent.selector);
        _agentOpen(20_000e6, 10e18, bytes32(0));
    }

    function test_mint_debtCeilingAndMinDebt() public {
        vm.prank(timelock);
        vault.setDebtCeiling(50e18);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DebtCeilingExceeded.selector, 60e18, 50e18));
        _agentOpen(20_000e6, 60e18, I1);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DebtBelowMinimum.selector, 0.5e18, 1e18));
        _agentOpen(20_000e6, 0.5e18, I1);
    }

    // ------------------------------------------------------------------ pause

    function test_pause_blocksOnlyMinting() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(guardianKey);
        vault.pauseMinting();
        vm.expectRevert(SyntheticVault.MintingPaused.selector);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
        // The guardian cannot unpause.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.VaultNotAdmin.selector, guardianKey));
        vm.prank(guardianKey);
        vault.unpauseMinting();
        // Repay, deposit, withdraw (safe) and liquidation still work.
        vm.startPrank(agent);
        vault.repay(agent, 10e18, bytes32(0));
        vault.deposit(agent, 1000e6, bytes32(0));
        vault.withdraw(500e6, agent, bytes32(0));
        synth.transfer(keeper, 90e18);
        vm.stopPrank();
        feed.set(116e8); // 12,477.5 / 10,440 = 119.5%
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
        vm.prank(timelock);
        vault.unpauseMinting();
        vm.prank(agent);
        vault.deposit(agent, 10_000e6, bytes32(0));
        feed.set(75e8);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
    }

    function test_guardPause_blocksMintButNotExits() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(guardianKey);
        guard.pause();
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(0)));
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
        vm.prank(agent);
        synth.transfer(keeper, 50e18);
        vm.prank(agent);
        vault.repay(agent, 10e18, bytes32(0));
        feed.set(112e8); // 11,977.5 / 10,080 = 118.8%: partial regime
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 80e18);
    }

    function test_reserveAndGuardian_governed() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(100e8);
        vm.prank(keeper);
        vault.liquidate(agent, 40e18, bytes32(0));
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.VaultNotAdmin.selector, guardianKey));
        vm.prank(guardianKey);
        vault.withdrawReserve(guardianKey, 1);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.InsufficientCollateral.selector, 200e6, 201e6));
        vm.prank(timelock);
        vault.withdrawReserve(timelock, 201e6);
        vm.expectEmit(address(vault));
        emit SyntheticVault.ReserveWithdrawn(timelock, 200e6);
        vm.prank(timelock);
        vault.withdrawReserve(timelock, 200e6);
        assertEq(usd.balanceOf(timelock), 200e6);
        vm.expectEmit(address(vault));
        emit SyntheticVault.GuardianSet(alice);
        vm.prank(timelock);
        vault.setGuardian(alice);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.VaultNotGuardian.selector, guardianKey));
        vm.prank(guardianKey);
        vault.pauseMinting();
    }

    // ------------------------------------------------------------------ repay / withdraw

    function test_repayAndWithdraw() public {
        _agentOpen(20_000e6, 100e18, I1);
        vm.prank(agent);
        vault.repay(agent, 100e18, I2);
        assertEq(synth.totalSupply(), 0);
        assertEq(vault.totalDebt(), 0);
        // No debt: withdrawal needs no price, even a stale one.
        vm.warp(block.timestamp + 2 days);
        uint256 before = usd.balanceOf(agent);
        vm.prank(agent);
        vault.withdraw(20_000e6 - 22_500_000, agent, bytes32(0));
        assertEq(usd.balanceOf(agent) - before, 20_000e6 - 22_500_000);
    }

    function testFuzz_repay(uint256 amount) public {
        _agentOpen(20_000e6, 100e18, I1);
        amount = bound(amount, 1, 100e18);
        uint256 left = 100e18 - amount;
        if (left != 0 && left < 1e18) {
            vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DebtBelowMinimum.selector, left, 1e18));
        }
        vm.prank(agent);
        vault.repay(agent, amount, bytes32(0));
        assertEq(synth.totalSupply(), vault.totalDebt());
    }

    function test_withdraw_belowMinRatio() public {
        _agentOpen(20_000e6, 100e18, I1);
        // Leaves 11,000 - 22.5 ... : withdraw 9,000 -> 10,977.5 / 7,500 = 146.36%.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, 14_636, 15_000));
        vm.prank(agent);
        vault.withdraw(9000e6, agent, bytes32(0));
    }

    function testFuzz_withdraw(uint256 amount) public {
        _agentOpen(20_000e6, 100e18, I1);
        amount = bound(amount, 1, 20_000e6 - 22_500_000);
        uint256 ratio = (20_000e6 - 22_500_000 - amount) * 1e12 * 10_000 / 7500e18;
        if (ratio < 15_000) {
            vm.expectRevert(
                abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, ratio, 15_000)
            );
        }
        vm.prank(agent);
        vault.withdraw(amount, agent, bytes32(0));
    }

    // ------------------------------------------------------------------ liquidation

    function test_liquidate_partial() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(100e8); // ratio 11,977.5 / 10,000 = 119.77% < 120%, >= 110%: partial regime
        assertTrue(vault.isLiquidatable(agent));
        uint256 before = usd.balanceOf(keeper);
        vm.expectEmit(address(vault));
        emit SyntheticVault.Liquidated(agent, keeper, I2, 40e18, 4200e6, 200e6, 100e18);
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, 40e18, I2);
        assertEq(repaid, 40e18);
        assertEq(paid, 4200e6); // 4,000 repaid value + half of the 10% penalty
        assertEq(usd.balanceOf(keeper) - before, 4200e6);
        assertEq(vault.reserve(), 200e6); // the other half
        (uint256 c, uint256 d) = vault.positionOf(agent);
        assertEq(c, 11_977.5e6 - 4400e6);
        assertEq(d, 60e18);
        assertGt(vault.collateralRatioBps(agent), 11_977); // 126.29%: the ratio rose
        assertEq(synth.totalSupply(), vault.totalDebt());
    }

    function testFuzz_liquidate_partial(uint256 repay, int256 price) public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        price = bound(price, 99.9e8, 108e8); // ratio in [110.9%, 119.9%]
        feed.set(price);
        repay = bound(repay, 1e18, 99e18);
        uint256 ratioBefore = vault.collateralRatioBps(agent);
        (uint256 c0, uint256 d0) = vault.positionOf(agent);
        vm.prank(keeper);
        vault.liquidate(agent, repay, bytes32(0));
        (uint256 c1, uint256 d1) = vault.positionOf(agent);
        assertEq(d1, d0 - repay);
        assertGe(c1 * d0, c0 * d1, "exact ratio never falls");
        assertGe(vault.collateralRatioBps(agent) + 1, ratioBefore);
        assertEq(synth.totalSupply(), vault.totalDebt());
    }

    function test_liquidate_full() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(110e8); // 11,977.5 / 11,000 = 108.9% < 110%: full regime
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.FullLiquidationRequired.selector, 50e18, 100e18)
        );
        vm.prank(keeper);
        vault.liquidate(agent, 50e18, bytes32(0));
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, type(uint256).max, bytes32(0));
        assertEq(repaid, 100e18);
        assertEq(paid, 11_550e6);
        assertEq(vault.reserve(), 11_977.5e6 - 11_550e6);
        (uint256 c, uint256 d) = vault.positionOf(agent);
        assertEq(c, 0);
        assertEq(d, 0);
        assertEq(synth.totalSupply(), 0);
    }

    function testFuzz_liquidate_full(int256 price) public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        price = bound(price, 109e8, 400e8);
        feed.set(price);
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, type(uint256).max, bytes32(0));
        assertEq(repaid, 100e18);
        assertLe(paid, 11_977.5e6);
        assertEq(paid + vault.reserve(), 11_977.5e6);
    }

    function test_liquidate_safePositionReverts() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.PositionSafe.selector, agent, 15_970, 12_000));
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    // ------------------------------------------------------------------ oracle

    function test_staleOracle_blocksMintAndLiquidation() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 50e18);
        feed.setAt(100e8, block.timestamp - 3601); // unsafe at this price, but stale
        uint256 stamp = block.timestamp - 3601;
        bytes memory err = abi.encodeWithSelector(
            OracleLib.OracleStaleRound.selector, address(feed), feed.roundId(), stamp, 3601, 3600
        );
        vm.expectRevert(err);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
        vm.expectRevert(err);
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    function testFuzz_staleOracle_blocksMintAndLiquidation(uint256 age) public {
        _agentOpen(12_000e6, 100e18, I1);
        age = bound(age, 3601, 365 days);
        feed.setAt(100e8, block.timestamp - age);
        vm.expectRevert();
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
        vm.expectRevert();
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    function test_nonPositiveOracle_blocksMintAndLiquidation() public {
        _agentOpen(12_000e6, 100e18, I1);
        feed.set(0);
        bytes memory err = abi.encodeWithSelector(
            OracleLib.OracleNonPositiveAnswer.selector, address(feed), feed.roundId(), int256(0)
        );
        vm.expectRevert(err);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
        vm.expectRevert(err);
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    function testFuzz_nonPositiveOracle_blocksMintAndLiquidation(int256 answer) public {
        _agentOpen(12_000e6, 100e18, I1);
        answer = bound(answer, type(int256).min, 0);
        feed.set(answer);
        bytes memory err = abi.encodeWithSelector(
            OracleLib.OracleNonPositiveAnswer.selector, address(feed), feed.roundId(), answer
        );
        vm.expectRevert(err);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2);
        vm.expectRevert(err);
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    // ------------------------------------------------------------------ governance

    function test_governance_bounds() public {
        vm.startPrank(timelock);
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.ParameterOutOfBounds.selector, bytes32("liquidationRatio"), 10_900, 11_000
            )
        );
        vault.setRiskRatios(15_000, 10_900, 500);
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.ParameterOutOfBounds.selector, bytes32("liquidationPenalty"), 2100, 2000
            )
        );
        vault.setRiskRatios(15_000, 13_000, 2100);
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.ParameterOutOfBounds.selector, bytes32("minCollateralRatio"), 12_000, 13_000
            )
        );
        vault.setRiskRatios(12_000, 13_000, 1000);
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.ParameterOutOfBounds.selector, bytes32("mintFee"), 201, 200)
        );
        vault.setMintFee(201);
        vm.expectEmit(address(vault));
        emit SyntheticVault.RiskRatiosSet(16_000, 13_000, 1500);
        vault.setRiskRatios(16_000, 13_000, 1500);
        vm.stopPrank();
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.VaultNotAdmin.selector, guardianKey));
        vm.prank(guardianKey);
        vault.setRiskRatios(16_000, 13_000, 1500);
    }

    function testFuzz_governance_liquidationRatioFloor(uint16 liq) public {
        liq = uint16(bound(liq, 0, 10_999));
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.ParameterOutOfBounds.selector, bytes32("liquidationRatio"), liq, 11_000
            )
        );
        vm.prank(timelock);
        vault.setRiskRatios(15_000, liq, 500);
    }

    function test_constructor_rejectsLooseFloors() public {
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(usd)), feed, guard, registry);
        c.bounds.liquidationRatioFloorBps = 10_500;
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.ParameterOutOfBounds.selector, bytes32("liquidationRatioFloor"), 10_500, 11_000
            )
        );
        new SyntheticVault(c);
        c = _vaultConfig(IERC20Metadata(address(usd)), feed, guard, registry);
        c.bounds.liquidationPenaltyCeilingBps = 2500;
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.ParameterOutOfBounds.selector, bytes32("penaltyCeiling"), 2500, 2000
            )
        );
        new SyntheticVault(c);
    }

    function test_synthOnlyVaultMints() public {
        vm.expectRevert(abi.encodeWithSelector(SynthToken.SynthUnauthorized.selector, alice, address(vault)));
        vm.prank(alice);
        synth.mint(alice, 1);
    }

    /// @dev The synth keeps its own balances and reads its supply from the vault: transfers move
    /// balances exactly, a transfer above the balance reverts with OpenZeppelin's error, and mint,
    /// burn (repay) and liquidation keep the supply equal to the vault's total debt and to the balances.
    function _synthLedger(uint256 minted, uint256 sent, uint256 repaid) internal {
        _agentOpen(1_000_000e6, minted, I1);
        vm.prank(agent);
        synth.transfer(alice, sent);
        assertEq(synth.balanceOf(agent), minted - sent);
        assertEq(synth.balanceOf(alice), sent);
        assertEq(synth.totalSupply(), minted);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, sent, sent + 1)
        );
        vm.prank(alice);
        synth.transfer(agent, sent + 1);
        // The agent repays from what it still holds, never leaving a debt below minDebt (1e18).
        if (repaid > minted - sent) repaid = minted - sent;
        if (minted - repaid != 0 && minted - repaid < 1e18) repaid = 0;
        if (repaid != 0) {
            vm.prank(agent);
            vault.repay(agent, repaid, bytes32(0));
        }
        assertEq(synth.totalSupply(), minted - repaid);
        assertEq(synth.totalSupply(), vault.totalDebt());
        assertEq(synth.balanceOf(agent) + synth.balanceOf(alice), synth.totalSupply());
    }

    function test_synthLedger() public {
        _synthLedger(100e18, 30e18, 50e18);
    }

    function testFuzz_synthLedger(uint256 minted, uint256 sent, uint256 repaid) public {
        minted = bound(minted, 1e18, 1000e18);
        _synthLedger(minted, bound(sent, 0, minted), bound(repaid, 0, minted));
    }

    /// @dev The vault's fast-path arithmetic (`_mulDiv` / `_mulDivUp` skip the 512-bit product when both
    /// factors are below 2^128) gives exactly the full-width OpenZeppelin results: mint fee and ratio are
    /// recomputed here with `Math.mulDiv`, on both sides of the 2^128 boundary.
    function _mathMatches(int256 answer, uint256 amount, uint256 coll, uint256 debt) internal {
        feed.set(answer);
        uint256 priceWad = uint256(answer) * 1e10; // 8-decimal feed
        uint256 feeWad = Math.mulDiv(
            Math.mulDiv(amount, priceWad, 1e18, Math.Rounding.Ceil), 30, 10_000, Math.Rounding.Ceil
        );
        assertEq(vault.mintFeeFor(amount), Math.mulDiv(feeWad, 1, 1e12, Math.Rounding.Ceil), "fee");
        _agentOpen(coll, debt, keccak256(abi.encode(answer, amount, coll, debt)));
        (uint256 c, uint256 d) = vault.positionOf(agent);
        uint256 debtValue = Math.mulDiv(d, priceWad, 1e18, Math.Rounding.Ceil);
        assertEq(vault.collateralRatioBps(agent), Math.mulDiv(c * 1e12, 10_000, debtValue), "ratio");
    }

    function test_mathMatchesFullWidth() public {
        _mathMatches(WTI, 100e18, 20_000e6, 100e18);
        _mathMatches(WTI, type(uint128).max, 20_000e6, 100e18); // amount at the boundary
        _mathMatches(WTI, uint256(type(uint128).max) + 1, 20_000e6, 100e18); // full-width path
    }

    function testFuzz_mathMatchesFullWidth(uint256 answer, uint256 amount, uint256 debt) public {
        answer = bound(answer, 1e8, 1000e8);
        amount = bound(amount, 1, type(uint200).max);
        debt = bound(debt, 1e18, 100e18);
        _mathMatches(int256(answer), amount, 1_000_000e6, debt);
    }

    // ------------------------------------------------------------------ decimals

    /// @dev 18-decimal collateral and an 18-decimal feed: the same position has the same ratio.
    function test_decimals_general() public {
        Token18 dai = new Token18();
        TestFeed feed18 = new TestFeed(18, 75e18);
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(dai)), feed18, guard, registry);
        c.registry = IModelRegistry(address(0)); // fee token differs: no fees for this vault
        c.risk.mintFeeBps = 0;
        SyntheticVault v18 = new SyntheticVault(c);
        PolicyGuard.Limits memory l = _emptyLimits();
        l.epochCap = EPOCH_CAP;
        l.lifetimeCap = EPOCH_CAP;
        l.rateLimit = 10;
        l.marginBps = MARGIN_BPS;
        l.maxOracleAge = 3600;
        l.maxDeviationBps = 10_000;
        vm.prank(timelock);
        guard.createPolicy(address(v18), PolicyActions.SYNTH_MINT, 1 days, _globalCeiling(), l, 0);
        dai.mint(agent, 12_000e18);
        vm.startPrank(agent);
        dai.approve(address(v18), type(uint256).max);
        v18.depositAndMint(12_000e18, 100e18, MODEL, I1);
        vm.stopPrank();
        assertEq(v18.collateralRatioBps(agent), 16_000);
    }
}

