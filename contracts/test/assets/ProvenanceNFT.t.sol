// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

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
        uint256 indexed tokenId,
        bytes32 indexed modelId,
        bytes32 indexed intentKey,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    );
    event Evolved(
        uint256 indexed tokenId,
        uint256 indexed version,
        bytes32 indexed manifestCommitment,
        bytes32 modelId,
        bytes32 manifestDigest,
        bytes32 metadataDigest
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
        _checkMint(collector, keccak256(manifest(1)), keccak256("intent-1"), HELLO_DIGEST);
        assertEq(nft.tokenURI(uint256(keccak256(manifest(1)))), string.concat("ipfs://", HELLO_CID));
    }

    function testFuzz_mint(address to, bytes32 commitment, bytes32 intentKey, bytes32 digest) public {
        vm.assume(to != address(0) && to.code.length == 0);
        vm.assume(commitment != 0 && intentKey != 0 && digest != 0);
        _checkMint(to, commitment, intentKey, digest);
    }

    function _checkMint(address to, bytes32 commitment, bytes32 intentKey, bytes32 digest) internal {
        uint256 id = uint256(commitment);
        bytes32 manifestDigest = sha(commitment);
        vm.expectEmit(address(nft));
        emit Transfer(address(0), to, id);
        vm.expectEmit(address(nft));
        emit Minted(id, MODEL, intentKey, manifestDigest, digest);
        vm.prank(agent);
        uint256 tokenId = nft.mint(to, MODEL, commitment, intentKey, manifestDigest, digest);

        assertEq(tokenId, id);
        assertEq(nft.ownerOf(id), to);
        assertEq(nft.balanceOf(to), 1);
        assertEq(nft.versionCount(id), 1);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, 1);
        assertEq(head, commitment, "genesis head is the token id");
        (uint256 version, bytes32 md) = nft.latestVersion(id);
        assertEq(version, 0);
        assertEq(md, digest);
        assertEq(nft.metadataCidOf(id), rawCid(digest));
        assertEq(nft.tokenURI(id), string.concat("ipfs://b", base32Reference(rawCid(digest))));
        assertTrue(nft.isMinted(commitment));
        assertEq(guard.used(address(nft), PolicyActions.MINT), 1);
    }

    function test_tokenURI_matchesIpfsVectors() public {
        uint256 a = mintAs(agent, keccak256("a"), keccak256("ia"), HELLO_DIGEST);
        uint256 b = mintAs(agent, keccak256("b"), keccak256("ib"), NAME_DIGEST);
        assertEq(nft.tokenURI(a), "ipfs://bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4");
        assertEq(nft.tokenURI(b), "ipfs://bafkreieylfmxxykuwffnoqd4v3gufhl46omy4gcshqkicyjtgipmxteqzy");
    }

    function test_tokenURI_unknownToken_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 7));
        nft.tokenURI(7);
    }

    // ------------------------------------------------------------ policy-gated mint

    function test_mint_nonAgent_refused() public {
        address stranger = makeAddr("stranger");
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, stranger));
        mintAs(stranger, keccak256("x"), keccak256("ix"), HELLO_DIGEST);
    }

    function testFuzz_mint_nonAgent_refused(address stranger) public {
        vm.assume(stranger != agent);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, stranger));
        mintAs(stranger, keccak256("x"), keccak256("ix"), HELLO_DIGEST);
    }

    function test_mint_paused_refused() public {
        guard.setPaused(true);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.GuardPaused.selector, address(nft)));
        mintAs(agent, keccak256("x"), keccak256("ix"), HELLO_DIGEST);
        guard.setPaused(false);
        guard.setAssetPaused(address(nft), true);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.GuardPaused.selector, address(nft)));
        mintAs(agent, keccak256("x"), keccak256("ix"), HELLO_DIGEST);
        guard.setAssetPaused(address(nft), false);
        mintAs(agent, keccak256("x"), keccak256("ix"), HELLO_DIGEST);
    }

    function test_mint_modelNotAllowed_refused() public {
        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.ModelNotAllowed.selector, OTHER_MODEL));
        nft.mint(collector, OTHER_MODEL, keccak256("x"), keccak256("ix"), HELLO_DIGEST, HELLO_DIGEST);
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

    function test_mint_duplicateContent_refused() public {
        _checkDuplicate(keccak256(manifest(1)), keccak256("i1"), keccak256("i2"));
    }

    function testFuzz_mint_duplicateContent_refused(bytes32 commitment, bytes32 key1, bytes32 key2) public {
        vm.assume(commitment != 0 && key1 != 0 && key2 != 0 && key1 != key2);
        _checkDuplicate(commitment, key1, key2);
    }

    function _checkDuplicate(bytes32 commitment, bytes32 key1, bytes32 key2) internal {
        mintAs(agent, commitment, key1, HELLO_DIGEST);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.DuplicateContent.selector, commitment));
        mintAs(agent, commitment, key2, NAME_DIGEST);
        assertEq(nft.balanceOf(collector), 1);
    }

    function test_mint_zeroKeys_refused() public {
        bytes32 c = keccak256("c");
        bytes32 k = keccak256("i");
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, bytes32(0), k, HELLO_DIGEST));
        mintAs(agent, 0, k, HELLO_DIGEST);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, c, bytes32(0), HELLO_DIGEST));
        mintAs(agent, c, 0, HELLO_DIGEST);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, c, k, bytes32(0)));
        mintAs(agent, c, k, 0);
    }

    function test_addAigcData_invalidCids_refused() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes memory proof = abi.encodePacked(MODEL, uint256(0), keccak256("m"));
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
            nft.addAigcData(id, abi.encodePacked(keccak256("m")), bad[i], proof);
        }
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(ProvenanceNFT.ZeroKey.selector, keccak256("m"), bytes32(0), bytes32(0))
        );
        nft.addAigcData(id, abi.encodePacked(keccak256("m")), rawCid(0), proof);
    }

    // ------------------------------------------------------------ evolve / version history

    function test_evolve_threeVersions() public {
        _checkChain(3, 0xbeef);
    }

    function testFuzz_evolve_chain(uint8 updates, uint256 seed) public {
        _checkChain(bound(updates, 0, 12), seed);
    }

    function _checkChain(uint256 updates, uint256 seed) internal {
        bytes32 genesis = keccak256(abi.encode(seed, "genesis"));
        uint256 id = mintAs(agent, genesis, keccak256(abi.encode(seed)), HELLO_DIGEST);
        bytes32[] memory chain = new bytes32[](updates + 1);
        chain[0] = genesis;
        for (uint256 v = 1; v <= updates; ++v) {
            vm.warp(block.timestamp + UPDATE_INTERVAL);
            chain[v] = keccak256(abi.encode(seed, v));
            bytes32 md = keccak256(abi.encode(seed, "md", v));
            bytes32 manifestDigest = sha(chain[v]);
            vm.expectEmit(address(nft));
            emit Evolved(id, v, chain[v], MODEL, manifestDigest, md);
            vm.expectEmit(address(nft));
            emit MetadataUpdate(id);
            assertEq(evolveAs(agent, id, v - 1, chain[v], md), v);
            assertEq(nft.tokenURI(id), string.concat("ipfs://b", base32Reference(rawCid(md))));
        }
        assertEq(nft.versionCount(id), updates + 1);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, updates + 1);
        assertEq(head, ChainReference.head(chain), "head = reference chain over the history");
        assertEq(nft.chainHead(chain), head, "chainHead agrees");
        if (updates != 0) assertEq(uint256(head) >> 224, 0, "a linked head is 224 bits");
        (uint256 latestIndex, bytes32 md) = nft.latestVersion(id);
        assertEq(latestIndex, updates);
        assertEq(md, updates == 0 ? HELLO_DIGEST : keccak256(abi.encode(seed, "md", updates)));
        // Every version, past or latest, verifies on-chain with its chain proof; no other does.
        for (uint256 v; v <= updates; ++v) {
            bytes memory p = abi.encodePacked(_proof(1, id, v), ChainReference.proofFor(chain, v));
            assertTrue(nft.verify(abi.encodePacked(chain[v]), "", p), "version verifies");
            assertFalse(
                nft.verify(abi.encodePacked(keccak256(abi.encode(chain[v]))), "", p), "other commitment"
            );
        }
        assertFalse(nft.verify(abi.encodePacked(chain[0]), "", _proof(1, id, updates + 1)), "beyond latest");
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
    }

    function test_evolve_versionLimit_refused() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 0, keccak256("v1"), NAME_DIGEST);
        // Put the token at the last version a chain word can count (the word is `latest << 224 | head`).
        uint256 latest = type(uint32).max;
        bytes32 head = keccak256("some head") & bytes32((uint256(1) << 224) - 1);
        vm.store(address(nft), _chainSlotOfEvolved(id), bytes32((latest << 224) | uint256(head)));
        (uint256 count, bytes32 h) = nft.versionChain(id);
        assertEq(count, latest + 1);
        assertEq(h, head);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionLimitReached.selector, id, latest));
        evolveAs(agent, id, latest, keccak256("next"), NAME_DIGEST);
    }

    function test_evolve_staleParent_refused() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 0, keccak256("v1"), NAME_DIGEST);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        // A retried update that already landed: same parent again.
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionConflict.selector, id, 0, 1));
        evolveAs(agent, id, 0, keccak256("v1"), NAME_DIGEST);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionConflict.selector, id, 5, 1));
        evolveAs(agent, id, 5, keccak256("v2"), NAME_DIGEST);
    }

    function test_evolve_rateLimitedPerToken() public {
        uint256 a = mintN(1);
        uint256 b = mintN(2);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, a, 0, keccak256("a1"), NAME_DIGEST);
        // Another token is not held back by `a`'s update.
        evolveAs(agent, b, 0, keccak256("b1"), NAME_DIGEST);
        vm.expectRevert(
            abi.encodeWithSelector(
                TestPolicyGuard.RateLimited.selector,
                PolicyActions.UPDATE,
                a,
                block.timestamp + UPDATE_INTERVAL
            )
        );
        evolveAs(agent, a, 1, keccak256("a2"), NAME_DIGEST);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, a, 1, keccak256("a2"), NAME_DIGEST);
        assertEq(nft.versionCount(a), 3);
    }

    function test_evolve_nonAgent_refused() public {
        uint256 id = mintN(1);
        address owner = nft.ownerOf(id);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, owner));
        evolveAs(owner, id, 0, keccak256("v1"), NAME_DIGEST);
    }

    function test_evolve_paused_refused() public {
        uint256 id = mintN(1);
        guard.setPaused(true);
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.GuardPaused.selector, address(nft)));
        evolveAs(agent, id, 0, keccak256("v1"), NAME_DIGEST);
    }

    function test_evolve_unknownToken_refused() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, 42));
        evolveAs(agent, 42, 0, keccak256("v1"), NAME_DIGEST);
    }

    function test_evolve_keepsOwnerAndSurvivesTransfer() public {
        uint256 id = mintN(1);
        address buyer = makeAddr("buyer");
        vm.prank(collector);
        nft.transferFrom(collector, buyer, id);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 0, keccak256("v1"), NAME_DIGEST);
        assertEq(nft.ownerOf(id), buyer);
        assertEq(nft.versionCount(id), 2);
    }

    function test_addAigcData_appendsVersion() public {
        uint256 id = mintN(1);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes memory m = manifest(1001);
        bytes32 manifestSha = sha256(m);
        bytes memory proof = abi.encodePacked(MODEL, uint256(0), manifestSha);
        vm.expectEmit(address(nft));
        emit Evolved(id, 1, keccak256(m), MODEL, manifestSha, NAME_DIGEST);
        vm.expectEmit(address(nft));
        emit MetadataUpdate(id);
        vm.expectEmit(address(nft));
        emit AigcData(id, m, rawCid(NAME_DIGEST), proof);
        vm.prank(agent);
        nft.addAigcData(id, m, rawCid(NAME_DIGEST), proof);
        bytes32[] memory chain = new bytes32[](2);
        chain[0] = bytes32(id);
        chain[1] = keccak256(m);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, 2);
        assertEq(head, ChainReference.head(chain));
        assertEq(nft.tokenURI(id), string.concat("ipfs://", NAME_CID));
        assertTrue(nft.verify(m, rawCid(NAME_DIGEST), abi.encodePacked(_proof(1, id, 1), bytes32(id))));

        vm.prank(agent);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.InvalidUpdateProof.selector, 95));
        nft.addAigcData(id, m, rawCid(NAME_DIGEST), new bytes(95));
    }

    function test_addAigcData_nonAgent_refused() public {
        uint256 id = mintN(1);
        bytes memory proof = abi.encodePacked(MODEL, uint256(0), keccak256("m"));
        vm.expectRevert(abi.encodeWithSelector(TestPolicyGuard.NotAgent.selector, address(this)));
        nft.addAigcData(id, abi.encodePacked(keccak256("m")), rawCid(NAME_DIGEST), proof);
    }

    // ------------------------------------------------------------ ERC-7007 verify

    function test_verify_replay() public {
        _checkVerifyReplay(manifest(7), manifest(8));
    }

    function testFuzz_verify_replay(bytes memory m0, bytes memory m1) public {
        vm.assume(m0.length != 32 && m1.length != 32 && keccak256(m0) != keccak256(m1));
        _checkVerifyReplay(m0, m1);
    }

    function _checkVerifyReplay(bytes memory m0, bytes memory m1) internal {
        bytes32 c0 = keccak256(m0);
        bytes32 c1 = keccak256(m1);
        uint256 id = mintAs(agent, c0, keccak256("i"), HELLO_DIGEST);
        bytes memory p0 = _proof(1, id, 0);
        assertTrue(nft.verify(m0, rawCid(HELLO_DIGEST), p0), "manifest bytes + output");
        assertTrue(nft.verify(abi.encodePacked(c0), rawCid(HELLO_DIGEST), p0), "commitment + output");
        assertTrue(nft.verify(m0, "", p0), "manifest only");
        assertFalse(nft.verify(m1, rawCid(HELLO_DIGEST), p0), "wrong manifest");
        assertFalse(nft.verify(m0, rawCid(NAME_DIGEST), p0), "wrong output");
        assertFalse(
            nft.verify(
                m0, abi.encodePacked(uint8(0x01), uint8(0x70), uint8(0x12), uint8(0x20), HELLO_DIGEST), p0
            ),
            "wrong codec"
        );
        assertFalse(nft.verify(m0, rawCid(HELLO_DIGEST), _proof(1, id + 1, 0)), "unknown token");
        assertFalse(nft.verify(m0, rawCid(HELLO_DIGEST), _proof(1, id, 1)), "unknown version");
        assertFalse(nft.verify(m0, rawCid(HELLO_DIGEST), _proof(3, id, 0)), "unknown kind");
        assertFalse(nft.verify(m0, rawCid(HELLO_DIGEST), new bytes(64)), "short proof");

        vm.warp(block.timestamp + UPDATE_INTERVAL);
        evolveAs(agent, id, 0, c1, NAME_DIGEST);
        bytes memory p1 = abi.encodePacked(_proof(1, id, 1), bytes32(id)); // parent head = h_0 = token id
        assertTrue(nft.verify(m1, rawCid(NAME_DIGEST), p1), "v1 manifest + output");
        assertTrue(nft.verify(m0, "", p0), "v0 manifest stays verifiable");
        assertFalse(nft.verify(m0, rawCid(HELLO_DIGEST), p0), "superseded output is checked off-chain");
        assertFalse(nft.verify(m0, "", p1), "v0 manifest is not v1");
        assertFalse(nft.verify(m1, rawCid(NAME_DIGEST), _proof(1, id, 1)), "v1 without its chain proof");
        assertFalse(
            nft.verify(m1, rawCid(NAME_DIGEST), abi.encodePacked(_proof(1, id, 1), c1)),
            "v1 with a wrong parent head"
        );

        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes32 c2 = keccak256(abi.encode(c0, c1));
        evolveAs(agent, id, 1, c2, HELLO_DIGEST);
        bytes memory p1Past = abi.encodePacked(p1, c2); // parent head, then the later commitment
        assertTrue(nft.verify(m1, "", p1Past), "v1 stays verifiable after v2");
        assertFalse(nft.verify(m1, rawCid(NAME_DIGEST), p1Past), "superseded v1 output is checked off-chain");
        assertFalse(nft.verify(m1, "", p1), "v1 proof without the later commitment");
        assertFalse(nft.verify(m1, "", abi.encodePacked(p1, keccak256("not v2"))), "wrong later commitment");
    }

    function test_verify_groth16_hook() public {
        bytes memory m = manifest(9);
        uint256 id = mintAs(agent, keccak256(m), keccak256("i"), HELLO_DIGEST);
        bytes memory zk = abi.encode(keccak256(abi.encode(keccak256(m), rawCid(HELLO_DIGEST))));
        bytes memory proof = abi.encodePacked(_proof(2, id, 0), zk);
        assertFalse(nft.verify(m, rawCid(HELLO_DIGEST), proof), "unset verifier refuses");

        TestAigcVerifier verifier = new TestAigcVerifier();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        nft.setAigcVerifier(IAigcVerifier(address(verifier)));
        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(address(verifier)));
        assertTrue(nft.verify(m, rawCid(HELLO_DIGEST), proof));
        assertFalse(nft.verify(m, rawCid(NAME_DIGEST), proof), "proof is for another output");
        assertFalse(nft.verify(manifest(10), rawCid(HELLO_DIGEST), proof), "commitment checked first");
        // A reverting verifier reads as false.
        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(address(guard)));
        assertFalse(nft.verify(m, rawCid(HELLO_DIGEST), proof));
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
        assertFalse(nft.isMinted(keccak256(manifest(2))));
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

    /// @dev Storage slot of `_chain[tokenId]` for a token evolved once: the slot `versionChain` reads
    /// whose word carries version 1 in its top 32 bits.
    function _chainSlotOfEvolved(uint256 tokenId) internal returns (bytes32) {
        vm.record();
        nft.versionChain(tokenId);
        (bytes32[] memory reads,) = vm.accesses(address(nft));
        for (uint256 i; i < reads.length; ++i) {
            if (uint256(vm.load(address(nft), reads[i])) >> 224 == 1) return reads[i];
        }
        revert("chain slot not found");
    }
}
