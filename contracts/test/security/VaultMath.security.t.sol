// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";
import {TestFeed} from "../markets/TestFeed.sol";
import {TestGuard} from "../markets/TestGuard.sol";
import {TestToken} from "../markets/TestToken.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/// @notice Exposes the vault's internal arithmetic, next to the OpenZeppelin calls it replaced.
contract VaultMathHarness is SyntheticVault {
    constructor(Config memory c) SyntheticVault(c) {}

    function mulDiv(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return _mulDiv(x, y, d);
    }

    function mulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return _mulDivUp(x, y, d);
    }

    function ozMulDiv(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return Math.mulDiv(x, y, d);
    }

    function ozMulDivUp(uint256 x, uint256 y, uint256 d) external pure returns (uint256) {
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    function mintFee(uint256 amount, uint256 price, uint256 feeBps) external view returns (uint256) {
        return _mintFee(amount, price, feeBps);
    }

    function ratioBps(uint256 coll, uint256 debt, uint256 price) external view returns (uint256) {
        return _ratioBps(coll, debt, price);
    }
}

/// @notice Adversarial review of the mul-div shortcut (commit b61e247): `_mulDiv` / `_mulDivUp` must be
/// exactly `Math.mulDiv` (floor / ceil) for every input, including the 2^128 boundary, zero divisors and
/// overflowing quotients; `_mintFee` (`ceil(feeWad / MUL)` since collateral has at most 18 decimals) must
/// equal the general formula `ceil(feeWad · DIV / MUL)` for every accepted decimals (0, 6 and 18 here: the
/// largest and smallest MUL, and the devnet's); and the liquidation figures must be those of the
/// pre-change formulas (recomputed here with `Math.mulDiv`).
contract VaultMathSecurityTest is MarketsFixture {
    uint256 internal constant WAD = 1e18;
    uint256 internal constant BPS = 10_000;
    uint256 internal constant T128 = uint256(1) << 128;
    bytes32 internal constant I1 = keccak256("intent-1");

    VaultMathHarness internal h0;
    VaultMathHarness internal h6;
    VaultMathHarness internal h18;

    function setUp() public {
        _deployMarkets();
        h0 = _harness(0);
        h6 = _harness(6);
        h18 = _harness(18);
    }

    function _harness(uint8 decimals) internal returns (VaultMathHarness) {
        TestToken token = new TestToken("COLL", decimals);
        SyntheticVault.Config memory c = _vaultConfig(
            IERC20Metadata(address(token)),
            new TestFeed(8, WTI),
            new TestGuard(0, 0),
            ModelRegistry(address(0))
        );
        c.risk.mintFeeBps = 0;
        return new VaultMathHarness(c);
    }

    /// @dev Both calls' outcome, revert data included.
    function _same(bytes memory a, bytes memory b) internal view {
        (bool okA, bytes memory retA) = address(h6).staticcall(a);
        (bool okB, bytes memory retB) = address(h6).staticcall(b);
        assertEq(okA, okB, "same success");
        assertEq(retA, retB, "same result or revert");
    }

    function _checkMulDiv(uint256 x, uint256 y, uint256 d) internal view {
        _same(abi.encodeCall(h6.mulDiv, (x, y, d)), abi.encodeCall(h6.ozMulDiv, (x, y, d)));
        _same(abi.encodeCall(h6.mulDivUp, (x, y, d)), abi.encodeCall(h6.ozMulDivUp, (x, y, d)));
    }

    // ------------------------------------------------------------------ the shortcut

    /// @notice Exact at and around the 2^128 boundary, at zero, for a zero divisor and for a quotient
    /// past 2^256 (both revert identically).
    function test_mulDiv_boundaries() public view {
        uint256[8] memory xs = [uint256(0), 1, T128 - 1, T128, T128 + 1, type(uint256).max, 3, WAD];
        uint256[5] memory ds = [uint256(0), 1, 3, WAD, type(uint256).max];
        for (uint256 i; i < xs.length; ++i) {
            for (uint256 j; j < xs.length; ++j) {
                for (uint256 k; k < ds.length; ++k) {
                    _checkMulDiv(xs[i], xs[j], ds[k]);
                }
            }
        }
        assertEq(h6.mulDiv(T128 - 1, T128 - 1, 1), (T128 - 1) * (T128 - 1), "largest shortcut product");
        assertEq(h6.mulDivUp(T128 - 1, T128 - 1, T128 - 1), T128 - 1);
        assertEq(h6.mulDivUp(7, 3, 2), 11);
        assertEq(h6.mulDiv(7, 3, 2), 10);
    }

    function testFuzz_mulDiv_equalsOpenZeppelin(uint256 x, uint256 y, uint256 d) public view {
        _checkMulDiv(x, y, d);
    }

    function testFuzz_mulDiv_equalsOpenZeppelin_small(uint128 x, uint128 y, uint256 d) public view {
        _checkMulDiv(x, y, d);
    }

    // ------------------------------------------------------------------ the fee

    /// @notice `_mintFee` = ceil(ceil(ceil(amount · price / WAD) · bps / BPS) · DIV / MUL) (DIV = 1: the
    /// collateral has at most 18 decimals), the pre-change formula, for 0-, 6- and 18-decimal collateral.
    function test_mintFee_equalsFormula() public view {
        _checkMintFee(1e18 + 1, 75e18 + 7, 30);
    }

    function testFuzz_mintFee_equalsFormula(uint256 amount, uint256 price, uint256 bps) public view {
        _checkMintFee(bound(amount, 0, type(uint128).max), bound(price, 1, 1e36), bound(bps, 1, 500));
    }

    function _checkMintFee(uint256 amount, uint256 price, uint256 bps) internal view {
        uint256 feeWad =
            Math.mulDiv(Math.mulDiv(amount, price, WAD, Math.Rounding.Ceil), bps, BPS, Math.Rounding.Ceil);
        assertEq(
            h0.mintFee(amount, price, bps), Math.mulDiv(feeWad, 1, 1e18, Math.Rounding.Ceil), "0 decimals"
        );
        assertEq(
            h6.mintFee(amount, price, bps), Math.mulDiv(feeWad, 1, 1e12, Math.Rounding.Ceil), "6 decimals"
        );
        assertEq(h18.mintFee(amount, price, bps), feeWad, "18 decimals");
        assertEq(h6.mintFee(amount, price, 0), 0);
    }

    /// @notice `_ratioBps` = floor(coll_wad · BPS / ceil(debt · price / WAD)), the pre-change formula.
    function testFuzz_ratio_equalsFormula(uint128 coll, uint128 debt, uint256 price) public view {
        price = bound(price, 1, 1e40);
        vm.assume(debt != 0);
        uint256 debtValue = Math.mulDiv(debt, price, WAD, Math.Rounding.Ceil);
        uint256 expected =
            debtValue == 0 ? type(uint256).max : Math.mulDiv(uint256(coll) * 1e12, BPS, debtValue);
        assertEq(h6.ratioBps(coll, debt, price), expected);
    }

    function test_ratio_equalsFormula() public view {
        assertEq(h6.ratioBps(11_977.5e6, 100e18, 100e18), 11_977);
        assertEq(h6.ratioBps(1, 0, 1), type(uint256).max);
        // The same 11,977.5 USD of collateral at 0 and 18 decimals (the conversion is one multiplication).
        assertEq(h18.ratioBps(11_977.5e18, 100e18, 100e18), 11_977);
        assertEq(h0.ratioBps(11_977, 100e18, 100e18), 11_977);
    }

    // ------------------------------------------------------------------ liquidation figures

    /// @notice Liquidation outputs equal the pre-change formulas (Math.mulDiv) in both regimes, and the
    /// packed (totalDebt, reserve) write leaves supply == totalDebt.
    function test_liquidation_equalsFormula() public {
        uint256 snap = vm.snapshotState();
        _checkLiquidation(100e8, 40e18); // partial
        vm.revertToState(snap);
        _checkLiquidation(110e8, 100e18); // full
        vm.revertToState(snap);
        _checkLiquidation(1e30, 100e18); // full, price in WAD above 2^128 (the Math.mulDiv fallback)
    }

    /// @dev Prices up to 1e30 (1e40 in WAD, past 2^128): mostly the full regime and the fallback path.
    function testFuzz_liquidation_equalsFormula(int256 answer, uint256 maxRepay) public {
        _checkLiquidation(bound(answer, 99.9e8, 1e30), bound(maxRepay, 1, 200e18));
    }

    /// @dev Prices where the position is in the partial regime (ratio in [110 %, 120 %)) or just below.
    function testFuzz_liquidation_partial_equalsFormula(int256 answer, uint256 maxRepay) public {
        _checkLiquidation(bound(answer, 99.9e8, 109.5e8), bound(maxRepay, 1, 200e18));
    }

    struct Liq {
        uint256 coll;
        uint256 debt;
        uint256 repaid;
        uint256 toLiq;
        uint256 seized;
        uint256 reserveBefore;
    }

    function _checkLiquidation(int256 answer, uint256 maxRepay) internal {
        _fund(agent, 1_000_000e6);
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(answer);
        Liq memory e;
        (e.coll, e.debt) = vault.positionOf(agent);
        uint256 price = uint256(answer) * 1e10;
        uint256 ratio = Math.mulDiv(e.coll * 1e12, BPS, Math.mulDiv(e.debt, price, WAD, Math.Rounding.Ceil));
        if (ratio >= 12_000) return; // not liquidatable: covered by the vault's own tests
        (e.repaid, e.toLiq, e.seized) = _expected(e.coll, e.debt, price, ratio, maxRepay);
        e.reserveBefore = vault.reserve();
        vm.prank(keeper);
        (bool ok, bytes memory ret) =
            address(vault).call(abi.encodeCall(SyntheticVault.liquidate, (agent, maxRepay, bytes32(0))));
        if (e.repaid == 0) {
            assertFalse(ok, "refused");
            return;
        }
        assertTrue(ok, "liquidated");
        _assertLiquidated(e, ret);
    }

    function _assertLiquidated(Liq memory e, bytes memory ret) internal view {
        (uint256 gotRepaid, uint256 gotToLiq) = abi.decode(ret, (uint256, uint256));
        assertEq(gotRepaid, e.repaid, "repaid");
        assertEq(gotToLiq, e.toLiq, "to liquidator");
        (uint256 collAfter, uint256 debtAfter) = vault.positionOf(agent);
        assertEq(collAfter, e.coll - e.seized, "seized");
        assertEq(debtAfter, e.debt - e.repaid);
        assertEq(vault.reserve() - e.reserveBefore, e.seized - e.toLiq, "to reserve");
        assertEq(synth.totalSupply(), vault.totalDebt());
        assertEq(vault.totalDebt(), debtAfter);
        assertEq(synth.balanceOf(keeper), 100e18 - e.repaid);
    }

    /// @dev The liquidation arithmetic in full-width `Math.mulDiv` (penalty 10 %, half to the liquidator,
    /// 6-decimal collateral; full regime pro rata since the second audit).
    function _expected(uint256 coll, uint256 debt, uint256 price, uint256 ratio, uint256 maxRepay)
        internal
        pure
        returns (uint256 repaid, uint256 toLiq, uint256 seized)
    {
        repaid = maxRepay < debt ? maxRepay : debt;
        if (ratio < BPS + 1000) {
            // Full regime (second audit): any amount, collateral seized pro rata, rounded down.
            seized = Math.mulDiv(coll, repaid, debt);
            uint256 owed = Math.mulDiv(Math.mulDiv(repaid, price, WAD), BPS + 500, BPS) / 1e12;
            return (repaid, owed < seized ? owed : seized, seized);
        }
        // Partial regime: no minDebt check (third audit): any repay up to the debt is accepted.
        uint256 valueWad = Math.mulDiv(repaid, price, WAD);
        seized = Math.mulDiv(valueWad, BPS + 1000, BPS) / 1e12;
        toLiq = Math.mulDiv(valueWad, BPS + 500, BPS) / 1e12;
    }
}
