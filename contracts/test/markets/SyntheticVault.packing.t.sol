// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {MarketsFixture} from "./MarketsFixture.sol";

/// @notice The packed storage of the vault: `totalDebt`, `reserve`, `debtCeiling` and `minDebt` are stored as
/// uint96 (bound `MAX_TOTAL` = 2^96 - 1, checked where each is set), the risk values live in two slots
/// (the liquidation's with the totals, the mint path's with the ceiling) and read back unchanged through
/// the views, and the reserve saturates at `MAX_TOTAL` without ever refusing a liquidation.
contract SyntheticVaultPackingTest is MarketsFixture {
    uint256 internal constant MAX = type(uint96).max;
    bytes32 internal constant I1 = keccak256("intent-1");
    bytes32 internal constant I2 = keccak256("intent-2");

    function setUp() public {
        _deployMarkets();
        _fund(agent, 10_000_000e6);
        _fund(keeper, 1_000_000e6);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev The slot holding (totalDebt, reserve, maxOracleAge, liquidationRatioBps, liquidationPenaltyBps),
    /// found by its content (not by a hard-coded index): low 96 bits the total debt, then the reserve, the
    /// oracle age and the two ratios.
    function _globalsSlot() internal view returns (bytes32) {
        SyntheticVault.RiskParams memory r = vault.riskParams();
        uint256 expected = uint256(vault.totalDebt()) | (uint256(vault.reserve()) << 96)
            | (uint256(r.maxOracleAge) << 192) | (uint256(r.liquidationRatioBps) << 224)
            | (uint256(r.liquidationPenaltyBps) << 240);
        for (uint256 i; i < 64; ++i) {
            if (uint256(vm.load(address(vault), bytes32(i))) == expected) return bytes32(i);
        }
        revert("globals slot not found");
    }

    /// @dev Overwrites the stored totalDebt (low 96 bits of the globals slot), keeping the other fields.
    function _storeTotalDebt(uint256 value) internal {
        bytes32 slot = _globalsSlot();
        uint256 word = uint256(vm.load(address(vault), slot));
        vm.store(address(vault), slot, bytes32((word >> 96 << 96) | value));
    }

    /// @dev Overwrites the stored reserve (bits 96..191 of the globals slot), keeping the other fields.
    function _storeReserve(uint256 value) internal {
        bytes32 slot = _globalsSlot();
        uint256 word = uint256(vm.load(address(vault), slot));
        uint256 mask = uint256(MAX) << 96;
        vm.store(address(vault), slot, bytes32((word & ~mask) | (value << 96)));
    }

    function _outOfBounds(bytes32 what, uint256 value) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(SyntheticVault.ParameterOutOfBounds.selector, what, value, MAX);
    }

    // ------------------------------------------------------------------ bounds of the uint96 values

    function test_maxTotal_isUint96Max() public view {
        assertEq(vault.MAX_TOTAL(), MAX);
    }

    function _debtCeilingBound(uint256 value) internal {
        uint256 before = vault.debtCeiling();
        vm.prank(timelock);
        if (value > MAX) vm.expectRevert(_outOfBounds("debtCeiling", value));
        vault.setDebtCeiling(value);
        assertEq(vault.debtCeiling(), value <= MAX ? value : before);
    }

    function test_setDebtCeiling_atAndAboveBound() public {
        _debtCeilingBound(MAX);
        _debtCeilingBound(MAX + 1);
        _debtCeilingBound(type(uint256).max);
    }

    function testFuzz_setDebtCeiling_bound(uint256 value) public {
        _debtCeilingBound(value);
    }

    function _minDebtBound(uint256 value) internal {
        uint256 before = vault.riskParams().minDebt;
        vm.prank(timelock);
        if (value > MAX) vm.expectRevert(_outOfBounds("minDebt", value));
        vault.setMinDebt(value);
        assertEq(vault.riskParams().minDebt, value <= MAX ? value : before);
    }

    function test_setMinDebt_atAndAboveBound() public {
        _minDebtBound(MAX);
        _minDebtBound(MAX + 1);
        _minDebtBound(type(uint128).max);
    }

    function testFuzz_setMinDebt_bound(uint256 value) public {
        _minDebtBound(value);
    }

    function _constructorBounds(uint256 ceiling, uint128 minDebt) internal {
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(usd)), feed, guard, registry);
        c.debtCeiling = ceiling;
        c.risk.minDebt = minDebt;
        if (minDebt > MAX) vm.expectRevert(_outOfBounds("minDebt", minDebt));
        else if (ceiling > MAX) vm.expectRevert(_outOfBounds("debtCeiling", ceiling));
        SyntheticVault v = new SyntheticVault(c);
        if (minDebt <= MAX && ceiling <= MAX) {
            assertEq(v.debtCeiling(), ceiling);
            assertEq(v.riskParams().minDebt, minDebt);
        }
    }

    function test_constructor_totalBounds() public {
        _constructorBounds(MAX, uint128(MAX));
        _constructorBounds(MAX + 1, 1e18);
        _constructorBounds(100e18, uint128(MAX) + 1);
    }

    function testFuzz_constructor_totalBounds(uint256 ceiling, uint128 minDebt) public {
        _constructorBounds(ceiling, minDebt);
    }

    /// @dev With the ceiling at its bound and `room` left under it, a mint of `room` reaches `MAX_TOTAL`
    /// exactly and any further mint is refused by the ceiling: `totalDebt` never exceeds what it stores.
    function _mintToBound(uint256 room) internal {
        vm.prank(timelock);
        vault.setDebtCeiling(MAX);
        _storeTotalDebt(MAX - room); // other positions' debt, written directly (the test needs no holders)
        _agentOpen(100_000e6, room, I1);
        assertEq(vault.totalDebt(), MAX);
        assertEq(vault.totalSupply(), MAX);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DebtCeilingExceeded.selector, MAX + 1e18, MAX));
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
    }

    function test_mint_reachesMaxTotalThenRefused() public {
        _mintToBound(2e18);
    }

    function testFuzz_mint_reachesMaxTotalThenRefused(uint256 room) public {
        _mintToBound(bound(room, 1e18, 500e18));
    }

    // ------------------------------------------------------------------ reserve saturation

    /// @dev The partial liquidation of `test_liquidate_partial` (40 sWTI at 100 USD: 4,200 tUSD to the
    /// keeper, 200 tUSD of penalty to the reserve) with only `room` left under `MAX_TOTAL` in the reserve:
    /// the reserve reaches `MAX_TOTAL`, the part of the penalty above it stays in the position, the keeper
    /// is paid in full, and the vault's collateral moves by exactly what the keeper receives.
    function _liquidateNearReserveBound(uint256 room) internal {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(100e8); // 119.77% < 120%, >= 110%: partial regime
        _storeReserve(MAX - room);
        uint256 toReserve = room < 200e6 ? room : 200e6;
        uint256 vaultBefore = usd.balanceOf(address(vault));
        vm.expectEmit(address(vault));
        emit SyntheticVault.Liquidated(agent, keeper, bytes32(0), 40e18, 4200e6, toReserve, 100e18);
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, 40e18, bytes32(0));
        assertEq(repaid, 40e18);
        assertEq(paid, 4200e6);
        assertEq(vault.reserve(), MAX - room + toReserve);
        (uint256 c, uint256 d) = vault.positionOf(agent);
        assertEq(c, 11_977.5e6 - 4200e6 - toReserve, "what the reserve cannot take stays in the position");
        assertEq(d, 60e18);
        assertEq(vaultBefore - usd.balanceOf(address(vault)), 4200e6);
        assertEq(vault.totalDebt(), 60e18);
        assertEq(synth.totalSupply(), vault.totalDebt());
        SyntheticVault.RiskParams memory r = vault.riskParams();
        assertEq(r.maxOracleAge, 3600, "neighbouring fields untouched");
        assertEq(r.liquidationRatioBps, 12_000);
        assertEq(r.liquidationPenaltyBps, 1000);
    }

    function test_liquidate_reserveSaturates() public {
        _liquidateNearReserveBound(50e6);
        vm.prank(timelock);
        vault.withdrawReserve(alice, 1e6); // the admin can still move the (saturated) reserve
        assertEq(vault.reserve(), MAX - 1e6);
    }

    function test_liquidate_reserveFull() public {
        _liquidateNearReserveBound(0);
    }

    function test_liquidate_reserveRoomEnough() public {
        _liquidateNearReserveBound(200e6);
    }

    function testFuzz_liquidate_reserveNearBound(uint256 room) public {
        _liquidateNearReserveBound(bound(room, 0, 400e6));
    }

    // ------------------------------------------------------------------ the two risk slots

    /// @dev Every governed value written through its setter reads back through `riskParams()`,
    /// `debtCeiling()` and `zkRequired()`, and no setter disturbs a neighbour in its slot or the totals.
    function _governRoundTrip(
        uint16 minRatio,
        uint16 liqRatio,
        uint16 penalty,
        uint16 fee,
        uint32 age,
        uint256 minDebt,
        uint256 ceiling
    ) internal {
        _agentOpen(12_000e6, 100e18, I1);
        uint256 debtBefore = vault.totalDebt();
        vm.startPrank(timelock);
        vault.setRiskRatios(minRatio, liqRatio, penalty);
        vault.setMintFee(fee);
        vault.setMaxOracleAge(age);
        vault.setMinDebt(minDebt);
        vault.setDebtCeiling(ceiling);
        vault.pauseMinting();
        vm.stopPrank();
        SyntheticVault.RiskParams memory r = vault.riskParams();
        assertEq(r.minCollateralRatioBps, minRatio);
        assertEq(r.liquidationRatioBps, liqRatio);
        assertEq(r.liquidationPenaltyBps, penalty);
        assertEq(r.mintFeeBps, fee);
        assertEq(r.maxOracleAge, age);
        assertEq(r.minDebt, minDebt);
        assertTrue(r.mintingPaused);
        assertEq(vault.debtCeiling(), ceiling);
        assertFalse(vault.zkRequired());
        assertEq(vault.totalDebt(), debtBefore);
        assertEq(vault.reserve(), 0);
        vm.prank(timelock);
        vault.unpauseMinting();
        assertFalse(vault.riskParams().mintingPaused);
        assertEq(vault.riskParams().minDebt, minDebt);
        assertEq(vault.debtCeiling(), ceiling);
    }

    function test_governance_packedRoundTrip() public {
        _governRoundTrip(16_000, 13_000, 1500, 100, 7200, 5e18, MAX);
    }

    function testFuzz_governance_packedRoundTrip(
        uint16 minRatio,
        uint16 liqRatio,
        uint16 penalty,
        uint16 fee,
        uint32 age,
        uint256 minDebt,
        uint256 ceiling
    ) public {
        penalty = uint16(bound(penalty, 0, 2000));
        liqRatio = uint16(bound(liqRatio, 11_000 + uint256(penalty), type(uint16).max));
        minRatio = uint16(bound(minRatio, liqRatio, type(uint16).max));
        fee = uint16(bound(fee, 0, 200));
        age = uint32(bound(age, 1, 1 days));
        _governRoundTrip(
            minRatio, liqRatio, penalty, fee, age, bound(minDebt, 0, MAX), bound(ceiling, 0, MAX)
        );
    }
}
