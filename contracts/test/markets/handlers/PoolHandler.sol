// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";

import {DynamicFeePool} from "../../../src/markets/DynamicFeePool.sol";
import {TestToken} from "../TestToken.sol";

/// @notice Drives a DynamicFeePool with random liquidity moves, swaps and fee changes; ghost flags
/// record any swap that lowered k, any removal that paid other than the pro-rata amounts, and any
/// later deposit that took more than 1 wei per side above what its shares redeem for (audit 2, F4).
contract PoolHandler is Test {
    DynamicFeePool internal pool;
    TestToken internal t0;
    TestToken internal t1;
    address[] public lps;
    address public agent;

    bool public kDecreased;
    bool public notProRata;
    bool public depositOverpaid;
    uint256 public deposits;
    uint256 public swaps;
    uint256 public removals;

    constructor(DynamicFeePool pool_, TestToken t0_, TestToken t1_, address[] memory lps_, address agent_) {
        pool = pool_;
        t0 = t0_;
        t1 = t1_;
        lps = lps_;
        agent = agent_;
    }

    function lpCount() external view returns (uint256) {
        return lps.length;
    }

    function _lp(uint256 seed) internal view returns (address) {
        return lps[seed % lps.length];
    }

    function add(uint256 seed, uint256 a0, uint256 a1) external {
        address lp = _lp(seed);
        a0 = bound(a0, 1e6, 1e24);
        a1 = bound(a1, 1e3, 1e15);
        t0.mint(lp, a0);
        t1.mint(lp, a1);
        bool first = pool.totalSupply() == 0;
        vm.prank(lp);
        try pool.addLiquidity(a0, a1, 0, 0, lp, block.timestamp) returns (
            uint256 p0, uint256 p1, uint256 shares
        ) {
            if (first) return;
            ++deposits;
            (uint256 back0, uint256 back1) = pool.previewRemove(shares);
            if (p0 > a0 || p1 > a1 || back0 + 1 < p0 || back1 + 1 < p1) depositOverpaid = true;
        } catch {}
    }

    function remove(uint256 seed, uint256 shares) external {
        address lp = _lp(seed);
        uint256 bal = pool.balanceOf(lp);
        if (bal == 0) return;
        shares = bound(shares, 1, bal);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        uint256 supply = pool.totalSupply();
        uint256 e0 = shares * r0 / supply;
        uint256 e1 = shares * r1 / supply;
        uint256 b0 = t0.balanceOf(lp);
        uint256 b1 = t1.balanceOf(lp);
        vm.prank(lp);
        try pool.removeLiquidity(shares, 0, 0, lp, block.timestamp) {
            removals++;
            if (t0.balanceOf(lp) - b0 != e0 || t1.balanceOf(lp) - b1 != e1) notProRata = true;
        } catch {}
    }

    function swap(uint256 seed, bool zeroForOne, uint256 amountIn) external {
        address trader = _lp(seed);
        TestToken tin = zeroForOne ? t0 : t1;
        amountIn = bound(amountIn, 1, zeroForOne ? 1e23 : 1e14);
        tin.mint(trader, amountIn);
        (uint256 r0, uint256 r1,) = pool.getReserves();
        vm.prank(trader);
        try pool.swapExactIn(address(tin), amountIn, 0, trader, block.timestamp) {
            swaps++;
            (uint256 n0, uint256 n1,) = pool.getReserves();
            if (n0 * n1 < r0 * r1) kDecreased = true;
        } catch {}
    }

    function setFee(uint16 fee) external {
        vm.prank(agent);
        pool.setFee(uint16(bound(fee, 0, 1000)));
    }
}
