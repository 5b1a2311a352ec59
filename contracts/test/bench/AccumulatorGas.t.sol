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
        before = gasleft();
        h = poseidon.hash(x, y);
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

    /// The first round of a Chainlink proxy's new phase, with the chain at the old phase's last round: one
    /// read of the old phase's missing next round, the bridge slot and event, then the round itself.
    /// Compared with the next round inside one phase through the same proxy.
    function test_gas_absorbAcrossPhase() public {
        MedianOracle next = _feed(5, 5, MIN, MAX);
        next.submitRound(1, _reports(next, 1, _arr(7e9, 7e9, 7e9, 7e9, 7e9)));
        next.submitRound(2, _reports(next, 2, _arr(7e9, 7e9, 7e9, 7e9, 7e9)));
        PhasedAggregatorProxy proxy =
            new PhasedAggregatorProxy(address(this), AggregatorV3Interface(address(oracle)));
        uint80 phase1 = uint80(1) << 64;
        uint80 phase2 = uint80(2) << 64;
        FeedAccumulator viaProxy = new FeedAccumulator(AggregatorV3Interface(address(proxy)), phase1 | 1);
        viaProxy.absorb(phase1 | 10);
        vm.cool(address(viaProxy));
        vm.cool(address(proxy));
        vm.cool(address(oracle));
        uint256 before = gasleft();
        viaProxy.absorb(phase1 | 11);
        uint256 inPhase = before - gasleft();
        proxy.setAggregator(AggregatorV3Interface(address(next)));
        vm.cool(address(viaProxy));
        vm.cool(address(proxy));
        vm.cool(address(oracle));
        vm.cool(address(next));
        before = gasleft();
        viaProxy.absorb(phase2 | 1);
        uint256 bridged = before - gasleft();
        assertEq(viaProxy.lastAbsorbed(), phase2 | 1);
        console.log("gas.absorb.1round.viaProxy", inPhase);
        console.log("gas.absorb.1round.acrossPhase", bridged);
    }

    function test_gas_absorbNoop() public {
        uint256 used = _coldAbsorb(1);
        console.log("gas.absorb.alreadyAbsorbed", used);
    }
}
