// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../../src/oracle/AggregatorV3Interface.sol";

/// @notice Test double: a feed whose rounds the test sets directly, including shapes a MedianOracle never
/// serves (an unset round answered with updatedAt == 0, another round id than asked, any int256 answer).
contract AggregatorDouble is AggregatorV3Interface {
    struct Round {
        uint80 servedId;
        int256 answer;
        uint256 updatedAt;
    }

    mapping(uint80 roundId => Round) private _rounds;
    uint80 private _latest;

    event RoundSet(uint80 roundId, uint80 servedId, int256 answer, uint256 updatedAt);

    function setRound(uint80 roundId, int256 answer, uint256 updatedAt) external {
        setRoundServedAs(roundId, roundId, answer, updatedAt);
    }

    /// @notice Round `roundId` answers as if it were `servedId` (a feed serving the wrong round).
    function setRoundServedAs(uint80 roundId, uint80 servedId, int256 answer, uint256 updatedAt) public {
        _rounds[roundId] = Round(servedId, answer, updatedAt);
        if (roundId > _latest) _latest = roundId;
        emit RoundSet(roundId, servedId, answer, updatedAt);
    }

    function decimals() external pure returns (uint8) {
        return 8;
    }

    function description() external pure returns (string memory) {
        return "WTI / USD (test double)";
    }

    function version() external pure returns (uint256) {
        return 1;
    }

    function getRoundData(uint80 roundId) public view returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = _rounds[roundId];
        uint80 id = r.updatedAt == 0 && r.servedId == 0 ? roundId : r.servedId;
        return (id, r.answer, r.updatedAt, r.updatedAt, id);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        return getRoundData(_latest);
    }
}
