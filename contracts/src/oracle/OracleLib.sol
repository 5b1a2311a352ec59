// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "./AggregatorV3Interface.sol";

/// @title OracleLib
/// @notice How Provenant's assets read a price feed (a `MedianOracle` or a real Chainlink feed): the
/// answer must be positive and the round no older than the caller's heartbeat.
/// @dev Invariant: a value returned by this library is > 0 and was updated at most `heartbeat`
/// seconds before `block.timestamp` (a round stamped in the future counts as age 0).
library OracleLib {
    error OracleNonPositiveAnswer(address feed, uint80 roundId, int256 answer);
    error OracleStaleRound(address feed, uint80 roundId, uint256 updatedAt, uint256 age, uint256 heartbeat);

    /// @notice The latest round, checked. Reverts `OracleNonPositiveAnswer` or `OracleStaleRound`.
    /// @return roundId The round read.
    /// @return answer The answer, > 0.
    /// @return updatedAt When the round was updated.
    function latest(AggregatorV3Interface feed, uint256 heartbeat)
        internal
        view
        returns (uint80 roundId, uint256 answer, uint256 updatedAt)
    {
        int256 raw;
        (roundId, raw,, updatedAt,) = feed.latestRoundData();
        answer = _check(feed, roundId, raw, updatedAt, heartbeat);
    }

    /// @notice A given round, checked the same way (its age is measured against `block.timestamp`).
    function atRound(AggregatorV3Interface feed, uint80 roundId, uint256 heartbeat)
        internal
        view
        returns (uint256 answer, uint256 updatedAt)
    {
        int256 raw;
        (, raw,, updatedAt,) = feed.getRoundData(roundId);
        answer = _check(feed, roundId, raw, updatedAt, heartbeat);
    }

    function _check(
        AggregatorV3Interface feed,
        uint80 roundId,
        int256 raw,
        uint256 updatedAt,
        uint256 heartbeat
    ) private view returns (uint256) {
        if (raw <= 0) revert OracleNonPositiveAnswer(address(feed), roundId, raw);
        uint256 age = block.timestamp > updatedAt ? block.timestamp - updatedAt : 0;
        if (age > heartbeat) revert OracleStaleRound(address(feed), roundId, updatedAt, age, heartbeat);
        return uint256(raw); // raw > 0
    }
}
