// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {AggregatorV3Interface} from "../../../src/oracle/AggregatorV3Interface.sol";

/// @notice Test double: a feed whose rounds the test sets directly, including shapes a MedianOracle never
/// serves (an unset round answered with updatedAt == 0, another round id than asked, any int256 answer).
///
/// Storage mirrors `MedianOracle`'s, so the gas figures measured through it are the real feed's: one slot per
/// round (`getRoundData` one cold read) and a copy of the latest round in one slot (`latestRoundData` one
/// cold read), for answers within int128 and times within uint40 (as in `MedianOracle`). A wider round (the
/// accumulator's field tests use any int256) is kept in side slots and read from there.
contract AggregatorDouble is AggregatorV3Interface {
    /// @dev One slot: 80 + 128 + 40 + 8 bits. `wide`: the answer or time did not fit; see `_wide`.
    struct Round {
        uint80 servedId;
        int128 answer;
        uint40 updatedAt;
        bool wide;
    }

    struct WideRound {
        int256 answer;
        uint256 updatedAt;
    }

    mapping(uint80 roundId => Round) private _rounds;
    mapping(uint80 roundId => WideRound) private _wide;
    /// @dev The highest round set, as it answers (its `servedId` is the id `latestRoundData` reports).
    Round private _latestRound;
    uint80 private _latest;

    event RoundSet(uint80 roundId, uint80 servedId, int256 answer, uint256 updatedAt);

    function setRound(uint80 roundId, int256 answer, uint256 updatedAt) external {
        setRoundServedAs(roundId, roundId, answer, updatedAt);
    }

    /// @notice Round `roundId` answers as if it were `servedId` (a feed serving the wrong round).
    function setRoundServedAs(uint80 roundId, uint80 servedId, int256 answer, uint256 updatedAt) public {
        bool fits = answer >= type(int128).min && answer <= type(int128).max && updatedAt <= type(uint40).max;
        // Narrowing only when `fits`; a wide round keeps its values in `_wide` (and `updatedAt` 1, so that
        // the packed copy never reads as an unset round).
        Round memory r = fits
            ? Round(servedId, int128(answer), uint40(updatedAt), false)
            : Round(servedId, 0, updatedAt == 0 ? 0 : 1, true);
        if (!fits) _wide[roundId] = WideRound(answer, updatedAt);
        _rounds[roundId] = r;
        if (roundId >= _latest) (_latest, _latestRound) = (roundId, r);
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
        return _serve(roundId, roundId, _rounds[roundId]);
    }

    function latestRoundData() external view returns (uint80, int256, uint256, uint256, uint80) {
        // One read, as MedianOracle's: the copy carries the id it answers with.
        Round memory r = _latestRound;
        // `_latest` (where a wide round's values are) is read only for a wide round.
        return _serve(r.servedId, r.wide ? _latest : 0, r);
    }

    /// @dev `asked`: the id to answer for an unset round; `key`: where a wide round's values are.
    function _serve(uint80 asked, uint80 key, Round memory r)
        private
        view
        returns (uint80, int256, uint256, uint256, uint80)
    {
        uint80 id = r.updatedAt == 0 && r.servedId == 0 ? asked : r.servedId;
        if (r.wide) {
            WideRound memory w = _wide[key];
            return (id, w.answer, w.updatedAt, w.updatedAt, id);
        }
        return (id, r.answer, r.updatedAt, r.updatedAt, id);
    }
}
