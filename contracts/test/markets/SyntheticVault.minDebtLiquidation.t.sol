// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";

/// @title A liquidation never checks `minDebt` (third audit, finding F1)
/// @notice The vault's invariant says every position below the liquidation ratio is liquidatable. In the
/// partial regime (100% + p <= ratio < liquidation ratio) `_liquidationSplit` refuses any repay that
/// leaves a non-zero debt below `minDebt`. Only the agent mints, and part of its synth is always locked in
/// the pool (audit 2's own argument for the full regime), so no keeper can hold the whole debt: a position
/// whose debt is at most `minDebt` (or within a keeper's reach of it) cannot be liquidated at all until
/// it falls into the full regime (ratio < 100% + p), i.e. it loses half its safety margin first.
/// These tests assert the invariant (they failed before the fix: the liquidation reverted).
contract VaultMinDebtLiquidationTest is MarketsFixture {
    function setUp() public {
        _deployMarkets();
        _fund(agent, 10_000e6);
        _fund(keeper, 1_000_000e6);
    }

    /// @dev Agent opens a position of `debt` synth, puts ALL its synth in the pool, and the keeper buys
    /// as much of it as a large swap gets. Returns the keeper's synth balance.
    function _agentPoolsAndKeeperBuys(uint256 coll, uint256 debt) internal returns (uint256 keeperSynth) {
        _agentOpen(coll, debt, keccak256("open"));
        vm.prank(agent);
        pool.addLiquidity(debt, debt * 75 / 1e12, 0, 0, agent, block.timestamp);
        vm.prank(keeper);
        pool.swapExactIn(address(usd), 100_000e6, 0, keeper, block.timestamp);
        keeperSynth = synth.balanceOf(keeper);
    }

    /// @notice A position of exactly `minDebt` (a valid mint) in the partial regime: the keeper holds all
    /// the synth it can buy (everything but what the pool keeps) and still cannot liquidate any of it.
    function test_minDebt_positionAtMinDebt_partialRegime_isLiquidatable() public {
        uint256 keeperSynth = _agentPoolsAndKeeperBuys(130e6, 1e18);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 1e18);
        assertLt(keeperSynth, debt, "nobody can hold the whole debt: the pool keeps some synth");
        assertGt(keeperSynth, debt * 99 / 100, "the keeper holds over 99% of the debt");

        // Price up: ratio ~115%, in the partial regime [110%, 120%).
        _steadyPrice(11_285_000_000);
        uint256 ratio = vault.collateralRatioBps(agent);
        assertGe(ratio, 11_000);
        assertLt(ratio, 12_000);
        assertTrue(vault.isLiquidatable(agent), "the vault itself reports the position liquidatable");

        vm.prank(keeper);
        (bool ok, bytes memory ret) =
            address(vault).call(abi.encodeCall(SyntheticVault.liquidate, (agent, keeperSynth, bytes32(0))));
        if (!ok) emit log_named_bytes("liquidate reverted with", ret);
        assertTrue(
            ok, "F1: a liquidatable position could not be liquidated by a keeper holding 99% of its debt"
        );
    }

    /// @notice Same root cause through governance: `setMinDebt` ("blocks new mints only", per its NatSpec)
    /// raised above an open position's debt makes every partial liquidation of it revert.
    function test_minDebt_minDebtRaisedAboveDebt_blocksLiquidation() public {
        uint256 keeperSynth = _agentPoolsAndKeeperBuys(400e6, 3e18);
        vm.prank(timelock);
        vault.setMinDebt(5e18);
        _steadyPrice(11_285_000_000);
        uint256 ratio = vault.collateralRatioBps(agent);
        assertGe(ratio, 11_000);
        assertLt(ratio, 12_000);
        assertTrue(vault.isLiquidatable(agent));

        // Even a modest liquidation (a third of what the keeper holds) is refused.
        vm.prank(keeper);
        (bool ok, bytes memory ret) = address(vault)
            .call(abi.encodeCall(SyntheticVault.liquidate, (agent, keeperSynth / 3, bytes32(0))));
        if (!ok) emit log_named_bytes("liquidate reverted with", ret);
        assertTrue(ok, "F1: raising minDebt made an open, liquidatable position unliquidatable");
    }

    /// @notice Griefing through the same check: a keeper liquidating the most the partial regime allows
    /// (`debt - minDebt`) is front-run by the position's owner (or anyone holding 1 wei of synth) with a
    /// 1-wei `repay`; the keeper's call then leaves `minDebt - 1` and reverts. Repeatable for 1 wei a block.
    function test_minDebt_oneWeiRepayFrontRun_blocksMaxPartialLiquidation() public {
        uint256 keeperSynth = _agentPoolsAndKeeperBuys(400e6, 3e18);
        _steadyPrice(11_285_000_000);
        assertTrue(vault.isLiquidatable(agent));
        (, uint256 debt) = vault.positionOf(agent);
        uint256 maxPartial = debt - vault.riskParams().minDebt;
        assertGe(keeperSynth, maxPartial, "the keeper holds what the regime allows");
        // The owner sees the keeper's pending liquidation and repays 1 wei first.
        vm.prank(agent);
        pool.removeLiquidity(1e6, 0, 0, agent, block.timestamp); // a few wei of synth back
        vm.prank(agent);
        vault.repay(agent, 1, bytes32(0));

        vm.prank(keeper);
        (bool ok, bytes memory ret) =
            address(vault).call(abi.encodeCall(SyntheticVault.liquidate, (agent, maxPartial, bytes32(0))));
        if (!ok) emit log_named_bytes("liquidate reverted with", ret);
        assertTrue(ok, "F1: a 1-wei repay front-run makes the keeper's liquidation revert");
    }

    /// @notice Control (passes on the current code): the same position one step lower, in the full regime,
    /// IS liquidatable with the same keeper balance, which shows the gap is the partial regime's
    /// minimum-debt check alone.
    function test_minDebt_control_fullRegime_liquidates() public {
        uint256 keeperSynth = _agentPoolsAndKeeperBuys(130e6, 1e18);
        _steadyPrice(12_100_000_000); // ratio ~107% < 110%: full regime
        assertLt(vault.collateralRatioBps(agent), 11_000);
        vm.prank(keeper);
        (uint256 repaid,) = vault.liquidate(agent, keeperSynth, bytes32(0));
        assertEq(repaid, keeperSynth);
    }
}
