// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {DynamicFeePool} from "../../src/markets/DynamicFeePool.sol";
import {IPolicyGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {MarketsFixture} from "./MarketsFixture.sol";

contract DynamicFeePoolTest is MarketsFixture {
    address internal attacker = makeAddr("attacker");
    address internal victim = makeAddr("victim");

    function setUp() public {
        _deployMarkets();
        // The agent mints sWTI and hands it out, so test accounts hold both sides.
        _fund(agent, 10_000_000e6);
        _agentOpen(1_000_000e6, 1000e18, keccak256("seed-mint"));
        address[4] memory users = [alice, bob, attacker, victim];
        for (uint256 i; i < users.length; ++i) {
            _fund(users[i], 1_000_000e6);
            vm.prank(agent);
            synth.transfer(users[i], 200e18);
        }
    }

    function _seed() internal returns (uint256 shares) {
        vm.prank(alice);
        (,, shares) = pool.addLiquidity(100e18, 7500e6, 0, 0, alice, block.timestamp);
    }

    // ------------------------------------------------------------------ liquidity

    function _burnsMinimumLiquidity(uint256 a0, uint256 a1) internal {
        vm.prank(alice);
        (uint256 used0, uint256 used1, uint256 shares) =
            pool.addLiquidity(a0, a1, 0, 0, alice, block.timestamp);
        uint256 root = Math.sqrt(a0 * a1);
        assertEq(used0, a0);
        assertEq(used1, a1);
        assertEq(shares, root - 1000);
        assertEq(pool.balanceOf(alice), root - 1000);
        assertEq(pool.balanceOf(pool.DEAD()), 1000);
        assertEq(pool.totalSupply(), root);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        assertEq(r0, a0);
        assertEq(r1, a1);
    }

    /// Each bad constructor argument is named (a zero token or guard, the same token twice, a ceiling above
    /// the absolute 10 %).
    function test_constructor_namesEachBadArgument() public {
        IERC20 s = IERC20(address(synth));
        IERC20 u = IERC20(address(usd));
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.InvalidConfig.selector, "zero token"));
        new DynamicFeePool(IERC20(address(0)), u, guard, 1000, 30, "LP", "LP");
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.InvalidConfig.selector, "zero token"));
        new DynamicFeePool(s, IERC20(address(0)), guard, 1000, 30, "LP", "LP");
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.InvalidConfig.selector, "token0 == token1"));
        new DynamicFeePool(s, s, guard, 1000, 30, "LP", "LP");
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.InvalidConfig.selector, "zero guard"));
        new DynamicFeePool(s, u, IPolicyGuard(address(0)), 1000, 30, "LP", "LP");
        _checkCeiling(1001);
    }

    function testFuzz_constructor_ceilingAboveAbsolute(uint256 ceiling) public {
        _checkCeiling(bound(ceiling, 1001, type(uint256).max));
    }

    function _checkCeiling(uint256 ceiling) internal {
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.FeeAboveCeiling.selector, ceiling, 1000));
        new DynamicFeePool(IERC20(address(synth)), IERC20(address(usd)), guard, ceiling, 30, "LP", "LP");
    }

    function test_firstDeposit_burnsMinimumLiquidity() public {
        _burnsMinimumLiquidity(100e18, 7500e6);
    }

    function testFuzz_firstDeposit_burnsMinimumLiquidity(uint256 a0, uint256 a1) public {
        // a0 * a1 >= 1e12: sqrt >= 1e6 > MINIMUM_LIQUIDITY.
        _burnsMinimumLiquidity(bound(a0, 1e6, 200e18), bound(a1, 1e6, 1_000_000e6));
    }

    function _firstDepositTooSmall(uint256 a0, uint256 a1) internal {
        uint256 root = Math.sqrt(a0 * a1);
        assertLe(root, 1000);
        vm.expectRevert(
            abi.encodeWithSelector(DynamicFeePool.InsufficientInitialLiquidity.selector, root, 1000)
        );
        vm.prank(alice);
        pool.addLiquidity(a0, a1, 0, 0, alice, block.timestamp);
        assertEq(pool.totalSupply(), 0);
    }

    function test_firstDeposit_tooSmall() public {
        _firstDepositTooSmall(1000, 1000);
    }

    function testFuzz_firstDeposit_tooSmall(uint256 a0, uint256 a1) public {
        a0 = bound(a0, 1, 1_000_000);
        _firstDepositTooSmall(a0, bound(a1, 1, 1_000_000 / a0)); // a0 * a1 <= 1e6: sqrt <= 1000
    }

    /// @dev The classic attack: deposit dust, donate a fortune to inflate the share price, and let the
    /// victim's deposit round down to zero shares. Internal reserves ignore the donation, and dead shares
    /// make dust deposits impossible, so the victim gets a fair share.
    function test_firstDepositorInflation() public {
        vm.startPrank(attacker);
        pool.addLiquidity(1001, 1001, 0, 0, attacker, block.timestamp); // 1 share + 1000 dead
        synth.transfer(address(pool), 100e18); // donation
        usd.transfer(address(pool), 100_000e6);
        vm.stopPrank();
        usd.mint(victim, 1e18);
        vm.prank(victim);
        (uint256 a0, uint256 a1, uint256 shares) =
            pool.addLiquidity(1e18, 1e18, 0, 0, victim, block.timestamp);
        assertEq(a0, 1e18);
        assertEq(a1, 1e18);
        (uint256 out0, uint256 out1) = pool.previewRemove(shares);
        // The victim can redeem essentially everything deposited (loss < 1 ppm).
        assertGe(out0, a0 - a0 / 1e6);
        assertGe(out1, a1 - a1 / 1e6);
    }

    function testFuzz_firstDepositorInflation(uint256 seed0, uint256 donation, uint256 deposit) public {
        seed0 = bound(seed0, 1001, 1e9);
        donation = bound(donation, 0, 100e18);
        deposit = bound(deposit, 1e6, 1e18);
        usd.mint(victim, 1e18);
        vm.startPrank(attacker);
        pool.addLiquidity(seed0, seed0, 0, 0, attacker, block.timestamp);
        synth.transfer(address(pool), donation);
        vm.stopPrank();
        vm.prank(victim);
        (uint256 a0,, uint256 shares) = pool.addLiquidity(deposit, deposit, 0, 0, victim, block.timestamp);
        (uint256 out0,) = pool.previewRemove(shares);
        // Rounding costs the victim at most one share's worth: a0 * 1 / supply-before + 1 wei.
        assertGe(out0 + a0 / seed0 + 1, a0);
    }

    /// @dev A second deposit of (`d0`, `d1`) desired mints the most shares both sides cover at the
    /// 100 : 7,500 ratio and takes only what they are worth (rounded up), so it is redeemable for what it
    /// paid less at most 1 wei per side.
    function _proRata(uint256 d0, uint256 d1) internal {
        _seed();
        uint256 supply = pool.totalSupply();
        uint256 expectedShares = Math.min(d0 * supply / 100e18, d1 * supply / 7500e6);
        if (expectedShares == 0) {
            vm.expectRevert(DynamicFeePool.ZeroAmount.selector);
            vm.prank(bob);
            pool.addLiquidity(d0, d1, 0, 0, bob, block.timestamp);
            return;
        }
        uint256 e0 = Math.mulDiv(expectedShares, 100e18, supply, Math.Rounding.Ceil);
        uint256 e1 = Math.mulDiv(expectedShares, 7500e6, supply, Math.Rounding.Ceil);
        vm.prank(bob);
        (uint256 a0, uint256 a1, uint256 shares) = pool.addLiquidity(d0, d1, 0, 0, bob, block.timestamp);
        assertEq(a0, e0);
        assertEq(a1, e1);
        assertLe(a0, d0);
        assertLe(a1, d1);
        assertEq(shares, expectedShares);
        (uint256 o0, uint256 o1) = pool.previewRemove(shares);
        assertLe(o0, a0);
        assertLe(o1, a1);
        assertApproxEqAbs(o0, a0, 1);
        assertApproxEqAbs(o1, a1, 1);
    }

    function test_addLiquidity_proRata() public {
        _proRata(10e18, 10_000e6); // 10 sWTI + 750 tUSD
    }

    function testFuzz_addLiquidity_proRata(uint256 d0, uint256 d1) public {
        _proRata(bound(d0, 1, 200e18), bound(d1, 1, 1_000_000e6));
    }

    /// @dev Audit 2 F4: in a pool seeded at a skewed ratio (`s0` : `s1`), a later LP passing per-side
    /// minimums equal to what it offers pays at most 1 wei per side more than its shares redeem for, and
    /// the pool takes exactly what `addLiquidity` returns.
    function _skewedDeposit(uint256 s0, uint256 s1, uint256 d0, uint256 d1) internal {
        deal(address(synth), attacker, s0);
        deal(address(synth), alice, d0);
        vm.prank(attacker);
        pool.addLiquidity(s0, s1, 0, 0, attacker, block.timestamp);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        uint256 supply = pool.totalSupply();
        uint256 cover = Math.min(d0 * supply / r0, d1 * supply / r1);
        uint256 before0 = synth.balanceOf(alice);
        uint256 before1 = usd.balanceOf(alice);
        vm.prank(alice);
        if (cover == 0) {
            vm.expectRevert(DynamicFeePool.ZeroAmount.selector);
            pool.addLiquidity(d0, d1, 0, 0, alice, block.timestamp);
            return;
        }
        (uint256 a0, uint256 a1, uint256 shares) = pool.addLiquidity(d0, d1, 0, 0, alice, block.timestamp);
        assertEq(shares, cover);
        assertLe(a0, d0);
        assertLe(a1, d1);
        assertEq(before0 - synth.balanceOf(alice), a0);
        assertEq(before1 - usd.balanceOf(alice), a1);
        (uint256 back0, uint256 back1) = pool.previewRemove(shares);
        assertLe(back0, a0);
        assertLe(back1, a1);
        assertGe(back0 + 1, a0);
        assertGe(back1 + 1, a1);
    }

    function test_addLiquidity_skewedPoolNoOverpay() public {
        // The audit's numbers: 998 sWTI : 1,000 tUSD units, then 1.98 sWTI + 1 tUSD offered. Before the
        // fix the pool took 1.98e18 sWTI for shares redeemable for 0.998e18.
        _skewedDeposit(998e18, 1000, 1.98e18, 1e6);
        (uint256 back0,) = pool.previewRemove(pool.balanceOf(alice));
        assertGt(back0, 1.979e18); // was 0.998e18; what is left is one share's granularity (~1e9 wei)
    }

    function testFuzz_addLiquidity_skewedPoolNoOverpay(uint256 s0, uint256 s1, uint256 d0, uint256 d1)
        public
    {
        s0 = bound(s0, 1e6, 1000e18);
        s1 = bound(s1, 1, 1_000_000e6);
        vm.assume(Math.sqrt(s0 * s1) > 1000);
        _skewedDeposit(s0, s1, bound(d0, 1, 1000e18), bound(d1, 1, 1_000_000e6));
    }

    function test_removeLiquidity() public {
        uint256 shares = _seed();
        (uint256 e0, uint256 e1) = pool.previewRemove(shares / 2);
        uint256 b0 = synth.balanceOf(alice);
        uint256 b1 = usd.balanceOf(alice);
        vm.prank(alice);
        (uint256 a0, uint256 a1) = pool.removeLiquidity(shares / 2, e0, e1, alice, block.timestamp);
        assertEq(a0, e0);
        assertEq(a1, e1);
        assertEq(synth.balanceOf(alice) - b0, e0);
        assertEq(usd.balanceOf(alice) - b1, e1);
    }

    function testFuzz_removeLiquidity(uint256 part) public {
        uint256 shares = _seed();
        part = bound(part, 1, shares);
        uint256 supply = pool.totalSupply();
        vm.prank(alice);
        (uint256 a0, uint256 a1) = pool.removeLiquidity(part, 0, 0, alice, block.timestamp);
        assertEq(a0, part * 100e18 / supply);
        assertEq(a1, part * 7500e6 / supply);
    }

    // ------------------------------------------------------------------ swap

    function test_swap() public {
        _seed();
        uint256 expected = pool.quote(address(synth), 1e18);
        // 1 sWTI in at 0.30%: 0.997 * 7500 / 100.997 = 74.0368...
        assertEq(expected, 74_036_852);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        vm.expectEmit(address(pool));
        emit DynamicFeePool.Swapped(bob, address(synth), bob, 1e18, expected, 30);
        vm.prank(bob);
        uint256 out = pool.swapExactIn(address(synth), 1e18, expected, bob, block.timestamp);
        assertEq(out, expected);
        (uint256 n0, uint256 n1,) = pool.getReserves();
        assertGt(n0 * n1, r0 * r1, "k grows by the fee");
    }

    function testFuzz_swap(bool zeroForOne, uint256 amountIn) public {
        _seed();
        address tokenIn = zeroForOne ? address(synth) : address(usd);
        amountIn = bound(amountIn, 1000, zeroForOne ? 100e18 : 10_000e6);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        vm.prank(bob);
        try pool.swapExactIn(tokenIn, amountIn, 1, bob, block.timestamp) {}
        catch (bytes memory err) {
            // Only a dust trade with zero output may fail.
            assertEq(bytes4(err), DynamicFeePool.InsufficientOutput.selector);
            return;
        }
        (uint256 n0, uint256 n1,) = pool.getReserves();
        assertGe(n0 * n1, r0 * r1);
    }

    /// @dev A swap of `amountIn` asking `extra` more than the quote, one `late` seconds after its deadline,
    /// and one of a foreign token are refused with their errors; the reserves do not move.
    function _slippageAndDeadline(
        bool zeroForOne,
        uint256 amountIn,
        uint256 extra,
        uint256 late,
        address bogus
    ) internal {
        _seed();
        address tokenIn = zeroForOne ? address(synth) : address(usd);
        uint256 expected = pool.quote(tokenIn, amountIn);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        vm.expectRevert(
            abi.encodeWithSelector(DynamicFeePool.InsufficientOutput.selector, expected, expected + extra)
        );
        vm.prank(bob);
        pool.swapExactIn(tokenIn, amountIn, expected + extra, bob, block.timestamp);
        vm.expectRevert(
            abi.encodeWithSelector(DynamicFeePool.Expired.selector, block.timestamp - late, block.timestamp)
        );
        vm.prank(bob);
        pool.swapExactIn(tokenIn, amountIn, 0, bob, block.timestamp - late);
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.InvalidToken.selector, bogus));
        vm.prank(bob);
        pool.swapExactIn(bogus, amountIn, 0, bob, block.timestamp);
        (uint256 n0, uint256 n1,) = pool.getReserves();
        assertEq(n0, r0);
        assertEq(n1, r1);
        // The quote itself is honoured exactly.
        vm.prank(bob);
        assertEq(pool.swapExactIn(tokenIn, amountIn, expected, bob, block.timestamp), expected);
    }

    function test_swap_slippageAndDeadline() public {
        _slippageAndDeadline(false, 75e6, 1, 1, address(registry));
    }

    function testFuzz_swap_slippageAndDeadline(
        bool zeroForOne,
        uint256 amountIn,
        uint256 extra,
        uint256 late,
        address bogus
    ) public {
        vm.assume(bogus != address(synth) && bogus != address(usd));
        amountIn = bound(amountIn, zeroForOne ? 1e15 : 1e6, zeroForOne ? 100e18 : 10_000e6); // quote > 0
        _slippageAndDeadline(
            zeroForOne, amountIn, bound(extra, 1, 1e30), bound(late, 1, block.timestamp), bogus
        );
    }

    // ------------------------------------------------------------------ fee

    function test_setFee_withinBounds() public {
        vm.expectEmit(address(pool));
        emit DynamicFeePool.FeeChanged(30, 50, agent);
        vm.prank(agent);
        pool.setFee(50);
        assertEq(pool.feeBps(), 50);
    }

    function test_setFee_refused() public {
        bytes32 id = guard.policyId(address(pool), PolicyActions.SET_FEE);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyStepTooLarge.selector, id, 30, 51, 20));
        vm.prank(agent);
        pool.setFee(51);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyValueOutOfBounds.selector, id, 4, 5, 100));
        vm.prank(agent);
        pool.setFee(4);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, alice));
        vm.prank(alice);
        pool.setFee(40);
        vm.expectRevert(abi.encodeWithSelector(DynamicFeePool.FeeAboveCeiling.selector, 1001, 1000));
        vm.prank(agent);
        pool.setFee(1001);
    }

    function testFuzz_setFee(uint16 fee) public {
        fee = uint16(bound(fee, 0, 1000));
        bytes32 id = guard.policyId(address(pool), PolicyActions.SET_FEE);
        if (fee < 5 || fee > 100) {
            vm.expectRevert(
                abi.encodeWithSelector(PolicyGuard.PolicyValueOutOfBounds.selector, id, fee, 5, 100)
            );
        } else if (fee > 50 || fee < 10) {
            uint256 to = fee;
            vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyStepTooLarge.selector, id, 30, to, 20));
        }
        vm.prank(agent);
        pool.setFee(fee);
    }
}
