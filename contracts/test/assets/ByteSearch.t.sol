// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ByteSearch} from "../../src/assets/ByteSearch.sol";
import {Test} from "forge-std/Test.sol";

/// @notice `ByteSearch.contains` against a naive byte-by-byte reference: found at the start, middle and
/// end, not found, hay shorter than the needle, needles under 32 bytes refused.
contract ByteSearchTest is Test {
    bytes internal constant NEEDLE =
        '"provenance":"ipfs://bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"';

    /// @dev The reference: compares every window byte by byte.
    function _naive(bytes memory hay, bytes memory needle) internal pure returns (bool) {
        if (hay.length < needle.length) return false;
        for (uint256 p; p + needle.length <= hay.length; ++p) {
            bool all = true;
            for (uint256 k; k < needle.length; ++k) {
                if (hay[p + k] != needle[k]) {
                    all = false;
                    break;
                }
            }
            if (all) return true;
        }
        return false;
    }

    function test_contains_startMiddleEnd() public pure {
        assertTrue(ByteSearch.contains(NEEDLE, NEEDLE), "hay == needle");
        assertTrue(ByteSearch.contains(abi.encodePacked(NEEDLE, ',"z":1}'), NEEDLE), "start");
        assertTrue(ByteSearch.contains(abi.encodePacked('{"a":1,', NEEDLE, ',"z":1}'), NEEDLE), "middle");
        assertTrue(ByteSearch.contains(abi.encodePacked('{"a":1,', NEEDLE), NEEDLE), "end");
        // Offsets that are not multiples of 32, past a word boundary.
        for (uint256 pad; pad < 70; pad += 7) {
            assertTrue(ByteSearch.contains(abi.encodePacked(new bytes(pad), NEEDLE, new bytes(3)), NEEDLE));
        }
    }

    function test_contains_notFound() public pure {
        bytes memory almost = bytes.concat(NEEDLE);
        almost[almost.length - 2] = "5"; // last CID character changed
        assertFalse(ByteSearch.contains(abi.encodePacked("{", almost, "}"), NEEDLE), "last byte differs");
        bytes memory firstOff = bytes.concat(NEEDLE);
        firstOff[0] = "'";
        assertFalse(ByteSearch.contains(abi.encodePacked("{", firstOff, "}"), NEEDLE), "first byte differs");
        // The first word matches but the rest does not (the hash check decides).
        bytes memory head = new bytes(40);
        for (uint256 i; i < 40; ++i) {
            head[i] = NEEDLE[i];
        }
        assertFalse(ByteSearch.contains(abi.encodePacked(head, head, head), NEEDLE), "first word only");
        // The needle cut by the end of the hay.
        bytes memory cut = new bytes(NEEDLE.length - 1);
        for (uint256 i; i < cut.length; ++i) {
            cut[i] = NEEDLE[i];
        }
        assertFalse(ByteSearch.contains(abi.encodePacked("{", cut), NEEDLE), "needle cut at the end");
    }

    function test_contains_hayShorterThanNeedle() public pure {
        bytes memory cut = new bytes(NEEDLE.length - 1);
        for (uint256 i; i < cut.length; ++i) {
            cut[i] = NEEDLE[i];
        }
        assertFalse(ByteSearch.contains(cut, NEEDLE));
        assertFalse(ByteSearch.contains("", NEEDLE));
    }

    /// @notice A needle under 32 bytes returns false, even where it occurs.
    function test_contains_shortNeedle_false() public pure {
        _checkShortNeedle(bytes("abc"));
        _checkShortNeedle(new bytes(31));
        _checkShortNeedle("");
        // Exactly 32 bytes is accepted.
        bytes memory n32 = new bytes(32);
        n32[5] = "x";
        assertTrue(ByteSearch.contains(abi.encodePacked("ab", n32, "cd"), n32));
    }

    function testFuzz_contains_shortNeedle_false(bytes memory needle, bytes memory prefix) public pure {
        vm.assume(needle.length < 32);
        _checkShortNeedle(needle);
        assertFalse(ByteSearch.contains(abi.encodePacked(prefix, needle), needle));
    }

    function _checkShortNeedle(bytes memory needle) internal pure {
        assertFalse(ByteSearch.contains(abi.encodePacked("{", needle, needle, "}"), needle));
    }

    /// @notice A planted needle (at least 32 bytes) is found at any offset.
    function testFuzz_contains_planted(bytes memory prefix, bytes memory needle, bytes memory suffix)
        public
        pure
    {
        vm.assume(needle.length >= 32);
        assertTrue(ByteSearch.contains(abi.encodePacked(prefix, needle, suffix), needle));
    }

    /// @notice Agrees with the naive reference on arbitrary inputs (mostly "not found"), and on hay built
    /// from pieces of the needle (near misses).
    function testFuzz_contains_matchesNaive(bytes memory hay, bytes memory needle) public pure {
        vm.assume(needle.length >= 32);
        assertEq(ByteSearch.contains(hay, needle), _naive(hay, needle));
    }

    function testFuzz_contains_nearMisses(uint8 cut, uint8 flip, bytes memory prefix) public pure {
        bytes memory hay = abi.encodePacked(prefix, NEEDLE, prefix);
        uint256 pos = prefix.length + (flip % NEEDLE.length);
        hay[pos] = bytes1(uint8(hay[pos]) ^ 0x20);
        uint256 keep = bound(cut, 0, NEEDLE.length);
        bytes memory piece = new bytes(keep);
        for (uint256 i; i < keep; ++i) {
            piece[i] = NEEDLE[i];
        }
        hay = abi.encodePacked(hay, piece);
        assertEq(ByteSearch.contains(hay, NEEDLE), _naive(hay, NEEDLE));
    }

    function test_contains_matchesNaive_concrete() public pure {
        bytes memory hay = abi.encodePacked("{", NEEDLE, "}");
        assertEq(ByteSearch.contains(hay, NEEDLE), _naive(hay, NEEDLE));
        hay[10] = "X";
        assertEq(ByteSearch.contains(hay, NEEDLE), _naive(hay, NEEDLE));
        assertFalse(_naive(hay, NEEDLE));
    }
}
