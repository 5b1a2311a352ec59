// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";

/// @title TestFeed
/// @notice Test double: an AggregatorV3 feed whose answer and timestamp the test sets directly. Its
/// storage mirrors MedianOracle's, so gas benches that read it pay what they would pay on the real
/// oracle: the latest round id in its own slot and one packed slot per round (int128 answer, uint64
/// timestamps). `getRoundData(roundId - 1)` returns the previous answer; an unknown round reverts
/// `TestFeedRoundNotFound`, like the MedianOracle's `OracleRoundNotFound`.
contract TestFeed is AggregatorV3Interface {
    struct Round {
        int128 answer;
        uint64 updatedAt;
        uint64 startedAt;
    }

    uint8 public immutable override decimals;
    uint80 public roundId;
    mapping(uint80 id => Round) internal _rounds;

    error TestFeedRoundNotFound(uint80 roundId);
    /// @notice The answer does not fit the int128 a round stores (the MedianOracle's bound too).
    error TestFeedAnswerTooWide(int256 answer);

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
        roundId += 1;
        _rounds[roundId] = Round(int128(answer_), uint64(updatedAt_), uint64(updatedAt_));
    }

    /// @notice The latest round's answer.
    function answer() external view returns (int256) {
        return _rounds[roundId].answer;
    }

    /// @notice The latest round's timestamp.
    function updatedAt() external view returns (uint256) {
        return _rounds[roundId].updatedAt;
    }

    function description() external pure returns (string memory) {
        return "test feed";
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 id) external view returns (uint80, int256, uint256, uint256, uint80) {
        if (id == 0 || id > roundId) revert TestFeedRoundNotFound(id);
        Round memory r = _rounds[id];
        return (id, r.answer, r.startedAt, r.updatedAt, id);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        uint80 id = roundId;
        Round memory r = _rounds[id];
        return (id, r.answer, r.startedAt, r.updatedAt, id);
    }
}
