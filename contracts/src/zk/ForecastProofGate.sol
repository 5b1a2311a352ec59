// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../oracle/AggregatorV3Interface.sol";
import {IFeedAccumulator} from "./IFeedAccumulator.sol";
import {IZkModelRegistry} from "./IZkModelRegistry.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title ForecastProofGate
/// @notice Accepts a Groth16 proof that an approved model, with private weights, turned the oracle's last
/// `N_ANSWERS` answers up to a stated round into a forecast, and records that forecast for the vault.
/// @dev What the circuit proves (src/zk/circuit.ts): from private answers a[0..N_ANSWERS-1] and a private
/// chain start, it derives every feature in-circuit (returns with constrained divisions, momentum, absolute
/// movement) and evaluates the model; it also hashes the answers into the feed accumulator's Poseidon
/// chain and outputs the chain's end `accLast`. The gate compares `accLast` with the on-chain
/// `ACCUMULATOR.accumulatorAt(lastRoundId)`: by Poseidon's second-preimage resistance, the only answers
/// that reach that value are the chain's last `N_ANSWERS` answers up to `lastRoundId`. So the forecast is
/// bound to the oracle's rounds end to end, with one storage read instead of one `getRoundData` per
/// answer, and one public signal instead of one per answer.
/// Windows and proxy phases (a Chainlink proxy's ids are `phase << 64 | n`; a MedianOracle's are phase 0):
/// with n >= N_ANSWERS the window is rounds `n - N_ANSWERS + 1 .. n` of lastRoundId's phase. With
/// 1 <= n < N_ANSWERS it spans the accumulator's bridge into that phase: its last N_ANSWERS - n rounds
/// before the bridge (`ACCUMULATOR.bridgedFrom(phase << 64)` = K, rounds `K - (N_ANSWERS - n) + 1 .. K` of
/// K's phase) and rounds `1 .. n` of the new phase. Accepted only when K's phase-local index is at least
/// N_ANSWERS - n, so the older part lies inside K's phase (at most one bridge per window); else, and for
/// n = 0 or no bridge, `ZkRoundTooEarly`. `ForecastProven.firstRoundId` is the window's oldest round either
/// way (a later phase than it means the window crossed the bridge).
/// Invariants:
/// - A forecast is recorded only if the proof verifies against the immutable verifier, the proven weight
///   commitment equals the registry's zk commitment of an approved model, the proven chain end equals the
///   accumulator's value at `lastRoundId`, and round `lastRoundId` — the round the forecast is made on — is
///   at most `MAX_AGE` seconds old at submission (earlier rounds may be older: over a long weekend the
///   closes before the latest are more than `MAX_AGE` old and still the right inputs).
/// - A statement (lastRoundId, public signals) is recorded at most once per model; `proofId` is its hash
///   and the nullifier. It hashes the statement, not the proof bytes, because Groth16 proofs are
///   malleable: anyone can re-randomise a valid proof into different bytes for the same statement.
/// - A record is stored under (modelId, proofId): `provenForecast(modelId, proofId)` finds it only for
///   the model it was proven for. Recorded forecasts never change.
/// Public signal layout (from `src/zk/circuit.ts`): [commitment, accLast, packed…], where packed holds the
/// forecast outputs (N_OUTPUTS), each as v + 2^(n-1) in n = VALUE_BITS bits, floor(253 / n) per field
/// element, least significant first.
contract ForecastProofGate {
    // ---- types ----

    /// @notice A proven forecast (one storage slot). Outputs are fixed-point integers at the model's
    /// scaleBits (the forecaster: output0 = mean next log return, output1 = expected |return|).
    struct ProvenForecast {
        int64 output0;
        int64 output1;
        uint80 lastRoundId;
        uint40 provenAt;
    }

    // ---- constants ----

    /// @notice The generated Groth16 verifier for the inference circuit.
    address public immutable VERIFIER;
    /// @notice Where model approval and zk commitments are read.
    IZkModelRegistry public immutable REGISTRY;
    /// @notice The price feed whose rounds the proof must use (freshness of the last round is read here).
    AggregatorV3Interface public immutable ORACLE;
    /// @notice The Poseidon chain over `ORACLE`'s answers that the proof's `accLast` must equal.
    IFeedAccumulator public immutable ACCUMULATOR;
    /// @notice Maximum age, in seconds, of the last proven round at submission.
    uint256 public immutable MAX_AGE;
    uint256 public immutable N_OUTPUTS;
    /// @notice Consecutive oracle answers the circuit derives its features from.
    uint256 public immutable N_ANSWERS;
    /// @notice Signed bits of each packed public value.
    uint256 public immutable VALUE_BITS;
    /// @notice 2 (commitment, accLast) + packed elements.
    uint256 public immutable N_PUBLIC;
    uint256 private immutable _PER_ELEMENT;
    uint256 private immutable _VALUE_MASK;
    int256 private immutable _VALUE_OFFSET;
    bytes4 private immutable _VERIFY_SELECTOR;

    // ---- state ----

    mapping(bytes32 modelId => mapping(bytes32 proofId => ProvenForecast)) private _proven;

    // ---- events ----

    /// @notice A proof was accepted and its forecast recorded under `proofId`.
    event ForecastProven(
        bytes32 indexed proofId,
        bytes32 indexed modelId,
        uint80 firstRoundId,
        uint80 lastRoundId,
        int256[] forecast,
        address submitter
    );

    // ---- errors ----

    error ZkBadLayout(uint256 outputs, uint256 answers, uint256 valueBits);
    error ZkAccumulatorFeedMismatch(address accumulatorFeed, address oracle);
    error ZkPublicSignalCount(uint256 given, uint256 expected);
    /// @notice The chain has fewer than `answers` rounds up to `lastRoundId` within reach: with
    /// `lastRoundId = phase << 64 | n`, n < answers (phase 0 for a MedianOracle), and no accumulator bridge
    /// into that phase whose previous phase supplies the other answers - n rounds (n = 0, no bridge, a bridge
    /// before any round, or an old phase too short: a window crosses at most one bridge). Prove again once
    /// the phase has `answers` rounds, or once the accumulator has absorbed the bridge.
    error ZkRoundTooEarly(uint80 lastRoundId, uint256 answers);
    error ZkProofAlreadyUsed(bytes32 proofId);
    error ZkModelNotApproved(bytes32 modelId);
    error ZkCommitmentMismatch(bytes32 modelId, bytes32 registered, bytes32 proven);
    error ZkRoundNotFound(uint80 roundId);
    error ZkAccumulatorMismatch(uint80 roundId, uint256 onchain, uint256 proven);
    error ZkStaleRound(uint80 roundId, uint256 updatedAt, uint256 maxAge, uint256 timestamp);
    error ZkInvalidProof(bytes32 proofId);

    // ---- constructor ----

    /// @param verifier The generated `Groth16Verifier` for this model architecture.
    /// @param registry The model registry (approval + zk commitment).
    /// @param oracle The feed whose rounds are proven.
    /// @param accumulator The `FeedAccumulator` over `oracle`'s answers (its `FEED()` must be `oracle`).
    /// @param maxAge Freshness bound in seconds for the last proven round.
    /// @param outputs Forecast outputs in the circuit (1 or 2 are recorded).
    /// @param answers Consecutive oracle answers the circuit derives its features from, at least 1.
    /// @param valueBits Signed bits per packed value (the circuit's `valueBits`, 8..63).
    constructor(
        address verifier,
        IZkModelRegistry registry,
        AggregatorV3Interface oracle,
        IFeedAccumulator accumulator,
        uint256 maxAge,
        uint256 outputs,
        uint256 answers,
        uint256 valueBits
    ) {
        if (outputs == 0 || outputs > 2 || answers == 0 || answers > 256 || valueBits < 8 || valueBits > 63) {
            revert ZkBadLayout(outputs, answers, valueBits);
        }
        // The chain must be over the very feed whose freshness is checked: else a proof could bind to one
        // feed's answers while the gate reads another's.
        address accumulatorFeed = address(accumulator.FEED());
        if (accumulatorFeed != address(oracle)) {
            revert ZkAccumulatorFeedMismatch(accumulatorFeed, address(oracle));
        }
        VERIFIER = verifier;
        REGISTRY = registry;
        ORACLE = oracle;
        ACCUMULATOR = accumulator;
        MAX_AGE = maxAge;
        N_OUTPUTS = outputs;
        N_ANSWERS = answers;
        VALUE_BITS = valueBits;
        uint256 per = 253 / valueBits;
        _PER_ELEMENT = per;
        _VALUE_MASK = (1 << valueBits) - 1;
        _VALUE_OFFSET = int256(1 << (valueBits - 1));
        uint256 nPublic = 2 + (outputs + per - 1) / per;
        N_PUBLIC = nPublic;
        _VERIFY_SELECTOR = bytes4(
            keccak256(
                abi.encodePacked(
                    "verifyProof(uint256[2],uint256[2][2],uint256[2],uint256[", _toString(nPublic), "])"
                )
            )
        );
    }

    // ---- external ----

    /// @notice Checks a proof and records its forecast. Reverts with the first rule that fails.
    /// @param modelId The registered model the proof claims.
    /// @param lastRoundId The last of the `N_ANSWERS` rounds the proof's answers are (consecutive in the
    /// accumulator's chain: in lastRoundId's phase, or across the bridge into it), and the round the forecast
    /// is made on.
    /// @param a Proof point A. @param b Proof point B (snarkjs calldata order). @param c Proof point C.
    /// @param publicSignals [commitment, accLast, packed…] as produced by the prover.
    /// @return proofId The statement id (nullifier); read the forecast with `provenForecast(modelId, proofId)`.
    function submit(
        bytes32 modelId,
        uint80 lastRoundId,
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[] calldata publicSignals
    ) external returns (bytes32 proofId) {
        if (publicSignals.length != N_PUBLIC) {
            revert ZkPublicSignalCount(publicSignals.length, N_PUBLIC);
        }
        uint80 firstRoundId = _firstRoundOf(lastRoundId);
        proofId = keccak256(abi.encode(lastRoundId, publicSignals));
        if (_proven[modelId][proofId].provenAt != 0) revert ZkProofAlreadyUsed(proofId);

        if (!REGISTRY.isApproved(modelId)) revert ZkModelNotApproved(modelId);
        bytes32 registered = REGISTRY.zkCommitmentOf(modelId);
        if (registered == bytes32(0) || uint256(registered) != publicSignals[0]) {
            revert ZkCommitmentMismatch(modelId, registered, bytes32(publicSignals[0]));
        }

        _checkRounds(lastRoundId, publicSignals[1]);
        if (!_verify(a, b, c, publicSignals)) revert ZkInvalidProof(proofId);

        int256[] memory forecast = new int256[](N_OUTPUTS);
        for (uint256 i = 0; i < N_OUTPUTS; ++i) {
            forecast[i] = _value(publicSignals, i);
        }
        _record(proofId, modelId, lastRoundId, forecast);
        emit ForecastProven(proofId, modelId, firstRoundId, lastRoundId, forecast, msg.sender);
    }

    /// @notice The oldest round of the `N_ANSWERS`-round window ending at `lastRoundId` (what `submit` emits as
    /// `firstRoundId`): in lastRoundId's phase, or in the phase before the accumulator's bridge into it.
    /// Reverts `ZkRoundTooEarly` when no such window exists yet (see the contract header).
    function firstRoundOf(uint80 lastRoundId) external view returns (uint80) {
        return _firstRoundOf(lastRoundId);
    }

    /// @notice The forecast proven for `modelId` under `proofId`; `provenAt == 0` when none.
    function provenForecast(bytes32 modelId, bytes32 proofId) external view returns (ProvenForecast memory) {
        return _proven[modelId][proofId];
    }

    /// @notice The statement id `submit` returns for this round and these public signals.
    function proofIdOf(uint80 lastRoundId, uint256[] calldata publicSignals) external pure returns (bytes32) {
        return keccak256(abi.encode(lastRoundId, publicSignals));
    }

    /// @notice The value at `index` of the packed public values (the forecast outputs).
    function publicValue(uint256[] calldata publicSignals, uint256 index) external view returns (int256) {
        return _value(publicSignals, index);
    }

    // ---- internal ----

    function _firstRoundOf(uint80 lastRoundId) internal view returns (uint80) {
        uint256 n = uint64(lastRoundId);
        // Inside the phase: n - N + 1 >= 1, so the window is the consecutive ids ending at lastRoundId.
        if (n >= N_ANSWERS) return uint80(lastRoundId + 1 - N_ANSWERS);
        if (n == 0) revert ZkRoundTooEarly(lastRoundId, N_ANSWERS);
        // Across the bridge into lastRoundId's phase: the chain's round before `phase << 64 | 1` is K.
        uint80 lastBefore = ACCUMULATOR.bridgedFrom(lastRoundId - uint80(n));
        uint256 older = N_ANSWERS - n;
        // K's own index must hold the older rounds (K = 0 when there is no bridge), or the window would reach
        // round 0 of K's phase or a second bridge.
        if (uint64(lastBefore) < older) revert ZkRoundTooEarly(lastRoundId, N_ANSWERS);
        // uint64(K) >= older, so the subtraction stays inside K's phase.
        return uint80(lastBefore + 1 - older);
    }

    function _checkRounds(uint80 lastRoundId, uint256 provenAccumulator) internal view {
        // The accumulator reverts with its own error for a round it has not absorbed.
        uint256 onchain = ACCUMULATOR.accumulatorAt(lastRoundId);
        if (onchain != provenAccumulator) {
            revert ZkAccumulatorMismatch(lastRoundId, onchain, provenAccumulator);
        }
        (,,, uint256 updatedAt,) = ORACLE.getRoundData(lastRoundId);
        if (updatedAt == 0) revert ZkRoundNotFound(lastRoundId);
        if (block.timestamp > updatedAt + MAX_AGE) {
            revert ZkStaleRound(lastRoundId, updatedAt, MAX_AGE, block.timestamp);
        }
    }

    function _verify(
        uint256[2] calldata a,
        uint256[2][2] calldata b,
        uint256[2] calldata c,
        uint256[] calldata publicSignals
    ) internal view returns (bool) {
        // `uint256[N]` is ABI-encoded as N words, exactly what encodePacked makes of the array elements.
        (bool ok, bytes memory ret) =
            VERIFIER.staticcall(abi.encodePacked(_VERIFY_SELECTOR, a, b, c, publicSignals));
        return ok && ret.length == 32 && abi.decode(ret, (bool));
    }

    function _record(bytes32 proofId, bytes32 modelId, uint80 lastRoundId, int256[] memory forecast)
        internal
    {
        // Values are proven within VALUE_BITS <= 63 signed bits, so the int64 narrowing never reverts.
        _proven[modelId][proofId] = ProvenForecast({
            output0: SafeCast.toInt64(forecast[0]),
            output1: forecast.length > 1 ? SafeCast.toInt64(forecast[1]) : int64(0),
            lastRoundId: lastRoundId,
            provenAt: SafeCast.toUint40(block.timestamp)
        });
    }

    function _value(uint256[] calldata publicSignals, uint256 index) internal view returns (int256) {
        uint256 word = publicSignals[2 + index / _PER_ELEMENT];
        uint256 enc = (word >> (VALUE_BITS * (index % _PER_ELEMENT))) & _VALUE_MASK;
        // enc < 2^VALUE_BITS <= 2^63, so the int256 conversion is exact.
        return int256(enc) - _VALUE_OFFSET;
    }

    function _toString(uint256 value) private pure returns (string memory) {
        if (value == 0) return "0";
        uint256 digits;
        for (uint256 v = value; v != 0; v /= 10) {
            ++digits;
        }
        bytes memory out = new bytes(digits);
        for (uint256 v = value; v != 0; v /= 10) {
            out[--digits] = bytes1(uint8(48 + (v % 10)));
        }
        return string(out);
    }
}
