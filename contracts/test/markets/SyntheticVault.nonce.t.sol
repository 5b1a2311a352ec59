// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {Vm} from "forge-std/Vm.sol";

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {MarketsFixture} from "./MarketsFixture.sol";

/// @notice The mints' exactly-once key, the position's `mintNonce`: it starts at zero, moves by exactly one
/// per landed `mint` / `depositAndMint` (`mintWithProof` and `proveAndMint`: contracts/test/zk/VaultZkMint.t.sol),
/// refuses any other value with `MintNonceMismatch(given, current)`, and nothing else moves it — not a refused
/// mint, not a deposit by a third party, a repay, a withdrawal or a liquidation, not another account's mints.
/// The position is one packed slot (collateral, debt: uint112; nonce: uint32) written by the mint path in one
/// assembly store and by a liquidation field by field: both round-trip through `positionOf` and `mintNonce`.
contract SyntheticVaultNonceTest is MarketsFixture {
    bytes32 internal constant I1 = keccak256("nonce-intent-1");
    bytes32 internal constant I2 = keccak256("nonce-intent-2");
    uint256 internal constant MAX_112 = type(uint112).max;

    function setUp() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
        _fund(keeper, 1_000_000e6);
        _fund(alice, 1_000_000e6);
    }

    // ------------------------------------------------------------------ helpers

    /// @dev `who` mints `amount` of MODEL at its current nonce (read before the prank).
    function _mintAs(address who, uint256 amount, bytes32 intent) internal {
        uint256 nonce = vault.mintNonce(who);
        vm.prank(who);
        vault.mint(amount, MODEL, intent, nonce);
    }

    /// @dev The raw slot of `owner`'s position: found by its content among the first 64 mapping bases.
    function _positionSlot(address owner, uint256 expectedWord) internal view returns (bytes32) {
        for (uint256 base; base < 64; ++base) {
            bytes32 slot = keccak256(abi.encode(owner, base));
            if (uint256(vm.load(address(vault), slot)) == expectedWord) return slot;
        }
        revert("position slot not found");
    }

    function _word(uint256 coll, uint256 debt, uint256 nonce) internal pure returns (uint256) {
        return coll | (debt << 112) | (nonce << 224);
    }

    /// @dev `positionOf` and `mintNonce` read back `coll`, `debt`, `nonce`, and the slot holds exactly their
    /// packing (collateral bits 0..111, debt 112..223, nonce 224..255).
    function _assertStored(address owner, uint256 coll, uint256 debt, uint256 nonce) internal view {
        (uint256 c, uint256 d) = vault.positionOf(owner);
        assertEq(c, coll, "collateral");
        assertEq(d, debt, "debt");
        assertEq(vault.mintNonce(owner), nonce, "nonce");
        _positionSlot(owner, _word(coll, debt, nonce));
    }

    // ------------------------------------------------------------------ starts at zero, moves by one

    function test_mintNonce_startsAtZeroMovesByOne() public {
        assertEq(vault.mintNonce(agent), 0);
        assertEq(vault.mintNonce(alice), 0);
        vm.recordLogs();
        vm.expectEmit(address(vault));
        emit SyntheticVault.Minted(agent, MODEL, I1, 100e18, 22_500_000, 26_636, 75e18, 20_000e6);
        _agentOpen(20_000e6, 100e18, I1);
        assertEq(vault.mintNonce(agent), 1);
        // The deposit is reported in `Minted.collateralAdded` only: no `Deposited` log.
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; ++i) {
            assertTrue(logs[i].topics[0] != SyntheticVault.Deposited.selector, "no Deposited log");
        }
        // A plain mint: collateralAdded is zero.
        vm.expectEmit(address(vault));
        emit SyntheticVault.Minted(agent, MODEL, I2, 1e18, 225_000, 26_372, 75e18, 0);
        _mintAs(agent, 1e18, I2);
        assertEq(vault.mintNonce(agent), 2);
        // The same intent id again is fine: only the nonce keys a mint.
        _mintAs(agent, 1e18, I2);
        assertEq(vault.mintNonce(agent), 3);
        _agentOpen(1000e6, 1e18, I1);
        assertEq(vault.mintNonce(agent), 4);
        assertEq(vault.mintNonce(alice), 0, "nobody else's nonce moved");
    }

    /// @dev Any sequence of landed mints (either entry point, any intent): the nonce counts them.
    function testFuzz_mintNonce_countsLandedMints(uint256 seed, uint8 count) public {
        count = uint8(bound(count, 1, 12));
        _agentOpen(500_000e6, 1e18, I1);
        for (uint256 i; i < count; ++i) {
            uint256 r = uint256(keccak256(abi.encode(seed, i)));
            uint256 amount = bound(r >> 8, 1, 50e18);
            bytes32 intent = bytes32(r | 1);
            uint256 nonceBefore = vault.mintNonce(agent);
            if (r % 2 == 0) {
                _mintAs(agent, amount, intent);
            } else {
                uint256 coll = bound(r >> 128, 0, 10_000e6);
                vm.recordLogs();
                _agentOpen(coll, amount, intent);
                Vm.Log[] memory logs = vm.getRecordedLogs();
                for (uint256 j; j < logs.length; ++j) {
                    assertTrue(logs[j].topics[0] != SyntheticVault.Deposited.selector, "no Deposited log");
                }
            }
            assertEq(vault.mintNonce(agent), nonceBefore + 1);
        }
        assertEq(vault.mintNonce(agent), uint256(count) + 1);
    }

    // ------------------------------------------------------------------ stale or future nonce

    function test_mintNonce_staleOrFutureRefused() public {
        _agentOpen(20_000e6, 10e18, I1);
        // Stale: the nonce of the landed mint.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, 0, 1));
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 0);
        // Future: one ahead, and far ahead.
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, 2, 1));
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 2);
        vm.expectRevert(
            abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, type(uint256).max, 1)
        );
        vm.prank(agent);
        vault.depositAndMint(1000e6, 1e18, MODEL, I2, type(uint256).max);
        // Nothing moved: the debt, the collateral and the nonce are as the first mint left them.
        _assertStored(agent, 20_000e6 - 2_250_000, 10e18, 1);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        assertEq(vault.mintNonce(agent), 2);
    }

    function testFuzz_mintNonce_staleOrFutureRefused(uint256 landed, uint256 given, bool viaDeposit) public {
        landed = bound(landed, 0, 5);
        _agentOpen(100_000e6, 1e18, I1);
        for (uint256 i; i < landed; ++i) {
            _mintAs(agent, 1e18, I2);
        }
        uint256 current = landed + 1;
        assertEq(vault.mintNonce(agent), current);
        vm.assume(given != current);
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        vm.expectRevert(abi.encodeWithSelector(SyntheticVault.MintNonceMismatch.selector, given, current));
        vm.prank(agent);
        if (viaDeposit) vault.depositAndMint(1000e6, 1e18, MODEL, I2, given);
        else vault.mint(1e18, MODEL, I2, given);
        _assertStored(agent, coll, debt, current);
    }

    // ------------------------------------------------------------------ refused mints leave it

    /// @dev A mint at the right nonce refused for `kind` (0 ratio too low, 1 guard: unapproved model, 2 zero
    /// amount, 3 guard: not the agent's model after a revocation, 4 minting paused) leaves the position and
    /// its nonce as they were; the same nonce then lands.
    function _refusedLeavesNonce(uint256 kind, uint256 amount, bool viaDeposit) internal {
        _agentOpen(100_000e6, 10e18, I1);
        bytes32 model = MODEL;
        bytes4 expected;
        if (kind == 0) {
            amount = bound(amount, 900e18, 990e18); // (101,000 - fee) / (75 * (10 + amount)) < 150%
            expected = SyntheticVault.CollateralRatioTooLow.selector;
        } else if (kind == 1) {
            amount = bound(amount, 1e18, 100e18);
            model = keccak256("weights:never-approved");
            expected = PolicyGuard.PolicyModelNotAllowed.selector;
        } else if (kind == 2) {
            amount = 0;
            expected = SyntheticVault.ZeroAmount.selector;
        } else if (kind == 3) {
            amount = bound(amount, 1e18, 100e18);
            vm.prank(guardianKey);
            registry.revokeModel(MODEL);
            expected = PolicyGuard.PolicyModelNotAllowed.selector;
        } else {
            amount = bound(amount, 1e18, 100e18);
            vm.prank(guardianKey);
            vault.pauseMinting();
            expected = SyntheticVault.MintingPaused.selector;
        }
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        vm.prank(agent);
        if (viaDeposit) {
            try vault.depositAndMint(1000e6, amount, model, I2, 1) {
                fail();
            } catch (bytes memory err) {
                assertEq(bytes4(err), expected);
            }
        } else {
            try vault.mint(amount, model, I2, 1) {
                fail();
            } catch (bytes memory err) {
                assertEq(bytes4(err), expected);
            }
        }
        _assertStored(agent, coll, debt, 1);
        // Undo the refusal's cause; the same nonce lands.
        if (kind == 3) _approveModel(MODEL);
        if (kind == 4) {
            vm.prank(timelock);
            vault.unpauseMinting();
        }
        _mintAs(agent, 1e18, I2);
        assertEq(vault.mintNonce(agent), 2);
    }

    function test_mintNonce_refusedMintLeavesIt() public {
        for (uint256 kind; kind < 5; ++kind) {
            for (uint256 via; via < 2; ++via) {
                uint256 snap = vm.snapshotState();
                _refusedLeavesNonce(kind, 900e18, via == 1);
                vm.revertToState(snap);
            }
        }
    }

    function testFuzz_mintNonce_refusedMintLeavesIt(uint256 kind, uint256 amount, bool viaDeposit) public {
        _refusedLeavesNonce(bound(kind, 0, 4), amount, viaDeposit);
    }

    // ------------------------------------------------------------------ other actions leave it

    /// @dev A deposit by a third party, a repay (by the owner and by someone else), a withdrawal and a
    /// liquidation of the agent's position leave its nonce (and only change what they should).
    function _otherActionsLeaveNonce(uint256 topUp, uint256 repaid, uint256 withdrawn, uint256 liquidated)
        internal
    {
        _agentOpen(12_000e6, 100e18, I1);
        _mintAs(agent, 1e18, I2);
        assertEq(vault.mintNonce(agent), 2);
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        vm.prank(alice);
        vault.deposit(agent, topUp, keccak256("alice-topup"));
        _assertStored(agent, coll + topUp, debt, 2);
        vm.startPrank(agent);
        synth.transfer(keeper, 60e18);
        vault.repay(agent, repaid, keccak256("agent-repay"));
        vm.stopPrank();
        _assertStored(agent, coll + topUp, debt - repaid, 2);
        vm.prank(agent);
        vault.withdraw(withdrawn, agent, bytes32(0));
        _assertStored(agent, coll + topUp - withdrawn, debt - repaid, 2);
        // A repay by someone else (the keeper holds synth).
        vm.prank(keeper);
        vault.repay(agent, 1e18, bytes32(0));
        (coll, debt) = vault.positionOf(agent);
        _assertStored(agent, coll, debt, 2);
        // At 140 USD the position is below 120% (at most 12,477.3 against 80 synth): liquidated field by
        // field, the nonce kept.
        _steadyPrice(140e8);
        assertTrue(vault.isLiquidatable(agent));
        vm.prank(keeper);
        (uint256 r,) = vault.liquidate(agent, liquidated, keccak256("keeper-liq"));
        assertEq(r, liquidated);
        (uint256 c1, uint256 d1) = vault.positionOf(agent);
        assertEq(d1, debt - liquidated);
        assertLe(c1, coll);
        _assertStored(agent, c1, d1, 2);
        // And the kept nonce is the one the next mint names (price back, position topped up).
        _steadyPrice(75e8);
        vm.prank(alice);
        vault.deposit(agent, 10_000e6, bytes32(0));
        vm.prank(agent);
        vault.mint(1e18, MODEL, I1, 2);
        assertEq(vault.mintNonce(agent), 3);
    }

    function test_mintNonce_otherActionsLeaveIt() public {
        _otherActionsLeaveNonce(500e6, 20e18, 300e6, 10e18);
    }

    function testFuzz_mintNonce_otherActionsLeaveIt(
        uint256 topUp,
        uint256 repaid,
        uint256 withdrawn,
        uint256 liquidated
    ) public {
        // Debt 101 -> at most 100 repaid keeps >= minDebt; a withdrawal of up to 300 keeps the ratio above
        // 150% at 75 USD with any top-up; the keeper holds 59 after its repay.
        _otherActionsLeaveNonce(
            bound(topUp, 1, 500e6),
            bound(repaid, 1, 20e18),
            bound(withdrawn, 1, 300e6),
            bound(liquidated, 1, 59e18)
        );
    }

    // ------------------------------------------------------------------ per position

    /// @dev `other` (made the agent for a while) mints `n` times: its own nonce moves, the first agent's
    /// position and nonce do not; the first agent, no longer the agent, is refused without moving it.
    function _othersMintsLeaveNonce(address other, uint256 n, uint256 amount) internal {
        _agentOpen(20_000e6, 10e18, I1);
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        vm.prank(timelock);
        guard.setAgent(other);
        _fund(other, 100_000e6);
        vm.prank(other);
        vault.deposit(other, 100_000e6, bytes32(0));
        for (uint256 i; i < n; ++i) {
            _mintAs(other, amount, keccak256(abi.encode("other", i)));
            assertEq(vault.mintNonce(other), i + 1);
        }
        _assertStored(agent, coll, debt, 1);
        // The former agent: refused by the guard, nonce unchanged.
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, agent));
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        _assertStored(agent, coll, debt, 1);
        // Back as the agent: the nonce it left is the one to name.
        vm.prank(timelock);
        guard.setAgent(agent);
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, 1);
        assertEq(vault.mintNonce(agent), 2);
        assertEq(vault.mintNonce(other), n);
    }

    function test_mintNonce_perPosition() public {
        _othersMintsLeaveNonce(bob, 3, 5e18);
    }

    function testFuzz_mintNonce_perPosition(uint256 seed, uint256 n, uint256 amount) public {
        address other = address(uint160(uint256(keccak256(abi.encode("other", seed)))));
        vm.assume(other != agent && other != timelock && other != guardianKey);
        _othersMintsLeaveNonce(other, bound(n, 1, 6), bound(amount, 1e18, 50e18));
    }

    // ------------------------------------------------------------------ missing intent

    /// @dev A zero intent id is refused first, whatever the nonce (right or not), amount or model, on all
    /// three nonce-checked entry points (the zk one needs no gate for this: the intent is checked first).
    function _missingIntent(uint256 which, uint256 coll, uint256 amount, bytes32 modelId, uint256 nonce)
        internal
    {
        vm.expectRevert(SyntheticVault.MissingIntent.selector);
        vm.prank(agent);
        if (which == 0) vault.mint(amount, modelId, bytes32(0), nonce);
        else if (which == 1) vault.depositAndMint(coll, amount, modelId, bytes32(0), nonce);
        else vault.mintWithProof(amount, modelId, bytes32(0), keccak256("proof"), nonce);
    }

    function test_mintNonce_missingIntentOnAllThree() public {
        for (uint256 which; which < 3; ++which) {
            _missingIntent(which, 20_000e6, 10e18, MODEL, 0);
        }
        assertEq(vault.mintNonce(agent), 0);
    }

    function testFuzz_mintNonce_missingIntentOnAllThree(
        uint256 which,
        uint256 coll,
        uint256 amount,
        bytes32 modelId,
        uint256 nonce
    ) public {
        _missingIntent(bound(which, 0, 2), bound(coll, 0, 1_000_000e6), amount, modelId, nonce);
        assertEq(vault.mintNonce(agent), 0);
    }

    // ------------------------------------------------------------------ the packed store

    /// @dev A position funded with `coll` (any size up to 2^112 - 1, by a third party's deposit) mints
    /// `amount`: the slot the assembly store wrote reads back exactly (collateral net of the fee, debt,
    /// nonce); then a liquidation's field-by-field write keeps the nonce and reads back exactly too.
    function _roundTrip(uint256 coll, uint256 amount) internal {
        deal(address(usd), alice, coll);
        vm.prank(alice);
        vault.deposit(agent, coll, bytes32(0));
        _assertStored(agent, coll, 0, 0);
        uint256 fee = ((amount * 75 * 30 + 9999) / 10_000 + 1e12 - 1) / 1e12; // 0.30% of the value, up
        _mintAs(agent, amount, I1);
        _assertStored(agent, coll - fee, amount, 1);
        _mintAs(agent, amount, I2);
        _assertStored(agent, coll - 2 * fee, 2 * amount, 2);
    }

    function test_packedPosition_roundTrip() public {
        _roundTrip(20_000e6, 10e18);
        _roundTripLiquidation();
    }

    /// @dev The liquidation half, on the position `_roundTrip(20_000e6, 10e18)` left, made unsafe.
    function _roundTripLiquidation() internal {
        // The agent's position: 20,000 - 2 * 2.25 against 20 synth; at 900 USD it is at 111% (partial).
        vm.prank(agent);
        synth.transfer(keeper, 20e18);
        _steadyPrice(900e8);
        (uint256 c0, uint256 d0) = vault.positionOf(agent);
        vm.prank(keeper);
        (uint256 repaid, uint256 paid) = vault.liquidate(agent, 5e18, bytes32(0));
        assertEq(repaid, 5e18);
        // Partial regime: seized = value * 1.10, rounded down; the keeper got value * 1.05.
        uint256 seized = 5e18 * 900 * 11_000 / 10_000 / 1e12;
        assertEq(paid, 5e18 * 900 * 10_500 / 10_000 / 1e12);
        _assertStored(agent, c0 - seized, d0 - 5e18, 2);
    }

    function testFuzz_packedPosition_roundTrip(uint256 coll, uint256 amount) public {
        coll = bound(coll, 20_000e6, MAX_112);
        amount = bound(amount, 1e18, 50e18); // two mints: at most 100 synth (7,500 USD) on >= 20,000 tUSD
        _roundTrip(coll, amount);
    }

    /// @dev Fuzz twin of the liquidation half: any unsafe price, any repay up to what the keeper holds; the
    /// slot reads back the amounts recomputed here (both regimes) and the nonce is kept.
    function testFuzz_packedPosition_liquidationRoundTrip(int256 price, uint256 maxRepay) public {
        _roundTrip(20_000e6, 10e18);
        vm.prank(agent);
        synth.transfer(keeper, 20e18);
        price = bound(price, 834e8, 3000e8); // 19,995.5 / (20 * 834) < 120%
        maxRepay = bound(maxRepay, 1, 20e18);
        _steadyPrice(price);
        (uint256 c0, uint256 d0) = vault.positionOf(agent);
        uint256 priceWad = uint256(price) * 1e10;
        uint256 ratio = c0 * 1e12 * 10_000 / ((d0 * priceWad + 1e18 - 1) / 1e18);
        uint256 seized = ratio < 11_000
            ? c0 * maxRepay / d0  // full regime: pro rata, rounded down
            : maxRepay * priceWad / 1e18 * 11_000 / 10_000 / 1e12; // partial: value * 1.10, rounded down
        vm.prank(keeper);
        (uint256 repaid,) = vault.liquidate(agent, maxRepay, bytes32(0));
        assertEq(repaid, maxRepay);
        _assertStored(agent, c0 - seized, d0 - maxRepay, 2);
    }

    /// @dev The top of each field: collateral 2^112 - 1 exactly; a deposit that would take it past that is
    /// refused by the cast of the sum (`SafeCastOverflowedUintDowncast(112, sum)`), whether the amount itself
    /// or only the sum is past 2^112 - 1, and the position is unchanged.
    function test_packedPosition_collateralBound() public {
        deal(address(usd), alice, MAX_112 + 1);
        vm.startPrank(alice);
        vault.deposit(agent, MAX_112, bytes32(0));
        _assertStored(agent, MAX_112, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 112, MAX_112 + 1)
        );
        vault.deposit(bob, MAX_112 + 1, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 112, MAX_112 + 1)
        );
        vault.deposit(agent, 1, bytes32(0));
        vm.stopPrank();
        _assertStored(agent, MAX_112, 0, 0);
        _assertStored(bob, 0, 0, 0);
        // A mint on the full position: its fee comes out of the collateral, the slot reads back exactly.
        _mintAs(agent, 10e18, I1);
        _assertStored(agent, MAX_112 - 2_250_000, 10e18, 1);
    }

    function testFuzz_packedPosition_collateralBound(uint256 first, uint256 second) public {
        first = bound(first, 1, MAX_112);
        second = bound(second, MAX_112 - first + 1, type(uint256).max - first);
        deal(address(usd), alice, type(uint256).max);
        vm.startPrank(alice);
        vault.deposit(agent, first, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 112, first + second)
        );
        vault.deposit(agent, second, bytes32(0));
        vm.stopPrank();
        _assertStored(agent, first, 0, 0);
    }

    /// @dev The nonce's top: at 2^32 - 2 a mint lands to 2^32 - 1 (the top bits round-trip); at 2^32 - 1 the
    /// increment is checked and the mint refused instead of wrapping to a used nonce.
    function _nonceTop(uint256 start) internal {
        _agentOpen(50_000e6, 10e18, I1);
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        bytes32 slot = _positionSlot(agent, _word(coll, debt, 1));
        vm.store(address(vault), slot, bytes32(_word(coll, debt, start)));
        _assertStored(agent, coll, debt, start);
        if (start == type(uint32).max) {
            vm.expectRevert(
                abi.encodeWithSelector(SafeCast.SafeCastOverflowedUintDowncast.selector, 32, start + 1)
            );
            vm.prank(agent);
            vault.mint(1e18, MODEL, I2, start);
            _assertStored(agent, coll, debt, start);
            return;
        }
        vm.prank(agent);
        vault.mint(1e18, MODEL, I2, start);
        (coll,) = vault.positionOf(agent);
        _assertStored(agent, coll, debt + 1e18, start + 1);
    }

    function test_mintNonce_top() public {
        uint256 snap = vm.snapshotState();
        _nonceTop(type(uint32).max - 1);
        vm.revertToState(snap);
        _nonceTop(type(uint32).max);
    }

    function testFuzz_mintNonce_top(uint256 start) public {
        _nonceTop(bound(start, 1, type(uint32).max));
    }
}
