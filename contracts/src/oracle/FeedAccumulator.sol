// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {PoseidonT3} from "./PoseidonT3.sol";

/// @title FeedAccumulator
/// @notice A Poseidon hash chain over one feed's answers, round by round, so a zero-knowledge proof can
/// bind a window of answers to the feed with one public signal. From `START_ROUND` on:
///   acc(START_ROUND - 1) = 0;   acc(r) = Poseidon2(acc(prev(r)), field(answer_r)),
/// where Poseidon2 is circomlib's `Poseidon(2)` (PoseidonT3), field(v) = v mod p for the int256 answer
/// (a negative v maps to p - |v|), and prev(r) = r - 1. Anyone may absorb rounds; the feed's answers
/// carry the authority.
///
/// Chainlink proxy phases: a proxy's round ids are `phase << 64 | n`, consecutive only within a phase.
/// When the next round of the current phase does not exist and the round asked for lies in a later phase,
/// the chain continues with round 1 of the next phase: the chain value so far is also stored under that
/// phase's round 0 (`phase << 64 | 0`, never a real round), so prev(r) = r - 1 holds there too and a proof
/// of a window starting at a phase's first round reads its chain start at `first - 1` like any other.
/// The ids a phase never reached are skipped (`accumulatorAt` refuses them). A phase with no round 1 (an
/// aggregator replaced before it answered) is passed over: the chain goes on with the next phase that has
/// one, up to the phase of the round asked for; when none has, absorbing reverts naming the current
/// phase's missing next round. A bridge also records the last round absorbed before it (`bridgedFrom`), so
/// a window of consecutive chain rounds that ends early in a phase can name its rounds in the phase before:
/// the chain's predecessor of a bridged phase's round 1 is `bridgedFrom(phase << 64)`, not an id minus one.
///
/// Invariants: `lastAbsorbed()` only grows, from `START_ROUND - 1`, and once past it is a round the feed
/// has served; for every absorbed round r, acc(r) == Poseidon2(acc(r - 1), field(answer_r)) with
/// answer_r the feed's answer for round r when it was absorbed; a stored accumulator never changes. For
/// every bridged phase's round 0 b, `bridgedFrom(b)` is the last round absorbed before the chain's first
/// round after b (0 when no round was absorbed before it), is set once with the bridge and never changes,
/// and is 0 for every id that is no bridge.
/// No admin and nothing configurable: the feed and the start round are fixed at deployment.
/// @dev Rounds are read with `getRoundData`, so a feed whose past rounds can change yields the chain of
/// the answers as read. A MedianOracle's rounds are immutable, and its ids never reach a second phase.
contract FeedAccumulator {
    // ---------------------------------------------------------------- constants

    /// @dev The bits of a proxy round id below its phase (`phase << 64 | n`).
    uint256 private constant _PHASE_OFFSET = 64;

    // ---------------------------------------------------------------- state

    /// @notice The feed whose answers are absorbed.
    AggregatorV3Interface public immutable FEED;
    /// @notice The first round absorbed (>= 1); acc(START_ROUND - 1) is 0.
    uint80 public immutable START_ROUND;

    uint80 private _lastAbsorbed;
    mapping(uint80 roundId => uint256) private _accumulators;
    /// @dev Bridge slots (a phase's round 0) that hold the chain value 0: the bridge came before any round.
    mapping(uint80 roundId => bool) private _zeroBridges;
    /// @dev A bridged phase's round 0 => the last round absorbed before the bridge (0: none was).
    mapping(uint80 roundZero => uint80 lastBefore) private _bridgedFrom;

    // ---------------------------------------------------------------- events

    /// @notice Round `roundId` with `answer` was absorbed; `accumulator` is acc(roundId).
    event RoundAbsorbed(uint80 indexed roundId, int256 answer, uint256 accumulator);
    /// @notice The chain crossed a proxy phase: `lastOfPhase` was the last round absorbed from its phase, and
    /// the chain goes on with `firstOfNextPhase`; `accumulator` (acc(lastOfPhase)) is also stored under
    /// `firstOfNextPhase - 1`.
    event PhaseBridged(uint80 indexed lastOfPhase, uint80 indexed firstOfNextPhase, uint256 accumulator);

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
    /// @notice `roundId` lies in a proxy phase after that phase's last round: the chain skipped it when it
    /// went on with the next phase (see `PhaseBridged`).
    error AccumulatorRoundSkipped(uint80 roundId);

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

    /// @notice Absorbs the feed's rounds after `lastAbsorbed()` up to `upTo`, in order, and returns acc(upTo).
    /// A no-op returning acc(upTo) when `upTo` is already absorbed.
    /// @dev Within a phase the rounds are `lastAbsorbed() + 1 ..= upTo`. When the current phase has no next
    /// round and `upTo` lies in a later phase, the chain goes on with round 1 of the next phase that has one
    /// (`PhaseBridged`; gas grows with the phases without rounds passed over). Reverts `AccumulatorRoundMissing(r)` naming the first round the feed cannot serve
    /// (e.g. the round after its latest), `AccumulatorRoundBeforeStart` for `upTo < START_ROUND - 1`. Gas
    /// grows linearly with the rounds absorbed; absorb a long backlog in several calls.
    function absorb(uint80 upTo) external returns (uint256 acc) {
        uint80 r = _lastAbsorbed;
        if (upTo <= r) return _accumulatorAt(upTo, r);
        acc = _accumulators[r];
        while (r < upTo) {
            // Interactions first, and only views (STATICCALL to the immutable FEED: nothing can re-enter);
            // each round's state is written after it is read.
            uint80 next = r + 1;
            (bool found, int256 answer) = _tryRead(next);
            if (!found) {
                // The next phase with a round 1 up to upTo's phase (an aggregator replaced before it ever
                // answered leaves a phase without rounds: passed over, or the chain would stall for good).
                uint80 bridge = _nextPhaseStart(r, upTo);
                while (bridge != 0) {
                    (found, answer) = _tryRead(bridge + 1);
                    if (found) break;
                    bridge = _nextPhaseStart(bridge, upTo);
                }
                if (!found) revert AccumulatorRoundMissing(next);
                next = bridge + 1;
                _accumulators[bridge] = acc;
                // acc is 0 only before the first round is absorbed: remember such a bridge explicitly, as 0
                // otherwise marks a skipped id (`_accumulatorAt`).
                if (acc == 0) _zeroBridges[bridge] = true;
                // acc != 0: a round was absorbed, and r is the last of them (`PhaseBridged` names it too).
                else _bridgedFrom[bridge] = r;
                emit PhaseBridged(r, next, acc);
            }
            acc = PoseidonT3.hash(acc, _field(answer));
            _accumulators[next] = acc;
            emit RoundAbsorbed(next, answer, acc);
            r = next;
        }
        _lastAbsorbed = upTo;
    }

    /// @notice acc(roundId), for START_ROUND - 1 <= roundId <= lastAbsorbed() (0 for START_ROUND - 1), and
    /// for a bridged phase's round 0 the chain value before that phase's first round.
    /// @dev Reverts `AccumulatorRoundBeforeStart` or `AccumulatorRoundNotAbsorbed` outside that range, and
    /// `AccumulatorRoundSkipped` for an id a proxy phase never reached before the chain left it.
    function accumulatorAt(uint80 roundId) external view returns (uint256) {
        return _accumulatorAt(roundId, _lastAbsorbed);
    }

    /// @notice The last round absorbed before the chain bridged into the phase whose round 0 is `roundZero`
    /// (full proxy id, in an earlier phase): the chain's predecessor of that phase's first round, so a window
    /// of chain rounds that ends at `phase << 64 | n` reaches back into the phase before. 0 when `roundZero`
    /// is no bridge (not a round 0, or a phase the chain has not entered or entered at START_ROUND) or when
    /// the bridge was made before any round was absorbed (no round precedes it).
    function bridgedFrom(uint80 roundZero) external view returns (uint80) {
        return _bridgedFrom[roundZero];
    }

    /// @notice The last round absorbed (START_ROUND - 1 before the first absorb).
    function lastAbsorbed() external view returns (uint80) {
        return _lastAbsorbed;
    }

    // ---------------------------------------------------------------- internal

    function _accumulatorAt(uint80 roundId, uint80 last) internal view returns (uint256 acc) {
        if (roundId < START_ROUND - 1) revert AccumulatorRoundBeforeStart(roundId, START_ROUND);
        if (roundId > last) revert AccumulatorRoundNotAbsorbed(roundId, last);
        acc = _accumulators[roundId];
        // Every stored value is a Poseidon output (0 with negligible probability), the 0 of START_ROUND - 1, or
        // the 0 of a bridge made before any round was absorbed (recorded in `_zeroBridges`), so any other 0 in
        // range is an id the chain skipped at a phase bridge.
        if (acc == 0 && roundId != START_ROUND - 1 && !_zeroBridges[roundId]) {
            revert AccumulatorRoundSkipped(roundId);
        }
    }

    /// @dev `phase(r) + 1 << 64` (the next phase's round 0) when `upTo` lies beyond it, else 0. Computed in
    /// 256 bits: after phase 65535 there is no next phase in a uint80 id.
    function _nextPhaseStart(uint80 r, uint80 upTo) internal pure returns (uint80) {
        uint256 start = ((uint256(r) >> _PHASE_OFFSET) + 1) << _PHASE_OFFSET;
        return upTo > start ? uint80(start) : 0;
    }

    /// @dev The feed's answer for `roundId`, and whether it has one: not when the read reverts, or returns
    /// another round or an unset round (`updatedAt == 0`, how some Chainlink aggregators answer).
    function _tryRead(uint80 roundId) internal view returns (bool found, int256 answer) {
        try FEED.getRoundData(roundId) returns (uint80 id, int256 value, uint256, uint256 updatedAt, uint80) {
            if (id == roundId && updatedAt != 0) return (true, value);
        } catch {}
        return (false, 0);
    }

    /// @dev v mod p as a field element: a negative v maps to p - (|v| mod p).
    function _field(int256 v) internal pure returns (uint256) {
        if (v >= 0) return uint256(v) % PoseidonT3.FIELD_P;
        // |v| as two's complement: ~v = |v| - 1 <= 2^255 - 1, so + 1 cannot overflow (int256.min gives 2^255).
        uint256 m = (~uint256(v) + 1) % PoseidonT3.FIELD_P;
        return m == 0 ? 0 : PoseidonT3.FIELD_P - m;
    }
}
