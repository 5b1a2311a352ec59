// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PhasedAggregatorProxy} from "../../src/devnet/PhasedAggregatorProxy.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {PoseidonT3} from "../../src/oracle/PoseidonT3.sol";
import {PoseidonHarness} from "../oracle/FeedAccumulator.t.sol";
import {OracleTestBase} from "../oracle/MedianOracle.t.sol";
import {PoseidonVectors} from "../oracle/PoseidonVectors.sol";
import {console} from "forge-std/console.sol";

/// @notice Gas of the feed accumulator: one PoseidonT3 hash (an internal call, as the accumulator makes it;
/// and through an external harness for comparison), and
/// `absorb` of 1 and of 10 rounds from a real MedianOracle, with the accumulator and the oracle cold (as in
/// a fresh transaction) and one round already absorbed (steady state: the chain's slots are non-zero).
/// Absorb figures are the callee's gas, without the 21,000 intrinsic and calldata. Run:
/// `FOUNDRY_SRC=contracts/src/oracle FOUNDRY_TEST=contracts/test/bench FOUNDRY_OUT=out-acc-bench
/// FOUNDRY_CACHE_PATH=cache/acc-bench node scripts/forge.mjs test --match-contract AccumulatorGas -vv`;
/// lines read `gas.<name> <n>`.
contract AccumulatorGasBench is OracleTestBase {
    FeedAccumulator internal acc;
    PoseidonHarness internal poseidon;

    function setUp() public override {
        super.setUp();
        int256[] memory answers = PoseidonVectors.chainAnswers();
        for (uint80 r = 1; r <= 11; ++r) {
            int256 a = answers[r % answers.length];
            if (a < 0) a = -a;
            oracle.submitRound(r, _reports(oracle, r, _arr(a, a, a, a, a)));
        }
        acc = new FeedAccumulator(AggregatorV3Interface(address(oracle)), 1);
        acc.absorb(1);
        poseidon = new PoseidonHarness();
    }

    function _coldAbsorb(uint80 upTo) internal returns (uint256 used) {
        vm.cool(address(acc));
        vm.cool(address(oracle));
        uint256 before = gasleft();
        acc.absorb(upTo);
        used = before - gasleft();
    }

    function test_gas_poseidonHash() public view {
        uint256[3][] memory v = PoseidonVectors.hashes();
        uint256 x = v[7][0];
        uint256 y = v[7][1];
        uint256 before = gasleft();
        uint256 h = PoseidonT3.hash(x, y);
        uint256 inline_ = before - gasleft();
        assertEq(h, v[7][2]);
        PoseidonHarness harness = poseidon; // read before the window: the test's own storage is no part of it
        before = gasleft();
        h = harness.hash(x, y);
        uint256 external_ = before - gasleft();
        assertEq(h, v[7][2]);
        console.log("gas.poseidonT3.hash", inline_);
        console.log("gas.poseidonT3.hash.externalCall(cold harness)", external_);
    }

    function test_gas_absorb1() public {
        uint256 used = _coldAbsorb(2);
        assertEq(acc.lastAbsorbed(), 2);
        console.log("gas.absorb.1round", used);
    }

    function test_gas_absorb10() public {
        uint256 used = _coldAbsorb(11);
        assertEq(acc.lastAbsorbed(), 11);
        console.log("gas.absorb.10rounds", used);
        console.log("gas.absorb.perRound(10)", used / 10);
    }

    function test_gas_absorbNoop() public {
        uint256 used = _coldAbsorb(1);
        console.log("gas.absorb.alreadyAbsorbed", used);
    }
}

/// @notice The accumulator over a Chainlink proxy (PhasedAggregatorProxy): phase 1 is the bench's oracle (rounds
/// 1..11), the next aggregator has rounds 1 and 2. setUp absorbs phase 1 up to round 10; each scenario below
/// prepares the rest in its own setUp, so the measured `absorb` is the first touch of the accumulator, the proxy
/// and the aggregators in its transaction (a test is one transaction: measured after an earlier absorb in the
/// same test, the accounts were warm and the chain's slots dirty, and the figure read too low).
abstract contract AccumulatorGasPhaseSetup is OracleTestBase {
    uint80 internal constant PHASE_1 = uint80(1) << 64;
    uint80 internal constant PHASE_2 = uint80(2) << 64;

    MedianOracle internal next;
    PhasedAggregatorProxy internal proxy;
    FeedAccumulator internal viaProxy;

    function setUp() public virtual override {
        super.setUp();
        int256[] memory answers = PoseidonVectors.chainAnswers();
        for (uint80 r = 1; r <= 11; ++r) {
            int256 a = answers[r % answers.length];
            if (a < 0) a = -a;
            oracle.submitRound(r, _reports(oracle, r, _arr(a, a, a, a, a)));
        }
        next = _feed(5, 5, MIN, MAX);
        next.submitRound(1, _reports(next, 1, _arr(7e9, 7e9, 7e9, 7e9, 7e9)));
        next.submitRound(2, _reports(next, 2, _arr(7e9, 7e9, 7e9, 7e9, 7e9)));
        proxy = new PhasedAggregatorProxy(address(this), AggregatorV3Interface(address(oracle)));
        viaProxy = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        viaProxy.absorb(PHASE_1 | 10);
    }
}

/// @notice The next round inside one phase through the proxy (the comparison for the phase crossing below).
contract AccumulatorGasInPhaseBench is AccumulatorGasPhaseSetup {
    function test_gas_absorbInPhaseViaProxy() public {
        FeedAccumulator acc = viaProxy; // read before the window: the test's own storage is no part of it
        uint256 before = gasleft();
        acc.absorb(PHASE_1 | 11);
        uint256 inPhase = before - gasleft();
        assertEq(viaProxy.lastAbsorbed(), PHASE_1 | 11);
        console.log("gas.absorb.1round.viaProxy", inPhase);
    }
}

/// @notice The first round of a Chainlink proxy's new phase, with the chain at the old phase's last round: one
/// read of the old phase's missing next round, the bridge slot and event, then the round itself. setUp absorbs
/// phase 1 to its last round and switches the proxy to the next aggregator.
contract AccumulatorGasAcrossPhaseBench is AccumulatorGasPhaseSetup {
    function setUp() public override {
        super.setUp();
        viaProxy.absorb(PHASE_1 | 11);
        proxy.setAggregator(AggregatorV3Interface(address(next)));
    }

    function test_gas_absorbAcrossPhase() public {
        FeedAccumulator acc = viaProxy; // read before the window: the test's own storage is no part of it
        uint256 before = gasleft();
        acc.absorb(PHASE_2 | 1);
        uint256 bridged = before - gasleft();
        assertEq(viaProxy.lastAbsorbed(), PHASE_2 | 1);
        console.log("gas.absorb.1round.acrossPhase", bridged);
    }
}
