// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {OracleLib} from "../../src/oracle/OracleLib.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {MarketsFixture} from "./MarketsFixture.sol";
import {TestFeed} from "./TestFeed.sol";
import {TestToken} from "./TestToken.sol";

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
        emit SyntheticVault.Minted(agent, MODEL, I1, 100e18, 22_500_000, 26_636, 75e18, 20_000e6);
        _agentOpen(20_000e6, 100e18, I1);
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        assertEq(coll, 20_000e6 - 22_500_000, "collateral net of fee");
        assertEq(debt, 100e18);
        assertEq(synth.balanceOf(agent), 100e18);
        assertEq(synth.totalSupply(), vault.totalDebt());
        // The mint's key is the position's nonce, now moved on; its intent id is emitted, not recorded.
        assertEq(vault.mintNonce(agent), 1);
        assertFalse(vault.intentUsed(agent, I1));
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
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.NothingToFlush.selector, MODEL, 1));
        vault.flushFees(MODEL);
    }

    function testFuzz_depositAndMint(uint256 coll, uint256 amount, int256 price) public {
        coll = bound(coll, 1e6, 500_000e6);
        amount = bound(amount, 1e18, EPOCH_CAP);
        price = bound(price, 1e8, 500e8);
        _steadyPrice(price);
        uint256 valueWad = (amount * uint256(price) * 1e10 + 1e18 - 1) / 1e18;
        uint256 fee = ((valueWad * 30 + 9999) / 10_000 + 1e12 - 1) / 1e12;
        if (fee > coll) {
            vm.expectRevert(abi.encodeWithSelector(SyntheticVault.InsufficientCollateral.selector, coll, fee));
            _agentOpenAt(coll, amount, I1, 0);
            return;
        }
        uint256 ratio = (coll - fee) * 1e12 * 10_000 / valueWad;
        if (ratio < 15_000) {
            vm.expectRevert(
                abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, ratio, 15_000)
            );
            _agentOpenAt(coll, amount, I1, 0);
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
        vault.mint(200e18, MODEL, I2, 1);
        // Nothing changed, and the nonce of the refused mint is still free for a retry.
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 900e18);
        assertEq(vault.mintNonce(agent), 1);
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
        vault.mint(second, MODEL, I2, 1);
    }

    function _refusedForNonAgent(address caller, uint256 coll, uint256 amount) internal {
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, caller));
        vm.prank(caller);
        vault.depositAndMint(coll, amount, MODEL, I1, 0);
        assertEq(synth.totalSupply(), 0);
        assertEq(vault.mintNonce(caller), 0);
    }

    function test_mint_refusedForNonAgent() public {
        _refusedForNonAgent(alice, 20_000e6, 10e18);
    }

    function testFuzz_mint_refusedForNonAgent(uint256 seed, uint256 coll, uint256 amount) public {
        address caller = address(uint160(uint256(keccak256(abi.encode("caller", seed)))));
        vm.assume(caller != agent);
        coll = bound(coll, 12_000e6, 500_000e6);
        _fund(caller, coll);
        _refusedForNonAgent(caller, coll, bound(amount, 1e18, 100e18)); // ratio >= 159%: only the role fails
    }

    function _refusedForUnapprovedModel(bytes32 other, bool registered, uint256 amount) internal {
        if (registered) _registerModel(other, _pair(alice, bob), _pair(500_000e18, 500_000e18));
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyModelNotAllowed.selector,
                keccak256(abi.encode(address(vault), PolicyActions.SYNTH_MINT)),
                other
            )
        );
        vm.prank(agent);
        vault.depositAndMint(20_000e6, amount, other, I1, 0);
        assertEq(vault.feesAccrued(other), 0);
    }

    function test_mint_refusedForUnapprovedModel() public {
        _refusedForUnapprovedModel(keccak256("weights:unapproved"), true, 10e18);
    }

    function testFuzz_mint_refusedForUnapprovedModel(bytes32 other, bool registered, uint256 amount) public {
        vm.assume(other != MODEL && other != bytes32(0));
        _refusedForUnapprovedModel(other, registered, bound(amount, 1e18, 100e18));
    }

    /// @dev The audit's case: `depositAndMint(..., bytes32(0), ...)` used to pass the guard (the model check
    /// was skipped for a zero id) and strand its fee in `feesAccrued[0]`. The guard now refuses it.
    function _refusedForZeroModel(uint256 coll, uint256 amount, bool viaMint) internal {
        bytes32 id = guard.policyId(address(vault), PolicyActions.SYNTH_MINT);
        uint256 nonce = vault.mintNonce(agent);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyModelRequired.selector, id));
        vm.prank(agent);
        if (viaMint) {
            vault.mint(amount, bytes32(0), I2, nonce);
        } else {
            vault.depositAndMint(coll, amount, bytes32(0), I2, nonce);
        }
        assertEq(vault.feesAccrued(bytes32(0)), 0, "no fee stranded under the zero model");
        assertEq(vault.mintNonce(agent), nonce);
    }

    function test_mint_refusedForZeroModel() public {
        _refusedForZeroModel(20_000e6, 10e18, false);
        _agentOpen(20_000e6, 10e18, I1);
        _refusedForZeroModel(0, 10e18, true);
        assertEq(synth.totalSupply(), 10e18);
    }

    function testFuzz_mint_refusedForZeroModel(uint256 coll, uint256 amount, bool viaMint) public {
        coll = bound(coll, 12_000e6, 500_000e6);
        amount = bound(amount, 1e18, 100e18);
        if (viaMint) {
            vm.prank(agent);
            vault.deposit(agent, coll, bytes32(0));
        }
        _refusedForZeroModel(coll, amount, viaMint);
        assertEq(synth.totalSupply(), 0);
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
        _agentOpenAt(11_700e6, 100e18, I1, 0);
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
        _agentOpenAt(coll, 100e18, I1, 0);
    }

    function test_mint_belowMinRatio() public {
        // 11,000 - 22.5 = 10,977.5 against 7,500 = 146.36% < 150%.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, 14_636, 15_000));
        _agentOpenAt(11_000e6, 100e18, I1, 0);
    }

    function testFuzz_mint_belowMinRatio(uint256 coll, uint256 amount) public {
        amount = bound(amount, 1e18, EPOCH_CAP);
        uint256 valueWad = amount * 75; // at 75 USD, exact
        uint256 fee = ((valueWad * 30 + 9999) / 10_000 + 1e12 - 1) / 1e12;
        // (coll - fee) * 1e16 < 15,000 * valueWad: below the minimum ratio (and >= the fee).
        coll = bound(coll, fee, fee + 15_000 * valueWad / 1e16 - 1);
        uint256 ratio = (coll - fee) * 1e16 / valueWad;
        assertLt(ratio, 15_000);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.CollateralRatioTooLow.selector, ratio, 15_000));
        _agentOpenAt(coll, amount, I1, 0);
    }

    /// @dev The agent's crash recovery: a landed mint resent (same intent, same nonce) is refused, because
    /// the nonce it names has moved on; nothing is minted twice.
    function test_mint_resendRefused() public {
        _agentOpen(20_000e6, 10e18, I1);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, 0, 1));
        vm.prank(agent);
        vault.mint(10e18, MODEL, I1, 0);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18);
    }

    function testFuzz_mint_resendRefused(bytes32 intent) public {
        vm.assume(intent != bytes32(0));
        _agentOpen(20_000e6, 10e18, intent);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, 0, 1));
        vm.prank(agent);
        vault.mint(10e18, MODEL, intent, 0);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18);
    }

    /// @dev Intent ids are per caller: `other` using the agent's key first (a deposit) blocks neither the
    /// agent's mint (keyed by its nonce; the intent id is only emitted) nor the agent's own use of the key
    /// for a deposit, and each caller's record is separate.
    function _intentPerCaller(address other, bytes32 key) internal {
        usd.mint(other, 1);
        vm.startPrank(other);
        usd.approve(address(vault), 1);
        vault.deposit(other, 1, key);
        vm.stopPrank();
        assertTrue(vault.intentUsed(other, key));
        assertFalse(vault.intentUsed(agent, key));
        _agentOpen(20_000e6, 10e18, key);
        assertFalse(vault.intentUsed(agent, key), "a mint does not record its intent id");
        assertEq(vault.mintNonce(agent), 1);
        assertEq(vault.mintNonce(other), 0);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18);
        // The mint resent: refused by its nonce.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, 0, 1));
        vm.prank(agent);
        vault.mint(1e18, MODEL, key, 0);
        // The agent's own optional key: free until the agent uses it, then one use per caller.
        vm.prank(agent);
        vault.deposit(agent, 1e6, key);
        assertTrue(vault.intentUsed(agent, key));
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DuplicateIntent.selector, key));
        vm.prank(agent);
        vault.deposit(agent, 1e6, key);
    }

    function test_intent_perCaller() public {
        _intentPerCaller(makeAddr("attacker"), keccak256("agent manifest bytes"));
    }

    function testFuzz_intent_perCaller(address other, bytes32 key) public {
        vm.assume(other != agent && other != address(0) && other != address(vault) && key != bytes32(0));
        _intentPerCaller(other, key);
    }

    function test_mint_missingIntent() public {
        vm.expectRevert(SyntheticVault.MissingIntent.selector);
        _agentOpenAt(20_000e6, 10e18, bytes32(0), 0);
    }

    /// @dev The intent check comes first, whatever the amounts, the model or the entry point.
    function testFuzz_mint_missingIntent(
        uint256 coll,
        uint256 amount,
        bytes32 modelId,
        uint256 nonce,
        bool viaMint
    ) public {
        coll = bound(coll, 0, 1_000_000e6);
        vm.expectRevert(SyntheticVault.MissingIntent.selector);
        vm.prank(agent);
        if (viaMint) vault.mint(amount, modelId, bytes32(0), nonce);
        else vault.depositAndMint(coll, amount, modelId, bytes32(0), nonce);
    }

    function _debtCeilingAndMinDebt(uint256 ceiling, uint256 above, uint256 dust) internal {
        vm.prank(timelock);
        vault.setDebtCeiling(ceiling);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DebtCeilingExceeded.selector, above, ceiling));
        _agentOpenAt(900_000e6, above, I1, 0);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.DebtBelowMinimum.selector, dust, 1e18));
        _agentOpenAt(20_000e6, dust, I1, 0);
        // At the ceiling exactly: allowed.
        _agentOpen(900_000e6, ceiling, I1);
        assertEq(vault.totalDebt(), ceiling);
    }

    function test_mint_debtCeilingAndMinDebt() public {
        _debtCeilingAndMinDebt(50e18, 60e18, 0.5e18);
    }

    function testFuzz_mint_debtCeilingAndMinDebt(uint256 ceiling, uint256 above, uint256 dust) public {
        ceiling = bound(ceiling, 1e18, EPOCH_CAP);
        _debtCeilingAndMinDebt(ceiling, bound(above, ceiling + 1, 10 * EPOCH_CAP), bound(dust, 1, 1e18 - 1));
    }

    // ------------------------------------------------------------------ pause

    /// @dev `pauser` pauses minting (a mint of `pausedAmount` is refused); repay, deposit, withdraw of
    /// `withdrawAmount` (safe) and a liquidation at `price` still work; only the admin unpauses.
    function _pauseBlocksOnlyMinting(
        address pauser,
        uint256 pausedAmount,
        uint256 withdrawAmount,
        int256 price
    ) internal {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(pauser);
        vault.pauseMinting();
        vm.expectRevert(SyntheticVault.MintingPaused.selector);
        vm.prank(agent);
        vault.mint(pausedAmount, MODEL, I2, 1);
        // The guardian cannot unpause.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.VaultNotAdmin.selector, guardianKey));
        vm.prank(guardianKey);
        vault.unpauseMinting();
        // Repay, deposit, withdraw (safe) and liquidation still work.
        vm.startPrank(agent);
        vault.repay(agent, 10e18, bytes32(0));
        vault.deposit(agent, 1000e6, bytes32(0));
        vault.withdraw(withdrawAmount, agent, bytes32(0));
        synth.transfer(keeper, 90e18);
        vm.stopPrank();
        feed.set(price);
        vm.prank(keeper);
        (uint256 repaid,) = vault.liquidate(agent, 10e18, bytes32(0));
        assertEq(repaid, 10e18);
        vm.prank(timelock);
        vault.unpauseMinting();
        vm.prank(agent);
        vault.deposit(agent, 10_000e6, bytes32(0));
        feed.set(75e8);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 81e18);
    }

    function test_pause_blocksOnlyMinting() public {
        _pauseBlocksOnlyMinting(guardianKey, 1e18, 500e6, 116e8); // 12,477.5 / 10,440 = 119.5%
    }

    function testFuzz_pause_blocksOnlyMinting(bool byAdmin, uint256 pausedAmount, uint256 withdrawAmount)
        public
    {
        // At 125 USD the 90 sWTI debt is worth 11,250 and the collateral is in [11,977.5 + 500, 12,977.5):
        // ratio in [110.9%, 115.4%), the partial regime, for any withdrawal in [1, 500] tUSD.
        _pauseBlocksOnlyMinting(
            byAdmin ? timelock : guardianKey,
            bound(pausedAmount, 1, 1e30),
            bound(withdrawAmount, 1, 500e6),
            125e8
        );
    }

    /// @dev The guard paused (globally or for the vault): minting is refused with the guard's error,
    /// while repaying `repayAmount` and liquidating the rest at `price` still work.
    function _guardPauseBlocksMint(bool global, address pauser, uint256 repayAmount, int256 price) internal {
        _agentOpen(12_000e6, 100e18, I1);
        vm.startPrank(pauser);
        if (global) guard.pause();
        else guard.pauseAsset(address(vault));
        vm.stopPrank();
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, global ? address(0) : address(vault))
        );
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18 - repayAmount);
        vm.prank(agent);
        vault.repay(agent, repayAmount, bytes32(0));
        feed.set(price);
        assertTrue(vault.isLiquidatable(agent));
        vm.prank(keeper);
        (uint256 repaid,) = vault.liquidate(agent, type(uint256).max, bytes32(0));
        assertEq(repaid, 100e18 - repayAmount);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 0);
        assertEq(synth.totalSupply(), 0);
    }

    function test_guardPause_blocksMintButNotExits() public {
        // 11,977.5 / (90 * 112 = 10,080) = 118.8%: partial regime, all 90 repaid.
        _guardPauseBlocksMint(true, guardianKey, 10e18, 112e8);
    }

    function testFuzz_guardPause_blocksMintButNotExits(bool global, bool byAdmin, uint256 repayAmount)
        public
    {
        // At 115 USD any remaining debt in [90, 99] is below 120% (115.7% .. 105.2%): liquidatable, in either
        // regime, and the keeper holds exactly the remaining debt.
        _guardPauseBlocksMint(
            global, byAdmin ? timelock : guardianKey, bound(repayAmount, 1e18, 10e18), 115e8
        );
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

    /// Collateral sent to the vault itself would belong to no position and never come out: refused, for the
    /// owner's withdrawal and the admin's reserve withdrawal alike; nothing changes.
    function test_withdraw_toVaultRefused() public {
        _agentOpen(20_000e6, 100e18, I1);
        (uint256 collBefore,) = vault.positionOf(agent);
        uint256 vaultUsd = usd.balanceOf(address(vault));
        vm.expectRevert(SyntheticVault.CollateralToVault.selector);
        vm.prank(agent);
        vault.withdraw(1e6, address(vault), bytes32(0));
        vm.expectRevert(SyntheticVault.CollateralToVault.selector);
        vm.prank(timelock);
        vault.withdrawReserve(address(vault), 0);
        (uint256 collAfter,) = vault.positionOf(agent);
        assertEq(collAfter, collBefore);
        assertEq(usd.balanceOf(address(vault)), vaultUsd);
    }

    function testFuzz_withdraw_toAnyOtherAddress(address to, uint256 amount) public {
        vm.assume(to != address(vault) && to != address(0));
        vm.prank(agent);
        vault.deposit(agent, 20_000e6, bytes32(0));
        amount = bound(amount, 1, 20_000e6);
        uint256 before = usd.balanceOf(to);
        vm.prank(agent);
        vault.withdraw(amount, to, bytes32(0));
        assertEq(usd.balanceOf(to) - before, amount);
        vm.expectRevert(SyntheticVault.CollateralToVault.selector);
        vm.prank(agent);
        vault.withdraw(1, address(vault), bytes32(0));
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
        // Any amount up to the whole debt: no minDebt check in a liquidation (a left-over below minDebt,
        // down to 1 wei, is accepted and stays liquidatable).
        repay = bound(repay, 1, 100e18);
        uint256 ratioBefore = vault.collateralRatioBps(agent);
        (uint256 c0, uint256 d0) = vault.positionOf(agent);
        vm.prank(keeper);
        vault.liquidate(agent, repay, bytes32(0));
        (uint256 c1, uint256 d1) = vault.positionOf(agent);
        assertEq(d1, d0 - repay);
        assertGe(c1 * d0, c0 * d1, "exact ratio never falls");
        if (d1 != 0) assertGe(vault.collateralRatioBps(agent) + 1, ratioBefore);
        assertEq(synth.totalSupply(), vault.totalDebt());
    }

    function test_liquidate_full() public {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(110e8); // 11,977.5 / 11,000 = 108.9% < 110%: full regime
        // Half the debt: half the collateral (5,988.75), of which the liquidator's due is 50 x 110 x 1.05.
        vm.expectEmit(address(vault));
        emit SyntheticVault.Liquidated(agent, keeper, I2, 50e18, 5775e6, 213.75e6, 110e18);
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, 50e18, I2);
        assertEq(repaid, 50e18);
        assertEq(paid, 5775e6);
        (uint256 c, uint256 d) = vault.positionOf(agent);
        assertEq(c, 5988.75e6);
        assertEq(d, 50e18);
        assertEq(vault.collateralRatioBps(agent), 10_888, "same ratio: pro-rata seizure");
        // The rest (maxRepay above the debt is capped at the debt): all the collateral is seized.
        vm.prank(keeper);
        (repaid, paid) = vault.liquidate(agent, type(uint256).max, bytes32(0));
        assertEq(repaid, 50e18);
        assertEq(paid, 5775e6);
        assertEq(vault.reserve(), 11_977.5e6 - 11_550e6);
        (c, d) = vault.positionOf(agent);
        assertEq(c, 0);
        assertEq(d, 0);
        assertEq(synth.totalSupply(), 0);
    }

    /// @dev Full regime: any repay in [1, debt] is accepted, seizes floor(coll * repay / debt), never
    /// lowers the exact ratio, splits the seized collateral between liquidator (at most its due) and
    /// reserve; then the left-over debt (possibly dust below `minDebt`) is liquidated in turn and takes
    /// the last unit of collateral with it (or, if rounding left it over-collateralised, is repaid).
    function _fullRegime(int256 price, uint256 repay) internal {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(price);
        (uint256 c0, uint256 d0) = vault.positionOf(agent);
        uint256 ratio0 = vault.collateralRatioBps(agent);
        assertLt(ratio0, 11_000, "full regime");
        uint256 due = Math.mulDiv(repay, uint256(price), 1e8) * 10_500 / 10_000 / 1e12;
        uint256 seized = c0 * repay / d0;
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, repay, bytes32(0));
        (uint256 c1, uint256 d1) = vault.positionOf(agent);
        assertEq(repaid, repay);
        assertEq(d1, d0 - repay);
        assertEq(c0 - c1, seized);
        assertEq(paid, due < seized ? due : seized);
        assertEq(vault.reserve(), seized - paid);
        assertGe(c1 * d0, c0 * d1, "exact ratio never falls");
        if (d1 != 0) assertGe(vault.collateralRatioBps(agent) + 1, ratio0); // bps view rounds
        assertEq(synth.totalSupply(), vault.totalDebt());
        if (d1 == 0) return;
        if (vault.isLiquidatable(agent)) {
            vm.prank(keeper);
            (repaid,) = vault.liquidate(agent, d1, bytes32(0));
            assertEq(repaid, d1);
        } else {
            // Dust: the seizure rounded down left, e.g., 1 collateral unit against a few wei of debt, now
            // over-collateralised (safe). Anyone may repay it; the owner then withdraws the rest.
            assertGe(vault.collateralRatioBps(agent), 12_000);
            vm.prank(keeper);
            vault.repay(agent, d1, bytes32(0));
            vm.prank(agent);
            vault.withdraw(c1, agent, bytes32(0));
        }
        (c1, d1) = vault.positionOf(agent);
        assertEq(c1, 0, "the last debt unit takes (or frees) the last collateral unit");
        assertEq(d1, 0);
        assertEq(usd.balanceOf(address(vault)), vault.reserve() + vault.feesAccrued(MODEL));
        assertEq(synth.totalSupply(), 0);
    }

    function test_liquidate_fullRegimePartialRepay() public {
        _fullRegime(110e8, 99.5e18); // leaves 0.5 sWTI, below the 1 sWTI minimum debt: dust is allowed
    }

    function testFuzz_liquidate_full(int256 price, uint256 repay) public {
        _fullRegime(bound(price, 109e8, 400e8), bound(repay, 1, 100e18));
    }

    function _safePositionReverts(int256 price, uint256 repay, uint256 expectedRatio) internal {
        _agentOpen(12_000e6, 100e18, I1);
        vm.prank(agent);
        synth.transfer(keeper, 100e18);
        feed.set(price);
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.PositionSafe.selector, agent, expectedRatio, 12_000)
        );
        vm.prank(keeper);
        vault.liquidate(agent, repay, bytes32(0));
        // A position without debt is never liquidatable either.
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.PositionSafe.selector, alice, type(uint256).max, 12_000)
        );
        vm.prank(keeper);
        vault.liquidate(alice, repay, bytes32(0));
    }

    function test_liquidate_safePositionReverts() public {
        _safePositionReverts(WTI, 10e18, 15_970);
    }

    function testFuzz_liquidate_safePositionReverts(int256 price, uint256 repay) public {
        // 11,977.5 tUSD against 100 sWTI is at or above 120% for any price up to 99.8125 USD.
        price = bound(price, 1e8, 99.8125e8);
        uint256 ratio = uint256(11_977.5e6) * 1e16 / (100 * uint256(price) * 1e10);
        assertGe(ratio, 12_000);
        _safePositionReverts(price, bound(repay, 1, 1e30), ratio);
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
        vault.mint(1e18, MODEL, I2, 1);
        vm.expectRevert(err);
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    function testFuzz_staleOracle_blocksMintAndLiquidation(uint256 age, uint256 held) public {
        _agentOpen(12_000e6, 100e18, I1);
        // The keeper holds sWTI, so the only reason the liquidation can fail is the stale round.
        vm.prank(agent);
        synth.transfer(keeper, bound(held, 10e18, 100e18));
        age = bound(age, 3601, 365 days);
        uint256 stamp = block.timestamp - age;
        feed.setAt(100e8, stamp); // unsafe at this price (119.8%), but stale
        bytes memory err = abi.encodeWithSelector(
            OracleLib.OracleStaleRound.selector, address(feed), feed.roundId(), stamp, age, 3600
        );
        vm.expectRevert(err);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        vm.expectRevert(err);
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
        // Fresh again: the same liquidation goes through.
        feed.set(100e8);
        vm.prank(keeper);
        (uint256 repaid,) = vault.liquidate(agent, 10e18, bytes32(0));
        assertEq(repaid, 10e18);
    }

    // ------------------------------------------------------------------ the guard's oracle policy

    function _mintId() internal view returns (bytes32) {
        return guard.policyId(address(vault), PolicyActions.SYNTH_MINT);
    }

    /// @dev The SYNTH_MINT policy's `maxOracleAge` is tighter than the vault's own (3,600 s): a round the
    /// vault would accept is refused by the guard, on the round that prices the mint.
    function _policyStale(uint256 policyAge, uint256 age) internal {
        _agentOpen(20_000e6, 10e18, I1);
        vm.prank(timelock);
        guard.setLimit(address(vault), PolicyActions.SYNTH_MINT, PolicyGuard.Field.MaxOracleAge, policyAge);
        uint256 stamp = block.timestamp - age;
        feed.setAt(WTI, stamp); // within the vault's 3,600 s
        vm.expectRevert(
            abi.encodeWithSelector(PolicyGuard.PolicyOracleStale.selector, _mintId(), stamp, age, policyAge)
        );
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        // Nothing moved; the nonce is free for a retry on a fresh round.
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18);
        assertEq(vault.mintNonce(agent), 1);
        feed.set(WTI);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        assertEq(vault.mintNonce(agent), 2);
        (, debt) = vault.positionOf(agent);
        assertEq(debt, 11e18);
    }

    function test_mint_refusedForPolicyStaleRound() public {
        _policyStale(600, 601);
    }

    function testFuzz_mint_refusedForPolicyStaleRound(uint256 policyAge, uint256 age) public {
        policyAge = bound(policyAge, 0, 3599);
        _policyStale(policyAge, bound(age, policyAge + 1, 3600));
    }

    /// @dev The round that prices the mint moved from the previous round by more than the policy's
    /// `maxDeviationBps`: refused with the guard's error (same rule as `checkOracle`); within it: minted.
    function _policyDeviation(uint256 maxDev, int256 previous, int256 answer) internal {
        _agentOpen(500_000e6, 10e18, I1);
        vm.prank(timelock);
        guard.setLimit(address(vault), PolicyActions.SYNTH_MINT, PolicyGuard.Field.MaxDeviationBps, maxDev);
        feed.set(previous);
        feed.set(answer);
        uint256 diff = answer > previous ? uint256(answer - previous) : uint256(previous - answer);
        uint256 dev = diff * 10_000 / uint256(previous);
        if (dev > maxDev) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    PolicyGuard.PolicyOracleDeviation.selector, _mintId(), answer, previous, dev, maxDev
                )
            );
        }
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, dev > maxDev ? 10e18 : 11e18);
        assertEq(vault.mintNonce(agent), dev > maxDev ? 1 : 2);
    }

    function test_mint_refusedForDeviantRound() public {
        uint256 snap = vm.snapshotState();
        _policyDeviation(1000, 75e8, 84e8); // +12% > 10%: refused
        vm.revertToState(snap);
        _policyDeviation(1000, 75e8, 66e8); // -12%: refused
    }

    function test_mint_withinDeviationMints() public {
        _policyDeviation(1000, 75e8, 82.5e8); // +10% exactly: allowed
    }

    function testFuzz_mint_refusedForDeviantRound(uint256 maxDev, int256 previous, uint256 moveBps, bool up)
        public
    {
        maxDev = bound(maxDev, 0, 9000);
        previous = bound(previous, 10e8, 200e8);
        moveBps = bound(moveBps, maxDev + 1, up ? 10_000 : 9900); // strictly more than allowed
        int256 move = previous * int256(moveBps) / 10_000 + 1; // rounding up keeps it above the limit
        assertGt(uint256(move) * 10_000 / uint256(previous), maxDev, "the move exceeds the limit");
        _policyDeviation(maxDev, previous, up ? previous + move : previous - move);
    }

    /// @dev Any move (in or out of the limit): the outcome matches the rule recomputed here.
    function testFuzz_mint_deviationRule(uint256 maxDev, int256 previous, int256 answer) public {
        _policyDeviation(bound(maxDev, 0, 10_000), bound(previous, 10e8, 200e8), bound(answer, 1e8, 400e8));
    }

    /// @dev A feed's first round has no previous round (`getRoundData(0)` reverts, as the MedianOracle's
    /// does): only freshness is checked, even with a zero deviation limit.
    function test_mint_firstRoundChecksFreshnessOnly() public {
        assertEq(feed.roundId(), 1);
        vm.prank(timelock);
        guard.setLimit(address(vault), PolicyActions.SYNTH_MINT, PolicyGuard.Field.MaxDeviationBps, 0);
        _agentOpen(20_000e6, 10e18, I1);
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(debt, 10e18);
    }

    function test_nonPositiveOracle_blocksMintAndLiquidation() public {
        _agentOpen(12_000e6, 100e18, I1);
        feed.set(0);
        bytes memory err = abi.encodeWithSelector(
            OracleLib.OracleNonPositiveAnswer.selector, address(feed), feed.roundId(), int256(0)
        );
        vm.expectRevert(err);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        vm.expectRevert(err);
        vm.prank(keeper);
        vault.liquidate(agent, 10e18, bytes32(0));
    }

    function testFuzz_nonPositiveOracle_blocksMintAndLiquidation(int256 answer) public {
        _agentOpen(12_000e6, 100e18, I1);
        answer = bound(answer, type(int128).min, 0); // a feed stores answers in int128
        feed.set(answer);
        bytes memory err = abi.encodeWithSelector(
            OracleLib.OracleNonPositiveAnswer.selector, address(feed), feed.roundId(), answer
        );
        vm.expectRevert(err);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
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

    /// Each missing address is named.
    function test_constructor_namesEachZeroAddress() public {
        string[4] memory fields = ["collateral", "feed", "guard", "admin"];
        for (uint256 i; i < 4; ++i) {
            SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(usd)), feed, guard, registry);
            if (i == 0) c.collateral = IERC20Metadata(address(0));
            if (i == 1) c.feed = TestFeed(address(0));
            if (i == 2) c.guard = PolicyGuard(address(0));
            if (i == 3) c.admin = address(0);
            vm.expectRevert(abi.encodeWithSelector(SyntheticVault.ZeroAddress.selector, fields[i]));
            new SyntheticVault(c);
        }
    }

    /// The vault pays fees into its registry and the guard approves models in its own: they must match.
    function test_constructor_rejectsRegistryOtherThanGuards() public {
        _checkRegistryMismatch(address(0xBEEF));
    }

    function testFuzz_constructor_rejectsRegistryOtherThanGuards(address other) public {
        vm.assume(other != address(0) && other != address(registry));
        _checkRegistryMismatch(other);
    }

    /// Fees accrue in collateral and the registry pulls its fee token: a vault on another token would lock
    /// every fee (third audit, F2), so it is refused at deployment.
    function test_constructor_rejectsCollateralOtherThanFeeToken() public {
        Token18 dai = new Token18();
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(dai)), feed, guard, registry);
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.VaultFeeTokenMismatch.selector, address(dai), address(usd))
        );
        new SyntheticVault(c);
    }

    function testFuzz_constructor_rejectsCollateralOtherThanFeeToken(uint8 decimals) public {
        decimals = uint8(bound(decimals, 0, 18)); // above 18 the decimals are refused first (see below)
        TestToken other = new TestToken("other", decimals);
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(other)), feed, guard, registry);
        vm.expectRevert(
            abi.encodeWithSelector(
                SyntheticVault.VaultFeeTokenMismatch.selector, address(other), address(usd)
            )
        );
        new SyntheticVault(c);
        // Without a fee registry (and a zero fee) any collateral is accepted.
        c.registry = IModelRegistry(address(0));
        c.risk.mintFeeBps = 0;
        new SyntheticVault(c);
    }

    function _checkRegistryMismatch(address other) internal {
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(usd)), feed, guard, registry);
        c.registry = IModelRegistry(other);
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.VaultRegistryMismatch.selector, other, address(registry))
        );
        new SyntheticVault(c);
        // The guard's own registry (or none, with a zero fee) is accepted.
        c.registry = IModelRegistry(address(registry));
        new SyntheticVault(c);
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

    /// @dev The synth is the vault: there is no external mint or burn to call (a selector for one hits no
    /// function and reverts), so supply moves only through the vault's own mint, repay and liquidation.
    function test_synthOnlyVaultMints() public {
        assertEq(vault.SYNTH(), address(vault));
        vm.prank(alice);
        (bool ok,) = address(synth).call(abi.encodeWithSignature("mint(address,uint256)", alice, 1));
        assertFalse(ok, "no external mint");
        assertEq(synth.totalSupply(), 0);
        assertEq(synth.balanceOf(alice), 0);
    }

    /// @dev The synth keeps its own balances and reads its supply from `totalDebt`: transfers move
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
        _steadyPrice(answer);
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

    /// @dev Collateral with more than 18 decimals is refused, naming its decimals: the reserve is a uint96
    /// of collateral units (`MAX_TOTAL`), which above 18 decimals is less than 7.9e10 whole tokens (0.079
    /// at 30). 18 and 0 are accepted; the feed keeps its own bound (36 accepted, 37 refused).
    function test_decimals_collateralAbove18Refused() public {
        uint8[6] memory refused = [uint8(19), 24, 30, 36, 37, 255];
        for (uint256 i; i < refused.length; ++i) {
            _checkCollateralDecimalsRefused(refused[i]);
        }
        _checkCollateralDecimalsAccepted(18);
        _checkCollateralDecimalsAccepted(0);
        SyntheticVault.Config memory c =
            _vaultConfig(IERC20Metadata(address(usd)), new TestFeed(36, 75e36), guard, registry);
        assertEq(new SyntheticVault(c).priceWad(), 75e18, "a 36-decimal feed is accepted");
        c.feed = new TestFeed(37, 75e8); // the test feed stores an int128: any answer will do here
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.UnsupportedDecimals.selector, 37));
        new SyntheticVault(c);
    }

    function testFuzz_decimals_collateralAbove18Refused(uint8 decimals) public {
        if (decimals > 18) _checkCollateralDecimalsRefused(decimals);
        else _checkCollateralDecimalsAccepted(decimals);
    }

    function _collateralOf(uint8 decimals) internal returns (SyntheticVault.Config memory c) {
        TestToken token = new TestToken("cX", decimals);
        c = _vaultConfig(IERC20Metadata(address(token)), feed, guard, registry);
        c.registry = IModelRegistry(address(0)); // not the fee token: no fees for this vault
        c.risk.mintFeeBps = 0;
    }

    function _checkCollateralDecimalsRefused(uint8 decimals) internal {
        SyntheticVault.Config memory c = _collateralOf(decimals);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.UnsupportedDecimals.selector, decimals));
        new SyntheticVault(c);
    }

    /// @dev Deploys, takes a deposit, and its reserve cap is at least 7.9e10 whole tokens. (Mint and
    /// liquidation figures at 0..18 decimals: `contracts/test/security/VaultFold.security.t.sol`.)
    function _checkCollateralDecimalsAccepted(uint8 decimals) internal {
        SyntheticVault.Config memory c = _collateralOf(decimals);
        SyntheticVault v = new SyntheticVault(c);
        TestToken token = TestToken(address(c.collateral));
        uint256 amount = 150 * 10 ** uint256(decimals);
        token.mint(alice, amount);
        vm.startPrank(alice);
        token.approve(address(v), amount);
        v.deposit(agent, amount, bytes32(0));
        vm.stopPrank();
        (uint256 coll,) = v.positionOf(agent);
        assertEq(coll, amount);
        assertGe(
            v.MAX_TOTAL() / 10 ** uint256(decimals), 79_228_162_514, "reserve cap >= 7.9e10 whole tokens"
        );
    }

    /// @dev A 24-decimal feed whose answer is below one WAD unit: the price would truncate to zero (every
    /// position safe, every fee zero), so pricing refuses it; one unit more prices normally.
    function test_decimals_answerBelowWadPrecisionRefused() public {
        TestFeed feed24 = new TestFeed(24, 999_999);
        SyntheticVault.Config memory c = _vaultConfig(IERC20Metadata(address(usd)), feed24, guard, registry);
        SyntheticVault v = new SyntheticVault(c);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.PriceBelowPrecision.selector, 999_999));
        v.priceWad();
        feed24.set(1_000_000);
        assertEq(v.priceWad(), 1);
    }

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
        v18.depositAndMint(12_000e18, 100e18, MODEL, I1, 0);
        vm.stopPrank();
        assertEq(v18.collateralRatioBps(agent), 16_000);
    }
}

