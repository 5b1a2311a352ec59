// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title MedianOracle
/// @notice A Chainlink-compatible (`AggregatorV3Interface`) feed whose rounds are the median of reports
/// signed (EIP-712) by registered reporters. Anyone may relay a round: the signatures carry the authority.
///
/// A round `r` is accepted by `submitRound(r, reports)` when:
///  - `r == latestRound() + 1` (rounds start at 1; no gaps, no replays);
///  - at least `quorum()` reports, each naming a distinct registered reporter and signed by it over
///    `Report(address feed,uint80 roundId,int256 answer,uint256 observedAt)` with `feed = address(this)`,
///    domain name "Provenant MedianOracle", version "1" (a signature that does not recover to the named
///    reporter, such as one made for another round, is `OracleInvalidSignature(index)`);
///  - every answer lies in `[minAnswer, maxAnswer]`, and every `observedAt` is non-zero, not in the
///    future and at most `heartbeat` seconds old;
///  - the oldest `observedAt` is at most `MAX_OBSERVED_AT` (2^40 - 1: it is stored as a uint40;
///    `OracleTimestampTooLarge`);
///  - the oldest `observedAt` is not older than the previous round's `updatedAt` (a round never
///    replaces newer data with older: `OracleRoundOlderThanPrevious`).
/// The round's answer is the median of the answers. With an even number of reports it is the mean of
/// the two middle answers, rounded toward zero. `answeredInRound == roundId`.
///
/// Timestamps: both `startedAt` and `updatedAt` are the OLDEST `observedAt` among the accepted reports,
/// i.e. the time of the data, not the time a relayer brought it on chain (`AnswerUpdated` carries the
/// same value). Chainlink documents `updatedAt` as "the timestamp when the round was updated", which
/// for its aggregators is within seconds of the observation; here the relay may lag the observation by
/// up to `heartbeat`, so stamping the relay time would let week-old observations pass a consumer's
/// 1-hour freshness check. Every consumer freshness check (OracleLib, the guard's `maxOracleAge`, the
/// proof gate) therefore measures the age of the oldest observation behind the answer. `updatedAt` is
/// non-decreasing from round to round and never 0 for an accepted round.
///
/// Byzantine quorum: with `n` registered reporters of whom fewer than half may lie, at most
/// `f = (n - 1) / 2` are dishonest, and the quorum is always at least `2f + 1` (`minQuorum(n)`: `n` for
/// odd `n`, `n - 1` for even `n`) and at most `n`. Relaying is permissionless, so a relayer chooses which
/// signed reports to submit; because any accepted set holds at least `2f + 1` reports of which at most
/// `f` are lies, the liars are fewer than half of every accepted set and the median lies within the range
/// of the honest answers whichever subset is relayed. The constructor, `setQuorum`, `addReporter` and
/// `removeReporter` all refuse a (quorum, reporter count) pair outside `[minQuorum(n), n]` with
/// `OracleInvalidQuorum`; reporter changes therefore name the new quorum in the same call.
///
/// Liveness trade-off: the quorum leaves little slack (with 5 reporters all 5 must sign; with 6, 5 of
/// 6), so one silent reporter of 5 stops new rounds. Consumers then see the feed go stale and stop
/// (OracleLib's heartbeat check, the agent's staleness refusal): the safe failure. Governance restores
/// liveness by removing the silent reporter (`removeReporter(r, 4)` leaves a 4-of-4 feed).
///
/// Invariants: round ids are contiguous from 1; `updatedAt` (== `startedAt`) is non-zero, never later
/// than the block that accepted the round, and non-decreasing in the round id; every stored answer is within the bounds in force when
/// it was accepted; `updatedAt <= MAX_OBSERVED_AT` (2^40 - 1, year 36812); the latest-round slot read by
/// `latestRoundData` always holds the same id, answer and time as `getRoundData(latestRound())`;
/// `minQuorum(reporterCount) <= quorum <= reporterCount` at all times; hence, with
/// fewer than half of the registered reporters dishonest, every accepted answer lies within the range of
/// the honest answers it was computed from. Reporter set, quorum, bounds and heartbeat are changed only
/// by `admin` (the TimelockController).
contract MedianOracle is AggregatorV3Interface, EIP712 {
    // ---------------------------------------------------------------- types

    /// @notice One reporter's signed observation for a round. `reporter` is who claims to have signed it:
    /// the signature must recover to it.
    struct Report {
        address reporter;
        int256 answer;
        uint256 observedAt;
        bytes signature;
    }

    /// @dev One storage slot per round (128 + 64 bits), so a consumer's `getRoundData` costs one cold
    /// slot read (`latestRoundData` reads `Latest`, one slot too). Answers are bounded by
    /// `[minAnswer, maxAnswer]`, which must fit int128 (±1.7e38: an 8-decimal price up to 1.7e30).
    /// `observedAt` is the oldest report's observation time, served as both `startedAt` and `updatedAt`;
    /// 0 marks a round not accepted (an accepted round's `observedAt` is never 0).
    struct Round {
        int128 answer;
        uint64 observedAt;
    }

    /// @dev The latest accepted round in one slot (80 + 128 + 40 = 248 bits), so `latestRoundData` costs one
    /// cold slot read and `submitRound` finds the round id to expect and the previous round's time in the
    /// slot it rewrites. A copy of `_rounds[roundId]` (same answer and time). `roundId` keeps the full
    /// AggregatorV3 width (uint80); `observedAt` is at most `MAX_OBSERVED_AT` (2^40 - 1 seconds: year
    /// 36812), checked in `submitRound` (`OracleTimestampTooLarge`); 0 only before the first round.
    struct Latest {
        uint80 roundId;
        int128 answer;
        uint40 observedAt;
    }

    // ---------------------------------------------------------------- constants

    bytes32 public constant REPORT_TYPEHASH =
        keccak256("Report(address feed,uint80 roundId,int256 answer,uint256 observedAt)");
    /// @notice Most reporters the set may hold (bounds the cost of a round).
    uint256 public constant MAX_REPORTERS = 31;
    /// @notice Latest observation time a round may carry: 2^40 - 1 seconds (year 36812), the width of
    /// `Latest.observedAt`.
    uint256 public constant MAX_OBSERVED_AT = type(uint40).max;

    // ---------------------------------------------------------------- state

    uint8 private immutable _DECIMALS;
    string private _description;
    address private _admin;
    uint8 private _quorum;
    uint8 private _reporterCount;
    uint32 private _heartbeat;
    int192 private _minAnswer;
    int192 private _maxAnswer;
    mapping(address reporter => bool) private _isReporter;
    address[] private _reporters;
    mapping(uint80 roundId => Round) private _rounds;
    Latest private _latest;

    // ---------------------------------------------------------------- events

    /// @notice Chainlink's event for a new answer (same signature as Chainlink aggregators). `updatedAt`
    /// is the round's `updatedAt`: the oldest observation time of its reports, not the block time.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    /// @notice A round was accepted from `reportCount` reports relayed by `relayer`.
    event RoundAccepted(uint80 indexed roundId, int256 answer, uint256 reportCount, address indexed relayer);
    event ReporterAdded(address indexed reporter);
    event ReporterRemoved(address indexed reporter);
    event QuorumChanged(uint256 previousQuorum, uint256 newQuorum);
    event AnswerBoundsChanged(int256 minAnswer, int256 maxAnswer);
    event HeartbeatChanged(uint256 previousHeartbeat, uint256 newHeartbeat);
    event AdminChanged(address indexed previousAdmin, address indexed newAdmin);

    // ---------------------------------------------------------------- errors

    error OracleRoundOutOfOrder(uint80 expected, uint80 given);
    error OracleQuorumNotMet(uint256 reports, uint256 quorum);
    error OracleInvalidSignature(uint256 index);
    error OracleUnknownReporter(address signer);
    error OracleDuplicateReporter(address signer);
    error OracleAnswerOutOfBounds(int256 answer, int256 minAnswer, int256 maxAnswer);
    error OracleReportFromFuture(uint256 observedAt, uint256 nowTimestamp);
    error OracleReportStale(uint256 observedAt, uint256 nowTimestamp, uint256 heartbeat);
    /// @notice Round `roundId`'s oldest observation `updatedAt` is older than the previous round's
    /// `previousUpdatedAt`: relay reports observed at or after `previousUpdatedAt`.
    error OracleRoundOlderThanPrevious(uint80 roundId, uint256 updatedAt, uint256 previousUpdatedAt);
    error OracleRoundNotFound(uint80 roundId);
    /// @notice A round's observation time `observedAt` is above `MAX_OBSERVED_AT` (2^40 - 1).
    error OracleTimestampTooLarge(uint256 observedAt, uint256 maxObservedAt);
    error OracleNoRounds();
    error OracleUnauthorized(address caller);
    error OracleInvalidQuorum(uint256 quorum, uint256 reporterCount);
    error OracleInvalidBounds(int256 minAnswer, int256 maxAnswer);
    error OracleReporterExists(address reporter);
    error OracleTooManyReporters(uint256 max);
    error OracleInvalidHeartbeat(uint256 heartbeat);

    // ---------------------------------------------------------------- modifiers

    modifier onlyAdmin() {
        if (msg.sender != _admin) revert OracleUnauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- constructor

    /// @param admin_ The TimelockController that governs reporters, quorum, bounds and heartbeat.
    /// @param decimals_ Decimals of answers (e.g. 8, like Chainlink USD feeds).
    /// @param description_ E.g. "WTI / USD".
    /// @param minAnswer_ Lowest acceptable answer (inclusive).
    /// @param maxAnswer_ Highest acceptable answer (inclusive).
    /// @param heartbeat_ Seconds: the expected max interval between rounds and the max age of a report.
    /// @param reporters_ Initial reporter set (distinct, non-zero, at most MAX_REPORTERS).
    /// @param quorum_ Reports needed per round, in `[minQuorum(reporters_.length), reporters_.length]`.
    constructor(
        address admin_,
        uint8 decimals_,
        string memory description_,
        int192 minAnswer_,
        int192 maxAnswer_,
        uint32 heartbeat_,
        address[] memory reporters_,
        uint256 quorum_
    ) EIP712("Provenant MedianOracle", "1") {
        _DECIMALS = decimals_;
        _description = description_;
        _admin = admin_;
        emit AdminChanged(address(0), admin_);
        _setBounds(minAnswer_, maxAnswer_);
        _setHeartbeat(heartbeat_);
        for (uint256 i; i < reporters_.length; ++i) {
            _addReporter(reporters_[i]);
        }
        _setQuorum(quorum_);
    }

    // ---------------------------------------------------------------- external: relayers

    /// @notice Accepts round `roundId` from signed reports (see the contract header for the rules).
    /// @return answer The median stored for the round.
    function submitRound(uint80 roundId, Report[] calldata reports) external returns (int256 answer) {
        // One read of the latest round: the id to expect and the previous round's time.
        Latest memory previous = _latest;
        uint80 expected = previous.roundId + 1;
        if (roundId != expected) revert OracleRoundOutOfOrder(expected, roundId);
        uint256 n = reports.length;
        if (n < _quorum) revert OracleQuorumNotMet(n, _quorum);
        int256[] memory answers = new int256[](n);
        address[] memory signers = new address[](n);
        uint256 oldest = type(uint256).max;
        for (uint256 i; i < n; ++i) {
            Report calldata r = reports[i];
            address signer = _verify(roundId, r, i);
            for (uint256 j; j < i; ++j) {
                if (signers[j] == signer) revert OracleDuplicateReporter(signer);
            }
            signers[i] = signer;
            answers[i] = r.answer;
            if (r.observedAt < oldest) oldest = r.observedAt;
        }
        // oldest <= block.timestamp (no report from the future); the uint40 of `Latest` bounds it (year 36812).
        if (oldest > MAX_OBSERVED_AT) revert OracleTimestampTooLarge(oldest, MAX_OBSERVED_AT);
        // Before the first round `previous.observedAt` is 0, which every accepted report passes.
        if (oldest < previous.observedAt) {
            revert OracleRoundOlderThanPrevious(roundId, oldest, previous.observedAt);
        }
        answer = median(answers);
        // answer lies within [minAnswer, maxAnswer], which fit int128; oldest <= MAX_OBSERVED_AT (above).
        _latest = Latest(roundId, int128(answer), uint40(oldest));
        _rounds[roundId] = Round(int128(answer), uint64(oldest));
        emit AnswerUpdated(answer, roundId, oldest);
        emit RoundAccepted(roundId, answer, n, msg.sender);
    }

    // ---------------------------------------------------------------- external: governance

    /// @notice Adds a reporter and sets the quorum for the grown set in the same call (the Byzantine
    /// bound moves with the count: 5-of-5 may stay 5-of-6, but 4-of-4 must become 5-of-5).
    /// @param quorum_ The quorum afterwards, in `[minQuorum(n + 1), n + 1]`.
    function addReporter(address reporter, uint256 quorum_) external onlyAdmin {
        _addReporter(reporter);
        _setQuorum(quorum_);
    }

    /// @notice Removes a reporter and sets the quorum for the smaller set in the same call (5-of-5 cannot
    /// stay 5-of-4 and cannot first become 4-of-5).
    /// @param quorum_ The quorum afterwards, in `[minQuorum(n - 1), n - 1]`.
    function removeReporter(address reporter, uint256 quorum_) external onlyAdmin {
        if (!_isReporter[reporter]) revert OracleUnknownReporter(reporter);
        _isReporter[reporter] = false;
        uint256 last = _reporters.length - 1;
        for (uint256 i; i <= last; ++i) {
            if (_reporters[i] == reporter) {
                _reporters[i] = _reporters[last];
                _reporters.pop();
                break;
            }
        }
        --_reporterCount;
        emit ReporterRemoved(reporter);
        _setQuorum(quorum_);
    }

    /// @notice Sets the quorum, in `[minQuorum(reporterCount), reporterCount]`.
    function setQuorum(uint256 quorum_) external onlyAdmin {
        _setQuorum(quorum_);
    }

    function setAnswerBounds(int192 minAnswer_, int192 maxAnswer_) external onlyAdmin {
        _setBounds(minAnswer_, maxAnswer_);
    }

    function setHeartbeat(uint32 heartbeat_) external onlyAdmin {
        _setHeartbeat(heartbeat_);
    }

    function setAdmin(address admin_) external onlyAdmin {
        emit AdminChanged(_admin, admin_);
        _admin = admin_;
    }

    // ---------------------------------------------------------------- views: AggregatorV3Interface

    function decimals() external view returns (uint8) {
        return _DECIMALS;
    }

    function description() external view returns (string memory) {
        return _description;
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    /// @dev Reverts `OracleRoundNotFound` for a round not (yet) accepted, as Chainlink reverts.
    /// `startedAt == updatedAt ==` the oldest observation time of the round's reports (see the header).
    function getRoundData(uint80 roundId_)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Round memory r = _rounds[roundId_];
        if (r.observedAt == 0) revert OracleRoundNotFound(roundId_);
        return (roundId_, r.answer, r.observedAt, r.observedAt, roundId_);
    }

    /// @dev Reverts `OracleNoRounds` before the first round. Timestamps as in `getRoundData`.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        Latest memory l = _latest;
        if (l.roundId == 0) revert OracleNoRounds();
        return (l.roundId, l.answer, l.observedAt, l.observedAt, l.roundId);
    }

    // ---------------------------------------------------------------- views: configuration

    function latestRound() external view returns (uint80) {
        return _latest.roundId;
    }

    function quorum() external view returns (uint256) {
        return _quorum;
    }

    function heartbeat() external view returns (uint256) {
        return _heartbeat;
    }

    function minAnswer() external view returns (int256) {
        return _minAnswer;
    }

    function maxAnswer() external view returns (int256) {
        return _maxAnswer;
    }

    function admin() external view returns (address) {
        return _admin;
    }

    function isReporter(address account) external view returns (bool) {
        return _isReporter[account];
    }

    function reporters() external view returns (address[] memory) {
        return _reporters;
    }

    /// @notice The smallest quorum allowed for `reporterCount` reporters: `2f + 1` with
    /// `f = (reporterCount - 1) / 2`, the most reporters that are "fewer than half" (0 for an empty set).
    function minQuorum(uint256 reporterCount) public pure returns (uint256) {
        if (reporterCount == 0) return 0;
        return 2 * ((reporterCount - 1) / 2) + 1;
    }

    /// @notice The EIP-712 digest a reporter signs for (`roundId`, `answer`, `observedAt`) on this feed.
    function reportDigest(uint80 roundId, int256 answer, uint256 observedAt) external view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(REPORT_TYPEHASH, address(this), roundId, answer, observedAt))
            );
    }

    /// @notice Median of `values` (sorted in place). Even count: mean of the two middle values, rounded
    /// toward zero. Reverts on an empty array (division by zero index is avoided by the quorum >= 1 rule).
    function median(int256[] memory values) public pure returns (int256) {
        uint256 n = values.length;
        for (uint256 i = 1; i < n; ++i) {
            int256 key = values[i];
            uint256 j = i;
            while (j > 0 && values[j - 1] > key) {
                values[j] = values[j - 1];
                --j;
            }
            values[j] = key;
        }
        uint256 mid = n / 2;
        if (n % 2 == 1) return values[mid];
        int256 a = values[mid - 1];
        int256 b = values[mid];
        // Mean rounded toward zero without overflow. Opposite signs: a + b cannot overflow. Same sign: sum
        // the halves plus the carry of the two remainders (both remainders share the sign of a and b).
        if ((a < 0) != (b < 0)) return (a + b) / 2;
        return a / 2 + b / 2 + (a % 2 + b % 2) / 2;
    }

    // ---------------------------------------------------------------- internal

    /// @dev Checks one report's bounds, time (non-zero, not future, at most `heartbeat` old) and signature; returns its registered signer. A signature
    /// that does not recover to the report's named `reporter` (malformed, made over other data or for
    /// another round) is `OracleInvalidSignature(index)`; a correct signature by an unregistered key is
    /// `OracleUnknownReporter(reporter)`.
    function _verify(uint80 roundId, Report calldata r, uint256 index)
        internal
        view
        returns (address signer)
    {
        if (r.answer < _minAnswer || r.answer > _maxAnswer) {
            revert OracleAnswerOutOfBounds(r.answer, _minAnswer, _maxAnswer);
        }
        if (r.observedAt > block.timestamp) revert OracleReportFromFuture(r.observedAt, block.timestamp);
        // observedAt == 0 (1970) is stale on any real chain, and would read as "no round" downstream.
        if (r.observedAt == 0 || block.timestamp - r.observedAt > _heartbeat) {
            revert OracleReportStale(r.observedAt, block.timestamp, _heartbeat);
        }
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(REPORT_TYPEHASH, address(this), roundId, r.answer, r.observedAt))
        );
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, r.signature);
        if (err != ECDSA.RecoverError.NoError || recovered != r.reporter) {
            revert OracleInvalidSignature(index);
        }
        signer = r.reporter;
        if (!_isReporter[signer]) revert OracleUnknownReporter(signer);
    }

    function _addReporter(address reporter) internal {
        if (reporter == address(0)) revert OracleUnknownReporter(reporter);
        if (_isReporter[reporter]) revert OracleReporterExists(reporter);
        if (_reporterCount >= MAX_REPORTERS) revert OracleTooManyReporters(MAX_REPORTERS);
        _isReporter[reporter] = true;
        _reporters.push(reporter);
        ++_reporterCount;
        emit ReporterAdded(reporter);
    }

    /// @dev The one path that sets the quorum: enforces `minQuorum(n) <= quorum_ <= n` (so also >= 1).
    function _setQuorum(uint256 quorum_) internal {
        uint256 n = _reporterCount;
        if (quorum_ == 0 || quorum_ < minQuorum(n) || quorum_ > n) revert OracleInvalidQuorum(quorum_, n);
        uint256 previous = _quorum;
        _quorum = uint8(quorum_); // quorum_ <= reporterCount <= MAX_REPORTERS
        if (previous != quorum_) emit QuorumChanged(previous, quorum_);
    }

    function _setBounds(int192 minAnswer_, int192 maxAnswer_) internal {
        // The bounds must fit a round's int128 answer slot (see `Round`).
        if (minAnswer_ > maxAnswer_ || minAnswer_ < type(int128).min || maxAnswer_ > type(int128).max) {
            revert OracleInvalidBounds(minAnswer_, maxAnswer_);
        }
        _minAnswer = minAnswer_;
        _maxAnswer = maxAnswer_;
        emit AnswerBoundsChanged(minAnswer_, maxAnswer_);
    }

    function _setHeartbeat(uint32 heartbeat_) internal {
        if (heartbeat_ == 0) revert OracleInvalidHeartbeat(heartbeat_);
        emit HeartbeatChanged(_heartbeat, heartbeat_);
        _heartbeat = heartbeat_;
    }
}
