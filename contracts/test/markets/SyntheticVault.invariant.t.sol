// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Test, console} from "forge-std/Test.sol";

import {SynthToken} from "../../src/markets/SynthToken.sol";
import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {ICollateralGuard} from "../../src/policy/IPolicyGuard.sol";
import {TestFeed} from "./TestFeed.sol";
import {TestGuard} from "./TestGuard.sol";
import {TestToken} from "./TestToken.sol";
import {VaultHandler} from "./handlers/VaultHandler.sol";

/// @notice Vault invariants under random sequences. The permissive `TestGuard` lets every actor mint,
/// so many positions hold debt at once (the real guard admits one agent key).
contract SyntheticVaultInvariantTest is Test {
    bytes32 internal constant MODEL_ID = keccak256("weights:invariant-model");
    SyntheticVault internal vault;
    SynthToken internal synth;
    TestToken internal usd;
    TestFeed internal feed;
    VaultHandler internal handler;
    address internal keeper = makeAddr("keeper");
    address[] internal actors;

    function setUp() public {
        vm.warp(1_750_000_000);
        usd = new TestToken("tUSD", 6);
        feed = new TestFeed(8, 75e8);
        ModelRegistry registry = new ModelRegistry(IERC20(address(usd)), address(this), address(this));
        address[] memory holders = new address[](1);
        holders[0] = address(this);
        uint256[] memory amounts = new uint256[](1);
        amounts[0] = 1_000_000e18;
        registry.register(
            keccak256("weights:invariant-model"),
            ModelRegistry.Kind.Forecaster,
            "1",
            "",
            "MIT",
            holders,
            amounts
        );
        SyntheticVault.Config memory c;
        c.name = "Synthetic WTI";
        c.symbol = "sWTI";
        c.collateral = IERC20Metadata(address(usd));
        c.feed = feed;
        c.guard = ICollateralGuard(address(new TestGuard(type(uint128).max, 1000)));
        c.registry = IModelRegistry(address(registry));
        c.admin = address(this);
        c.guardian = address(this);
        c.bounds = SyntheticVault.Bounds(11_000, 2000, 200, 1 days);
        c.risk = SyntheticVault.RiskParams(15_000, 12_000, 1000, 30, 3600, false, 1e18);
        c.debtCeiling = 1e30;
        vault = new SyntheticVault(c);
        synth = vault.SYNTH();
        for (uint256 i; i < 4; ++i) {
            address a = makeAddr(string.concat("actor", vm.toString(i)));
            actors.push(a);
            vm.prank(a);
            usd.approve(address(vault), type(uint256).max);
        }
        // The keeper holds a huge, very safe position and so always has synth to liquidate with.
        usd.mint(keeper, 100_000_000e6);
        vm.startPrank(keeper);
        usd.approve(address(vault), type(uint256).max);
        vault.depositAndMint(100_000_000e6, 100_000e18, keccak256("weights:invariant-model"), keccak256("k"));
        vm.stopPrank();
        handler = new VaultHandler(vault, usd, feed, keeper, actors);
        targetContract(address(handler));
    }

    function _all() internal view returns (address[] memory all) {
        all = new address[](actors.length + 1);
        for (uint256 i; i < actors.length; ++i) {
            all[i] = actors[i];
        }
        all[actors.length] = keeper;
    }

    /// @notice Total synth supply == totalDebt == sum of position debts == sum of synth balances (the
    /// token reads its supply from the vault, so the balance sum is the independent check).
    function invariant_supplyEqualsSumOfDebts() public view {
        address[] memory all = _all();
        uint256 sum;
        uint256 balances;
        for (uint256 i; i < all.length; ++i) {
            (, uint256 d) = vault.positionOf(all[i]);
            sum += d;
            balances += synth.balanceOf(all[i]);
        }
        assertEq(synth.totalSupply(), sum);
        assertEq(vault.totalDebt(), sum);
        assertEq(balances, sum, "sum of synth balances == sum of debts");
    }

    /// @notice The vault holds exactly the positions' collateral, its reserve and the accrued fees.
    function invariant_collateralBacked() public view {
        address[] memory all = _all();
        uint256 sum;
        for (uint256 i; i < all.length; ++i) {
            (uint256 c,) = vault.positionOf(all[i]);
            sum += c;
        }
        assertEq(usd.balanceOf(address(vault)), sum + vault.reserve() + vault.feesAccrued(MODEL_ID));
    }

    /// @notice No successful mint left its position below the minimum ratio, and every mint that would
    /// have (recomputed independently by the handler) was refused with `CollateralRatioTooLow`.
    function invariant_noMintBelowMinimumRatio() public view {
        assertFalse(handler.mintBelowMin(), "a mint left its position below the minimum ratio");
        assertFalse(handler.overLimitNotRefused(), "an over-limit mint was not refused by the ratio check");
    }

    /// @notice The supply moves only by what the handler minted, repaid and liquidated (ghost sums).
    function invariant_supplyMatchesGhostSums() public view {
        assertEq(
            synth.totalSupply(),
            handler.initialSupply() + handler.ghostMinted() - handler.ghostRepaid()
                - handler.ghostLiquidated()
        );
    }

    /// @notice No liquidation lowered the position's exact ratio or raised its shortfall.
    function invariant_liquidationNeverWorse() public view {
        assertFalse(handler.liquidationWorse());
    }

    /// @notice Every position below the liquidation ratio (at a fresh price) can be liquidated in full
    /// by a keeper holding enough synth, and that leaves it no worse.
    function invariant_everyUnsafePositionIsLiquidatable() public {
        for (uint256 i; i < actors.length; ++i) {
            address a = actors[i];
            bool unsafe;
            try vault.isLiquidatable(a) returns (bool yes) {
                unsafe = yes;
            } catch {
                continue; // stale price: nothing is liquidatable, by design
            }
            if (!unsafe) continue;
            (uint256 c0, uint256 d0) = vault.positionOf(a);
            uint256 snap = vm.snapshotState();
            vm.prank(keeper);
            (uint256 repaid,) = vault.liquidate(a, type(uint256).max, bytes32(0));
            (uint256 c1, uint256 d1) = vault.positionOf(a);
            assertEq(repaid, d0 - d1);
            assertTrue(d1 == 0 || c1 * d0 >= c0 * d1);
            vm.revertToState(snap);
        }
    }

    /// @dev Shows the runs exercise what they claim (visible with -vv).
    function afterInvariant() external view {
        console.log("vault.run mints", handler.mints(), "liquidations", handler.liquidations());
        console.log("vault.run over-limit mints refused", handler.overLimitRefusals());
    }
}
