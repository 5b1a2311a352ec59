// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {GuardedToken, PlainToken, PolicyTestBase, TEST_MODEL} from "../policy/PolicyTestBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Gas benchmark: a guarded ERC-20 mint versus the same mint unguarded, both measured with the
/// contracts' accounts and storage cold (as in a fresh transaction) and the recipient already holding
/// tokens; plus accepting a MedianOracle round with 5 signed reports. Prints `gas.<name> <n>` lines.
/// @notice The realistic unguarded baseline: a token whose mint is restricted to one minter (one cold
/// storage read), as any agent-minted asset without a guard would be.
contract MinterToken is PlainToken {
    address internal _minter;

    error NotMinter(address caller);

    constructor(address minter) {
        _minter = minter;
    }

    function mintAsMinter(address to, uint256 amount) external {
        if (msg.sender != _minter) revert NotMinter(msg.sender);
        _mint(to, amount);
    }
}

/// @notice The issue's reference point: a hand-written per-period bucket inlined in the token (one packed
/// slot: epoch index, used this epoch; cap immutable; no role, no event), to show where the external
/// guard's extra gas goes.
contract InlineBucketToken is PlainToken {
    uint256 internal immutable _cap;
    uint256 internal immutable _period;
    uint256 internal _bucket; // epoch << 128 | used

    error BucketExceeded(uint256 requested, uint256 remaining);

    constructor(uint256 cap, uint256 period) {
        _cap = cap;
        _period = period;
    }

    function mintBucketed(address to, uint256 amount) external {
        uint256 epoch = block.timestamp / _period;
        uint256 b = _bucket;
        uint256 used = (b >> 128) == epoch ? uint128(b) : 0;
        if (used + amount > _cap) revert BucketExceeded(amount, _cap - used);
        _bucket = (epoch << 128) | (used + amount);
        _mint(to, amount);
    }
}

contract GuardGasBench is PolicyTestBase {
    bytes32 internal constant MODEL = keccak256("model");
    PlainToken internal plain;
    MinterToken internal owned;
    InlineBucketToken internal bucketed;

    function setUp() public override {
        super.setUp();
        // As the deployment does: the registry tells the guard of every approval change (the guard's fast
        // path). The base approved TEST_MODEL before this binding; approving it again pushes it.
        registry.bindApprovalListener(guard);
        registry.setApproved(TEST_MODEL, true);
        plain = new PlainToken();
        // Warm-up mints so balances, supply and the usage slot are non-zero (steady state).
        plain.mint(USER, 1e18);
        bucketed = new InlineBucketToken(1_000_000e18, EPOCH);
        bucketed.mintBucketed(USER, 1e18);
        owned = new MinterToken(AGENT);
        vm.prank(AGENT);
        owned.mintAsMinter(USER, 1e18);
        vm.prank(AGENT);
        token.mint(USER, 1e18);
        registry.setApproved(MODEL, true);
        vm.prank(AGENT);
        token.mintWith(USER, 1e18, MODEL, 7);
        vm.prank(AGENT);
        token.setFee(32);
    }

    function _coldMint(address asset, uint256 amount) internal returns (uint256 used) {
        vm.cool(asset);
        vm.cool(address(guard));
        vm.cool(address(registry));
        vm.prank(AGENT);
        uint256 before = gasleft();
        PlainToken(asset).mint(USER, amount);
        used = before - gasleft();
    }

    // Each scenario is its own test: a test is one transaction, and only the first write to a slot in a
    // transaction is priced like a fresh transaction's write.

    function test_bench_guardOverhead() public {
        uint256 unguarded = _coldMint(address(plain), 1e18);
        uint256 guarded = _coldMint(address(token), 1e18);
        console.log("gas.mint.unguarded", unguarded);
        console.log("gas.mint.guarded", guarded);
        console.log("gas.guard.overhead", guarded - unguarded);
        assertGt(guarded, unguarded);
    }

    /// The same overhead against a baseline that restricts minting to one minter (the agent): the
    /// guard replaces that role check, so this is what the guard adds over a minimal access-controlled mint.
    function test_bench_guardOverheadVsMinterRole() public {
        vm.cool(address(owned));
        vm.prank(AGENT);
        uint256 before = gasleft();
        owned.mintAsMinter(USER, 1e18);
        uint256 minterOnly = before - gasleft();
        uint256 guarded = _coldMint(address(token), 1e18);
        console.log("gas.mint.minterRole", minterOnly);
        console.log("gas.guard.overhead.vsMinterRole", guarded - minterOnly);
        assertGt(guarded, minterOnly);
    }

    /// The reference: an inline per-period bucket (one slot read and written, no call, no role, no event).
    function test_bench_inlineBucketOverhead() public {
        uint256 unguarded = _coldMint(address(plain), 1e18);
        vm.cool(address(bucketed));
        uint256 before = gasleft();
        bucketed.mintBucketed(USER, 1e18);
        uint256 bucketedGas = before - gasleft();
        console.log("gas.mint.inlineBucket", bucketedGas);
        console.log("gas.inlineBucket.overhead", bucketedGas - unguarded);
        assertGt(bucketedGas, unguarded);
    }

    /// First mint of a new epoch: the usage slot rolls over (still a non-zero to non-zero write).
    function test_bench_guardOverheadNewEpoch() public {
        vm.warp(block.timestamp + EPOCH);
        uint256 unguarded = _coldMint(address(plain), 1e18);
        uint256 guarded = _coldMint(address(token), 1e18);
        console.log("gas.guard.overhead.newEpoch", guarded - unguarded);
    }

    /// With an approved model (pushed by the registry: read from the guard's copy, no registry call) and a
    /// subject already used this epoch.
    function test_bench_guardOverheadModelAndSubject() public {
        uint256 unguarded = _coldMint(address(plain), 1e18);
        vm.cool(address(token));
        vm.cool(address(guard));
        vm.cool(address(registry));
        vm.prank(AGENT);
        uint256 before = gasleft();
        token.mintWith(USER, 1e18, MODEL, 7);
        uint256 guarded = before - gasleft();
        console.log("gas.guard.overhead.modelAndSubject", guarded - unguarded);
    }

    /// A bounded-value change (e.g. a pool fee) checked by `consumeValue`: the whole call, cold.
    function test_bench_consumeValue() public {
        vm.cool(address(token));
        vm.cool(address(guard));
        vm.prank(AGENT);
        uint256 before = gasleft();
        token.setFee(35);
        console.log("gas.guard.consumeValue.call", before - gasleft());
    }
}

/// @notice Accepting a MedianOracle round with 5 signed reports, a round after the first (it checks the previous
/// round's observation time). setUp submits round 1 and signs round 2's reports; the test submits round 2 as the
/// first touch of the oracle in its transaction (a test is one transaction: measuring round 2 after submitting
/// round 1 in the same test met a warm account and a dirty round slot, and read too low).
contract OracleRoundGasBench is PolicyTestBase {
    MedianOracle internal oracle;
    MedianOracle.Report[] internal round2;

    function setUp() public override {
        super.setUp();
        uint256[] memory keys = new uint256[](5);
        address[] memory reporters = new address[](5);
        for (uint256 i; i < 5; ++i) {
            keys[i] = 0x1000 + i;
            reporters[i] = vm.addr(keys[i]);
        }
        oracle = new MedianOracle(ADMIN, 8, "WTI / USD", 1, 1e12, 1 days, reporters, 5);
        oracle.submitRound(1, _reports(keys, reporters, 1));
        vm.warp(block.timestamp + 1 hours);
        MedianOracle.Report[] memory reports = _reports(keys, reporters, 2);
        for (uint256 i; i < 5; ++i) {
            round2.push(reports[i]);
        }
    }

    function _reports(uint256[] memory keys, address[] memory reporters, uint80 round)
        internal
        view
        returns (MedianOracle.Report[] memory reports)
    {
        reports = new MedianOracle.Report[](5);
        for (uint256 i; i < 5; ++i) {
            int256 answer = int256(7000e6 + i * 1e6 + round);
            uint256 observedAt = block.timestamp;
            (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[i], oracle.reportDigest(round, answer, observedAt));
            reports[i] = MedianOracle.Report(reporters[i], answer, observedAt, abi.encodePacked(r, s, v));
        }
    }

    function test_bench_oracleRound5() public {
        MedianOracle.Report[] memory reports = round2;
        MedianOracle o = oracle; // read before the window: the test's own storage is no part of the figure
        uint256 before = gasleft();
        o.submitRound(2, reports);
        uint256 used = before - gasleft();
        console.log("gas.oracle.round5", used);
        console.log(
            "gas.oracle.round5.calldataBytes", abi.encodeCall(oracle.submitRound, (2, reports)).length
        );
        (uint80 roundId,,,,) = oracle.latestRoundData();
        assertEq(roundId, 2);
    }
}
