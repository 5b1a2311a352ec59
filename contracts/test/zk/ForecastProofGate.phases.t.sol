// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {PhasedAggregatorProxy} from "../../src/devnet/PhasedAggregatorProxy.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {ForecastProofGate} from "../../src/zk/ForecastProofGate.sol";
import {IFeedAccumulator} from "../../src/zk/IFeedAccumulator.sol";
import {IZkModelRegistry} from "../../src/zk/IZkModelRegistry.sol";
import {RidgeGroth16Verifier} from "../../src/zk/RidgeGroth16Verifier.sol";
import {AggregatorDouble} from "./doubles/AggregatorDouble.sol";
import {ZkRegistryDouble} from "./doubles/ZkRegistryDouble.sol";
import {RidgeProofFixture as F} from "./fixtures/RidgeProofFixture.sol";

/// @notice A zk window across a Chainlink proxy's aggregator upgrade. The fixture proof (21 real WTI answers,
/// chain start 0) is replayed over a PhasedAggregatorProxy whose phases hold those answers split at the
/// upgrade, with the accumulator starting at the window's first round: acc(last) is the proof's `accLast`
/// whatever the split, so the same real proof is accepted or refused on the round ids alone.
abstract contract PhasedGateSetup is Test {
    uint256 internal constant MAX_AGE = 2 days;
    uint256 internal constant NOW = 1_790_000_000;
    uint256 internal constant LAST_UPDATED = NOW - 1 hours;
    uint80 internal constant PHASE_1 = uint80(1) << 64;
    uint80 internal constant PHASE_2 = uint80(2) << 64;
    uint80 internal constant PHASE_3 = uint80(3) << 64;

    ZkRegistryDouble internal registry;
    address internal verifier;
    PhasedAggregatorProxy internal proxy;
    FeedAccumulator internal accumulator;
    ForecastProofGate internal gate;

    function setUp() public virtual {
        vm.warp(NOW);
        registry = new ZkRegistryDouble();
        registry.set(F.MODEL_ID, true, F.ZK_COMMITMENT);
        verifier = address(new RidgeGroth16Verifier());
    }

    // ---------------------------------------------------------------- setup helpers

    /// Phases with `sizes[q]` rounds each (phase q + 1); the fixture's answers are the last 21 rounds overall
    /// (earlier rounds carry filler), one day apart, the last updated at LAST_UPDATED. The accumulator starts
    /// at the first fixture round and absorbs everything.
    function _phases(uint256[] memory sizes) internal {
        uint256 total;
        for (uint256 q; q < sizes.length; ++q) {
            total += sizes[q];
        }
        require(total >= F.N_ANSWERS, "the fixture needs 21 rounds");
        int256[21] memory answers = F.answers();
        uint256 k; // rounds published so far, over all phases
        uint80 start;
        for (uint256 q; q < sizes.length; ++q) {
            AggregatorDouble aggregator = new AggregatorDouble();
            for (uint256 n = 1; n <= sizes[q]; ++n) {
                uint256 fromLast = total - 1 - k; // 0 for the very last round
                int256 answer =
                    fromLast < F.N_ANSWERS ? answers[F.N_ANSWERS - 1 - fromLast] : int256(7_000_000_000);
                aggregator.setRound(uint80(n), answer, LAST_UPDATED - fromLast * 1 days);
                if (fromLast == F.N_ANSWERS - 1) start = _id(q + 1, n);
                ++k;
            }
            if (q == 0) {
                proxy = new PhasedAggregatorProxy(address(this), AggregatorV3Interface(address(aggregator)));
            } else {
                proxy.setAggregator(AggregatorV3Interface(address(aggregator)));
            }
        }
        accumulator = new FeedAccumulator(AggregatorV3Interface(address(proxy)), start);
        (uint80 latest,,,,) = proxy.latestRoundData();
        accumulator.absorb(latest);
        gate = new ForecastProofGate(
            verifier,
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(proxy)),
            IFeedAccumulator(address(accumulator)),
            MAX_AGE,
            F.N_OUTPUTS,
            F.N_ANSWERS,
            F.VALUE_BITS
        );
    }

    function _two(uint256 first, uint256 second) internal pure returns (uint256[] memory sizes) {
        sizes = new uint256[](2);
        sizes[0] = first;
        sizes[1] = second;
    }

    function _id(uint256 phase, uint256 n) internal pure returns (uint80) {
        return uint80((phase << 64) | n);
    }

    function _submit(uint80 lastRoundId) internal returns (bytes32) {
        return gate.submit(F.MODEL_ID, lastRoundId, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function _forecast() internal pure returns (int256[] memory forecast) {
        forecast = new int256[](2);
        forecast[0] = F.OUTPUT_0;
        forecast[1] = F.OUTPUT_1;
    }

    function _expectTooEarly(uint80 lastRoundId) internal {
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundTooEarly.selector, lastRoundId, F.N_ANSWERS)
        );
    }
}

/// @notice The gate's windows across one bridge, at the edges named in the contract header, fuzzed with twins.
contract ForecastProofGatePhasesTest is PhasedGateSetup {
    /// The real proof for a window ending at phase 2's round `n` (1 <= n < 21), with `pre` rounds of phase 1
    /// before the window: accepted, recorded, and the event names phase 1's round `pre + 1` first.
    function _acceptsAcrossBridge(uint256 pre, uint256 n) internal {
        _phases(_two(pre + F.N_ANSWERS - n, n));
        uint80 last = _id(2, n);
        assertEq(
            accumulator.bridgedFrom(PHASE_2), _id(1, pre + F.N_ANSWERS - n), "the bridge names phase 1's last"
        );
        assertEq(accumulator.accumulatorAt(last), F.ACC_LAST, "the chain's last 21 answers are the fixture's");
        uint80 first = _id(1, pre + 1);
        assertEq(gate.firstRoundOf(last), first);
        bytes32 proofId = keccak256(abi.encode(last, F.publicSignals()));
        vm.expectEmit(address(gate));
        emit ForecastProofGate.ForecastProven(proofId, F.MODEL_ID, first, last, _forecast(), address(this));
        assertEq(_submit(last), proofId);
        ForecastProofGate.ProvenForecast memory p = gate.provenForecast(F.MODEL_ID, proofId);
        assertEq(p.lastRoundId, last);
        assertEq(p.output0, F.OUTPUT_0);
        assertEq(p.output1, F.OUTPUT_1);
    }

    // ---------------------------------------------------------------- across one bridge

    /// The first round of the new phase: 20 answers of phase 1 and round 1 of phase 2.
    function test_submit_acrossBridgeAtNewPhaseRoundOne() public {
        _acceptsAcrossBridge(0, 1);
    }

    /// The last window that crosses: 1 answer of phase 1 (its last, round 30) and rounds 1..20 of phase 2.
    function test_submit_acrossBridgeAtLastCrossingRound() public {
        _acceptsAcrossBridge(29, F.N_ANSWERS - 1);
    }

    function testFuzz_submit_acrossBridge(uint256 pre, uint256 n) public {
        _acceptsAcrossBridge(bound(pre, 0, 40), bound(n, 1, F.N_ANSWERS - 1));
    }

    /// n = N: the window is inside the new phase again (rounds 1..21 of phase 2), bridge or not.
    function test_submit_inNewPhaseAgainAtFullWindow() public {
        uint256[] memory sizes = _two(5, F.N_ANSWERS);
        _phases(sizes);
        uint80 last = _id(2, F.N_ANSWERS);
        assertEq(accumulator.bridgedFrom(PHASE_2), 0, "the chain starts in phase 2: nothing bridged");
        assertEq(gate.firstRoundOf(last), _id(2, 1));
        vm.expectEmit(address(gate));
        emit ForecastProofGate.ForecastProven(
            keccak256(abi.encode(last, F.publicSignals())),
            F.MODEL_ID,
            _id(2, 1),
            last,
            _forecast(),
            address(this)
        );
        _submit(last);
    }

    /// The old phase is shorter than the window's older part: the window would cross a second bridge (phase 1
    /// → 2 → 3). The real proof matches the chain, and is still refused.
    function test_submit_refusesTwoBridgesInOneWindow() public {
        uint256[] memory sizes = new uint256[](3);
        (sizes[0], sizes[1], sizes[2]) = (10, 6, 5);
        _phases(sizes);
        uint80 last = _id(3, 5);
        assertEq(accumulator.accumulatorAt(last), F.ACC_LAST, "the proof matches the chain");
        assertEq(accumulator.bridgedFrom(PHASE_3), _id(2, 6));
        _expectTooEarly(last);
        _submit(last);
        _expectTooEarly(last);
        gate.firstRoundOf(last);
    }

    function testFuzz_submit_refusesTwoBridgesInOneWindow(uint256 second, uint256 third) public {
        third = bound(third, 1, F.N_ANSWERS - 2);
        second = bound(second, 1, F.N_ANSWERS - 1 - third); // phase 2 too short for the older part
        uint256[] memory sizes = new uint256[](3);
        (sizes[0], sizes[1], sizes[2]) = (F.N_ANSWERS - second - third, second, third);
        _phases(sizes);
        uint80 last = _id(3, third);
        _expectTooEarly(last);
        _submit(last);
    }

    /// A bridge made before any round was absorbed (the chain starts in phase 2) records no round before it:
    /// a window ending early in phase 2 has nothing to reach back into.
    function test_submit_refusesAfterZeroBridge() public {
        _phases(_two(F.N_ANSWERS, 3));
        // A second accumulator that starts past phase 1's last round bridges before absorbing anything.
        FeedAccumulator late =
            new FeedAccumulator(AggregatorV3Interface(address(proxy)), _id(1, F.N_ANSWERS + 1));
        late.absorb(_id(2, 3));
        assertEq(late.accumulatorAt(PHASE_2), 0, "the zero bridge holds the empty chain");
        assertEq(late.bridgedFrom(PHASE_2), 0, "and names no round before it");
        ForecastProofGate lateGate = new ForecastProofGate(
            verifier,
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(proxy)),
            IFeedAccumulator(address(late)),
            MAX_AGE,
            F.N_OUTPUTS,
            F.N_ANSWERS,
            F.VALUE_BITS
        );
        _expectTooEarly(_id(2, 3));
        lateGate.firstRoundOf(_id(2, 3));
        _expectTooEarly(_id(2, 3));
        lateGate.submit(F.MODEL_ID, _id(2, 3), F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// Round 0 of a phase is the bridge slot, never a round a forecast is made on.
    function test_submit_refusesRoundZero() public {
        _phases(_two(30, 2));
        _expectTooEarly(PHASE_2);
        _submit(PHASE_2);
    }

    // ---------------------------------------------------------------- firstRoundOf over any two phases

    function test_firstRoundOf_followsOneBridge() public {
        _checkFirstRoundOf(25, 30);
    }

    /// Phase 1 with `a` rounds, phase 2 with `b`: for every round of phase 2, the window's first round is in
    /// phase 2 (n >= 21), in phase 1 (a >= 21 - n) or there is none yet.
    function testFuzz_firstRoundOf_followsOneBridge(uint256 a, uint256 b) public {
        a = bound(a, 1, 45);
        b = bound(b, 1, 45);
        if (a + b < F.N_ANSWERS) a = F.N_ANSWERS - b;
        _checkFirstRoundOf(a, b);
    }

    function _checkFirstRoundOf(uint256 a, uint256 b) internal {
        _phases(_two(a, b));
        for (uint256 n = 1; n <= b; ++n) {
            uint80 last = _id(2, n);
            if (n >= F.N_ANSWERS) {
                assertEq(gate.firstRoundOf(last), _id(2, n + 1 - F.N_ANSWERS), "inside phase 2");
            } else if (a >= F.N_ANSWERS - n && accumulator.START_ROUND() <= _id(1, a)) {
                assertEq(gate.firstRoundOf(last), _id(1, a - (F.N_ANSWERS - n) + 1), "across the bridge");
            } else {
                _expectTooEarly(last);
                gate.firstRoundOf(last);
            }
        }
    }
}

/// @notice Gas of a cross-phase `submit` against an in-phase one over the same proxy. Each scenario builds its
/// phases in its own setUp, so the measured `submit` is the first touch of the gate, the accumulator, the proxy,
/// the aggregators, the registry and the verifier in its transaction (a test is one transaction: built in the
/// test body, those accounts were warm and cooling their slots did not make them cold, so the figures read too
/// low). The difference is the `bridgedFrom` read.
abstract contract ForecastProofGatePhasesGasSetup is PhasedGateSetup {
    function _measure(uint80 last, string memory label) internal {
        uint256[2] memory a = F.a();
        uint256[2][2] memory b = F.b();
        uint256[2] memory c = F.c();
        uint256[] memory s = F.publicSignals();
        ForecastProofGate g = gate; // read before the window: the test's own storage is no part of the figure
        uint256 before = gasleft();
        g.submit(F.MODEL_ID, last, a, b, c, s);
        uint256 used = before - gasleft();
        console.log(label, used);
        assertLt(used, 300_000);
    }
}

/// @notice A window across the bridge: 10 rounds of phase 1, the window ends at phase 2's round 11.
contract ForecastProofGatePhasesGasAcrossTest is ForecastProofGatePhasesGasSetup {
    function setUp() public override {
        super.setUp();
        _phases(_two(10, 11));
    }

    function test_gas_submitAcrossBridge() public {
        _measure(_id(2, 11), "gas.zkGate.submit.acrossBridge");
    }
}

/// @notice A window inside phase 2, through the same kind of proxy.
contract ForecastProofGatePhasesGasInPhaseTest is ForecastProofGatePhasesGasSetup {
    function setUp() public override {
        super.setUp();
        _phases(_two(10, F.N_ANSWERS));
    }

    function test_gas_submitInPhaseViaProxy() public {
        _measure(_id(2, F.N_ANSWERS), "gas.zkGate.submit.inPhase.viaProxy");
    }
}
