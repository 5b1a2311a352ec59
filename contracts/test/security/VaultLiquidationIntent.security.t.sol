// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";

/// @notice Second audit of issue 4, with the real guard and pool: (F5) an underwater position is
/// liquidatable although the pool always keeps some synth, so nobody can hold the whole debt; (F1) a
/// caller cannot use up the agent's intent key (optional keys are per caller; a mint's key is its position's
/// nonce, which only the position's owner moves).
contract VaultLiquidationIntentSecurityTest is MarketsFixture {
    address internal attacker = makeAddr("attacker");

    function setUp() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
        _fund(attacker, 1_000_000e6);
        _steadyPrice(WTI);
    }

    /// @dev The agent opens, seeds the pool, hands everything it holds to the keeper and exits the pool:
    /// synth stays locked behind the pool's minimum liquidity. The price jumps to `price` (full regime).
    function _underwaterWithLockedSynth(int256 price) internal returns (uint256 held, uint256 debt) {
        vm.prank(agent);
        vault.depositAndMint(120_000e6, 1000e18, MODEL, keccak256("open"), 0);
        vm.startPrank(agent);
        pool.addLiquidity(500e18, 37_500e6, 0, 0, agent, block.timestamp);
        synth.transfer(keeper, synth.balanceOf(agent));
        pool.removeLiquidity(pool.balanceOf(agent), 0, 0, agent, block.timestamp);
        synth.transfer(keeper, synth.balanceOf(agent));
        vm.stopPrank();
        (uint256 r0,,) = pool.getReserves();
        assertGt(r0, 0, "synth locked in the pool");
        _steadyPrice(price);
        assertTrue(vault.isLiquidatable(agent));
        (, debt) = vault.positionOf(agent);
        held = synth.balanceOf(keeper);
        assertLt(held, debt, "nobody can hold the whole debt");
    }

    /// @dev The audit's scenario: the keeper liquidates all it holds; the position keeps (at least) its
    /// exact ratio, the system's shortfall does not grow, and only the locked synth's debt remains.
    function _liquidatesWhatIsHeld(int256 price) internal {
        (uint256 held, uint256 debt) = _underwaterWithLockedSynth(price);
        (uint256 c0,) = vault.positionOf(agent);
        assertLt(vault.collateralRatioBps(agent), 11_000, "full regime");
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, held, bytes32(0));
        assertEq(repaid, held);
        assertGt(paid, 0);
        (uint256 c1, uint256 d1) = vault.positionOf(agent);
        assertEq(d1, debt - held);
        assertEq(c1, c0 - c0 * held / debt);
        assertGe(c1 * debt, c0 * d1, "exact ratio never falls");
        assertEq(synth.totalSupply(), synth.balanceOf(address(pool)), "left: the locked synth");
        assertEq(synth.balanceOf(keeper), 0);
    }

    function test_F5_fullRegimeLiquidates() public {
        _liquidatesWhatIsHeld(112e8); // +49%: ratio ~ 107% < 100% + 10%
    }

    function testFuzz_F5_fullRegimeLiquidates(int256 price) public {
        // 120,000 - 300 fee against 1,000 sWTI: full regime from 108.82 USD; up to a 4x crash.
        _liquidatesWhatIsHeld(bound(price, 109e8, 300e8));
    }

    /// @dev F1: `attacker` spends `key` first, on a 1-unit deposit to the agent's position (it cannot move
    /// the agent's mint nonce: deposits leave it alone); the agent's mint with that key still goes through,
    /// and the vault reports each caller's use separately.
    function _intentNotBurned(bytes32 key) internal {
        vm.prank(attacker);
        vault.deposit(agent, 1, key);
        assertTrue(vault.intentUsed(attacker, key));
        assertFalse(vault.intentUsed(agent, key));
        assertEq(vault.mintNonce(agent), 0);
        vm.prank(agent);
        vault.depositAndMint(10_000e6, 10e18, MODEL, key, 0);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18);
        assertEq(vault.mintNonce(agent), 1);
        assertFalse(vault.intentUsed(agent, key), "a mint's intent id is emitted, not recorded");
    }

    function test_F1_agentIntentCannotBeBurned() public {
        _intentNotBurned(keccak256("agent manifest bytes"));
    }

    function testFuzz_F1_agentIntentCannotBeBurned(bytes32 key) public {
        vm.assume(key != bytes32(0));
        _intentNotBurned(key);
    }
}
