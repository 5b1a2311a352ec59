// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Test} from "forge-std/Test.sol";

import {SyntheticVault} from "../../../src/markets/SyntheticVault.sol";
import {OracleLib} from "../../../src/oracle/OracleLib.sol";
import {TestFeed} from "../TestFeed.sol";
import {TestToken} from "../TestToken.sol";

/// @notice Drives a SyntheticVault with random deposits, mints, repays, withdrawals, price moves and
/// liquidations, and records ghost flags for properties checked after each call, and ghost sums of the
/// synth minted, repaid and liquidated through it.
/// Mints are sized up to about twice what the minimum ratio allows (a quarter of them exactly at it),
/// so refusals are exercised too: the handler recomputes (independently of the vault) whether a mint
/// leaves its position below the minimum ratio and checks that exactly those mints revert with
/// `CollateralRatioTooLow`. `pushPrice` moves the price so that a chosen position lands near or beyond
/// the liquidation ratio, in either regime (95%..125%). The keeper has no position: its synth comes from
/// the agent by transfer (`fundKeeper`), as on the real system where only the agent mints. Successful
/// liquidations are counted per regime, and failed calls per handler selector.
contract VaultHandler is Test {
    bytes32 internal constant MODEL = keccak256("weights:invariant-model");

    SyntheticVault internal vault;
    /// @dev The synth is the vault itself (`vault.SYNTH() == address(vault)`); named apart for readability.
    SyntheticVault internal synth;
    TestToken internal usd;
    TestFeed internal feed;
    address public keeper;
    address public agent;
    address[] public actors;

    int256 public price = 75e8;
    uint256 internal _nonce;

    bool public mintBelowMin;
    /// @dev Set if a landed mint did not move its position's `mintNonce` by exactly one, or a refused one moved it.
    bool public mintNonceBroken;
    bool public overLimitNotRefused;
    bool public liquidationWorse;
    /// @notice A liquidation of an unsafe position was refused for another reason than leaving dust in
    /// the partial regime.
    bool public liquidationRefused;
    uint256 public mints;
    uint256 public overLimitRefusals;
    uint256 public liquidations;
    uint256 public partialLiquidations;
    uint256 public fullLiquidations;
    uint256 public pricePushes;
    /// @notice Calls of each handler function that reverted (caught), by selector.
    mapping(bytes4 selector => uint256) public failures;

    /// @notice Synth supply when the handler was created (the agent's and the actors' opening mints).
    uint256 public immutable initialSupply;
    uint256 public ghostMinted;
    uint256 public ghostRepaid;
    uint256 public ghostLiquidated;

    constructor(
        SyntheticVault vault_,
        TestToken usd_,
        TestFeed feed_,
        address keeper_,
        address agent_,
        address[] memory actors_
    ) {
        vault = vault_;
        synth = SyntheticVault(vault_.SYNTH());
        usd = usd_;
        feed = feed_;
        keeper = keeper_;
        agent = agent_;
        actors = actors_;
        initialSupply = vault_.totalSupply();
    }

    function actorCount() external view returns (uint256) {
        return actors.length;
    }

    function _actor(uint256 seed) internal view returns (address) {
        return actors[seed % actors.length];
    }

    function _intent() internal returns (bytes32) {
        return keccak256(abi.encode("intent", ++_nonce));
    }

    function deposit(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        amount = bound(amount, 1e6, 50_000e6);
        usd.mint(a, amount);
        vm.prank(a);
        vault.deposit(a, amount, bytes32(0));
    }

    function mint(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        (uint256 coll, uint256 debt) = vault.positionOf(a);
        // Half the calls within what the minimum ratio allows (151% leaves room for the 0.3% fee), half
        // above it, up to about twice that room.
        uint256 maxDebt = coll * 1e12 * 10_000 / 15_100 * 1e8 / uint256(price);
        uint256 room = maxDebt > debt ? maxDebt - debt : 0;
        if (amount % 4 == 0 && room >= 1e18) amount = room; // at the minimum ratio (151% before the fee)
        else if (amount % 2 == 0 && room >= 1e18) amount = bound(amount, 1e18, room);
        else amount = bound(amount, room + 1e18, 2 * room + 2e18);
        bytes4 expected = _expectedMintError(coll, debt, amount);
        uint256 nonceBefore = vault.mintNonce(a);
        vm.prank(a);
        try vault.mint(amount, MODEL, _intent(), nonceBefore) {
            mints++;
            if (vault.mintNonce(a) != nonceBefore + 1) mintNonceBroken = true;
            ghostMinted += amount;
            if (vault.collateralRatioBps(a) < vault.riskParams().minCollateralRatioBps) mintBelowMin = true;
            if (expected == SyntheticVault.CollateralRatioTooLow.selector) overLimitNotRefused = true;
        } catch (bytes memory err) {
            failures[msg.sig]++;
            if (vault.mintNonce(a) != nonceBefore) mintNonceBroken = true;
            if (expected == SyntheticVault.CollateralRatioTooLow.selector) {
                if (bytes4(err) == expected) overLimitRefusals++;
                else overLimitNotRefused = true;
            }
        }
    }

    /// @dev The error the vault must raise for this mint, recomputed from its documented rules (8-decimal
    /// feed, 6-decimal collateral, 0.30% fee rounded up, debt value rounded up, ratio rounded down):
    /// `OracleStaleRound` for a round older than an hour, `InsufficientCollateral` when the fee exceeds
    /// the collateral, `CollateralRatioTooLow` below 150%, else none (bytes4(0)).
    function _expectedMintError(uint256 coll, uint256 debt, uint256 amount) internal view returns (bytes4) {
        if (block.timestamp - feed.updatedAt() > 3600) return OracleLib.OracleStaleRound.selector;
        uint256 p = uint256(price) * 1e10;
        uint256 fee =
            Math.mulDiv(Math.mulDiv(amount, p, 1e18, Math.Rounding.Ceil), 30, 10_000, Math.Rounding.Ceil);
        fee = Math.ceilDiv(fee, 1e12);
        if (fee > coll) return SyntheticVault.InsufficientCollateral.selector;
        uint256 debtValue = Math.mulDiv(debt + amount, p, 1e18, Math.Rounding.Ceil);
        uint256 ratio = Math.mulDiv((coll - fee) * 1e12, 10_000, debtValue);
        if (ratio < 15_000) return SyntheticVault.CollateralRatioTooLow.selector;
        return bytes4(0);
    }

    function repay(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        (, uint256 debt) = vault.positionOf(a);
        uint256 bal = synth.balanceOf(a);
        uint256 max = debt < bal ? debt : bal;
        if (max == 0) return;
        amount = bound(amount, 1, max);
        vm.prank(a);
        try vault.repay(a, amount, bytes32(0)) {
            ghostRepaid += amount;
        } catch {
            failures[msg.sig]++;
        }
    }

    function withdraw(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        (uint256 coll,) = vault.positionOf(a);
        if (coll == 0) return;
        amount = bound(amount, 1, coll);
        vm.prank(a);
        try vault.withdraw(amount, a, bytes32(0)) {}
        catch {
            failures[msg.sig]++;
        }
    }

    function flushFees() external {
        try vault.flushFees(MODEL) {}
        catch {
            failures[msg.sig]++;
        }
    }

    function transferSynth(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = _actor(fromSeed);
        uint256 bal = synth.balanceOf(from);
        if (bal == 0) return;
        amount = bound(amount, 1, bal);
        vm.prank(from);
        synth.transfer(_actor(toSeed), amount);
    }

    function movePrice(uint256 pct) external {
        // A move of -25%..+25%, kept within [20, 1000] USD.
        int256 move = int256(bound(pct, 0, 50)) - 25;
        _setPrice(price * (100 + move) / 100);
    }

    /// @notice Sets the price so that a chosen position's ratio lands at `targetBps` in [95%, 125%]:
    /// around the liquidation ratio (120%) and the full-regime boundary (110%), and below 100%.
    function pushPrice(uint256 seed, uint256 targetBps) external {
        address a = _actor(seed);
        (uint256 coll, uint256 debt) = vault.positionOf(a);
        if (debt == 0) return;
        targetBps = bound(targetBps, 9500, 12_500);
        // ratio = coll·1e12·1e4 / (debt·price8·1e10 / 1e18)  =>  price8 = coll·1e24 / (debt·target).
        pricePushes++;
        _setPrice(int256(Math.mulDiv(coll * 1e12, 1e12, debt * targetBps)));
    }

    function _setPrice(int256 next) internal {
        if (next < 20e8) next = 20e8;
        if (next > 1000e8) next = 1000e8;
        price = next;
        feed.set(price);
    }

    /// @notice The agent hands the keeper synth (the keeper never mints).
    function fundKeeper(uint256 amount) external {
        uint256 bal = synth.balanceOf(agent);
        if (bal == 0) return;
        amount = bound(amount, 1, bal);
        vm.prank(agent);
        synth.transfer(keeper, amount);
    }

    function warp(uint256 secs, bool refresh) external {
        vm.warp(block.timestamp + bound(secs, 1, 2 hours));
        if (refresh) feed.set(price);
    }

    /// @notice The keeper liquidates up to what it holds: any amount up to the debt must be accepted in both
    /// regimes (full: ratio < 110%; partial: 110% <= ratio < 120%), whatever debt it leaves.
    function liquidate(uint256 seed, uint256 amount) external {
        address a = _actor(seed);
        (uint256 c0, uint256 d0) = vault.positionOf(a);
        uint256 held = synth.balanceOf(keeper);
        if (d0 == 0 || held == 0) return;
        amount = bound(amount, 1, d0 < held ? d0 : held);
        try vault.isLiquidatable(a) returns (bool yes) {
            if (!yes) return;
        } catch {
            return;
        }
        bool full = vault.collateralRatioBps(a) < 11_000;
        uint256 shortfall0 = _shortfall(c0, d0);
        vm.prank(keeper);
        try vault.liquidate(a, amount, bytes32(0)) returns (uint256 repaid, uint256) {
            liquidations++;
            if (full) fullLiquidations++;
            else partialLiquidations++;
            ghostLiquidated += repaid;
            (uint256 c1, uint256 d1) = vault.positionOf(a);
            if (repaid != amount || d1 != d0 - amount) liquidationWorse = true;
            if (d1 != 0 && c1 * d0 < c0 * d1) liquidationWorse = true;
            if (_shortfall(c1, d1) > shortfall0) liquidationWorse = true;
        } catch {
            failures[msg.sig]++;
            // No refusal of a liquidatable position with the keeper's own synth is acceptable (any
            // amount up to the debt, in both regimes; minDebt never applies to a liquidation).
            liquidationRefused = true;
        }
    }

    /// @dev USD value (18 dec) by which debt exceeds collateral, at the current price.
    function _shortfall(uint256 coll, uint256 debt) internal view returns (uint256) {
        uint256 debtValue = debt * uint256(price) / 1e8;
        uint256 collValue = coll * 1e12;
        return debtValue > collValue ? debtValue - collValue : 0;
    }
}
