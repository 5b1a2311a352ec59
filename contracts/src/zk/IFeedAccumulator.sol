// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../oracle/AggregatorV3Interface.sol";

/// @title IFeedAccumulator
/// @notice What `ForecastProofGate` reads from a `FeedAccumulator`: the Poseidon hash chain over a
/// feed's answers up to a round (acc(r) = Poseidon2(acc(r - 1), answer_r)).
interface IFeedAccumulator {
    /// @notice The feed whose answers the chain absorbs.
    function FEED() external view returns (AggregatorV3Interface);

    /// @notice The chain value after absorbing round `roundId`; reverts for a round not absorbed yet.
    function accumulatorAt(uint80 roundId) external view returns (uint256);

    /// @notice The last round the chain absorbed before it bridged into the proxy phase whose round 0 is
    /// `roundZero` (`phase << 64`); 0 when there is no such bridge or no round was absorbed before it.
    function bridgedFrom(uint80 roundZero) external view returns (uint80);
}
