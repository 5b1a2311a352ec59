// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {OracleTestBase} from "./MedianOracle.t.sol";

/// @notice The one-slot latest round: `latestRoundData` always serves the same round as
/// `getRoundData(latestRound())`, round ids keep the full uint80 AggregatorV3 range, and an observation
/// time above `MAX_OBSERVED_AT` (2^40 - 1, the width of the latest-round slot) is refused cleanly.
contract MedianOracleLatestTest is OracleTestBase {
    uint256 internal constant MAX_T = type(uint40).max;

    function _all(int256 a) internal pure returns (int256[] memory) {
        return _arr(a, a, a, a, a);
    }

    /// @dev Accepts `rounds` rounds (answers and times from `seed`), checking after each that the latest
    /// round served by `latestRoundData` is the round stored under its id, and that every earlier round is
    /// still served by `getRoundData` unchanged.
    function _latestMatchesStored(uint256 rounds, uint256 seed) internal {
        int256[] memory answers = new int256[](rounds + 1);
        uint256[] memory times = new uint256[](rounds + 1);
        for (uint80 r = 1; r <= rounds; ++r) {
            vm.warp(block.timestamp + 1 + uint256(keccak256(abi.encode(seed, r, "dt"))) % 2 days);
            answers[r] = int256(1 + uint256(keccak256(abi.encode(seed, r))) % uint256(int256(MAX)));
            times[r] = block.timestamp;
            oracle.submitRound(r, _reports(oracle, r, _all(answers[r])));
            (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredIn) =
                oracle.latestRoundData();
            assertEq(id, r);
            assertEq(oracle.latestRound(), r);
            assertEq(answer, answers[r]);
            assertEq(startedAt, times[r]);
            assertEq(updatedAt, times[r]);
            assertEq(answeredIn, r);
            (uint80 id2, int256 answer2, uint256 startedAt2, uint256 updatedAt2, uint80 answeredIn2) =
                oracle.getRoundData(r);
            assertEq(
                abi.encode(id, answer, startedAt, updatedAt, answeredIn),
                abi.encode(id2, answer2, startedAt2, updatedAt2, answeredIn2)
            );
        }
        for (uint80 r = 1; r <= rounds; ++r) {
            (, int256 answer,, uint256 updatedAt,) = oracle.getRoundData(r);
            assertEq(answer, answers[r]);
            assertEq(updatedAt, times[r]);
        }
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleRoundNotFound.selector, uint80(rounds + 1)));
        oracle.getRoundData(uint80(rounds + 1));
    }

    function test_latestRoundData_matchesStoredRound() public {
        _latestMatchesStored(4, 7);
    }

    function testFuzz_latestRoundData_matchesStoredRound(uint8 rounds, uint256 seed) public {
        _latestMatchesStored(bound(rounds, 1, 12), seed);
    }

    function test_latestRoundData_noRounds() public {
        vm.expectRevert(MedianOracle.OracleNoRounds.selector);
        oracle.latestRoundData();
        assertEq(oracle.latestRound(), 0);
    }

    /// @dev A round observed at `observedAt` (the chain's clock there too): accepted up to `MAX_OBSERVED_AT`,
    /// refused above it with `OracleTimestampTooLarge`, leaving the latest round as it was.
    function _observedAtBound(uint256 observedAt) internal {
        oracle.submitRound(1, _reports(oracle, 1, _all(70e8)));
        uint256 t1 = block.timestamp;
        vm.warp(observedAt);
        MedianOracle.Report[] memory reports = _reports(oracle, 2, _all(71e8));
        if (observedAt > MAX_T) {
            vm.expectRevert(
                abi.encodeWithSelector(MedianOracle.OracleTimestampTooLarge.selector, observedAt, MAX_T)
            );
        }
        oracle.submitRound(2, reports);
        (uint80 id, int256 answer,, uint256 updatedAt,) = oracle.latestRoundData();
        if (observedAt > MAX_T) {
            assertEq(id, 1);
            assertEq(answer, 70e8);
            assertEq(updatedAt, t1);
        } else {
            assertEq(id, 2);
            assertEq(answer, 71e8);
            assertEq(updatedAt, observedAt);
        }
    }

    function test_submitRound_observedAtAtBound() public {
        _observedAtBound(MAX_T);
    }

    function test_submitRound_observedAtAboveBound() public {
        _observedAtBound(MAX_T + 1);
    }

    function testFuzz_submitRound_observedAtBound(uint256 observedAt) public {
        _observedAtBound(bound(observedAt, block.timestamp, uint256(type(uint64).max)));
    }

    function test_maxObservedAt() public view {
        assertEq(oracle.MAX_OBSERVED_AT(), MAX_T);
    }

    /// @dev Round ids keep the AggregatorV3 width: a long-lived feed reads back its rounds in order.
    function test_latestRound_contiguousAfterMany() public {
        for (uint80 r = 1; r <= 20; ++r) {
            vm.warp(block.timestamp + 60);
            oracle.submitRound(r, _reports(oracle, r, _all(int256(uint256(r)) * 1e8)));
        }
        (uint80 id, int256 answer,,,) = oracle.latestRoundData();
        assertEq(id, 20);
        assertEq(answer, 20e8);
        vm.expectRevert(
            abi.encodeWithSelector(MedianOracle.OracleRoundOutOfOrder.selector, uint80(21), uint80(20))
        );
        oracle.submitRound(20, _reports(oracle, 20, _all(1e8)));
    }
}
