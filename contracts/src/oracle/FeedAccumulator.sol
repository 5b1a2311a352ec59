// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {PoseidonT3} from "./PoseidonT3.sol";

/// @title FeedAccumulator
/// @notice A Poseidon hash chain over one feed's answers, round by round, so a zero-knowledge proof can
/// bind a window of answers to the feed with one public signal. From `START_ROUND` on:
///   acc(START_ROUND - 1) = 0;   acc(r) = Poseidon2(acc(r - 1), field(answer_r)),
/// where Poseidon2 is circomlib's `Poseidon(2)` (PoseidonT3) and field(v) = v mod p for the int256 answer
/// (a negative v maps to p - |v|). Anyone may absorb rounds; the feed's answers carry the authority.
///
/// Invariants: `lastAbsorbed()` only grows, from `START_ROUND - 1`, and once past it is a round the feed
/// has served; for every START_ROUND <= r <= lastAbsorbed(), acc(r) == Poseidon2(acc(r - 1), field(answer_r))
/// with answer_r the feed's answer for round r when it was absorbed; a stored accumulator never changes.
/// No admin and nothing configurable: the feed and the start round are fixed at deployment.
/// @dev Rounds are read with `getRoundData`, so a feed whose past rounds can change (a Chainlink proxy
/// switching aggregators) yields the chain of the answers as read. A MedianOracle's rounds are immutable.
contract FeedAccumulator {
    // ---------------------------------------------------------------- state

    /// @notice The feed whose answers are absorbed.
    AggregatorV3Interface public immutable FEED;
    /// @notice The first round absorbed (>= 1); acc(START_ROUND - 1) is 0.
    uint80 public immutable START_ROUND;

    uint80 private _lastAbsorbed;
    mapping(uint80 roundId => uint256) private _accumulators;

    // ---------------------------------------------------------------- events

    /// @notice Round `roundId` with `answer` was absorbed; `accumulator` is acc(roundId).
    event RoundAbsorbed(uint80 indexed roundId, int256 answer, uint256 accumulator);

    // ---------------------------------------------------------------- errors

    /// @notice The start round must be at least 1 (round 0 is "before the first round").
    error AccumulatorInvalidStartRound(uint80 startRound);
    /// @notice The feed must be a contract.
    error AccumulatorInvalidFeed(address feed);
    /// @notice `roundId` lies before the chain: the earliest accumulator is that of `START_ROUND - 1`.
    error AccumulatorRoundBeforeStart(uint80 roundId, uint80 startRound);
    /// @notice `roundId` is not absorbed yet: call `absorb(roundId)` first.
    error AccumulatorRoundNotAbsorbed(uint80 roundId, uint80 lastAbsorbed);
    /// @notice The feed has no round `roundId` (not yet published, or the read reverted or was empty).
    error AccumulatorRoundMissing(uint80 roundId);

    // ---------------------------------------------------------------- constructor

    /// @param feed The feed to absorb (a MedianOracle or any AggregatorV3Interface).
    /// @param startRound The first round to absorb, >= 1.
    constructor(AggregatorV3Interface feed, uint80 startRound) {
        if (address(feed).code.length == 0) revert AccumulatorInvalidFeed(address(feed));
        if (startRound == 0) revert AccumulatorInvalidStartRound(startRound);
        FEED = feed;
        START_ROUND = startRound;
        _lastAbsorbed = startRound - 1;
    }

    // ---------------------------------------------------------------- external

    /// @notice Absorbs rounds `lastAbsorbed() + 1 ..= upTo` from the feed, in order, and returns acc(upTo).
    /// A no-op returning acc(upTo) when `upTo` is already absorbed.
    /// @dev Reverts `AccumulatorRoundMissing(r)` naming the first round the feed cannot serve (e.g. the
    /// round after its latest), `AccumulatorRoundBeforeStart` for `upTo < START_ROUND - 1`. Gas grows
    /// linearly with the rounds absorbed; absorb a long backlog in several calls.
    function absorb(uint80 upTo) external returns (uint256 acc) {
        uint80 last = _lastAbsorbed;
        if (upTo <= last) return _accumulatorAt(upTo, last);
        acc = _accumulators[last];
        for (uint80 r = last + 1; r <= upTo; ++r) {
            // Interaction first, and only a view (STATICCALL to the immutable FEED: nothing can re-enter);
            // the round's state is written after it is read.
            int256 answer = _read(r);
            acc = PoseidonT3.hash(acc, _field(answer));
            _accumulators[r] = acc;
            emit RoundAbsorbed(r, answer, acc);
        }
        _lastAbsorbed = upTo;
    }

    /// @notice acc(roundId), for START_ROUND - 1 <= roundId <= lastAbsorbed() (0 for START_ROUND - 1).
    /// @dev Reverts `AccumulatorRoundBeforeStart` or `AccumulatorRoundNotAbsorbed` outside that range.
    function accumulatorAt(uint80 roundId) external view returns (uint256) {
        return _accumulatorAt(roundId, _lastAbsorbed);
    }

    /// @notice The last round absorbed (START_ROUND - 1 before the first absorb).
    function lastAbsorbed() external view returns (uint80) {
        return _lastAbsorbed;
    }

    // ---------------------------------------------------------------- internal

    function _accumulatorAt(uint80 roundId, uint80 last) internal view returns (uint256) {
        if (roundId < START_ROUND - 1) revert AccumulatorRoundBeforeStart(roundId, START_ROUND);
        if (roundId > last) revert AccumulatorRoundNotAbsorbed(roundId, last);
        return _accumulators[roundId];
    }

    /// @dev The feed's answer for `roundId`; `AccumulatorRoundMissing` when the read reverts, or returns
    /// another round or an unset round (`updatedAt == 0`, how some Chainlink aggregators answer).
    function _read(uint80 roundId) internal view returns (int256) {
        try FEED.getRoundData(roundId) returns (
            uint80 id, int256 answer, uint256, uint256 updatedAt, uint80
        ) {
            if (id != roundId || updatedAt == 0) {
                revert AccumulatorRoundMissing(roundId);
            }
            return answer;
        } catch {
            revert AccumulatorRoundMissing(roundId);
        }
    }

    /// @dev v mod p as a field element: a negative v maps to p - (|v| mod p).
    function _field(int256 v) internal pure returns (uint256) {
        if (v >= 0) return uint256(v) % PoseidonT3.FIELD_P;
        // |v| as two's complement: ~v = |v| - 1 <= 2^255 - 1, so + 1 cannot overflow (int256.min gives 2^255).
        uint256 m = (~uint256(v) + 1) % PoseidonT3.FIELD_P;
        return m == 0 ? 0 : PoseidonT3.FIELD_P - m;
    }
}
