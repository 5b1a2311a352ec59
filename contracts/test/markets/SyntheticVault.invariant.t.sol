// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Test, console} from "forge-std/Test.sol";

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
    /// @dev The synth is the vault itself (`vault.SYNTH() == address(vault)`); named apart for readability.
    SyntheticVault internal synth;
    TestToken internal usd;
    TestFeed internal feed;
    VaultHandler internal handler;
    address internal keeper = makeAddr("keeper");
    address internal agent = makeAddr("agent");
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
        address shares = registry.register(
            keccak256("weights:invariant-model"),
            ModelRegistry.Kind.Forecaster,
            "1",
            "",
            "MIT",
            holders,
            amounts
        );
        // Approved (so bound): the handler's flushes then reach the registry instead of always reverting.
        registry.approveModel(keccak256("weights:invariant-model"), address(this), shares, bytes32(0));
        SyntheticVault.Config memory c;
        c.name = "Synthetic WTI";
        c.symbol = "sWTI";
        c.collateral = IERC20Metadata(address(usd));
        c.feed = feed;
        TestGuard testGuard = new TestGuard(type(uint128).max, 1000);
        testGuard.setModelRegistry(IModelRegistry(address(registry)));
        c.guard = ICollateralGuard(address(testGuard));
        c.registry = IModelRegistry(address(registry));
        c.admin = address(this);
        c.guardian = address(this);
        c.bounds = SyntheticVault.Bounds(11_000, 2000, 200, 1 days);
        c.risk = SyntheticVault.RiskParams(15_000, 12_000, 1000, 30, 3600, false, 1e18);
        c.debtCeiling = 1e28; // below MAX_TOTAL (2^96 - 1 ~ 7.9e28)
        vault = new SyntheticVault(c);
        synth = SyntheticVault(vault.SYNTH());
        for (uint256 i; i < 4; ++i) {
            address a = makeAddr(string.concat("actor", vm.toString(i)));
            actors.push(a);
            vm.prank(a);
            usd.approve(address(vault), type(uint256).max);
        }
        // The agent holds a huge, very safe position (safe up to the handler's 1,000 USD price cap) and
        // hands the keeper synth by transfer: the keeper has no position of its own, as on the real
        // system where only the agent mints.
        usd.mint(agent, 1_000_000_000e6);
        vm.startPrank(agent);
        usd.approve(address(vault), type(uint256).max);
        vault.depositAndMint(1_000_000_000e6, 200_000e18, MODEL_ID, keccak256("agent-open"), 0);
        synth.transfer(keeper, 100_000e18);
        vm.stopPrank();
        // Every actor starts with a position at the minimum ratio (30,000 tUSD, 264 sWTI at 75 USD:
        // 151.2% after the fee), so a price push alone can make it liquidatable.
        for (uint256 i; i < actors.length; ++i) {
            usd.mint(actors[i], 30_000e6);
            vm.prank(actors[i]);
            vault.depositAndMint(30_000e6, 264e18, MODEL_ID, keccak256(abi.encode("actor-open", i)), 0);
        }
        handler = new VaultHandler(vault, usd, feed, keeper, agent, actors);
        targetContract(address(handler));
    }

    function _all() internal view returns (address[] memory all) {
        all = new address[](actors.length + 2);
        for (uint256 i; i < actors.length; ++i) {
            all[i] = actors[i];
        }
        all[actors.length] = keeper;
        all[actors.length + 1] = agent;
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

    /// @notice Every landed mint moved its position's `mintNonce` by exactly one and no refused mint moved
    /// it (checked by the handler around each call); the nonces count exactly the landed mints: each actor
    /// opened with one `depositAndMint`, the agent's opening is its only mint, and nothing else (deposits,
    /// repays, withdrawals, liquidations, transfers) moves a nonce.
    function invariant_mintNonceCountsLandedMints() public view {
        assertFalse(
            handler.mintNonceBroken(), "a mint moved its nonce by other than one, or a refusal moved it"
        );
        uint256 sum;
        for (uint256 i; i < actors.length; ++i) {
            sum += vault.mintNonce(actors[i]);
        }
        assertEq(sum, actors.length + handler.mints(), "actors' nonces == their openings + landed mints");
        assertEq(vault.mintNonce(agent), 1, "the agent only opened");
        assertEq(vault.mintNonce(keeper), 0, "the keeper never mints");
    }

    /// @notice The supply moves only by what the handler minted, repaid and liquidated (ghost sums).
    function invariant_supplyMatchesGhostSums() public view {
        assertEq(
            synth.totalSupply(),
            handler.initialSupply() + handler.ghostMinted() - handler.ghostRepaid()
                - handler.ghostLiquidated()
        );
    }

    /// @notice No liquidation lowered the position's exact ratio or raised its shortfall, repaid other
    /// than asked, or was refused (the only accepted refusal: leaving dust in the partial regime).
    function invariant_liquidationNeverWorse() public view {
        assertFalse(handler.liquidationWorse(), "a liquidation made a position worse");
        assertFalse(handler.liquidationRefused(), "a liquidation of an unsafe position was refused");
    }

    /// @notice Every position below the liquidation ratio (at a fresh price) can be liquidated by a
    /// keeper holding only part of its debt (full regime) or all of it, and that leaves it no worse.
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
            bool full = vault.collateralRatioBps(a) < 11_000;
            // Full regime: half the debt is enough; partial regime: the whole debt (no dust left).
            uint256 amount = full ? d0 / 2 + 1 : d0;
            uint256 snap = vm.snapshotState();
            uint256 held = synth.balanceOf(keeper);
            if (held < amount) {
                vm.prank(agent);
                synth.transfer(keeper, amount - held);
            }
            vm.prank(keeper);
            (uint256 repaid,) = vault.liquidate(a, amount, bytes32(0));
            (uint256 c1, uint256 d1) = vault.positionOf(a);
            assertEq(repaid, amount);
            assertEq(repaid, d0 - d1);
            assertTrue(d1 == 0 || c1 * d0 >= c0 * d1);
            vm.revertToState(snap);
        }
    }

    /// @dev The paths the invariants are about must be reached, or they hold vacuously. A campaign of
    /// `depth` calls is too short to promise every path in every run, so the counts accumulate across the
    /// runs of this process (in environment variables, which survive the per-run state reset) and are
    /// asserted once 32 runs have been seen (the default profile runs 64 per invariant). Printed with -vv.
    function afterInvariant() external {
        uint256 runs = _bump("VAULT_INVARIANT_RUNS", 1);
        uint256 mints = _bump("VAULT_INVARIANT_MINTS", handler.mints());
        uint256 refusals = _bump("VAULT_INVARIANT_OVER", handler.overLimitRefusals());
        uint256 partialLiq = _bump("VAULT_INVARIANT_LIQ_PARTIAL", handler.partialLiquidations());
        uint256 fullLiq = _bump("VAULT_INVARIANT_LIQ_FULL", handler.fullLiquidations());
        uint256 pushes = _bump("VAULT_INVARIANT_PUSHES", handler.pricePushes());
        console.log("vault.cum runs", runs, "mints", mints);
        console.log("vault.cum over-limit mints refused", refusals, "price pushes", pushes);
        console.log("vault.cum liquidations partial", partialLiq, "full regime", fullLiq);
        console.log("vault.run failures mint", handler.failures(VaultHandler.mint.selector));
        console.log("vault.run failures repay", handler.failures(VaultHandler.repay.selector));
        console.log("vault.run failures withdraw", handler.failures(VaultHandler.withdraw.selector));
        console.log("vault.run failures liquidate", handler.failures(VaultHandler.liquidate.selector));
        console.log("vault.run failures flushFees", handler.failures(VaultHandler.flushFees.selector));
        if (runs >= 32) {
            assertGt(mints, 0, "no mint succeeded");
            assertGt(refusals, 0, "no over-limit mint was refused");
            assertGt(partialLiq, 0, "no partial-regime liquidation");
            assertGt(fullLiq, 0, "no full-regime liquidation");
        }
    }

    function _bump(string memory key, uint256 add) internal returns (uint256 total) {
        total = vm.envOr(key, uint256(0)) + add;
        vm.setEnv(key, vm.toString(total));
    }
}
