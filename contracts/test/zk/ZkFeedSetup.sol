// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {AggregatorDouble} from "./doubles/AggregatorDouble.sol";
import {RidgeProofFixture as F} from "./fixtures/RidgeProofFixture.sol";

/// @notice The feed side of the zk fixture: the fixture proof was made over 21 real WTI answers with the
/// accumulator chain starting at 0, so publishing exactly those answers as rounds 1..21 and absorbing them
/// from round 1 reproduces the proof's `accLast` on-chain.
abstract contract ZkFeedSetup {
    uint256 internal constant FIXTURE_ROUNDS = 21;

    /// @dev Rounds 1..21 carry the fixture's answers, one day apart, the last updated at `lastUpdatedAt`.
    function _publishFixtureRounds(AggregatorDouble oracle, uint256 lastUpdatedAt) internal {
        int256[21] memory answers = F.answers();
        for (uint256 i = 0; i < FIXTURE_ROUNDS; ++i) {
            oracle.setRound(uint80(i + 1), answers[i], lastUpdatedAt - (FIXTURE_ROUNDS - 1 - i) * 1 days);
        }
    }

    /// @dev An accumulator over `oracle` from round 1, absorbed up to the fixture's last round.
    function _absorbedAccumulator(AggregatorDouble oracle) internal returns (FeedAccumulator accumulator) {
        accumulator = new FeedAccumulator(AggregatorV3Interface(address(oracle)), 1);
        accumulator.absorb(F.LAST_ROUND_ID);
    }

    /// @dev The answer of the round the fixture's forecast is made on.
    function _lastFixtureAnswer() internal pure returns (int256) {
        return F.answers()[FIXTURE_ROUNDS - 1];
    }
}
