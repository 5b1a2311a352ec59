// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";

/// @title TestFeed
/// @notice Test double: an AggregatorV3 feed whose answer and timestamp the test sets directly. Its
/// storage mirrors MedianOracle's, so gas benches that read it pay what they would pay on the real
/// oracle: the latest round in one packed slot (uint80 round id, int128 answer, uint40 time), read by
/// `latestRoundData`, and one packed slot per round (int128 answer, uint64 time, a set flag), read by `getRoundData`.
/// `startedAt == updatedAt`, as on the MedianOracle. `getRoundData(roundId - 1)` returns the previous
/// answer; an unknown round reverts `TestFeedRoundNotFound`, like the MedianOracle's `OracleRoundNotFound`.
contract TestFeed is AggregatorV3Interface {
    struct Round {
        int128 answer;
        uint64 updatedAt;
        bool set; // the MedianOracle marks a set round by a non-zero time; a test may set time 0
    }

    /// @dev MedianOracle's `Latest`: the latest round in one slot.
    struct Latest {
        uint80 roundId;
        int128 answer;
        uint40 updatedAt;
    }

    uint8 public immutable override decimals;
    mapping(uint80 id => Round) internal _rounds;
    Latest internal _latest;

    error TestFeedRoundNotFound(uint80 roundId);
    /// @notice The answer does not fit the int128 a round stores (the MedianOracle's bound too).
    error TestFeedAnswerTooWide(int256 answer);
    /// @notice The timestamp does not fit the uint40 the latest round stores (the MedianOracle's bound too).
    error TestFeedTimestampTooLarge(uint256 updatedAt);

    constructor(uint8 decimals_, int256 answer_) {
        decimals = decimals_;
        set(answer_);
    }

    /// @notice New round with `answer_` stamped now.
    function set(int256 answer_) public {
        setAt(answer_, block.timestamp);
    }

    /// @notice New round with `answer_` stamped `updatedAt_`.
    function setAt(int256 answer_, uint256 updatedAt_) public {
        if (answer_ < type(int128).min || answer_ > type(int128).max) revert TestFeedAnswerTooWide(answer_);
        if (updatedAt_ > type(uint40).max) revert TestFeedTimestampTooLarge(updatedAt_);
        uint80 id = _latest.roundId + 1;
        _latest = Latest(id, int128(answer_), uint40(updatedAt_));
        _rounds[id] = Round(int128(answer_), uint64(updatedAt_), true);
    }

    /// @notice The latest round id (0 before the first round).
    function roundId() external view returns (uint80) {
        return _latest.roundId;
    }

    /// @notice The latest round's answer.
    function answer() external view returns (int256) {
        return _latest.answer;
    }

    /// @notice The latest round's timestamp.
    function updatedAt() external view returns (uint256) {
        return _latest.updatedAt;
    }

    function description() external pure returns (string memory) {
        return "test feed";
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 id) external view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[id];
        if (!r.set) revert TestFeedRoundNotFound(id);
        return (id, r.answer, r.updatedAt, r.updatedAt, id);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        Latest memory l = _latest;
        return (l.roundId, l.answer, l.updatedAt, l.updatedAt, l.roundId);
    }
}
