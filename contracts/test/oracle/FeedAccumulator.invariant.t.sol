// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {PoseidonT3} from "../../src/oracle/PoseidonT3.sol";
import {OracleTestBase} from "./MedianOracle.t.sol";
import {SignedReports} from "./SignedReports.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Drives a real MedianOracle and a FeedAccumulator: the oracle publishes rounds with random
/// answers (signed by its reporters), anyone absorbs up to a random round (sometimes beyond the feed's
/// latest, which must revert). Ghosts: the first accumulator seen for each absorbed round.
contract AccumulatorHandler is Test {
    MedianOracle internal immutable _ORACLE;
    FeedAccumulator internal immutable _ACC;
    uint256[] internal _keys;
    int256 internal immutable _LOW;
    int256 internal immutable _HIGH;

    mapping(uint80 roundId => uint256) public ghostAcc;
    uint80 public ghostHighest;
    uint256 public absorbCalls;
    uint256 public missingReverts;

    constructor(MedianOracle oracle, FeedAccumulator acc, uint256[] memory keys, int256 low, int256 high) {
        _ORACLE = oracle;
        _ACC = acc;
        _keys = keys;
        _LOW = low;
        _HIGH = high;
    }

    /// The oracle accepts a round whose median is `answer` (bounded to the oracle's bounds).
    function publish(int256 answer, uint256 elapsed) external {
        vm.warp(block.timestamp + bound(elapsed, 1, 1 days));
        answer = bound(answer, _LOW, _HIGH);
        uint80 roundId = _ORACLE.latestRound() + 1;
        _ORACLE.submitRound(
            roundId, SignedReports.unanimous(_ORACLE, _keys, roundId, answer, block.timestamp)
        );
    }

    /// Absorbs up to a round in [START_ROUND - 1, latest + 3]. Beyond the feed's latest round it must revert
    /// naming the first round it would read and the feed lacks: max(latest, lastAbsorbed) + 1.
    function absorb(uint256 upTo) external {
        ++absorbCalls;
        uint80 latest = _ORACLE.latestRound();
        uint80 target = uint80(bound(upTo, _ACC.START_ROUND() - 1, uint256(latest) + 3));
        uint80 last = _ACC.lastAbsorbed();
        if (target > latest && target > last) {
            uint80 missing = (latest > last ? latest : last) + 1;
            vm.expectRevert(abi.encodeWithSelector(FeedAccumulator.AccumulatorRoundMissing.selector, missing));
            _ACC.absorb(target);
            ++missingReverts;
            return;
        }
        uint256 got = _ACC.absorb(target);
        assertEq(got, _ACC.accumulatorAt(target), "absorb returns acc(upTo)");
        for (uint80 r = last + 1; r <= target; ++r) {
            ghostAcc[r] = _ACC.accumulatorAt(r);
        }
        if (target > ghostHighest) ghostHighest = target;
    }
}

contract FeedAccumulatorInvariantTest is OracleTestBase {
    uint80 internal constant START = 2;
    int256 internal constant LOW = -1e12;
    int256 internal constant HIGH = 1e12;

    FeedAccumulator internal acc;
    AccumulatorHandler internal handler;

    function setUp() public override {
        super.setUp();
        vm.prank(ADMIN);
        oracle.setAnswerBounds(int192(LOW), int192(HIGH));
        acc = new FeedAccumulator(AggregatorV3Interface(address(oracle)), START);
        uint256[] memory signers = new uint256[](QUORUM);
        for (uint256 i; i < QUORUM; ++i) {
            signers[i] = keys[i];
        }
        handler = new AccumulatorHandler(oracle, acc, signers, LOW, HIGH);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](2);
        selectors[0] = AccumulatorHandler.publish.selector;
        selectors[1] = AccumulatorHandler.absorb.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    /// forge-config: default.invariant.fail-on-revert = true
    /// acc(r) == Poseidon2(acc(r - 1), field(answer_r)) for every absorbed round, from 0 at START - 1.
    function invariant_chainRecomputesFromFeed() public view {
        uint80 last = acc.lastAbsorbed();
        uint256 prev = acc.accumulatorAt(START - 1);
        assertEq(prev, 0);
        for (uint80 r = START; r <= last; ++r) {
            (, int256 answer,,,) = oracle.getRoundData(r);
            uint256 f = answer >= 0 ? uint256(answer) : PoseidonT3.FIELD_P - uint256(-answer);
            uint256 expected = PoseidonT3.hash(prev, f);
            assertEq(acc.accumulatorAt(r), expected, "acc(r) = H(acc(r - 1), field(answer_r))");
            prev = expected;
        }
    }

    /// forge-config: default.invariant.fail-on-revert = true
    /// Never ahead of the feed; never moves backwards; stored accumulators never change.
    function invariant_lastAbsorbedWithinFeedAndStable() public view {
        uint80 last = acc.lastAbsorbed();
        assertGe(last, START - 1);
        if (last >= START) assertLe(last, oracle.latestRound(), "absorbed a round the feed never served");
        assertEq(last, handler.ghostHighest() < START ? START - 1 : handler.ghostHighest());
        for (uint80 r = START; r <= last; ++r) {
            assertEq(acc.accumulatorAt(r), handler.ghostAcc(r), "a stored accumulator changed");
        }
    }
}
