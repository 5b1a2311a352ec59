// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {TestPolicyGuard} from "./TestPolicyGuard.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Shared deployment for the ProvenanceNFT tests: a test guard with a mint cap and a per-token
/// update interval, the NFT owned by a stand-in timelock, and helpers that build binary CIDs and real
/// metadata (canonical JSON naming its manifest, whose sha2-256 digest is the version's commitment).
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

    /// @dev Stands in for a manifest's sha2-256 digest (its raw CIDv1 digest) in tests that need no real
    /// manifest. keccak, not sha256: the sha256 precompile is a call and would swallow a pending
    /// `vm.prank`/`expectRevert` (real digests are computed before the prank, see `mintMeta`).
    function sha(bytes32 metadataDigest) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("sha256", metadataDigest));
    }

    /// @dev A manifest for test `n` (stands in for the canonical JSON bytes).
    function manifest(uint256 n) internal pure returns (bytes memory) {
        return abi.encodePacked('{"kind":"provenant.manifest","n":', vm.toString(n), "}");
    }

    /// @dev The metadata digest (= token id) `mintN(n)` mints.
    function digestN(uint256 n) internal pure returns (bytes32) {
        return keccak256(abi.encode("md", n));
    }

    /// @dev `"provenance":"ipfs://<raw CIDv1 of manifestDigest>"`, built with the independent base32
    /// below (not the contract's `CidV1`), so tests check `provenanceMember` against it.
    function provenanceMemberRef(bytes32 manifestDigest) internal pure returns (bytes memory) {
        return abi.encodePacked('"provenance":"ipfs://b', base32Reference(rawCid(manifestDigest)), '"');
    }

    /// @dev Canonical metadata JSON (keys sorted, no whitespace) of version `n`, naming manifest `m`.
    function metadataFor(bytes memory m, uint256 n) internal pure returns (bytes memory) {
        return abi.encodePacked(
            '{"image":"ipfs://bafkreiimage","name":"Provenant #',
            vm.toString(n),
            '",',
            provenanceMemberRef(sha256(m)),
            "}"
        );
    }

    /// @dev Mints real metadata `meta` (naming manifest `m`) as the agent: token id = sha256(meta).
    function mintMeta(bytes memory meta, bytes memory m, bytes32 intentKey) internal returns (uint256) {
        return mintAs(agent, sha256(meta), intentKey, sha256(m));
    }

    /// @dev Appends real metadata `meta` (naming manifest `m`) as the agent.
    function evolveMeta(uint256 tokenId, uint256 parent, bytes memory meta, bytes memory m)
        internal
        returns (uint256)
    {
        return evolveAs(agent, tokenId, parent, sha256(meta), sha256(m));
    }

    function mintAs(address sender, bytes32 metadataDigest, bytes32 intentKey) internal returns (uint256) {
        return mintAs(sender, metadataDigest, intentKey, sha(metadataDigest));
    }

    function mintAs(address sender, bytes32 metadataDigest, bytes32 intentKey, bytes32 manifestDigest)
        internal
        returns (uint256)
    {
        vm.prank(sender);
        return nft.mint(collector, MODEL, metadataDigest, intentKey, manifestDigest);
    }

    function mintN(uint256 n) internal returns (uint256) {
        return mintAs(agent, digestN(n), keccak256(abi.encode("intent", n)));
    }

    function evolveAs(address sender, uint256 tokenId, uint256 parent, bytes32 metadataDigest)
        internal
        returns (uint256)
    {
        return evolveAs(sender, tokenId, parent, metadataDigest, sha(metadataDigest));
    }

    function evolveAs(
        address sender,
        uint256 tokenId,
        uint256 parent,
        bytes32 metadataDigest,
        bytes32 manifestDigest
    ) internal returns (uint256) {
        vm.prank(sender);
        return nft.evolve(tokenId, parent, MODEL, manifestDigest, metadataDigest);
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
