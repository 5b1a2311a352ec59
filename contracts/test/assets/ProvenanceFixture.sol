// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {TestPolicyGuard} from "./TestPolicyGuard.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Shared deployment for the ProvenanceNFT tests: a test guard with a mint cap and a per-token
/// update interval, the NFT owned by a stand-in timelock, and helpers that build binary CIDs.
abstract contract ProvenanceFixture is Test {
    bytes32 internal constant MODEL = keccak256("provenant.model.cppn-v1");
    bytes32 internal constant OTHER_MODEL = keccak256("provenant.model.unapproved");
    uint64 internal constant MINT_CAP = 50;
    uint32 internal constant UPDATE_INTERVAL = 1 hours;
    uint96 internal constant ROYALTY_BPS = 500;
    uint256 internal constant MAX_FEE = 100e18;

    /// @dev `echo "hello world" | ipfs add --cid-version 1 --raw-leaves` (a published vector), and the
    /// same for `{"name":"Provenant #1"}`, both also computed with multiformats + ipfs-unixfs-importer.
    bytes32 internal constant HELLO_DIGEST =
        0xa948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447;
    string internal constant HELLO_CID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4";
    bytes32 internal constant NAME_DIGEST =
        0x9859597be154b14ad7407caecd429d7cf3998e18523c14816133321ecbcc90ce;
    string internal constant NAME_CID = "bafkreieylfmxxykuwffnoqd4v3gufhl46omy4gcshqkicyjtgipmxteqzy";

    address internal agent = makeAddr("agent");
    address internal timelock = makeAddr("timelock");
    address internal royaltyReceiver = makeAddr("royalties");
    address internal collector = makeAddr("collector");
    TestPolicyGuard internal guard;
    ProvenanceNFT internal nft;

    function setUp() public virtual {
        vm.warp(1_750_000_000);
        guard = new TestPolicyGuard(agent);
        nft = new ProvenanceNFT(
            "Provenant Art", "PVART", guard, timelock, royaltyReceiver, ROYALTY_BPS, MAX_FEE
        );
        guard.setModel(MODEL, true);
        guard.setLimit(address(nft), PolicyActions.MINT, MINT_CAP, 0);
        guard.setLimit(address(nft), PolicyActions.UPDATE, type(uint64).max, UPDATE_INTERVAL);
    }

    /// @dev Binary CIDv1 raw sha2-256 of `digest`.
    function rawCid(bytes32 digest) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(0x01), uint8(0x55), uint8(0x12), uint8(0x20), digest);
    }

    /// @dev Stands in for the manifest's sha2-256 digest (its raw CIDv1 digest) in tests. keccak, not
    /// sha256: the sha256 precompile is a call and would swallow a pending `vm.prank`/`expectRevert`.
    function sha(bytes32 commitment) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("sha256", commitment));
    }

    /// @dev A manifest for test `n` (stands in for the canonical JSON bytes).
    function manifest(uint256 n) internal pure returns (bytes memory) {
        return abi.encodePacked('{"kind":"provenant.manifest","n":', vm.toString(n), "}");
    }

    function mintAs(address sender, bytes32 commitment, bytes32 intentKey, bytes32 metadataDigest)
        internal
        returns (uint256)
    {
        bytes32 manifestDigest = sha(commitment);
        vm.prank(sender);
        return nft.mint(collector, MODEL, commitment, intentKey, manifestDigest, metadataDigest);
    }

    function mintN(uint256 n) internal returns (uint256) {
        return mintAs(
            agent, keccak256(manifest(n)), keccak256(abi.encode("intent", n)), keccak256(abi.encode("md", n))
        );
    }

    function evolveAs(
        address sender,
        uint256 tokenId,
        uint256 parent,
        bytes32 commitment,
        bytes32 metadataDigest
    ) internal returns (uint256) {
        bytes32 manifestDigest = sha(commitment);
        vm.prank(sender);
        return nft.evolve(tokenId, parent, MODEL, commitment, manifestDigest, metadataDigest);
    }

    /// @dev An independent base32 (RFC 4648, lower case) that walks bit by bit.
    function base32Reference(bytes memory data) internal pure returns (string memory) {
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        uint256 nbits = data.length * 8;
        bytes memory out = new bytes((nbits + 4) / 5);
        for (uint256 c; c < out.length; ++c) {
            uint256 v;
            for (uint256 k; k < 5; ++k) {
                uint256 bit = c * 5 + k;
                uint256 b = bit < nbits ? (uint8(data[bit / 8]) >> (7 - (bit % 8))) & 1 : 0;
                v = (v << 1) | b;
            }
            out[c] = alphabet[v];
        }
        return string(out);
    }
}
