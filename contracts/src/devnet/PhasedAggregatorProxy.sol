// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../oracle/AggregatorV3Interface.sol";

/// @title PhasedAggregatorProxy — DEVNET ONLY
/// @notice A stand-in for a Chainlink price feed proxy (`EACAggregatorProxy`): what a deployment sees
/// when `deploy --feed WTI=0x…` points it at a real Chainlink feed. Consumers read it through
/// `AggregatorV3Interface`; it answers by forwarding to the aggregator of a phase. Every time the owner
/// sets a new aggregator a new phase starts, and the proxy's round ids carry the phase, as Chainlink's
/// do: `proxyRoundId = uint80(phaseId) << 64 | aggregatorRoundId`. Like a Chainlink proxy it emits no
/// `AnswerUpdated`; the phase aggregators do (with their own round ids), and `phaseAggregators(phaseId)`
/// names the aggregator of a phase so a reader can find them. It exists so the devnet can exercise the
/// external-feed path (round-id encoding, log lookup through the phase aggregator); the phase
/// aggregators in tests are MedianOracles.
///
/// Invariants: `phaseId()` starts at 1 (set in the constructor) and only increases, by one per
/// `setAggregator`; `phaseAggregators(p)` is non-zero for every `1 <= p <= phaseId()`, zero for every
/// other `p`, and never changes once set; every phase aggregator reports `decimals()` of the first one;
/// `getRoundData(phase << 64 | r)` is the answer of round `r` of phase `phase`'s aggregator with the
/// round ids re-encoded with `phase`, and `latestRoundData()` is that of the current phase's latest
/// round. Only `owner` starts a phase; the owner never changes.
contract PhasedAggregatorProxy is AggregatorV3Interface {
    // ---------------------------------------------------------------- constants

    /// @dev Bits of a proxy round id that hold the aggregator's own round id (Chainlink's `PHASE_OFFSET`).
    uint256 private constant _PHASE_OFFSET = 64;

    /// @dev Mask of the aggregator round id in a proxy round id.
    uint256 private constant _AGGREGATOR_ROUND_MASK = type(uint64).max;

    // ---------------------------------------------------------------- state

    /// @notice The only account that may start a phase.
    address public immutable owner;

    /// @dev `decimals()` of every phase aggregator (the first one's).
    uint8 private immutable _DECIMALS;

    /// @dev The current phase (1-based).
    uint16 private _phaseId;

    /// @dev The aggregator of each phase; zero for a phase not started.
    mapping(uint16 phaseId => AggregatorV3Interface aggregator) private _phaseAggregators;

    // ---------------------------------------------------------------- events

    /// @notice Phase `phaseId` started: from now on the proxy answers from `aggregator`.
    event PhaseStarted(uint16 indexed phaseId, address indexed aggregator);

    // ---------------------------------------------------------------- errors

    /// @notice `caller` is not the owner.
    error ProxyUnauthorized(address caller);

    /// @notice The zero address cannot be a phase aggregator.
    error ProxyZeroAggregator();

    /// @notice `aggregator` reports `given` decimals; the proxy's phases use `expected`.
    error ProxyDecimalsMismatch(address aggregator, uint8 expected, uint8 given);

    /// @notice No phase can follow phase `phaseId` (the largest uint16).
    error ProxyTooManyPhases(uint16 phaseId);

    /// @notice Proxy round `roundId` names phase `phaseId`, which has not started (or is 0).
    error ProxyPhaseNotFound(uint80 roundId, uint16 phaseId);

    /// @notice The aggregator of phase `phaseId` answered round id `aggregatorRoundId`, which does not
    /// fit the 64 bits a proxy round id leaves for it.
    error ProxyAggregatorRoundTooLarge(uint16 phaseId, uint256 aggregatorRoundId);

    // ---------------------------------------------------------------- modifiers

    modifier onlyOwner() {
        if (msg.sender != owner) revert ProxyUnauthorized(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- constructor

    /// @param owner_ The account that may start new phases.
    /// @param firstAggregator The aggregator of phase 1; its `decimals()` become the proxy's.
    constructor(address owner_, AggregatorV3Interface firstAggregator) {
        if (address(firstAggregator) == address(0)) revert ProxyZeroAggregator();
        owner = owner_;
        _DECIMALS = firstAggregator.decimals();
        _startPhase(firstAggregator);
    }

    // ---------------------------------------------------------------- external: owner

    /// @notice Starts a new phase answered by `newAggregator` (Chainlink's propose + confirm in one
    /// step). Rounds of earlier phases stay readable under their phase's ids.
    function setAggregator(AggregatorV3Interface newAggregator) external onlyOwner {
        if (address(newAggregator) == address(0)) revert ProxyZeroAggregator();
        uint8 given = newAggregator.decimals();
        if (given != _DECIMALS) revert ProxyDecimalsMismatch(address(newAggregator), _DECIMALS, given);
        if (_phaseId == type(uint16).max) revert ProxyTooManyPhases(_phaseId);
        _startPhase(newAggregator);
    }

    // ---------------------------------------------------------------- views: AggregatorV3Interface

    function decimals() external view returns (uint8) {
        return _DECIMALS;
    }

    /// @dev The current phase aggregator's description.
    function description() external view returns (string memory) {
        return _phaseAggregators[_phaseId].description();
    }

    /// @dev The current phase aggregator's version, as Chainlink's proxy answers.
    function version() external view returns (uint256) {
        return _phaseAggregators[_phaseId].version();
    }

    /// @dev Splits `roundId_` into phase and aggregator round, reads that round from the phase's
    /// aggregator (which reverts for a round it does not have) and re-encodes the ids with the phase.
    /// Reverts `ProxyPhaseNotFound` for a phase not started.
    function getRoundData(uint80 roundId_)
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        (uint16 phase, uint64 aggregatorRoundId) = parseRoundId(roundId_);
        AggregatorV3Interface source = _phaseAggregators[phase];
        if (address(source) == address(0)) revert ProxyPhaseNotFound(roundId_, phase);
        uint80 r;
        uint80 answered;
        (r, answer, startedAt, updatedAt, answered) = source.getRoundData(aggregatorRoundId);
        return (_withPhase(phase, r), answer, startedAt, updatedAt, _withPhase(phase, answered));
    }

    /// @dev The current phase aggregator's latest round, ids re-encoded with the phase.
    function latestRoundData()
        external
        view
        returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound)
    {
        uint16 phase = _phaseId;
        uint80 r;
        uint80 answered;
        (r, answer, startedAt, updatedAt, answered) = _phaseAggregators[phase].latestRoundData();
        return (_withPhase(phase, r), answer, startedAt, updatedAt, _withPhase(phase, answered));
    }

    // ---------------------------------------------------------------- views: phases

    /// @notice The current phase (1-based).
    function phaseId() external view returns (uint16) {
        return _phaseId;
    }

    /// @notice The aggregator of phase `phase`; zero for a phase not started.
    function phaseAggregators(uint16 phase) external view returns (AggregatorV3Interface) {
        return _phaseAggregators[phase];
    }

    /// @notice The current phase's aggregator.
    function aggregator() external view returns (AggregatorV3Interface) {
        return _phaseAggregators[_phaseId];
    }

    /// @notice The proxy round id of round `aggregatorRoundId` of phase `phase`.
    function proxyRoundId(uint16 phase, uint64 aggregatorRoundId) public pure returns (uint80) {
        return uint80((uint256(phase) << _PHASE_OFFSET) | aggregatorRoundId);
    }

    /// @notice The phase and the aggregator round id a proxy round id names.
    function parseRoundId(uint80 roundId_) public pure returns (uint16 phase, uint64 aggregatorRoundId) {
        phase = uint16(roundId_ >> _PHASE_OFFSET);
        aggregatorRoundId = uint64(roundId_ & _AGGREGATOR_ROUND_MASK);
    }

    // ---------------------------------------------------------------- private

    function _startPhase(AggregatorV3Interface next) private {
        uint16 phase = _phaseId + 1;
        _phaseId = phase;
        _phaseAggregators[phase] = next;
        emit PhaseStarted(phase, address(next));
    }

    /// @dev Re-encodes an aggregator's round id with `phase`; refuses one that does not fit 64 bits.
    function _withPhase(uint16 phase, uint80 aggregatorRoundId) private pure returns (uint80) {
        if (aggregatorRoundId > _AGGREGATOR_ROUND_MASK) {
            revert ProxyAggregatorRoundTooLarge(phase, aggregatorRoundId);
        }
        return proxyRoundId(phase, uint64(aggregatorRoundId));
    }
}
