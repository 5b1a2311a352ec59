// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PhasedAggregatorProxy} from "../../src/devnet/PhasedAggregatorProxy.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {PoseidonT3} from "../../src/oracle/PoseidonT3.sol";
import {OracleTestBase} from "./MedianOracle.t.sol";
import {SignedReports} from "./SignedReports.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Drives a FeedAccumulator over a Chainlink-style proxy whose aggregator is upgraded at random:
/// rounds are published into the current phase's MedianOracle, `upgrade` deploys a new one, publishes its
/// first round (a new Chainlink aggregator answers before the switch) and moves the proxy to it, and anyone
/// absorbs up to the proxy's latest round or re-asks an absorbed one. Ghosts: the chain's round ids in the
/// order absorbed, with their answers and accumulators.
contract PhasedAccumulatorHandler is Test {
    uint256 internal constant _PHASE_OFFSET = 64;

    PhasedAggregatorProxy public immutable PROXY;
    FeedAccumulator public immutable ACC;
    uint256[] internal _keys;
    address[] internal _reporters;

    uint80[] public ghostIds;
    mapping(uint80 roundId => int256) public ghostAnswer;
    mapping(uint80 roundId => uint256) public ghostAcc;
    uint256 public upgrades;

    constructor(uint256[] memory keys) {
        _keys = keys;
        for (uint256 i; i < keys.length; ++i) {
            _reporters.push(vm.addr(keys[i]));
        }
        MedianOracle first = _newAggregator();
        _publishInto(first, 1);
        PROXY = new PhasedAggregatorProxy(address(this), AggregatorV3Interface(address(first)));
        ACC = new FeedAccumulator(AggregatorV3Interface(address(PROXY)), _id(1, 1));
    }

    function ghostLength() external view returns (uint256) {
        return ghostIds.length;
    }

    /// The current phase's aggregator accepts a round whose median is `answer` (a phase that had none until
    /// now starts answering: only before the proxy leaves it, as a retired aggregator's rounds are skipped).
    function publish(int256 answer) external {
        _publishInto(MedianOracle(address(PROXY.aggregator())), answer);
    }

    /// The proxy moves to a new aggregator that already has its first round (at most 6 phases).
    function upgrade(int256 firstAnswer) external {
        if (PROXY.phaseId() >= 6) return;
        MedianOracle next = _newAggregator();
        _publishInto(next, firstAnswer);
        PROXY.setAggregator(AggregatorV3Interface(address(next)));
        ++upgrades;
    }

    /// The proxy moves to a new aggregator that never answers before it is replaced in turn (a phase without
    /// rounds, which the chain must pass over).
    function upgradeEmpty() external {
        if (PROXY.phaseId() >= 6) return;
        PROXY.setAggregator(AggregatorV3Interface(address(_newAggregator())));
        ++upgrades;
    }

    /// Absorbs up to the proxy's latest round, or re-asks an absorbed round (a no-op returning its value).
    function absorb(bool again, uint256 pick) external {
        if (again && ghostIds.length > 0) {
            uint80 old = ghostIds[pick % ghostIds.length];
            assertEq(ACC.absorb(old), ghostAcc[old], "re-absorbing returns the stored value");
            return;
        }
        uint80 latest = _latestServed();
        if (latest == 0) return;
        uint256 got = ACC.absorb(latest);
        // The ids absorbed: the rest of the last ghost's phase, then every later phase from its round 1.
        uint80 last = ghostIds.length == 0 ? 0 : ghostIds[ghostIds.length - 1];
        uint16 phase = last == 0 ? 1 : uint16(last >> _PHASE_OFFSET);
        uint64 n = last == 0 ? 0 : uint64(last);
        for (uint16 q = phase; q <= PROXY.phaseId(); ++q) {
            MedianOracle o = MedianOracle(address(PROXY.phaseAggregators(q)));
            for (uint64 k = (q == phase ? n : 0) + 1; k <= o.latestRound(); ++k) {
                uint80 id = _id(q, k);
                ghostIds.push(id);
                (, ghostAnswer[id],,,) = o.getRoundData(k);
                ghostAcc[id] = ACC.accumulatorAt(id);
            }
        }
        assertEq(got, ghostAcc[latest], "absorb returns acc(upTo)");
    }

    /// The newest round any phase has served (a current phase without rounds answers nothing yet).
    function _latestServed() internal view returns (uint80) {
        for (uint16 q = PROXY.phaseId(); q >= 1; --q) {
            uint80 n = MedianOracle(address(PROXY.phaseAggregators(q))).latestRound();
            if (n > 0) return _id(q, uint64(n));
        }
        return 0;
    }

    function _newAggregator() internal returns (MedianOracle) {
        return new MedianOracle(address(this), 8, "WTI / USD", -1e12, 1e12, 1 days, _reporters, _keys.length);
    }

    function _publishInto(MedianOracle o, int256 answer) internal {
        vm.warp(block.timestamp + 1 hours);
        answer = bound(answer, -1e12, 1e12);
        uint80 roundId = o.latestRound() + 1;
        o.submitRound(roundId, SignedReports.unanimous(o, _keys, roundId, answer, block.timestamp));
    }

    function _id(uint16 phase, uint64 n) internal pure returns (uint80) {
        return uint80((uint256(phase) << _PHASE_OFFSET) | n);
    }
}

contract FeedAccumulatorPhasesInvariantTest is OracleTestBase {
    PhasedAccumulatorHandler internal handler;
    FeedAccumulator internal acc;

    function setUp() public override {
        super.setUp();
        uint256[] memory signers = new uint256[](QUORUM);
        for (uint256 i; i < QUORUM; ++i) {
            signers[i] = keys[i];
        }
        handler = new PhasedAccumulatorHandler(signers);
        acc = handler.ACC();
        targetContract(address(handler));
    }

    /// forge-config: default.invariant.fail-on-revert = true
    /// The chain in absorption order: acc(id_k) == Poseidon2(acc(id_{k-1}), field(answer_k)) from 0, across
    /// every phase bridge; a phase's round 0 holds the value before its round 1; the answers are the feed's.
    function invariant_chainRecomputesAcrossPhases() public view {
        uint256 prev;
        uint256 length = handler.ghostLength();
        for (uint256 k; k < length; ++k) {
            uint80 id = handler.ghostIds(k);
            int256 answer = handler.ghostAnswer(id);
            (, int256 served,,,) = handler.PROXY().getRoundData(id);
            assertEq(served, answer, "the absorbed answer is the feed's");
            if (k > 0 && uint64(id) == 1) {
                assertEq(
                    acc.accumulatorAt(id - 1), prev, "a bridged phase's round 0 holds the chain before it"
                );
                assertEq(
                    acc.bridgedFrom(id - 1),
                    handler.ghostIds(k - 1),
                    "bridgedFrom(b) is the last round absorbed before b"
                );
            } else if (uint64(id) == 1) {
                assertEq(acc.bridgedFrom(id - 1), 0, "no round was absorbed before the chain's first");
            } else {
                assertEq(acc.bridgedFrom(id - 1), 0, "the id before a round inside a phase is no bridge");
            }
            uint256 f = answer >= 0 ? uint256(answer) : PoseidonT3.FIELD_P - uint256(-answer);
            uint256 expected = PoseidonT3.hash(prev, f);
            assertEq(acc.accumulatorAt(id), expected, "acc(r) = H(acc(prev(r)), field(answer_r))");
            assertEq(handler.ghostAcc(id), expected, "a stored accumulator never changes");
            prev = expected;
        }
        uint80 last = acc.lastAbsorbed();
        if (length == 0) assertEq(last, (uint80(1) << 64), "nothing absorbed: START_ROUND - 1");
        else assertEq(last, handler.ghostIds(length - 1), "lastAbsorbed is the chain's last round");
    }
}
