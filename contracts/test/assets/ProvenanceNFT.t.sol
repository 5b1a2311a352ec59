// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {CidV1} from "../../src/assets/CidV1.sol";
import {IAigcVerifier} from "../../src/assets/IAigcVerifier.sol";
import {IERC7007} from "../../src/assets/IERC7007.sol";
import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {IPolicyGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {ChainReference} from "./ChainReference.sol";
import {AssetModelRegistry, TestAigcVerifier, TestFeeToken} from "./FeeDoubles.sol";
import {ProvenanceFixture} from "./ProvenanceFixture.sol";
import {TestPolicyGuard} from "./TestPolicyGuard.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

contract ProvenanceNFTTest is ProvenanceFixture {
    event Minted(
        uint256 indexed tokenId, bytes32 indexed modelId, bytes32 indexed intentKey, bytes32 manifestDigest
    );
    event Evolved(
        uint256 indexed tokenId,
        uint256 indexed version,
        bytes32 indexed metadataDigest,
        bytes32 modelId,
        bytes32 manifestDigest
    );
    event Transfer(address indexed from, address indexed to, uint256 indexed tokenId);
    event MetadataUpdate(uint256 _tokenId);
    event AigcData(uint256 indexed tokenId, bytes indexed prompt, bytes indexed aigcData, bytes proof);

    // ------------------------------------------------------------ interface ids

    function test_interfaceId_erc7007_isXorOfSelectors() public pure {
        bytes4 computed = IERC7007.addAigcData.selector ^ IERC7007.verify.selector;
        assertEq(computed, bytes4(0x702c55a6));
        assertEq(type(IERC7007).interfaceId, bytes4(0x702c55a6));
        assertEq(IERC7007.addAigcData.selector, bytes4(keccak256("addAigcData(uint256,bytes,bytes,bytes)")));
        assertEq(IERC7007.verify.selector, bytes4(keccak256("verify(bytes,bytes,bytes)")));
    }

    function test_supportsInterface_all() public view {
        assertTrue(nft.supportsInterface(type(IERC165).interfaceId)); // 0x01ffc9a7
        assertTrue(nft.supportsInterface(type(IERC721).interfaceId)); // 0x80ac58cd
        assertTrue(nft.supportsInterface(type(IERC721Metadata).interfaceId)); // 0x5b5e139f
        assertTrue(nft.supportsInterface(type(IERC2981).interfaceId)); // 0x2a55205a
        assertTrue(nft.supportsInterface(0x49064906)); // ERC-4906
        assertTrue(nft.supportsInterface(0x702c55a6)); // ERC-7007
        assertFalse(nft.supportsInterface(0xffffffff));
        assertFalse(nft.supportsInterface(0x780e9d63)); // ERC721Enumerable: not implemented
    }

    function testFuzz_supportsInterface_onlyKnown(bytes4 id) public view {
        bool known = id == 0x01ffc9a7 || id == 0x80ac58cd || id == 0x5b5e139f || id == 0x2a55205a
            || id == 0x49064906 || id == 0x702c55a6;
        assertEq(nft.supportsInterface(id), known);
    }

    // ------------------------------------------------------------ mint

    function test_mint_default() public {
        _checkMint(collector, HELLO_DIGEST, keccak256("intent-1"));
        assertEq(nft.tokenURI(uint256(HELLO_DIGEST)), string.concat("ipfs://", HELLO_CID));
    }

    function testFuzz_mint(address to, bytes32 metadataDigest, bytes32 intentKey) public {
        vm.assume(to != address(0) && to.code.length == 0);
        vm.assume(metadataDigest != 0 && intentKey != 0);
        _checkMint(to, metadataDigest, intentKey);
    }

    function _checkMint(address to, bytes32 metadataDigest, bytes32 intentKey) internal {
        uint256 id = uint256(metadataDigest);
        bytes32 manifestDigest = sha(metadataDigest);
        vm.expectEmit(address(nft));
        emit Transfer(address(0), to, id);
        vm.expectEmit(address(nft));
        emit Minted(id, MODEL, intentKey, manifestDigest);
        vm.prank(agent);
        uint256 tokenId = nft.mint(to, MODEL, metadataDigest, intentKey, manifestDigest);

        assertEq(tokenId, id, "token id = genesis metadata digest");
        assertEq(nft.ownerOf(id), to);
        assertEq(nft.balanceOf(to), 1);
        assertEq(nft.versionCount(id), 1);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, 1);
        assertEq(head, metadataDigest, "genesis head is the token id");
        (uint256 version, bytes32 md) = nft.latestVersion(id);
        assertEq(version, 0);
        assertEq(md, metadataDigest);
        assertEq(nft.metadataCidOf(id), rawCid(metadataDigest));
        assertEq(nft.tokenURI(id), string.concat("ipfs://b", base32Reference(rawCid(metadataDigest))));
        assertTrue(nft.isMinted(metadataDigest));
        assertEq(guard.used(address(nft), PolicyActions.MINT), 1);
    }

    function test_tokenURI_matchesIpfsVectors() public {
        uint256 a = mintAs(agent, HELLO_DIGEST, keccak256("ia"));
        uint256 b = mintAs(agent, NAME_DIGEST, keccak256("ib"));
        assertEq(nft.tokenURI(a), "ipfs://bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
        assertEq(nft.tokenURI(b), "ipfs://bafkreieylfmxxykuwffnoqd4v3gufhl46omy4gcshqkicyjtgipmxteqzy");
    }

    /// @notice Version 0's URI is computed from the token id alone (nothing is stored at mint).
    function test_tokenURI_versionZero_computedFromId() public {
        _checkTokenUriV0(NAME_DIGEST);
        assertEq(nft.tokenURI(uint256(NAME_DIGEST)), string.concat("ipfs://", NAME_CID));
    }

    function testFuzz_tokenURI_versionZero_computedFromId(bytes32 metadataDigest) public {
        vm.assume(metadataDigest != 0);
        _checkTokenUriV0(metadataDigest);
    }

    function _checkTokenUriV0(bytes32 metadataDigest) internal {
        uint256 id = mintAs(agent, metadataDigest, keccak256("i"));
        string memory uri = nft.tokenURI(id);
        assertEq(uri, string.concat("ipfs://", CidV1.toBase32(CidV1.encode(CidV1.RAW, metadataDigest))));
        assertEq(uri, string.concat("ipfs://b", base32Reference(rawCid(metadataDigest))));
        bytes memory u = bytes(uri);
        assertEq(u.length, 7 + 59, "ipfs:// + 59-character CIDv1");
        bytes memory prefix = new bytes(14);
        for (uint256 i; i < 14; ++i) {
            prefix[i] = u[i];
        }
        assertEq(string(prefix), "ipfs://bafkrei", "raw sha2-256 CIDv1");
        assertEq(nft.metadataCidOf(id), rawCid(metadataDigest));
    }

    function test_tokenURI_unknownToken_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 7));
        nft.tokenURI(7);
    }

    /// @notice `provenanceMember` is `"provenance":"ipfs://<raw CIDv1 of the digest>"`, checked against an
    /// independent base32 and the published `hello world` vector.
    function test_provenanceMember_vector() public view {
        assertEq(
            string(nft.provenanceMember(HELLO_DIGEST)), string.concat('"provenance":"ipfs://', HELLO_CID, '"')
        );
        _checkProvenanceMember(NAME_DIGEST);
    }

    function testFuzz_provenanceMember(bytes32 manifestDigest) public view {
        _checkProvenanceMember(manifestDigest);
    }

    function _checkProvenanceMember(bytes32 manifestDigest) internal view {
        assertEq(nft.provenanceMember(manifestDigest), provenanceMemberRef(manifestDigest));
    }

    // ------------------------------------------------------------ policy-gated mint

    function test_mint_nonAgent_refused() public {
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, stranger));
        mintAs(stranger, keccak256("x"), keccak256("ix"));
    }

    function testFuzz_mint_nonAgent_refused(address stranger) public {
        vm.assume(stranger != agent);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, stranger));
        mintAs(stranger, keccak256("x"), keccak256("ix"));
    }

    function test_mint_paused_refused() public {
        guard.setPaused(true);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.GuardPaused.selector, address(nft)));
        mintAs(agent, keccak256("x"), keccak256("ix"));
        guard.setPaused(false);
        guard.setAssetPaused(address(nft), true);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.GuardPaused.selector, address(nft)));
        mintAs(agent, keccak256("x"), keccak256("ix"));
        guard.setAssetPaused(address(nft), false);
        mintAs(agent, keccak256("x"), keccak256("ix"));
    }

    function test_mint_modelNotAllowed_refused() public {
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.ModelNotAllowed.selector, OTHER_MODEL));
        nft.mint(collector, OTHER_MODEL, keccak256("x"), keccak256("ix"), HELLO_DIGEST);
    }

    function test_mint_cap_refused() public {
        for (uint256 i; i < MINT_CAP; ++i) {
            mintN(i);
        }
        assertEq(guard.used(address(nft), PolicyActions.MINT), MINT_CAP);
        assertEq(nft.balanceOf(collector), MINT_CAP);
        vm.expectRevert(
            abi.encodeWithSelector(TestPolicyGuard.CapExceeded.selector, PolicyActions.MINT, 1, 0)
        );
        mintN(MINT_CAP);
    }

    // ------------------------------------------------------------ duplicates and intents

    /// @notice The same metadata (hence the same manifest: the metadata names it) is minted once, under
    /// whatever intent key and manifest digest the second attempt claims.
    function test_mint_duplicateContent_refused() public {
        _checkDuplicate(HELLO_DIGEST, keccak256("i1"), keccak256("i2"));
    }

    function testFuzz_mint_duplicateContent_refused(bytes32 metadataDigest, bytes32 key1, bytes32 key2)
        public
    {
        vm.assume(metadataDigest != 0 && key1 != 0 && key2 != 0 && key1 != key2);
        _checkDuplicate(metadataDigest, key1, key2);
    }

    function _checkDuplicate(bytes32 metadataDigest, bytes32 key1, bytes32 key2) internal {
        mintAs(agent, metadataDigest, key1);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.DuplicateContent.selector, metadataDigest));
        mintAs(agent, metadataDigest, key2, keccak256("another manifest"));
        assertEq(nft.balanceOf(collector), 1);
    }

    /// @notice Real content: the same manifest renders the same metadata, so a resent mint is refused.
    function test_mint_sameManifest_refused() public {
        bytes memory m = manifest(3);
        bytes memory meta = metadataFor(m, 3);
        bytes32 md = sha256(meta);
        bytes32 manifestDigest = sha256(m);
        mintMeta(meta, m, keccak256("i1"));
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.DuplicateContent.selector, md));
        mintAs(agent, md, keccak256("i2"), manifestDigest);
        assertTrue(nft.isMinted(md));
    }

    function test_mint_zeroKeys_refused() public {
        bytes32 d = keccak256("d");
        bytes32 k = keccak256("i");
        bytes32 m = keccak256("m");
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, bytes32(0), k, m));
        mintAs(agent, 0, k, m);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, d, bytes32(0), m));
        mintAs(agent, d, 0, m);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, d, k, bytes32(0)));
        mintAs(agent, d, k, 0);
    }

    function test_addAigcData_invalidCids_refused() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes memory proof = abi.encodePacked(MODEL, uint256(0));
        bytes memory prompt = manifest(77);
        bytes32 promptDigest = sha256(prompt);
        bytes[5] memory bad = [
            abi.encodePacked(uint8(0x01), uint8(0x70), uint8(0x12), uint8(0x20), HELLO_DIGEST), // dag-pb
            abi.encodePacked(uint8(0x01), uint8(0x55), uint8(0x13), uint8(0x40), HELLO_DIGEST), // sha2-512 code
            abi.encodePacked(uint8(0x00), uint8(0x55), uint8(0x12), uint8(0x20), HELLO_DIGEST), // not v1
            abi.encodePacked(rawCid(HELLO_DIGEST), uint8(0)), // 37 bytes
            hex"01551220" // no digest
        ];
        for (uint256 i; i < bad.length; ++i) {
            vm.prank(agent);
            vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.InvalidCid.selector, bad[i]));
            nft.addAigcData(id, prompt, bad[i], proof);
        }
        // A zero metadata digest, and a prompt that is the CID of a zero manifest digest.
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, bytes32(0), bytes32(0), promptDigest)
        );
        nft.addAigcData(id, prompt, rawCid(0), proof);
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, HELLO_DIGEST, bytes32(0), bytes32(0))
        );
        nft.addAigcData(id, rawCid(0), rawCid(HELLO_DIGEST), proof);
        assertEq(nft.versionCount(id), 1);
    }

    // ------------------------------------------------------------ evolve / version history

    function test_evolve_threeVersions() public {
        _checkChain(3, 0xbeef);
    }

    function testFuzz_evolve_chain(uint8 updates, uint256 seed) public {
        _checkChain(bound(updates, 0, 12), seed);
    }

    /// @dev Manifest of version `v` of history `seed` (stands in for the canonical JSON bytes).
    function _m(uint256 seed, uint256 v) internal pure returns (bytes memory) {
        return abi.encodePacked(
            '{"kind":"provenant.manifest","seed":"', vm.toString(seed), '","v":', vm.toString(v), "}"
        );
    }

    /// @dev Mints real metadata and appends `updates` versions; after each step `tokenURI` names the
    /// latest metadata and `latestVersion`, `versionCount`, `versionChain` equal `chainHead` of the
    /// commitments so far; at the end every version verifies with its chain proof and no other does.
    function _checkChain(uint256 updates, uint256 seed) internal {
        bytes[] memory ms = new bytes[](updates + 1);
        bytes[] memory metas = new bytes[](updates + 1);
        bytes32[] memory chain = new bytes32[](updates + 1);
        for (uint256 v; v <= updates; ++v) {
            ms[v] = _m(seed, v);
            metas[v] = metadataFor(ms[v], v);
            chain[v] = sha256(metas[v]);
        }
        uint256 id = mintMeta(metas[0], ms[0], keccak256(abi.encode(seed)));
        assertEq(id, uint256(chain[0]));
        _checkViews(id, chain, 0);
        for (uint256 v = 1; v <= updates; ++v) {
            vm.warp(block.timestamp + UPDATE_INTERVAL);
            bytes32 manifestDigest = sha256(ms[v]);
            vm.expectEmit(address(nft));
            emit Evolved(id, v, chain[v], MODEL, manifestDigest);
            vm.expectEmit(address(nft));
            emit MetadataUpdate(id);
            assertEq(evolveAs(agent, id, v - 1, chain[v], manifestDigest), v);
            _checkViews(id, chain, v);
        }
        (, bytes32 head) = nft.versionChain(id);
        assertEq(head, ChainReference.head(chain), "head = reference chain over the history");
        if (updates != 0) assertEq(uint256(head) >> 224, 0, "a linked head is 224 bits");
        // Every version, past or latest, verifies on-chain with its chain proof; no other does.
        for (uint256 v; v <= updates; ++v) {
            bytes memory p = abi.encodePacked(_proof(1, id, v), ChainReference.proofFor(chain, v));
            assertTrue(nft.verify(ms[v], metas[v], p), "version verifies");
            assertFalse(nft.verify(_m(seed, updates + 1), metas[v], p), "other manifest");
            assertFalse(nft.verify(ms[v], metadataFor(ms[v], v + 100), p), "other metadata");
        }
        assertFalse(nft.verify(ms[0], metas[0], _proof(1, id, updates + 1)), "beyond latest");
        if (updates > 1) {
            // Any history that differs in one commitment, or drops one, gives another head.
            bytes32[] memory forged = new bytes32[](updates + 1);
            for (uint256 v; v <= updates; ++v) {
                forged[v] = chain[v];
            }
            forged[1] = keccak256("forged");
            assertTrue(nft.chainHead(forged) != head, "rewritten history");
            bytes32[] memory dropped = new bytes32[](updates);
            for (uint256 v; v < updates; ++v) {
                dropped[v] = v == 0 ? chain[0] : chain[v + 1];
            }
            assertTrue(nft.chainHead(dropped) != head, "dropped version");
        }
    }

    /// @dev The views at version `latest` of `chain`: all equal `chainHead(chain[0..latest])`.
    function _checkViews(uint256 id, bytes32[] memory chain, uint256 latest) internal view {
        bytes32[] memory sofar = new bytes32[](latest + 1);
        for (uint256 i; i <= latest; ++i) {
            sofar[i] = chain[i];
        }
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, latest + 1, "versionChain count");
        assertEq(nft.versionCount(id), latest + 1, "versionCount");
        assertEq(head, nft.chainHead(sofar), "versionChain head = chainHead of the commitments");
        assertEq(head, ChainReference.head(sofar), "and = the reference");
        (uint256 version, bytes32 md) = nft.latestVersion(id);
        assertEq(version, latest, "latestVersion index");
        assertEq(md, chain[latest], "latestVersion commitment");
        assertEq(
            nft.tokenURI(id), string.concat("ipfs://b", base32Reference(rawCid(chain[latest]))), "tokenURI"
        );
        assertEq(nft.metadataCidOf(id), rawCid(chain[latest]));
    }

    /// @notice Version 1's head is implied by the token id and `c_1` (no chain word is written by the
    /// first update); it still equals `chainHead([id, c_1])` and extends correctly to version 2.
    /// @dev The documented limit of the content model (header, Invariants): the contract never sees the
    /// metadata, so two metadata documents naming one manifest mint two tokens, and ERC-7007 `verify` answers
    /// true for that manifest under both. The agent derives one metadata per manifest; `provenant verify`
    /// fails any other (`metadata-bytes`). Pinned so that a change of this behaviour is a conscious one.
    function test_sameManifest_twoMetadata_mintTwoTokens_documentedLimit() public {
        bytes memory m = manifest(7);
        bytes memory metaA = metadataFor(m, 7);
        bytes memory metaB = abi.encodePacked(metaA, " ");
        uint256 a = mintMeta(metaA, m, keccak256("intent-a"));
        uint256 b = mintMeta(metaB, m, keccak256("intent-b"));
        assertTrue(a != b, "two tokens");
        assertTrue(nft.verify(m, metaA, abi.encodePacked(uint8(1), a, uint256(0))));
        assertTrue(nft.verify(m, metaB, abi.encodePacked(uint8(1), b, uint256(0))));
    }

    function test_versionOne_headImplied() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        vm.record();
        evolveAs(agent, id, 0, keccak256("c1"));
        (, bytes32[] memory writes) = vm.accesses(address(nft));
        bytes32[] memory chain = new bytes32[](3);
        chain[0] = bytes32(id);
        chain[1] = keccak256("c1");
        chain[2] = keccak256("c2");
        for (uint256 i; i < writes.length; ++i) {
            assertTrue(uint256(vm.load(address(nft), writes[i])) >> 224 != 1, "no chain word at version 1");
        }
        _checkViews(id, chain, 1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 1, chain[2]);
        _checkViews(id, chain, 2);
    }

    function test_chainHead_matchesReference() public view {
        bytes32[] memory one = new bytes32[](1);
        one[0] = keccak256("genesis");
        assertEq(nft.chainHead(one), one[0]);
        bytes32[] memory three = new bytes32[](3);
        three[0] = keccak256("genesis");
        three[1] = keccak256("v1");
        three[2] = keccak256("v2");
        bytes32 h1 = bytes32(uint256(keccak256(abi.encode(three[0], three[1]))) & ((1 << 224) - 1));
        bytes32 h2 = bytes32(uint256(keccak256(abi.encode(h1, three[2]))) & ((1 << 224) - 1));
        assertEq(nft.chainHead(three), h2);
        // The same vector pinned in src/provenance/verify.test.ts (the TypeScript `versionChainHead`).
        assertEq(h2, 0x0000000041ab62cdea4d544240a07c0b8897200f5101c82af43796081e198e8d);
    }

    function testFuzz_chainHead_matchesReference(bytes32[] memory chain) public view {
        vm.assume(chain.length != 0);
        assertEq(nft.chainHead(chain), ChainReference.head(chain));
    }

    function test_chainHead_empty_reverts() public {
        vm.expectRevert(ProvenanceNFT.EmptyChain.selector);
        nft.chainHead(new bytes32[](0));
    }

    function test_versionChain_unknownToken_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        nft.versionChain(42);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        nft.latestVersion(42);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        nft.versionCount(42);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        nft.metadataCidOf(42);
    }

    function test_evolve_versionLimit_refused() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 0, keccak256("v1"));
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 1, keccak256("v2"));
        // Put the token at the last version a chain word can count (the word is `latest << 224 | head`).
        uint256 latest = type(uint32).max;
        bytes32 head = keccak256("some head") & bytes32((uint256(1) << 224) - 1);
        vm.store(address(nft), _chainSlotOfVersion2(id), bytes32((latest << 224) | uint256(head)));
        (uint256 count, bytes32 h) = nft.versionChain(id);
        assertEq(count, latest + 1);
        assertEq(h, head);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionLimitReached.selector, id, latest));
        evolveAs(agent, id, latest, keccak256("next"));
    }

    function test_evolve_staleParent_refused() public {
        _checkStaleParent(0);
        _checkStaleParent(5);
    }

    function testFuzz_evolve_staleParent_refused(uint256 parent) public {
        vm.assume(parent != 1);
        _checkStaleParent(parent);
    }

    /// @dev Token at version 1; an update naming `parent` (not 1) is refused and changes nothing.
    function _checkStaleParent(uint256 parent) internal {
        uint256 id = mintN(100 + parent % 1000);
        if (nft.versionCount(id) == 1) {
            vm.warp(block.timestamp + UPDATE_INTERVAL);
            evolveAs(agent, id, 0, keccak256(abi.encode("v1", id)));
        }
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        // A retried update that already landed (parent 0), or any other non-latest parent.
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionConflict.selector, id, parent, 1));
        evolveAs(agent, id, parent, keccak256("v2"));
        (uint256 countAfter, bytes32 headAfter) = nft.versionChain(id);
        assertEq(countAfter, count);
        assertEq(headAfter, head);
        assertEq(
            nft.tokenURI(id),
            string.concat("ipfs://b", base32Reference(rawCid(keccak256(abi.encode("v1", id)))))
        );
    }

    function test_evolve_rateLimitedPerToken() public {
        uint256 a = mintN(1);
        uint256 b = mintN(2);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, a, 0, keccak256("a1"));
        // Another token is not held back by `a`'s update.
        evolveAs(agent, b, 0, keccak256("b1"));
        vm.expectRevert(
            abi.encodeWithSelector(
                TestPolicyGuard.RateLimited.selector,
                PolicyActions.UPDATE,
                a,
                block.timestamp + UPDATE_INTERVAL
            )
        );
        evolveAs(agent, a, 1, keccak256("a2"));
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, a, 1, keccak256("a2"));
        assertEq(nft.versionCount(a), 3);
    }

    function test_evolve_nonAgent_refused() public {
        uint256 id = mintN(1);
        address owner = nft.ownerOf(id);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, owner));
        evolveAs(owner, id, 0, keccak256("v1"));
    }

    function test_evolve_paused_refused() public {
        uint256 id = mintN(1);
        guard.setPaused(true);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.GuardPaused.selector, address(nft)));
        evolveAs(agent, id, 0, keccak256("v1"));
    }

    /// @notice An update of a token that was never minted reverts `ERC721NonexistentToken`, whatever
    /// parent it names (parent 0: the update would be version 1, whose head is implied), through
    /// `evolve` and `addAigcData`, and writes nothing.
    function test_evolve_nonexistentToken_refused() public {
        mintN(1);
        _checkNonexistent(42, 0);
        _checkNonexistent(42, 1);
        _checkNonexistent(uint256(digestN(2)), 0); // the id `mintN(2)` would mint
    }

    function testFuzz_evolve_nonexistentToken_refused(uint256 id, uint256 parent) public {
        mintN(1);
        vm.assume(id != uint256(digestN(1)));
        _checkNonexistent(id, parent);
    }

    function _checkNonexistent(uint256 id, uint256 parent) internal {
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes memory err = abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, id);
        vm.expectRevert(err);
        evolveAs(agent, id, parent, keccak256("v1"));
        bytes memory prompt = manifest(1);
        bytes memory cid = rawCid(keccak256("v1"));
        bytes memory proof = abi.encodePacked(MODEL, parent);
        vm.prank(agent);
        vm.expectRevert(err);
        nft.addAigcData(id, prompt, cid, proof);
        assertFalse(nft.isMinted(bytes32(id)));
        vm.expectRevert(err);
        nft.versionChain(id);
        vm.expectRevert(err);
        nft.tokenURI(id);
    }

    /// @notice Zero digests are refused before anything else (evolve passes intent key 0 to `ZeroKey`).
    function test_evolve_zeroDigests_refused() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes32 m = keccak256("manifest");
        bytes32 d = keccak256("metadata");
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, bytes32(0), bytes32(0), m));
        evolveAs(agent, id, 0, bytes32(0), m);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, d, bytes32(0), bytes32(0)));
        evolveAs(agent, id, 0, d, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, bytes32(0), bytes32(0), bytes32(0))
        );
        evolveAs(agent, 42, 0, bytes32(0), bytes32(0)); // also before the existence check
        assertEq(nft.versionCount(id), 1);
        evolveAs(agent, id, 0, d, m);
        assertEq(nft.versionCount(id), 2);
    }

    function test_evolve_keepsOwnerAndSurvivesTransfer() public {
        uint256 id = mintN(1);
        address buyer = makeAddr("buyer");
        vm.prank(collector);
        nft.transferFrom(collector, buyer, id);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 0, keccak256("v1"));
        assertEq(nft.ownerOf(id), buyer);
        assertEq(nft.versionCount(id), 2);
    }

    function test_addAigcData_appendsVersion() public {
        _checkAddAigcData(false);
    }

    /// @notice The prompt may be the manifest's 36-byte binary raw CIDv1 instead of its bytes.
    function test_addAigcData_cidPrompt() public {
        _checkAddAigcData(true);
    }

    function _checkAddAigcData(bool cidPrompt) internal {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes memory m = manifest(1001);
        bytes memory meta = metadataFor(m, 1001);
        bytes32 md = sha256(meta);
        bytes32 manifestSha = sha256(m);
        bytes memory prompt = cidPrompt ? rawCid(manifestSha) : m;
        bytes memory proof = abi.encodePacked(MODEL, uint256(0));
        assertEq(proof.length, 64);
        vm.expectEmit(address(nft));
        emit Evolved(id, 1, md, MODEL, manifestSha);
        vm.expectEmit(address(nft));
        emit MetadataUpdate(id);
        vm.expectEmit(address(nft));
        emit AigcData(id, prompt, rawCid(md), proof);
        vm.prank(agent);
        nft.addAigcData(id, prompt, rawCid(md), proof);
        bytes32[] memory chain = new bytes32[](2);
        chain[0] = bytes32(id);
        chain[1] = md;
        _checkViews(id, chain, 1);
        bytes memory p1 = abi.encodePacked(_proof(1, id, 1), bytes32(id));
        assertTrue(nft.verify(m, meta, p1));
        assertTrue(nft.verify(rawCid(manifestSha), meta, p1));

        vm.warp(block.timestamp + UPDATE_INTERVAL);
        uint256[3] memory badLengths = [uint256(63), 65, 96]; // 96: the old (modelId, parent, digest)
        for (uint256 i; i < badLengths.length; ++i) {
            vm.prank(agent);
            vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.InvalidUpdateProof.selector, badLengths[i]));
            nft.addAigcData(id, m, rawCid(NAME_DIGEST), new bytes(badLengths[i]));
        }
    }

    function test_addAigcData_nonAgent_refused() public {
        uint256 id = mintN(1);
        bytes memory proof = abi.encodePacked(MODEL, uint256(0));
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, address(this)));
        nft.addAigcData(id, manifest(1), rawCid(NAME_DIGEST), proof);
    }

    // ------------------------------------------------------------ ERC-7007 verify

    /// @notice Versions 0 to 3 of real metadata: each verifies with its manifest (bytes or 36-byte raw
    /// CID) and its chain proof after every update; another manifest, a wrong CID, another version's
    /// metadata or one changed metadata byte fail.
    function test_verify_replay_versions0to3() public {
        _checkVerifyReplay(0xfeed);
    }

    function testFuzz_verify_replay_versions0to3(uint256 seed) public {
        _checkVerifyReplay(seed);
    }

    function _checkVerifyReplay(uint256 seed) internal {
        bytes[] memory ms = new bytes[](4);
        bytes[] memory metas = new bytes[](4);
        bytes32[] memory chain = new bytes32[](4);
        for (uint256 v; v < 4; ++v) {
            ms[v] = _m(seed, v);
            metas[v] = metadataFor(ms[v], v);
            chain[v] = sha256(metas[v]);
        }
        uint256 id = mintMeta(metas[0], ms[0], keccak256(abi.encode("intent", seed)));
        _checkAllVersions(id, ms, metas, chain, 0);
        for (uint256 v = 1; v < 4; ++v) {
            vm.warp(block.timestamp + UPDATE_INTERVAL);
            evolveMeta(id, v - 1, metas[v], ms[v]);
            _checkAllVersions(id, ms, metas, chain, v);
        }
        // The version-1 proof after version 1 is the token id as parent head (h_0 is implied).
        assertTrue(
            nft.verify(ms[1], metas[1], abi.encodePacked(_proof(1, id, 1), bytes32(id), chain[2], chain[3]))
        );
    }

    function _checkAllVersions(
        uint256 id,
        bytes[] memory ms,
        bytes[] memory metas,
        bytes32[] memory chain,
        uint256 latest
    ) internal view {
        bytes32[] memory recorded = new bytes32[](latest + 1);
        for (uint256 i; i <= latest; ++i) {
            recorded[i] = chain[i];
        }
        for (uint256 v; v <= latest; ++v) {
            bytes memory p = abi.encodePacked(_proof(1, id, v), ChainReference.proofFor(recorded, v));
            uint256 w = (v + 1) % 4; // another version
            assertTrue(nft.verify(ms[v], metas[v], p), "manifest bytes");
            assertTrue(nft.verify(rawCid(sha256(ms[v])), metas[v], p), "manifest as binary CID");
            assertFalse(nft.verify(ms[w], metas[v], p), "prompt is another manifest");
            assertFalse(nft.verify(rawCid(sha256(ms[w])), metas[v], p), "wrong CID");
            assertFalse(
                nft.verify(
                    abi.encodePacked(uint8(0x01), uint8(0x70), uint8(0x12), uint8(0x20), sha256(ms[v])),
                    metas[v],
                    p
                ),
                "dag-pb CID is not the raw manifest CID"
            );
            assertFalse(nft.verify(ms[v], metas[w], p), "another version's metadata");
            assertFalse(nft.verify(ms[v], _flip(metas[v], 3), p), "one metadata byte changed (a key)");
            assertFalse(nft.verify(ms[v], _flip(metas[v], metas[v].length - 5), p), "one byte (the CID)");
            assertFalse(nft.verify(ms[v], "", p), "no metadata");
            assertFalse(nft.verify(ms[v], metas[v], _proof(3, id, v)), "unknown kind");
            assertFalse(
                nft.verify(ms[v], metas[v], abi.encodePacked(p, uint8(0))), "replay: no trailing bytes"
            );
            if (v != 0) {
                assertFalse(nft.verify(ms[v], metas[v], _proof(1, id, v)), "without its chain proof");
                assertFalse(
                    nft.verify(ms[v], metas[v], abi.encodePacked(_proof(1, id, v), new bytes(p.length - 65))),
                    "zero chain proof"
                );
            }
        }
        assertFalse(nft.verify(ms[latest], metas[latest], _proof(1, id, latest + 1)), "beyond latest");
        assertFalse(nft.verify(ms[0], metas[0], _proof(1, id + 1, 0)), "unknown token");
        assertFalse(nft.verify(ms[0], metas[0], new bytes(64)), "short proof");
    }

    /// @dev A copy of `b` with byte `i` changed.
    function _flip(bytes memory b, uint256 i) internal pure returns (bytes memory c) {
        c = bytes.concat(b);
        c[i] = bytes1(uint8(c[i]) ^ 0x01);
    }

    /// @notice Recorded metadata that does not name the manifest as its `provenance` member fails for
    /// that manifest: no member, the CID under another key, another manifest's CID, a longer CID, a
    /// near-miss key. The metadata that names another manifest verifies for that one.
    function test_verify_metadataMustNameManifest() public {
        bytes memory m = manifest(5);
        bytes memory cid = bytes(string.concat("b", base32Reference(rawCid(sha256(m)))));
        bytes[5] memory bad = [
            bytes('{"image":"ipfs://bafkreiimage","name":"Provenant #5"}'),
            abi.encodePacked('{"image":"ipfs://', cid, '","name":"Provenant #5"}'),
            metadataFor(manifest(6), 5),
            abi.encodePacked('{"provenance":"ipfs://', cid, 'a"}'),
            abi.encodePacked('{"provenanceOld":"ipfs://', cid, '"}')
        ];
        for (uint256 i; i < bad.length; ++i) {
            uint256 id = mintMeta(bad[i], m, keccak256(abi.encode("bad", i)));
            assertFalse(nft.verify(m, bad[i], _proof(1, id, 0)), "does not name the manifest");
            assertFalse(nft.verify(rawCid(sha256(m)), bad[i], _proof(1, id, 0)), "nor by CID");
        }
        assertTrue(nft.verify(manifest(6), bad[2], _proof(1, uint256(sha256(bad[2])), 0)), "names manifest 6");
    }

    /// @notice The member is found anywhere in the metadata (start, middle, end).
    function test_verify_memberAtAnyOffset() public {
        _checkMemberAt("", "");
        _checkMemberAt("{", "}");
        _checkMemberAt('{"a":"0123456789012345678901234567890123456789",', ',"z":1}');
    }

    function testFuzz_verify_memberAtAnyOffset(bytes memory prefix, bytes memory suffix) public {
        _checkMemberAt(prefix, suffix);
    }

    function _checkMemberAt(bytes memory prefix, bytes memory suffix) internal {
        bytes memory m = manifest(9);
        bytes memory meta = abi.encodePacked(prefix, provenanceMemberRef(sha256(m)), suffix);
        uint256 id = mintMeta(meta, m, keccak256("i"));
        assertTrue(nft.verify(m, meta, _proof(1, id, 0)));
        assertFalse(nft.verify(manifest(10), meta, _proof(1, id, 0)));
    }

    function test_verify_groth16_hook() public {
        bytes memory m = manifest(9);
        bytes memory meta = metadataFor(m, 9);
        uint256 id = mintMeta(meta, m, keccak256("i"));
        bytes memory zk = abi.encode(keccak256(abi.encode(sha256(m), meta)));
        bytes memory proof = abi.encodePacked(_proof(2, id, 0), zk);
        assertFalse(nft.verify(m, meta, proof), "unset verifier refuses");

        TestAigcVerifier verifier = new TestAigcVerifier();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        nft.setAigcVerifier(IAigcVerifier(address(verifier)));
        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(address(verifier)));
        assertTrue(nft.verify(m, meta, proof));
        assertTrue(nft.verify(rawCid(sha256(m)), meta, proof), "prompt as CID: same manifest digest");
        assertFalse(nft.verify(m, metadataFor(m, 10), proof), "metadata checked first");
        assertFalse(nft.verify(manifest(10), meta, proof), "manifest checked first");
        // A reverting verifier reads as false.
        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(address(guard)));
        assertFalse(nft.verify(m, meta, proof));
    }

    // ------------------------------------------------------------ royalties

    function test_royalty_default() public {
        _checkRoyalty(1 ether);
    }

    function testFuzz_royalty(uint256 salePrice) public {
        _checkRoyalty(bound(salePrice, 0, type(uint128).max));
    }

    function _checkRoyalty(uint256 salePrice) internal {
        uint256 id = mintN(1);
        (address receiver, uint256 amount) = nft.royaltyInfo(id, salePrice);
        assertEq(receiver, royaltyReceiver);
        assertEq(amount, salePrice * ROYALTY_BPS / 10_000);
    }

    function test_royalty_governed() public {
        address treasury = makeAddr("treasury");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, agent));
        vm.prank(agent);
        nft.setDefaultRoyalty(treasury, 100);
        vm.prank(timelock);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.RoyaltyTooHigh.selector, 1001, 1000));
        nft.setDefaultRoyalty(treasury, 1001);
        vm.prank(timelock);
        nft.setDefaultRoyalty(treasury, 250);
        (address receiver, uint256 amount) = nft.royaltyInfo(123, 10_000);
        assertEq(receiver, treasury);
        assertEq(amount, 250);
    }

    function test_constructor_refusesBadParams() public {
        vm.expectRevert(ProvenanceNFT.ZeroGuard.selector);
        new ProvenanceNFT("P", "P", IPolicyGuard(address(0)), timelock, royaltyReceiver, 100, 0);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.RoyaltyTooHigh.selector, 5000, 1000));
        new ProvenanceNFT("P", "P", guard, timelock, royaltyReceiver, 5000, 0);
        ProvenanceNFT plain = new ProvenanceNFT("P", "P", guard, timelock, address(0), 0, 0);
        (address receiver, uint256 amount) = plain.royaltyInfo(1, 1 ether);
        assertEq(receiver, address(0));
        assertEq(amount, 0);
    }

    // ------------------------------------------------------------ mint fee

    function test_mintFee_routedToModelRevenue() public {
        _checkFee(3e18);
    }

    function testFuzz_mintFee_routedToModelRevenue(uint256 fee) public {
        _checkFee(bound(fee, 1, MAX_FEE));
    }

    function _checkFee(uint256 fee) internal {
        TestFeeToken token = new TestFeeToken();
        AssetModelRegistry registry = new AssetModelRegistry(token);
        guard.setModelRegistry(IModelRegistry(address(registry)));
        vm.prank(timelock);
        nft.setMintFee(IModelRegistry(address(registry)), IERC20(address(token)), fee);
        (uint256 setFee,,, uint256 maxFee) = nft.mintFee();
        assertEq(setFee, fee);
        assertEq(maxFee, MAX_FEE);

        token.mint(agent, fee);
        vm.prank(agent);
        token.approve(address(nft), fee);
        mintN(1);
        assertEq(registry.revenue(MODEL), fee);
        assertEq(token.balanceOf(agent), 0);
        assertEq(token.balanceOf(address(nft)), 0);
        assertEq(token.allowance(address(nft), address(registry)), 0);

        // No allowance left: the next mint fails and nothing is recorded.
        vm.expectRevert();
        mintN(2);
        assertEq(nft.balanceOf(collector), 1);
        assertFalse(nft.isMinted(digestN(2)));
    }

    function test_mintFee_governance() public {
        TestFeeToken token = new TestFeeToken();
        AssetModelRegistry registry = new AssetModelRegistry(token);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        nft.setMintFee(IModelRegistry(address(registry)), IERC20(address(token)), 1);
        vm.startPrank(timelock);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.MintFeeTooHigh.selector, MAX_FEE + 1, MAX_FEE));
        nft.setMintFee(IModelRegistry(address(registry)), IERC20(address(token)), MAX_FEE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ProvenanceNFT.FeeRouteIncomplete.selector, address(0), address(token), 1)
        );
        nft.setMintFee(IModelRegistry(address(0)), IERC20(address(token)), 1);
        // A token other than the registry's fee token would make every paid mint revert: refused.
        vm.stopPrank();
        guard.setModelRegistry(IModelRegistry(address(registry)));
        vm.startPrank(timelock);
        TestFeeToken otherToken = new TestFeeToken();
        vm.expectRevert(
            abi.encodeWithSelector(
                ProvenanceNFT.FeeTokenMismatch.selector, address(otherToken), address(token)
            )
        );
        nft.setMintFee(IModelRegistry(address(registry)), IERC20(address(otherToken)), 1);
        vm.stopPrank();
        guard.setModelRegistry(IModelRegistry(address(0)));
        vm.startPrank(timelock);
        // A registry other than the guard's would approve models it cannot pay: refused.
        vm.expectRevert(
            abi.encodeWithSelector(
                ProvenanceNFT.FeeRegistryMismatch.selector, address(registry), address(guard.modelRegistry())
            )
        );
        nft.setMintFee(IModelRegistry(address(registry)), IERC20(address(token)), 1);
        vm.stopPrank();
        guard.setModelRegistry(IModelRegistry(address(registry)));
        vm.startPrank(timelock);
        nft.setMintFee(IModelRegistry(address(registry)), IERC20(address(token)), 1);
        // Fee 0 needs no route and charges nothing.
        nft.setMintFee(IModelRegistry(address(0)), IERC20(address(0)), 0);
        vm.stopPrank();
        mintN(1);
        assertEq(nft.balanceOf(collector), 1);
    }

    // ------------------------------------------------------------ helpers

    function _proof(uint8 kind, uint256 tokenId, uint256 version) internal pure returns (bytes memory) {
        return abi.encodePacked(kind, tokenId, version);
    }

    /// @dev Storage slot of `_chain[tokenId]` for a token evolved twice: the slot `versionChain` reads
    /// whose word carries version 2 in its top 32 bits (version 1 writes no chain word).
    function _chainSlotOfVersion2(uint256 tokenId) internal returns (bytes32) {
        vm.record();
        nft.versionChain(tokenId);
        (bytes32[] memory reads,) = vm.accesses(address(nft));
        for (uint256 i; i < reads.length; ++i) {
            if (uint256(vm.load(address(nft), reads[i])) >> 224 == 2) return reads[i];
        }
        revert("chain slot not found");
    }
}
