// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PhasedAggregatorProxy} from "../../src/devnet/PhasedAggregatorProxy.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {PoseidonT3} from "../../src/oracle/PoseidonT3.sol";
import {AggregatorDouble} from "../zk/doubles/AggregatorDouble.sol";
import {OracleTestBase} from "./MedianOracle.t.sol";
import {PoseidonVectors} from "./PoseidonVectors.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice Exposes the internal PoseidonT3.hash for external calls (revert expectations, gas).
contract PoseidonHarness {
    function hash(uint256 x, uint256 y) external pure returns (uint256) {
        return PoseidonT3.hash(x, y);
    }
}

/// @notice Shared set-up: the base's real MedianOracle (5 reporters, quorum 5) with bounds widened to
/// allow negative answers, and a way to publish a round with a given median.
abstract contract AccumulatorTestBase is OracleTestBase {
    uint256 internal constant P = PoseidonT3.FIELD_P;
    int192 internal constant LOW = -1e12;
    int192 internal constant HIGH = 1e12;

    PoseidonHarness internal poseidon;

    function setUp() public virtual override {
        super.setUp();
        vm.prank(ADMIN);
        oracle.setAnswerBounds(LOW, HIGH);
        poseidon = new PoseidonHarness();
    }

    /// Publishes the next round of `o` with five reports all answering `answer` (so the median is `answer`).
    function _publish(MedianOracle o, int256 answer) internal returns (uint80 roundId) {
        roundId = o.latestRound() + 1;
        o.submitRound(roundId, _reports(o, roundId, _arr(answer, answer, answer, answer, answer)));
    }

    function _publishAll(int256[] memory answers) internal {
        for (uint256 i; i < answers.length; ++i) {
            _publish(oracle, answers[i]);
        }
    }

    /// Independent field map for answers within the oracle's bounds (|v| < p).
    function _fieldRef(int256 v) internal pure returns (uint256) {
        return v >= 0 ? uint256(v) : P - uint256(-v);
    }

    function _accumulator(uint80 startRound) internal returns (FeedAccumulator) {
        return new FeedAccumulator(AggregatorV3Interface(address(oracle)), startRound);
    }
}

contract FeedAccumulatorTest is AccumulatorTestBase {
    // ------------------------------------------------------------ PoseidonT3

    function test_poseidon_matchesTypeScriptVectors() public view {
        uint256[3][] memory v = PoseidonVectors.hashes();
        for (uint256 i; i < v.length; ++i) {
            assertEq(poseidon.hash(v[i][0], v[i][1]), v[i][2], string.concat("vector ", vm.toString(i)));
        }
        // circomlibjs' own test vector, independent of the generator.
        assertEq(poseidon.hash(1, 2), 0x115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a);
    }

    function _outsideField(uint256 x, uint256 y, uint256 bad) internal {
        vm.expectRevert(abi.encodeWithSelector(PoseidonT3.PoseidonInputNotInField.selector, bad));
        poseidon.hash(x, y);
    }

    function test_poseidon_rejectsInputOutsideField() public {
        _outsideField(P, 0, P);
        _outsideField(0, type(uint256).max, type(uint256).max);
    }

    function testFuzz_poseidon_rejectsInputOutsideField(uint256 bad, uint256 ok, bool first) public {
        bad = bound(bad, P, type(uint256).max);
        ok = bound(ok, 0, P - 1);
        if (first) _outsideField(bad, ok, bad);
        else _outsideField(ok, bad, bad);
    }

    // ------------------------------------------------------------ constructor

    function test_constructor_setsFeedAndStart() public {
        FeedAccumulator acc = _accumulator(3);
        assertEq(address(acc.FEED()), address(oracle));
        assertEq(acc.START_ROUND(), 3);
        assertEq(acc.lastAbsorbed(), 2);
    }

    function test_constructor_rejectsStartRoundZero() public {
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorInvalidStartRound.selector, 0));
        new FeedAccumulator(AggregatorV3Interface(address(oracle)), 0);
    }

    function test_constructor_rejectsFeedWithoutCode() public {
        address eoa = address(0xBEEF);
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorInvalidFeed.selector, eoa));
        new FeedAccumulator(AggregatorV3Interface(eoa), 1);
    }

    // ------------------------------------------------------------ absorb: the chain

    function test_absorb_chainMatchesTypeScript() public {
        int256[] memory answers = PoseidonVectors.chainAnswers();
        uint256[] memory expected = PoseidonVectors.chainAccumulators();
        _publishAll(answers);
        FeedAccumulator acc = _accumulator(1);
        for (uint256 i; i < answers.length; ++i) {
            vm.expectEmit(address(acc));
            emit FeedAccumulator.RoundAbsorbed(uint80(i + 1), answers[i], expected[i]);
        }
        assertEq(acc.absorb(uint80(answers.length)), expected[answers.length - 1]);
        assertEq(acc.lastAbsorbed(), answers.length);
        assertEq(acc.accumulatorAt(0), 0);
        for (uint256 i; i < answers.length; ++i) {
            assertEq(acc.accumulatorAt(uint80(i + 1)), expected[i]);
        }
    }

    function test_absorb_roundByRoundEqualsBatch() public {
        _publishAll(PoseidonVectors.chainAnswers());
        _roundByRoundEqualsBatch(8, 1);
    }

    function testFuzz_absorb_roundByRoundEqualsBatch(uint256 rounds, uint256 seed) public {
        rounds = bound(rounds, 1, 12);
        for (uint256 i; i < rounds; ++i) {
            _publish(oracle, bound(int256(uint256(keccak256(abi.encode(seed, i)))), LOW, HIGH));
        }
        _roundByRoundEqualsBatch(uint80(rounds), uint80(bound(seed, 1, rounds)));
    }

    function _roundByRoundEqualsBatch(uint80 rounds, uint80 start) internal {
        FeedAccumulator one = _accumulator(start);
        FeedAccumulator all = _accumulator(start);
        uint256 prev;
        for (uint80 r = start; r <= rounds; ++r) {
            (, int256 answer,,,) = oracle.getRoundData(r);
            uint256 got = one.absorb(r);
            assertEq(got, poseidon.hash(prev, _fieldRef(answer)), "acc(r) = H(acc(r - 1), field(answer))");
            prev = got;
        }
        assertEq(all.absorb(rounds), prev);
        for (uint80 r = start - 1; r <= rounds; ++r) {
            assertEq(all.accumulatorAt(r), one.accumulatorAt(r));
        }
    }

    function _negativeAnswer(int256 answer) internal {
        _publish(oracle, answer);
        FeedAccumulator acc = _accumulator(1);
        assertEq(acc.absorb(1), poseidon.hash(0, P - uint256(-answer)));
    }

    function test_absorb_negativeAnswerMapsToPMinusAbs() public {
        _negativeAnswer(-3_698_000_000); // WTI, 2020-04-20
        // The same value from the TypeScript vectors: (0, p - 3_698_000_000).
        uint256[3][] memory v = PoseidonVectors.hashes();
        assertEq(v[6][1], P - 3_698_000_000);
        assertEq(_accumulator(1).absorb(1), v[6][2]);
    }

    function testFuzz_absorb_negativeAnswerMapsToPMinusAbs(int256 answer) public {
        _negativeAnswer(bound(answer, LOW, -1));
    }

    function _fieldOfAnyInt(int256 answer, uint256 expected) internal {
        AggregatorDouble feed = new AggregatorDouble();
        feed.setRoundServedAs(1, 1, answer, block.timestamp);
        FeedAccumulator acc = new FeedAccumulator(feed, 1);
        assertEq(acc.absorb(1), poseidon.hash(0, expected));
    }

    function test_absorb_fieldOfExtremeAnswers() public {
        _fieldOfAnyInt(type(int256).min, P - (uint256(1) << 255) % P);
        _fieldOfAnyInt(type(int256).max, uint256(type(int256).max) % P);
        _fieldOfAnyInt(int256(P), 0);
        _fieldOfAnyInt(-int256(P), 0);
        _fieldOfAnyInt(-1, P - 1);
    }

    function testFuzz_absorb_fieldOfAnyAnswer(int256 answer) public {
        // Reference: v mod p by Solidity's signed modulo (sign of the dividend), shifted into [0, p).
        int256 r = answer % int256(P);
        _fieldOfAnyInt(answer, r < 0 ? uint256(r + int256(P)) : uint256(r));
    }

    // ------------------------------------------------------------ absorb: idempotence

    function _idempotent(uint256 rounds, uint80 again) internal {
        for (uint256 i; i < rounds; ++i) {
            _publish(oracle, 7_000_000_000 + int256(i));
        }
        FeedAccumulator acc = _accumulator(1);
        uint256 first = acc.absorb(uint80(rounds));
        vm.recordLogs();
        assertEq(acc.absorb(uint80(rounds)), first);
        assertEq(acc.absorb(again), acc.accumulatorAt(again));
        assertEq(vm.getRecordedLogs().length, 0, "no event when nothing is absorbed");
        assertEq(acc.lastAbsorbed(), rounds);
    }

    function test_absorb_idempotent() public {
        _idempotent(4, 2);
    }

    function testFuzz_absorb_idempotent(uint256 rounds, uint80 again) public {
        rounds = bound(rounds, 1, 8);
        _idempotent(rounds, uint80(bound(again, 0, rounds)));
    }

    // ------------------------------------------------------------ absorb: missing rounds

    function _beyondLatest(uint256 published, uint80 upTo) internal {
        for (uint256 i; i < published; ++i) {
            _publish(oracle, 6_500_000_000);
        }
        FeedAccumulator acc = _accumulator(1);
        vm.expectRevert(
            abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundMissing.selector, uint80(published + 1))
        );
        acc.absorb(upTo);
        assertEq(acc.lastAbsorbed(), 0, "nothing absorbed by a reverted call");
    }

    function test_absorb_beyondLatestRevertsNamingRound() public {
        _beyondLatest(3, 5);
    }

    function test_absorb_emptyFeedRevertsNamingRound() public {
        _beyondLatest(0, 1);
    }

    function test_absorb_farBeyondLatestRevertsNamingRound() public {
        _beyondLatest(2, type(uint80).max);
    }

    function testFuzz_absorb_beyondLatestRevertsNamingRound(uint256 published, uint80 upTo) public {
        published = bound(published, 0, 6);
        _beyondLatest(published, uint80(bound(upTo, published + 1, type(uint80).max)));
    }

    function test_absorb_feedServingAnotherRoundOrUnsetRound() public {
        AggregatorDouble feed = new AggregatorDouble();
        feed.setRoundServedAs(1, 1, 100, block.timestamp);
        feed.setRoundServedAs(2, 7, 100, block.timestamp); // serves round 7 when asked for 2
        feed.setRoundServedAs(3, 3, 100, 0); // unset (updatedAt == 0)
        FeedAccumulator acc = new FeedAccumulator(feed, 1);
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundMissing.selector, uint80(2)));
        acc.absorb(2);
        feed.setRoundServedAs(2, 2, 100, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundMissing.selector, uint80(3)));
        acc.absorb(3);
        acc.absorb(2);
        assertEq(acc.lastAbsorbed(), 2);
    }

    // ------------------------------------------------------------ accumulatorAt

    function _outOfRange(uint80 start, uint256 published, uint80 roundId) internal {
        for (uint256 i; i < published; ++i) {
            _publish(oracle, 7_100_000_000);
        }
        FeedAccumulator acc = _accumulator(start);
        if (published >= start) acc.absorb(uint80(published));
        uint80 last = acc.lastAbsorbed();
        if (roundId < start - 1) {
            vm.expectRevert(
                abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundBeforeStart.selector, roundId, start)
            );
        } else if (roundId > last) {
            vm.expectRevert(
                abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundNotAbsorbed.selector, roundId, last)
            );
        }
        acc.accumulatorAt(roundId);
        if (roundId < start - 1) {
            // absorb never reaches below the chain either.
            vm.expectRevert(
                abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundBeforeStart.selector, roundId, start)
            );
            acc.absorb(roundId);
        }
    }

    function test_accumulatorAt_beforeStartReverts() public {
        _outOfRange(3, 5, 1);
        _outOfRange(5, 0, 0);
    }

    function test_accumulatorAt_notYetAbsorbedReverts() public {
        _outOfRange(1, 0, 1); // nothing absorbed: last = 0
        _outOfRange(3, 5, 6);
    }

    function testFuzz_accumulatorAt_outOfRangeReverts(uint80 start, uint256 published, uint80 roundId)
        public
    {
        start = uint80(bound(start, 1, 6));
        published = bound(published, 0, 6);
        uint80 last = published >= start ? uint80(published) : start - 1;
        // Outside [start - 1, last]: below when start > 1 and the coin says so, else above.
        roundId = start > 1 && roundId % 2 == 0
            ? uint80(bound(roundId, 0, start - 2))
            : uint80(bound(roundId, last + 1, type(uint80).max));
        _outOfRange(start, published, roundId);
    }

    function _startMinusOneIsZero(uint80 start) internal {
        for (uint256 i; i < start; ++i) {
            _publish(oracle, 7_200_000_000);
        }
        FeedAccumulator acc = _accumulator(start);
        assertEq(acc.accumulatorAt(start - 1), 0, "before absorbing");
        assertEq(acc.absorb(start - 1), 0, "absorb(START_ROUND - 1) is a no-op");
        uint256 first = acc.absorb(start);
        assertEq(first, poseidon.hash(0, 7_200_000_000), "the chain starts from 0 at START_ROUND");
        assertEq(acc.accumulatorAt(start - 1), 0, "after absorbing");
    }

    function test_accumulatorAt_startMinusOneIsZero() public {
        _startMinusOneIsZero(1);
        _startMinusOneIsZero(4);
    }

    function testFuzz_accumulatorAt_startMinusOneIsZero(uint80 start) public {
        _startMinusOneIsZero(uint80(bound(start, 1, 6)));
    }

    function test_absorb_emitsOneEventPerRound() public {
        _publishAll(PoseidonVectors.chainAnswers());
        FeedAccumulator acc = _accumulator(2);
        vm.recordLogs();
        acc.absorb(5);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 4);
        for (uint256 i; i < logs.length; ++i) {
            assertEq(logs[i].topics[0], FeedAccumulator.RoundAbsorbed.selector);
            assertEq(uint256(logs[i].topics[1]), i + 2);
        }
    }
}

/// @notice The chain over a Chainlink-style proxy across an aggregator upgrade: ids `phase << 64 | n`.
contract FeedAccumulatorPhaseTest is AccumulatorTestBase {
    uint80 internal constant PHASE_1 = uint80(1) << 64;
    uint80 internal constant PHASE_2 = uint80(2) << 64;

    PhasedAggregatorProxy internal proxy;
    MedianOracle internal second;

    function setUp() public override {
        super.setUp();
        proxy = new PhasedAggregatorProxy(address(this), AggregatorV3Interface(address(oracle)));
        second = _feed(5, 5, LOW, HIGH);
    }

    /// Phase 1 gets `before` rounds, then the proxy moves to `second`, which gets `after_` rounds.
    function _twoPhases(uint256 before, uint256 after_) internal returns (int256[] memory answers) {
        answers = new int256[](before + after_);
        for (uint256 i; i < answers.length; ++i) {
            // Distinct answers, some negative, so a swapped or dropped round changes the chain.
            answers[i] = int256(i * 7919) - 20_000;
        }
        for (uint256 i; i < before; ++i) {
            _publish(oracle, answers[i]);
        }
        for (uint256 i; i < after_; ++i) {
            _publish(second, answers[before + i]);
        }
        proxy.setAggregator(AggregatorV3Interface(address(second)));
    }

    /// The reference chain over `answers` (the phases joined in order).
    function _reference(int256[] memory answers) internal view returns (uint256[] memory chain) {
        chain = new uint256[](answers.length);
        uint256 acc;
        for (uint256 i; i < answers.length; ++i) {
            acc = poseidon.hash(acc, _fieldRef(answers[i]));
            chain[i] = acc;
        }
    }

    function _bridges(uint256 before, uint256 after_, uint256 split) internal {
        int256[] memory answers = _twoPhases(before, after_);
        uint256[] memory chain = _reference(answers);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        // Absorbing in two calls (the first may stop anywhere, in either phase) equals one call.
        uint80 stop = split <= before ? PHASE_1 | uint80(split) : PHASE_2 | uint80(split - before);
        if (split > 0) acc.absorb(stop);
        uint80 last = PHASE_2 | uint80(after_);
        assertEq(acc.absorb(last), chain[chain.length - 1], "acc(last) is the joined chain's end");
        assertEq(acc.lastAbsorbed(), last);
        for (uint256 n = 1; n <= before; ++n) {
            assertEq(acc.accumulatorAt(PHASE_1 | uint80(n)), chain[n - 1], "phase 1 round");
        }
        for (uint256 n = 1; n <= after_; ++n) {
            assertEq(acc.accumulatorAt(PHASE_2 | uint80(n)), chain[before + n - 1], "phase 2 round");
        }
        // The chain start of a window beginning at phase 2's first round reads as acc(first - 1).
        assertEq(
            acc.accumulatorAt(PHASE_2), chain[before - 1], "phase 2 round 0 carries acc(last of phase 1)"
        );
        // ... and names phase 1's last round: the chain's round before phase 2's first.
        assertEq(acc.bridgedFrom(PHASE_2), PHASE_1 | uint80(before), "bridgedFrom is phase 1's last round");
        assertEq(acc.bridgedFrom(PHASE_1), 0, "the chain started in phase 1: no bridge into it");
        assertEq(acc.bridgedFrom(PHASE_2 | 1), 0, "a real round is no bridge");
        vm.expectRevert(
            abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundSkipped.selector, PHASE_1 | 99)
        );
        acc.accumulatorAt(PHASE_1 | 99);
    }

    function test_absorb_bridgesAggregatorUpgrade() public {
        _bridges(3, 2, 0);
    }

    function test_absorb_bridgesAfterAbsorbingPartOfPhaseOne() public {
        _bridges(3, 4, 2);
    }

    function test_absorb_bridgesAfterAbsorbingPartOfPhaseTwo() public {
        _bridges(2, 4, 3);
    }

    function testFuzz_absorb_bridgesAggregatorUpgrade(uint256 before, uint256 after_, uint256 split) public {
        before = bound(before, 1, 5);
        after_ = bound(after_, 1, 5);
        _bridges(before, after_, bound(split, 0, before + after_));
    }

    function test_absorb_bridgeEmitsPhaseBridged() public {
        int256[] memory answers = _twoPhases(2, 1);
        uint256[] memory chain = _reference(answers);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        vm.expectEmit(true, true, false, true, address(acc));
        emit FeedAccumulator.PhaseBridged(PHASE_1 | 2, PHASE_2 | 1, chain[1]);
        vm.expectEmit(true, false, false, true, address(acc));
        emit FeedAccumulator.RoundAbsorbed(PHASE_2 | 1, answers[2], chain[2]);
        acc.absorb(PHASE_2 | 1);
    }

    function test_absorb_oldPhaseRoundAfterBridgeStaysSkipped() public {
        _twoPhases(2, 2);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        acc.absorb(PHASE_2 | 1);
        // The retired aggregator publishes one more round: the chain went on without it, and stays so.
        _publish(oracle, 123);
        uint256 before = acc.accumulatorAt(PHASE_2 | 1);
        acc.absorb(PHASE_2 | 2);
        assertEq(acc.accumulatorAt(PHASE_2 | 1), before, "a stored accumulator never changes");
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundSkipped.selector, PHASE_1 | 3));
        acc.accumulatorAt(PHASE_1 | 3);
    }

    function test_absorb_nextPhaseWithoutRoundOneRevertsNamingMissingRound() public {
        _twoPhases(2, 0);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        acc.absorb(PHASE_1 | 2);
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundMissing.selector, PHASE_1 | 3));
        acc.absorb(PHASE_2 | 1);
        assertEq(acc.lastAbsorbed(), PHASE_1 | 2, "nothing absorbed by a reverted call");
        vm.expectRevert(
            abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundNotAbsorbed.selector, PHASE_2, PHASE_1 | 2)
        );
        acc.accumulatorAt(PHASE_2);
    }

    /// An aggregator replaced before it ever answered (phase 2 empty) is passed over: the chain goes from
    /// phase 1's last round to phase 3's round 1 (it used to stall for good).
    function test_absorb_passesOverPhaseWithoutRounds() public {
        int256[] memory answers = _twoPhases(2, 0);
        MedianOracle third = _feed(5, 5, LOW, HIGH);
        _publish(third, 777);
        _publish(third, -778);
        proxy.setAggregator(AggregatorV3Interface(address(third)));
        uint80 phase3 = uint80(3) << 64;
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        acc.absorb(PHASE_1 | 2);
        int256[] memory joined = new int256[](4);
        (joined[0], joined[1], joined[2], joined[3]) = (answers[0], answers[1], 777, -778);
        uint256[] memory chain = _reference(joined);
        vm.expectEmit(true, true, false, true, address(acc));
        emit FeedAccumulator.PhaseBridged(PHASE_1 | 2, phase3 | 1, chain[1]);
        assertEq(acc.absorb(phase3 | 2), chain[3]);
        assertEq(acc.accumulatorAt(phase3), chain[1], "phase 3 round 0 carries acc(last of phase 1)");
        assertEq(acc.bridgedFrom(phase3), PHASE_1 | 2, "the round before phase 3's first is phase 1's last");
        assertEq(acc.bridgedFrom(PHASE_2), 0, "the phase passed over has no bridge");
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundSkipped.selector, PHASE_2));
        acc.accumulatorAt(PHASE_2);
    }

    /// A bridge made before any round was absorbed (START_ROUND's phase ended before it) holds 0 and still
    /// serves as the chain start of the next phase's first window (it read as skipped).
    function test_absorb_bridgeBeforeFirstRoundServesZero() public {
        _twoPhases(2, 1);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 3);
        acc.absorb(PHASE_2 | 1);
        assertEq(acc.accumulatorAt(PHASE_2), 0, "the chain before phase 2's round 1 is empty");
        assertEq(acc.bridgedFrom(PHASE_2), 0, "no round was absorbed before the bridge");
        (, int256 answer,,,) = proxy.getRoundData(PHASE_2 | 1);
        assertEq(acc.accumulatorAt(PHASE_2 | 1), poseidon.hash(0, _fieldRef(answer)));
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundSkipped.selector, PHASE_1 | 3));
        acc.accumulatorAt(PHASE_1 | 3);
    }

    function test_absorb_missingRoundInsideLaterPhaseReverts() public {
        _twoPhases(1, 1);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundMissing.selector, PHASE_2 | 2));
        acc.absorb(PHASE_2 | 3);
        assertEq(acc.lastAbsorbed(), PHASE_1);
        assertEq(acc.bridgedFrom(PHASE_2), 0, "a reverted absorb records no bridge");
    }

    /// bridgedFrom is set once, with the bridge, and a retired aggregator's later round does not move it.
    function test_bridgedFrom_setOnceWithTheBridge() public {
        _bridgedFromStable(3, 2);
    }

    function testFuzz_bridgedFrom_setOnceWithTheBridge(uint256 before, uint256 absorbedFirst) public {
        before = bound(before, 1, 6);
        _bridgedFromStable(before, bound(absorbedFirst, 0, before));
    }

    function _bridgedFromStable(uint256 before, uint256 absorbedFirst) internal {
        _twoPhases(before, 2);
        FeedAccumulator acc = new FeedAccumulator(AggregatorV3Interface(address(proxy)), PHASE_1 | 1);
        if (absorbedFirst > 0) acc.absorb(PHASE_1 | uint80(absorbedFirst));
        assertEq(acc.bridgedFrom(PHASE_2), 0, "not bridged yet");
        acc.absorb(PHASE_2 | 1);
        assertEq(acc.bridgedFrom(PHASE_2), PHASE_1 | uint80(before));
        _publish(oracle, 321); // the retired aggregator answers once more
        acc.absorb(PHASE_2 | 2);
        assertEq(acc.bridgedFrom(PHASE_2), PHASE_1 | uint80(before), "a bridge never changes");
    }
}
