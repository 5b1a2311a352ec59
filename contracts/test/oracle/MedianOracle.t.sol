// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {OracleLib} from "../../src/oracle/OracleLib.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Test consumer: reads a feed through OracleLib as the asset contracts do.
contract OracleConsumer {
    function read(AggregatorV3Interface feed, uint256 heartbeat) external view returns (uint256 answer) {
        (, answer,) = OracleLib.latest(feed, heartbeat);
    }

    function readRound(AggregatorV3Interface feed, uint80 roundId, uint256 heartbeat)
        external
        view
        returns (uint256 answer)
    {
        (answer,) = OracleLib.atRound(feed, roundId, heartbeat);
    }
}

abstract contract OracleTestBase is Test {
    address internal constant ADMIN = address(0xA11CE);
    uint256 internal constant N = 7;
    uint256 internal constant QUORUM = 4;
    int192 internal constant MIN = 1;
    int192 internal constant MAX = 1e12;
    uint32 internal constant HEARTBEAT = 1 days;

    MedianOracle internal oracle;
    uint256[] internal keys;
    address[] internal reporters;

    function setUp() public virtual {
        vm.warp(1_700_000_000);
        for (uint256 i; i < N; ++i) {
            keys.push(0xA000 + i);
            reporters.push(vm.addr(0xA000 + i));
        }
        oracle = new MedianOracle(ADMIN, 8, "WTI / USD", MIN, MAX, HEARTBEAT, reporters, QUORUM);
    }

    function _report(MedianOracle o, uint256 key, uint80 roundId, int256 answer, uint256 observedAt)
        internal
        pure
        returns (MedianOracle.Report memory)
    {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, _digest(o, roundId, answer, observedAt));
        return MedianOracle.Report(answer, observedAt, abi.encodePacked(r, s, v));
    }

    /// Independent EIP-712 digest (what an off-chain reporter computes).
    function _digest(MedianOracle o, uint80 roundId, int256 answer, uint256 observedAt)
        internal
        pure
        returns (bytes32)
    {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("Provenant MedianOracle"),
                keccak256("1"),
                uint256(31_337),
                address(o)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Report(address feed,uint80 roundId,int256 answer,uint256 observedAt)"),
                address(o),
                roundId,
                answer,
                observedAt
            )
        );
        return keccak256(abi.encodePacked("\x19\x01", domain, structHash));
    }

    function _reports(MedianOracle o, uint80 roundId, int256[] memory answers)
        internal
        view
        returns (MedianOracle.Report[] memory out)
    {
        out = new MedianOracle.Report[](answers.length);
        for (uint256 i; i < answers.length; ++i) {
            out[i] = _report(o, keys[i], roundId, answers[i], block.timestamp);
        }
    }

    /// Reference median: bubble sort a copy; even count = (a + b) / 2 (Solidity rounds toward zero).
    function _refMedian(int256[] memory values) internal pure returns (int256) {
        int256[] memory v = new int256[](values.length);
        for (uint256 i; i < v.length; ++i) {
            v[i] = values[i];
        }
        for (uint256 i; i < v.length; ++i) {
            for (uint256 j; j + 1 < v.length - i; ++j) {
                if (v[j] > v[j + 1]) (v[j], v[j + 1]) = (v[j + 1], v[j]);
            }
        }
        uint256 m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    function _arr(int256 a, int256 b, int256 c, int256 d, int256 e)
        internal
        pure
        returns (int256[] memory r)
    {
        r = new int256[](5);
        (r[0], r[1], r[2], r[3], r[4]) = (a, b, c, d, e);
    }
}

contract MedianOracleTest is OracleTestBase {
    // ------------------------------------------------------------ median

    function _acceptsMedian(int256[] memory answers) internal {
        int256 expected = _refMedian(answers);
        vm.expectEmit(address(oracle));
        emit MedianOracle.AnswerUpdated(expected, 1, block.timestamp);
        int256 got = oracle.submitRound(1, _reports(oracle, 1, answers));
        assertEq(got, expected);
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) =
            oracle.latestRoundData();
        assertEq(id, 1);
        assertEq(answer, expected);
        assertEq(startedAt, block.timestamp);
        assertEq(updatedAt, block.timestamp);
        assertEq(answeredIn, 1);
        assertEq(oracle.latestRound(), 1);
    }

    function test_submitRound_median() public {
        _acceptsMedian(_arr(7010, 7003, 7050, 6990, 7020)); // median 7010
    }

    function test_submitRound_evenCountMeanTowardZero() public {
        int256[] memory a = new int256[](4);
        (a[0], a[1], a[2], a[3]) = (4, 1, 3, 2); // middle 2 and 3 -> 2 (2.5 toward zero)
        assertEq(oracle.submitRound(1, _reports(oracle, 1, a)), 2);
    }

    function testFuzz_submitRound_median(uint256 n, uint256 seed) public {
        n = bound(n, QUORUM, N);
        int256[] memory answers = new int256[](n);
        for (uint256 i; i < n; ++i) {
            answers[i] = int256(
                bound(uint256(keccak256(abi.encode(seed, i))), uint256(int256(MIN)), uint256(int256(MAX)))
            );
        }
        _acceptsMedian(answers);
    }

    function test_median_pure() public view {
        int256[] memory a = new int256[](2);
        (a[0], a[1]) = (-3, -2);
        assertEq(oracle.median(a), -2); // -2.5 toward zero
        (a[0], a[1]) = (-1, 324);
        assertEq(oracle.median(a), 161); // 161.5 toward zero (opposite signs)
        (a[0], a[1]) = (type(int256).max, type(int256).max - 1);
        assertEq(oracle.median(a), type(int256).max - 1); // no overflow
    }

    function testFuzz_median_pure(int256[] memory values) public view {
        vm.assume(values.length > 0 && values.length <= 31);
        for (uint256 i; i < values.length; ++i) {
            values[i] = bound(values[i], -1e40, 1e40);
        }
        int256 expected = _refMedian(values);
        assertEq(oracle.median(values), expected);
    }

    /// Fewer than half of the reports lying cannot move the answer outside the honest range.
    function _liars(int256[] memory honest, int256[] memory lies) internal {
        int256[] memory all = new int256[](honest.length + lies.length);
        int256 lo = type(int256).max;
        int256 hi = type(int256).min;
        for (uint256 i; i < honest.length; ++i) {
            all[i] = honest[i];
            if (honest[i] < lo) lo = honest[i];
            if (honest[i] > hi) hi = honest[i];
        }
        for (uint256 i; i < lies.length; ++i) {
            all[honest.length + i] = lies[i];
        }
        int256 answer = oracle.submitRound(1, _reports(oracle, 1, all));
        assertGe(answer, lo);
        assertLe(answer, hi);
    }

    function test_submitRound_minorityLiarsCannotMoveAnswer() public {
        int256[] memory honest = new int256[](4);
        (honest[0], honest[1], honest[2], honest[3]) = (7000, 7001, 7002, 7003);
        int256[] memory lies = new int256[](3);
        (lies[0], lies[1], lies[2]) = (MAX, MAX, MAX);
        _liars(honest, lies);
    }

    function testFuzz_submitRound_minorityLiarsCannotMoveAnswer(uint256 n, uint256 liarCount, uint256 seed)
        public
    {
        n = bound(n, QUORUM, N);
        liarCount = bound(liarCount, 0, (n - 1) / 2); // liars * 2 < n
        uint256 base = bound(seed, 1, uint256(int256(MAX)) - 1000);
        int256[] memory honest = new int256[](n - liarCount);
        int256[] memory lies = new int256[](liarCount);
        for (uint256 i; i < honest.length; ++i) {
            honest[i] = int256(base + uint256(keccak256(abi.encode(seed, "h", i))) % 1000);
        }
        for (uint256 i; i < liarCount; ++i) {
            lies[i] = uint256(keccak256(abi.encode(seed, "l", i))) % 2 == 0 ? MIN : MAX;
        }
        _liars(honest, lies);
    }

    // ------------------------------------------------------------ rejections

    function _outOfOrder(uint80 roundId) internal {
        vm.expectRevert(
            abi.encodeWithSelector(MedianOracle.OracleRoundOutOfOrder.selector, uint80(1), roundId)
        );
        oracle.submitRound(roundId, _reports(oracle, roundId, _arr(1, 2, 3, 4, 5)));
    }

    function test_submitRound_outOfOrder() public {
        _outOfOrder(2);
        _outOfOrder(0);
    }

    function testFuzz_submitRound_outOfOrder(uint80 roundId) public {
        vm.assume(roundId != 1);
        _outOfOrder(roundId);
    }

    function test_submitRound_replayRejected() public {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        oracle.submitRound(1, r);
        vm.expectRevert(
            abi.encodeWithSelector(MedianOracle.OracleRoundOutOfOrder.selector, uint80(2), uint80(1))
        );
        oracle.submitRound(1, r);
        // round 1's signatures are not valid for round 2: they recover to other addresses
        vm.expectRevert();
        oracle.submitRound(2, r);
    }

    function _duplicate(uint256 dupIndex) internal {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[dupIndex] = _report(oracle, keys[0], 1, 9, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleDuplicateReporter.selector, reporters[0]));
        oracle.submitRound(1, r);
    }

    function test_submitRound_duplicateReporter() public {
        _duplicate(4);
    }

    function testFuzz_submitRound_duplicateReporter(uint256 i) public {
        _duplicate(bound(i, 1, 4));
    }

    function _unknown(uint256 key) internal {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[2] = _report(oracle, key, 1, 3, block.timestamp);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleUnknownReporter.selector, vm.addr(key)));
        oracle.submitRound(1, r);
    }

    function test_submitRound_unknownReporter() public {
        _unknown(0xBAD);
    }

    function testFuzz_submitRound_unknownReporter(uint256 key) public {
        key = bound(key, 1, 0xA000 - 1);
        _unknown(key);
    }

    function test_submitRound_invalidSignature() public {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[3].signature = hex"1234";
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidSignature.selector, uint256(3)));
        oracle.submitRound(1, r);
    }

    function test_submitRound_tamperedAnswer() public {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[1].answer = 1000; // signature was over 2: recovers to a stranger
        vm.expectPartialRevert(MedianOracle.OracleUnknownReporter.selector);
        oracle.submitRound(1, r);
    }

    function _quorum(uint256 n) internal {
        int256[] memory a = new int256[](n);
        for (uint256 i; i < n; ++i) {
            a[i] = int256(i + 1);
        }
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleQuorumNotMet.selector, n, QUORUM));
        oracle.submitRound(1, _reports(oracle, 1, a));
    }

    function test_submitRound_quorumNotMet() public {
        _quorum(3);
        _quorum(0);
    }

    function testFuzz_submitRound_quorumNotMet(uint256 n) public {
        _quorum(bound(n, 0, QUORUM - 1));
    }

    function _outOfBounds(int256 answer) internal {
        vm.expectRevert(
            abi.encodeWithSelector(MedianOracle.OracleAnswerOutOfBounds.selector, answer, MIN, MAX)
        );
        oracle.submitRound(1, _reports(oracle, 1, _arr(2, 3, answer, 4, 5)));
    }

    function test_submitRound_outOfBounds() public {
        _outOfBounds(0);
        _outOfBounds(-1);
        _outOfBounds(int256(MAX) + 1);
    }

    function testFuzz_submitRound_outOfBounds(int256 answer) public {
        vm.assume(answer < MIN || answer > MAX);
        _outOfBounds(answer);
    }

    function _staleReport(uint256 age) internal {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        uint256 observedAt = block.timestamp - age;
        r[0] = _report(oracle, keys[0], 1, 1, observedAt);
        vm.expectRevert(
            abi.encodeWithSelector(
                MedianOracle.OracleReportStale.selector, observedAt, block.timestamp, HEARTBEAT
            )
        );
        oracle.submitRound(1, r);
    }

    function test_submitRound_staleReport() public {
        _staleReport(HEARTBEAT + 1);
    }

    function testFuzz_submitRound_staleReport(uint256 age) public {
        _staleReport(bound(age, HEARTBEAT + 1, block.timestamp));
    }

    function test_submitRound_futureReport() public {
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[0] = _report(oracle, keys[0], 1, 1, block.timestamp + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                MedianOracle.OracleReportFromFuture.selector, block.timestamp + 1, block.timestamp
            )
        );
        oracle.submitRound(1, r);
    }

    // ------------------------------------------------------------ AggregatorV3Interface

    function test_aggregatorV3_views() public {
        assertEq(oracle.decimals(), 8);
        assertEq(oracle.description(), "WTI / USD");
        assertEq(oracle.version(), 1);
        vm.expectRevert(MedianOracle.OracleNoRounds.selector);
        oracle.latestRoundData();
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(10, 20, 30, 40, 50));
        r[4] = _report(oracle, keys[4], 1, 50, block.timestamp - 100);
        vm.warp(block.timestamp + 5);
        oracle.submitRound(1, r);
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) =
            oracle.getRoundData(1);
        assertEq(id, 1);
        assertEq(answer, 30);
        assertEq(startedAt, block.timestamp - 105); // oldest observation
        assertEq(updatedAt, block.timestamp);
        assertEq(answeredIn, 1);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleRoundNotFound.selector, uint80(2)));
        oracle.getRoundData(2);
        assertEq(oracle.reportDigest(1, 30, 7), _digest(oracle, 1, 30, 7));
    }

    function testFuzz_aggregatorV3_roundsAreContiguous(uint8 rounds) public {
        rounds = uint8(bound(rounds, 1, 12));
        for (uint80 i = 1; i <= rounds; ++i) {
            oracle.submitRound(i, _reports(oracle, i, _arr(int256(uint256(i)), 2, 3, 4, 5)));
            vm.warp(block.timestamp + 60);
        }
        (uint80 id,,,,) = oracle.latestRoundData();
        assertEq(id, rounds);
        (, int256 answer,,,) = oracle.getRoundData(1);
        assertEq(answer, 3);
    }

    function test_aggregatorV3_roundsAreContiguous() public {
        testFuzz_aggregatorV3_roundsAreContiguous(3);
    }

    // ------------------------------------------------------------ governance

    function _notAdmin(address caller) internal {
        bytes memory err = abi.encodeWithSelector(MedianOracle.OracleUnauthorized.selector, caller);
        vm.startPrank(caller);
        vm.expectRevert(err);
        oracle.addReporter(address(0x1234));
        vm.expectRevert(err);
        oracle.removeReporter(reporters[0]);
        vm.expectRevert(err);
        oracle.setQuorum(5);
        vm.expectRevert(err);
        oracle.setAnswerBounds(0, 1);
        vm.expectRevert(err);
        oracle.setHeartbeat(1);
        vm.expectRevert(err);
        oracle.setAdmin(caller);
        vm.stopPrank();
    }

    function test_governance_onlyAdmin() public {
        _notAdmin(reporters[0]);
    }

    function testFuzz_governance_onlyAdmin(address caller) public {
        vm.assume(caller != ADMIN);
        _notAdmin(caller);
    }

    function test_governance_reporterSetAndQuorum() public {
        vm.startPrank(ADMIN);
        oracle.setQuorum(7);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidQuorum.selector, 7, 6));
        oracle.removeReporter(reporters[6]);
        oracle.setQuorum(4);
        oracle.removeReporter(reporters[6]);
        assertFalse(oracle.isReporter(reporters[6]));
        assertEq(oracle.reporters().length, 6);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidQuorum.selector, 7, 6));
        oracle.setQuorum(7);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidQuorum.selector, 0, 6));
        oracle.setQuorum(0);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleReporterExists.selector, reporters[0]));
        oracle.addReporter(reporters[0]);
        oracle.addReporter(reporters[6]);
        oracle.setHeartbeat(60);
        oracle.setAnswerBounds(-5, 5);
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidBounds.selector, 6, 5));
        oracle.setAnswerBounds(6, 5);
        vm.stopPrank();
        assertEq(oracle.heartbeat(), 60);
        assertEq(oracle.minAnswer(), -5);
        assertEq(oracle.maxAnswer(), 5);
        // A removed-then-readded reporter signs again; a removed one is refused.
        vm.prank(ADMIN);
        oracle.removeReporter(reporters[1]);
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleUnknownReporter.selector, reporters[1]));
        oracle.submitRound(1, r);
    }

    function testFuzz_submitRound_evenCountMeanTowardZero(uint256 seed) public {
        int256[] memory a = new int256[](4);
        for (uint256 i; i < 4; ++i) {
            a[i] = int256(
                bound(uint256(keccak256(abi.encode(seed, i))), uint256(int256(MIN)), uint256(int256(MAX)))
            );
        }
        assertEq(oracle.submitRound(1, _reports(oracle, 1, a)), _refMedian(a));
    }

    function testFuzz_submitRound_invalidSignature(bytes memory signature, uint256 index) public {
        vm.assume(signature.length < 64);
        index = bound(index, 0, 4);
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[index].signature = signature;
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidSignature.selector, index));
        oracle.submitRound(1, r);
    }

    function testFuzz_submitRound_tamperedAnswer(int256 answer) public {
        answer = bound(answer, MIN, MAX);
        vm.assume(answer != 2);
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[1].answer = answer;
        vm.expectPartialRevert(MedianOracle.OracleUnknownReporter.selector);
        oracle.submitRound(1, r);
    }

    function testFuzz_submitRound_futureReport(uint256 ahead) public {
        ahead = bound(ahead, 1, 365 days);
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(1, 2, 3, 4, 5));
        r[2] = _report(oracle, keys[2], 1, 3, block.timestamp + ahead);
        vm.expectRevert(
            abi.encodeWithSelector(
                MedianOracle.OracleReportFromFuture.selector, block.timestamp + ahead, block.timestamp
            )
        );
        oracle.submitRound(1, r);
    }

    function testFuzz_submitRound_replayRejected(uint8 rounds, uint8 replayed) public {
        rounds = uint8(bound(rounds, 1, 8));
        MedianOracle.Report[][] memory all = new MedianOracle.Report[][](rounds);
        for (uint80 i = 1; i <= rounds; ++i) {
            all[i - 1] = _reports(oracle, i, _arr(1, 2, 3, 4, 5));
            oracle.submitRound(i, all[i - 1]);
        }
        uint80 again = uint80(bound(replayed, 1, rounds));
        vm.expectRevert(
            abi.encodeWithSelector(MedianOracle.OracleRoundOutOfOrder.selector, uint80(rounds) + 1, again)
        );
        oracle.submitRound(again, all[again - 1]);
    }

    function testFuzz_aggregatorV3_views(uint256 lag, uint256 wait) public {
        lag = bound(lag, 0, HEARTBEAT - 1000);
        wait = bound(wait, 0, 1000);
        MedianOracle.Report[] memory r = _reports(oracle, 1, _arr(10, 20, 30, 40, 50));
        r[0] = _report(oracle, keys[0], 1, 10, block.timestamp - lag);
        vm.warp(block.timestamp + wait);
        oracle.submitRound(1, r);
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) =
            oracle.latestRoundData();
        assertEq(id, 1);
        assertEq(answer, 30);
        assertEq(startedAt, block.timestamp - wait - lag);
        assertEq(updatedAt, block.timestamp);
        assertEq(answeredIn, 1);
    }

    function testFuzz_governance_reporterSetAndQuorum(uint256 quorum, uint256 removeCount) public {
        removeCount = bound(removeCount, 0, N - 1);
        vm.startPrank(ADMIN);
        oracle.setQuorum(1);
        for (uint256 i; i < removeCount; ++i) {
            oracle.removeReporter(reporters[i]);
        }
        uint256 left = N - removeCount;
        quorum = bound(quorum, 0, N + 2);
        if (quorum == 0 || quorum > left) {
            vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleInvalidQuorum.selector, quorum, left));
            oracle.setQuorum(quorum);
        } else {
            oracle.setQuorum(quorum);
            assertEq(oracle.quorum(), quorum);
        }
        vm.stopPrank();
        assertEq(oracle.reporters().length, left);
    }
}

contract OracleLibTest is OracleTestBase {
    OracleConsumer internal consumer;
    MedianOracle internal signedFeed; // allows non-positive answers (e.g. WTI on 2020-04-20)

    function setUp() public override {
        super.setUp();
        consumer = new OracleConsumer();
        signedFeed =
            new MedianOracle(ADMIN, 8, "WTI / USD (signed)", -1e12, 1e12, HEARTBEAT, reporters, QUORUM);
    }

    function _nonPositive(int256 answer) internal {
        signedFeed.submitRound(1, _reports(signedFeed, 1, _arr(answer, answer, answer, answer, answer)));
        vm.expectRevert(
            abi.encodeWithSelector(
                OracleLib.OracleNonPositiveAnswer.selector, address(signedFeed), uint80(1), answer
            )
        );
        consumer.read(signedFeed, 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                OracleLib.OracleNonPositiveAnswer.selector, address(signedFeed), uint80(1), answer
            )
        );
        consumer.readRound(signedFeed, 1, 1 hours);
    }

    function test_oracleLib_nonPositiveRejected() public {
        _nonPositive(-3706); // -37.06 with 2 decimals: WTI, 2020-04-20
        _nonPositiveReset();
        _nonPositive(0);
    }

    function _nonPositiveReset() internal {
        signedFeed =
            new MedianOracle(ADMIN, 8, "WTI / USD (signed)", -1e12, 1e12, HEARTBEAT, reporters, QUORUM);
    }

    function testFuzz_oracleLib_nonPositiveRejected(int256 answer) public {
        _nonPositive(bound(answer, -1e12, 0));
    }

    function _stale(uint256 heartbeat, uint256 elapsed) internal {
        oracle.submitRound(1, _reports(oracle, 1, _arr(10, 20, 30, 40, 50)));
        uint256 updatedAt = block.timestamp;
        vm.warp(block.timestamp + elapsed);
        if (elapsed > heartbeat) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    OracleLib.OracleStaleRound.selector,
                    address(oracle),
                    uint80(1),
                    updatedAt,
                    elapsed,
                    heartbeat
                )
            );
            consumer.read(oracle, heartbeat);
        } else {
            assertEq(consumer.read(oracle, heartbeat), 30);
            assertEq(consumer.readRound(oracle, 1, heartbeat), 30);
        }
    }

    function test_oracleLib_staleRejected() public {
        _stale(1 hours, 1 hours + 1);
    }

    function test_oracleLib_freshAccepted() public {
        _stale(1 hours, 1 hours);
    }

    function testFuzz_oracleLib_staleness(uint256 heartbeat, uint256 elapsed) public {
        _stale(bound(heartbeat, 0, 30 days), bound(elapsed, 0, 60 days));
    }
}
