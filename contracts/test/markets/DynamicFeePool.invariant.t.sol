// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";

import {DynamicFeePool} from "../../src/markets/DynamicFeePool.sol";
import {IPolicyGuard} from "../../src/policy/IPolicyGuard.sol";
import {TestGuard} from "./TestGuard.sol";
import {TestToken} from "./TestToken.sol";
import {PoolHandler} from "./handlers/PoolHandler.sol";

/// @notice Pool invariants: k never falls across swaps, removals pay exactly pro rata, reserves are
/// backed by balances, and share balances sum to the supply.
contract DynamicFeePoolInvariantTest is Test {
    DynamicFeePool internal pool;
    TestToken internal t0;
    TestToken internal t1;
    PoolHandler internal handler;
    address[] internal lps;

    function setUp() public {
        t0 = new TestToken("sWTI", 18);
        t1 = new TestToken("tUSD", 6);
        TestGuard g = new TestGuard(0, 0);
        pool = new DynamicFeePool(
            IERC20(address(t0)), IERC20(address(t1)), IPolicyGuard(address(g)), 1000, 30, "LP", "LP"
        );
        for (uint256 i; i < 3; ++i) {
            address a = makeAddr(string.concat("lp", vm.toString(i)));
            lps.push(a);
            vm.startPrank(a);
            t0.approve(address(pool), type(uint256).max);
            t1.approve(address(pool), type(uint256).max);
            vm.stopPrank();
        }
        handler = new PoolHandler(pool, t0, t1, lps, makeAddr("agent"));
        targetContract(address(handler));
    }

    function invariant_kNeverDecreasesAcrossSwaps() public view {
        assertFalse(handler.kDecreased());
    }

    function invariant_removalsArePaidProRata() public view {
        assertFalse(handler.notProRata());
    }

    /// @notice A later deposit takes at most its desired amounts and at most 1 wei per side more than
    /// its shares redeem for, whatever the pool's ratio.
    function invariant_depositsPayWhatSharesAreWorth() public view {
        assertFalse(handler.depositOverpaid());
    }

    /// @notice Every holder's shares redeem for floor(shares * reserve / supply), and together all
    /// holders (with the dead shares) can never claim more than the reserves.
    function invariant_sharesRedeemableForReserves() public view {
        (uint256 r0, uint256 r1,) = pool.getReserves();
        uint256 sum = pool.balanceOf(pool.DEAD());
        uint256 out0;
        uint256 out1;
        for (uint256 i; i < lps.length; ++i) {
            uint256 s = pool.balanceOf(lps[i]);
            sum += s;
            (uint256 a0, uint256 a1) = pool.previewRemove(s);
            if (pool.totalSupply() != 0) {
                assertEq(a0, s * r0 / pool.totalSupply());
                assertEq(a1, s * r1 / pool.totalSupply());
            }
            out0 += a0;
            out1 += a1;
        }
        assertEq(sum, pool.totalSupply());
        assertLe(out0, r0);
        assertLe(out1, r1);
        assertLe(r0, t0.balanceOf(address(pool)));
        assertLe(r1, t1.balanceOf(address(pool)));
    }

    function invariant_feeWithinCeiling() public view {
        assertLe(pool.feeBps(), pool.FEE_CEILING_BPS());
    }
}
