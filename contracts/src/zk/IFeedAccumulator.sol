// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IFeedAccumulator
/// @notice What `ForecastProofGate` reads from a `FeedAccumulator`: the Poseidon hash chain over a
/// feed's answers up to a round (acc(r) = Poseidon2(acc(r - 1), answer_r)).
interface IFeedAccumulator {
    /// @notice The chain value after absorbing round `roundId`; reverts for a round not absorbed yet.
    function accumulatorAt(uint80 roundId) external view returns (uint256);
}
