// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @notice A reference implementation of ProvenanceNFT's version hash chain, written independently of
/// the contract (plain `abi.encode`, no assembly), so tests check the contract against it.
library ChainReference {
    uint256 internal constant HEAD_MASK = (1 << 224) - 1;

    /// @notice `h_0 = chain[0]`, `h_n = keccak256(abi.encode(h_{n-1}, chain[n]))` with the top 32 bits
    /// cleared: the head over versions `0 … upTo`.
    function head(bytes32[] memory chain, uint256 upTo) internal pure returns (bytes32 h) {
        h = chain[0];
        for (uint256 i = 1; i <= upTo; ++i) {
            h = bytes32(uint256(keccak256(abi.encode(h, chain[i]))) & HEAD_MASK);
        }
    }

    /// @notice The head over the whole chain.
    function head(bytes32[] memory chain) internal pure returns (bytes32) {
        return head(chain, chain.length - 1);
    }

    /// @notice ERC-7007 `verify` chain proof for `version` of `chain`: empty for version 0, else the
    /// parent head then the commitments of the later versions.
    function proofFor(bytes32[] memory chain, uint256 version) internal pure returns (bytes memory p) {
        if (version == 0) return "";
        p = abi.encodePacked(head(chain, version - 1));
        for (uint256 i = version + 1; i < chain.length; ++i) {
            p = abi.encodePacked(p, chain[i]);
        }
    }
}
