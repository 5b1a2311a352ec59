// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title ByteSearch
/// @notice Substring search over bytes, for checking that a canonical-JSON document contains an exact
/// member (`ProvenanceNFT.verify`: the metadata names its manifest; `ForecastAigcVerifier`: the manifest
/// names its proven forecast). In valid JSON a quoted key-value byte sequence can only be a real member:
/// a quote inside a string is escaped (`\"`).
library ByteSearch {
    /// @notice True when `needle` (at least 32 bytes long) occurs in `hay`. Compares the first word,
    /// then hashes the candidate window. A needle shorter than 32 bytes returns false (its first word
    /// would include the bytes after it).
    function contains(bytes memory hay, bytes memory needle) internal pure returns (bool found) {
        uint256 n = needle.length;
        if (n < 32 || hay.length < n) return false;
        assembly ("memory-safe") {
            let h := add(hay, 32)
            let first := mload(add(needle, 32))
            let needleHash := keccak256(add(needle, 32), n)
            let end := add(h, sub(mload(hay), n))
            for { let p := h } iszero(gt(p, end)) { p := add(p, 1) } {
                if eq(mload(p), first) {
                    if eq(keccak256(p, n), needleHash) {
                        found := 1
                        break
                    }
                }
            }
        }
    }
}
