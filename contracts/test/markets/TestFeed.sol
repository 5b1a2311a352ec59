// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";

/// @title TestFeed
/// @notice Test double: an AggregatorV3 feed whose answer and timestamp the test sets directly.
contract TestFeed is AggregatorV3Interface {
    uint8 public immutable override decimals;
    uint80 public roundId;
    int256 public answer;
    uint256 public updatedAt;

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
        roundId += 1;
        answer = answer_;
        updatedAt = updatedAt_;
    }

    function description() external pure returns (string memory) {
        return "test feed";
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 id) external view returns (uint80, int256, uint256, uint256, uint80) {
        return (id, answer, updatedAt, updatedAt, id);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return (roundId, answer, updatedAt, updatedAt, roundId);
    }
}
