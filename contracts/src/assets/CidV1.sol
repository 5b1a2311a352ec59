// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title CidV1
/// @notice The one CID shape ProvenanceNFT stores: a binary CIDv1 with a sha2-256 multihash,
/// `0x01 <codec> 0x12 0x20 <32-byte digest>` (36 bytes). Only the digest is stored; the codec is
/// fixed per use (metadata: `raw` 0x55, what `ipfs add --cid-version 1 --raw-leaves` gives a file that
/// fits one block), so the full CID and its base32 text (`bafkrei…`) are rebuilt on read.
library CidV1 {
    /// @notice Multicodec `raw` (0x55).
    uint8 internal constant RAW = 0x55;
    /// @notice Length of a binary CIDv1 with a sha2-256 multihash.
    uint256 internal constant LENGTH = 36;

    /// @dev RFC 4648 base32, lower case, the alphabet of multibase prefix `b`.
    bytes internal constant _ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    /// @notice True when `cid` is a binary CIDv1 with codec `codec` and a sha2-256 multihash.
    function isSha256(bytes calldata cid, uint8 codec) internal pure returns (bool) {
        return cid.length == LENGTH && uint8(cid[0]) == 0x01 && uint8(cid[1]) == codec
            && uint8(cid[2]) == 0x12 && uint8(cid[3]) == 0x20;
    }

    /// @notice The 32-byte sha2-256 digest of a CID that passed `isSha256`.
    function digest(bytes calldata cid) internal pure returns (bytes32) {
        return bytes32(cid[4:LENGTH]);
    }

    /// @notice The binary CIDv1 `0x01 <codec> 0x12 0x20 <digest>`.
    function encode(uint8 codec, bytes32 sha256Digest) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(0x01), codec, uint8(0x12), uint8(0x20), sha256Digest);
    }

    /// @notice The multibase base32 text of a binary CID: `b` + lower-case RFC 4648 base32, no padding
    /// (59 characters for 36 bytes), as `multiformats`' `CID.toString()` prints a CIDv1.
    function toBase32(bytes memory cid) internal pure returns (string memory) {
        bytes memory out = new bytes(1 + (cid.length * 8 + 4) / 5);
        out[0] = "b";
        uint256 buffer;
        uint256 bits;
        uint256 j = 1;
        for (uint256 i; i < cid.length; ++i) {
            buffer = ((buffer << 8) | uint8(cid[i])) & 0x1fff; // at most 4 + 8 live bits
            bits += 8;
            while (bits >= 5) {
                bits -= 5;
                out[j++] = _ALPHABET[(buffer >> bits) & 31];
            }
        }
        if (bits > 0) out[j] = _ALPHABET[(buffer << (5 - bits)) & 31];
        return string(out);
    }
}
