// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAigcVerifier} from "../../src/assets/IAigcVerifier.sol";
import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {ChainReference} from "../assets/ChainReference.sol";
import {ProvenanceFixture} from "../assets/ProvenanceFixture.sol";
import {TestPolicyGuard} from "../assets/TestPolicyGuard.sol";

/// @notice Test double: a groth16 verifier that accepts exactly one (token, version, manifest digest,
/// metadata, kind proof), so a test sees which bytes `verify` hands it.
contract ExactKindProofVerifier is IAigcVerifier {
    bytes32 public expected;

    function expect(
        uint256 tokenId,
        uint256 version,
        bytes32 manifestDigest,
        bytes calldata aigcData,
        bytes calldata kindProof
    ) external {
        expected = keccak256(abi.encode(tokenId, version, manifestDigest, aigcData, kindProof));
    }

    function verifyAigc(
        uint256 tokenId,
        uint256 version,
        bytes32 manifestDigest,
        bytes calldata aigcData,
        bytes calldata proof
    ) external view returns (bool) {
        return keccak256(abi.encode(tokenId, version, manifestDigest, aigcData, proof)) == expected;
    }
}

/// @notice Adversarial review of the hash-chain version history (ProvenanceNFT; session 11: a version's
/// commitment is the sha2-256 digest of its metadata, which names its manifest): ERC-7007 `verify` must
/// never accept metadata the agent did not record at that version, nor a manifest the metadata does not
/// name; `evolve` must not fork or rewrite the history, the 2^32 version limit must hold, and
/// `addAigcData` must enforce everything `evolve` does. Each test pins the safe behaviour.
contract ProvenanceChainSecurityTest is ProvenanceFixture {
    uint8 internal constant REPLAY = 1;
    uint8 internal constant GROTH16 = 2;
    uint256 private _cases;

    /// @dev A token's recorded history: per version its manifest, metadata and commitment.
    struct History {
        uint256 id;
        bytes32[] chain;
        bytes[] ms;
        bytes[] metas;
    }

    // ------------------------------------------------------------------ helpers

    function _head(uint8 kind, uint256 id, uint256 version) internal pure returns (bytes memory) {
        return abi.encodePacked(kind, id, version);
    }

    function _manifestOf(uint256 seed, uint256 v) internal pure returns (bytes memory) {
        return abi.encodePacked(
            '{"kind":"provenant.manifest","seed":', vm.toString(seed), ',"v":', vm.toString(v), "}"
        );
    }

    /// @dev Mints real metadata from `seed` and evolves it `n` times.
    function _history(uint256 seed, uint256 n) internal returns (History memory h) {
        h.chain = new bytes32[](n + 1);
        h.ms = new bytes[](n + 1);
        h.metas = new bytes[](n + 1);
        for (uint256 v; v <= n; ++v) {
            h.ms[v] = _manifestOf(seed, v);
            h.metas[v] = metadataFor(h.ms[v], v);
            h.chain[v] = sha256(h.metas[v]);
        }
        h.id = mintMeta(h.metas[0], h.ms[0], keccak256(abi.encode("intent", seed)));
        for (uint256 v = 1; v <= n; ++v) {
            vm.warp(block.timestamp + UPDATE_INTERVAL);
            evolveMeta(h.id, v - 1, h.metas[v], h.ms[v]);
        }
    }

    function _replayProof(History memory h, uint256 version) internal pure returns (bytes memory) {
        return abi.encodePacked(_head(REPLAY, h.id, version), ChainReference.proofFor(h.chain, version));
    }

    /// @dev The storage slot of `_chain[id]`, found by its content after at least two updates (version 1
    /// writes no chain word), so the test does not hard-code the layout.
    function _chainSlot(uint256 id, bytes32[] memory chain) internal view returns (bytes32) {
        uint256 word = ((chain.length - 1) << 224) | uint256(ChainReference.head(chain));
        for (uint256 base; base < 64; ++base) {
            bytes32 slot = keccak256(abi.encode(id, base));
            if (uint256(vm.load(address(nft), slot)) == word) return slot;
        }
        revert("chain slot not found");
    }

    // ------------------------------------------------------------------ verify: forgery attempts

    /// @notice Every recorded (version, metadata, manifest) verifies with its honest proof; another
    /// version's metadata or manifest at that version does not, even with an honest proof for it.
    function test_verify_versionBinding() public {
        _checkVersionBinding(1, 4);
    }

    function testFuzz_verify_versionBinding(uint256 seed, uint8 n) public {
        _checkVersionBinding(seed, bound(n, 1, 6));
    }

    function _checkVersionBinding(uint256 seed, uint256 n) internal {
        History memory h = _history(seed, n);
        for (uint256 v; v <= n; ++v) {
            bytes memory proof = _replayProof(h, v);
            assertTrue(nft.verify(h.ms[v], h.metas[v], proof), "honest proof");
            for (uint256 k; k <= n; ++k) {
                if (k == v) continue;
                assertFalse(nft.verify(h.ms[k], h.metas[k], proof), "record of another version");
                assertFalse(nft.verify(h.ms[k], h.metas[v], proof), "manifest of another version");
                assertFalse(nft.verify(h.ms[v], h.metas[k], proof), "metadata of another version");
            }
        }
    }

    /// @notice Metadata never recorded fails for every version and every attacker-chosen chain proof
    /// (parent head and later commitments free), including proofs longer or shorter than the layout,
    /// even when it names the manifest.
    function test_verify_neverRecordedMetadata() public {
        History memory h = _history(7, 3);
        bytes memory forged = metadataFor(h.ms[3], 999); // names the latest manifest, never recorded
        for (uint256 v; v <= 3; ++v) {
            assertFalse(nft.verify(h.ms[3], forged, _replayProof(h, v)));
        }
        // Parent head = the real head: h_latest = link(h_latest, sha256(forged)) would need a preimage.
        assertFalse(
            nft.verify(
                h.ms[3], forged, abi.encodePacked(_head(REPLAY, h.id, 3), ChainReference.head(h.chain))
            )
        );
    }

    function testFuzz_verify_neverRecordedMetadata(
        uint256 seed,
        uint8 n,
        uint256 version,
        bytes memory salt,
        bytes32 parentHead,
        bytes32[4] memory later
    ) public {
        n = uint8(bound(n, 0, 4));
        History memory h = _history(seed, n);
        version = bound(version, 0, n + 1); // n + 1 does not exist
        // Forged metadata that names the version's manifest (so only the chain check can refuse it).
        bytes memory m = h.ms[version > n ? n : version];
        bytes memory forged = abi.encodePacked(salt, provenanceMemberRef(sha256(m)));
        for (uint256 i; i <= n; ++i) {
            vm.assume(sha256(forged) != h.chain[i]);
        }
        bytes memory proof = abi.encodePacked(_head(REPLAY, h.id, version), parentHead);
        for (uint256 i; i < 4; ++i) {
            assertFalse(nft.verify(m, forged, proof), "forged metadata");
            proof = abi.encodePacked(proof, later[i]); // every chain-proof length 1 ... 5 words
        }
        assertFalse(nft.verify(m, forged, proof));
    }

    /// @notice A chain proof one word short fails (the layout is fixed by the stored latest version); a
    /// replay proof with trailing bytes fails.
    function test_verify_chainProofLength() public {
        History memory h = _history(3, 3);
        bytes memory honest = _replayProof(h, 1); // 65 + 3 words
        assertTrue(nft.verify(h.ms[1], h.metas[1], honest));
        bytes memory short = new bytes(honest.length - 32);
        for (uint256 i; i < short.length; ++i) {
            short[i] = honest[i];
        }
        assertFalse(nft.verify(h.ms[1], h.metas[1], short), "one word short");
        assertFalse(
            nft.verify(h.ms[1], h.metas[1], abi.encodePacked(honest, bytes32("trailing"))),
            "replay takes no trailing bytes"
        );
        // The same bytes as a (shorter) proof for version 2: the words no longer line up.
        assertFalse(
            nft.verify(
                h.ms[1],
                h.metas[1],
                abi.encodePacked(_head(REPLAY, h.id, 2), ChainReference.proofFor(h.chain, 1))
            )
        );
    }

    /// @notice Versions past the latest (up to 2^256 - 1, where `1 + latest - version` would underflow)
    /// return false instead of reverting.
    function test_verify_versionBeyondLatest() public {
        _checkVersionBeyondLatest(type(uint256).max);
    }

    function testFuzz_verify_versionBeyondLatest(uint256 version) public {
        _checkVersionBeyondLatest(bound(version, 3, type(uint256).max));
    }

    function _checkVersionBeyondLatest(uint256 version) internal {
        History memory h = _history(11, 2);
        bytes memory words =
            abi.encodePacked(ChainReference.head(h.chain), h.chain[2], h.chain[1], h.chain[0]);
        for (uint256 k; k <= 2; ++k) {
            assertFalse(
                nft.verify(h.ms[k], h.metas[k], abi.encodePacked(_head(REPLAY, h.id, version), words))
            );
        }
    }

    /// @notice Version 0 is checked against the token id alone; its replay proof is the 65-byte head, and
    /// extra bytes make it fail, never another version's metadata pass.
    function test_verify_versionZeroExtraBytes() public {
        History memory h = _history(5, 2);
        bytes memory extra = abi.encodePacked(h.chain[1], h.chain[2], ChainReference.head(h.chain));
        assertTrue(nft.verify(h.ms[0], h.metas[0], _head(REPLAY, h.id, 0)));
        assertFalse(nft.verify(h.ms[0], h.metas[0], abi.encodePacked(_head(REPLAY, h.id, 0), extra)));
        for (uint256 k = 1; k <= 2; ++k) {
            assertFalse(nft.verify(h.ms[k], h.metas[k], abi.encodePacked(_head(REPLAY, h.id, 0), extra)));
        }
        // The stored head or a commitment given as aigcData is not metadata of any version.
        for (uint256 v; v <= 2; ++v) {
            assertFalse(
                nft.verify(h.ms[v], abi.encodePacked(ChainReference.head(h.chain)), _replayProof(h, v)),
                "head"
            );
            assertFalse(nft.verify(h.ms[v], abi.encodePacked(h.chain[v]), _replayProof(h, v)), "commitment");
        }
    }

    /// @notice h_0 is the full 256-bit token id, later heads are masked to 224 bits: the version-1 proof
    /// needs the unmasked token id as parent head; the masked one (or the id with a flipped top bit) fails.
    function test_verify_genesisHeadIsUnmasked() public {
        History memory h = _history(13, 2);
        assertTrue(h.id >> 224 != 0, "the fixed seed's id has top bits set");
        bytes memory later = abi.encodePacked(h.chain[2]);
        assertTrue(
            nft.verify(h.ms[1], h.metas[1], abi.encodePacked(_head(REPLAY, h.id, 1), bytes32(h.id), later))
        );
        assertFalse(
            nft.verify(
                h.ms[1],
                h.metas[1],
                abi.encodePacked(_head(REPLAY, h.id, 1), bytes32(h.id & ((1 << 224) - 1)), later)
            )
        );
        assertFalse(
            nft.verify(
                h.ms[1],
                h.metas[1],
                abi.encodePacked(_head(REPLAY, h.id, 1), bytes32(h.id ^ (1 << 255)), later)
            )
        );
        (, bytes32 head) = nft.versionChain(h.id);
        assertEq(uint256(head) >> 224, 0, "stored heads are masked");
    }

    /// @notice A 36-byte prompt that is a binary raw CIDv1 names the manifest by digest: it passes only
    /// when that digest is the one the metadata names. A 32-byte prompt is manifest bytes (hashed), never
    /// a digest. A 36-byte CID with another codec is hashed as bytes (fails).
    function test_verify_cidPrompt() public {
        History memory h = _history(17, 2);
        for (uint256 v; v <= 2; ++v) {
            bytes32 d = sha256(h.ms[v]);
            assertTrue(nft.verify(rawCid(d), h.metas[v], _replayProof(h, v)), "raw CID of the manifest");
            assertFalse(
                nft.verify(abi.encodePacked(d), h.metas[v], _replayProof(h, v)), "bare 32-byte digest"
            );
            assertFalse(
                nft.verify(
                    abi.encodePacked(uint8(0x01), uint8(0x71), uint8(0x12), uint8(0x20), d),
                    h.metas[v],
                    _replayProof(h, v)
                ),
                "dag-cbor CID"
            );
        }
    }

    function testFuzz_verify_cidPrompt(bytes32 digest) public {
        History memory h = _history(17, 2);
        for (uint256 v; v <= 2; ++v) {
            assertEq(
                nft.verify(rawCid(digest), h.metas[v], _replayProof(h, v)),
                digest == sha256(h.ms[v]),
                "CID prompt"
            );
        }
    }

    /// @notice `verify` searches the metadata bytes for the exact member, not a parsed top-level key:
    /// recorded metadata with a nested `"provenance"` member, or two of them (a duplicate key, invalid
    /// canonical JSON), verifies for each manifest it names. Pinned: only the agent records metadata, and
    /// `provenant verify` must check off-chain that the metadata is canonical JSON with one top-level
    /// `provenance` member.
    function test_verify_memberIsFoundAnywhere_pinned() public {
        bytes memory a = _manifestOf(51, 0);
        bytes memory b = _manifestOf(52, 0);
        bytes memory twoMembers = abi.encodePacked(
            "{", provenanceMemberRef(sha256(a)), ',"x":{', provenanceMemberRef(sha256(b)), "}}"
        );
        uint256 id = mintMeta(twoMembers, a, keccak256("two members"));
        assertTrue(nft.verify(a, twoMembers, _head(REPLAY, id, 0)), "top-level member");
        assertTrue(nft.verify(b, twoMembers, _head(REPLAY, id, 0)), "nested member also passes (pinned)");
        // An escaped copy inside a string value is not the member.
        bytes memory cid = bytes(string.concat("b", base32Reference(rawCid(sha256(b)))));
        bytes memory escaped = abi.encodePacked(
            "{", provenanceMemberRef(sha256(a)), ',"note":"\\"provenance\\":\\"ipfs://', cid, '\\""}'
        );
        uint256 id2 = mintMeta(escaped, a, keccak256("escaped"));
        assertTrue(nft.verify(a, escaped, _head(REPLAY, id2, 0)));
        assertFalse(nft.verify(b, escaped, _head(REPLAY, id2, 0)), "escaped quotes do not match");
    }

    /// @notice The groth16 kind proof is exactly the bytes after the chain proof, at every version; the
    /// verifier gets the manifest digest and the metadata bytes. Replay passes for every version's
    /// metadata, superseded or latest.
    function test_verify_kindProofStart() public {
        _checkKindProofStart(4, 1, hex"c0ffee");
    }

    function testFuzz_verify_kindProofStart(uint8 n, uint256 version, bytes memory kindProof) public {
        n = uint8(bound(n, 0, 5));
        _checkKindProofStart(n, bound(version, 0, n), kindProof);
    }

    function _checkKindProofStart(uint256 n, uint256 version, bytes memory kindProof) internal {
        History memory h = _history(19, n);
        ExactKindProofVerifier verifier = new ExactKindProofVerifier();
        vm.prank(timelock);
        nft.setAigcVerifier(verifier);
        verifier.expect(h.id, version, sha256(h.ms[version]), h.metas[version], kindProof);
        bytes memory proof = abi.encodePacked(
            _head(GROTH16, h.id, version), ChainReference.proofFor(h.chain, version), kindProof
        );
        assertTrue(nft.verify(h.ms[version], h.metas[version], proof), "kind proof handed over exactly");
        assertTrue(
            nft.verify(rawCid(sha256(h.ms[version])), h.metas[version], proof), "CID prompt: same digest"
        );
        assertFalse(
            nft.verify(h.ms[version], h.metas[version], abi.encodePacked(proof, uint8(0))), "one byte more"
        );
        assertTrue(
            nft.verify(h.ms[version], h.metas[version], _replayProof(h, version)), "replay at every version"
        );
    }

    /// @notice Verifying version v costs one keccak per later version (the chain proof carries
    /// `1 + latest - v` words): an old version of a long-lived token is linear in its age. A proof shorter
    /// than the layout is refused before any hashing. Figures for latest = 300 printed with -vv.
    function test_verify_oldVersionCostIsLinear() public {
        History memory h = _history(37, 300);
        bytes memory oldest = _replayProof(h, 1);
        bytes memory newest = _replayProof(h, 300);
        uint256 g0 = gasleft();
        assertTrue(nft.verify(h.ms[1], h.metas[1], oldest));
        uint256 gOld = g0 - gasleft();
        g0 = gasleft();
        assertTrue(nft.verify(h.ms[300], h.metas[300], newest));
        uint256 gNew = g0 - gasleft();
        g0 = gasleft();
        assertFalse(nft.verify(h.ms[1], h.metas[1], newest)); // 1 word for a 300-word layout
        uint256 gShort = g0 - gasleft();
        // Relative figures: the history was built in this test, so the NFT's account and slots are warm here
        // (a fresh call costs ~4,700 more); the test compares them, the README quotes none.
        emit log_named_uint("verify v1 of 301 versions (gas, warm, as the caller measures it)", gOld);
        emit log_named_uint("verify v300 of 301 versions (gas)", gNew);
        emit log_named_uint("short proof refused (gas)", gShort);
        assertLt(gShort, gNew + 1000, "a short proof is refused before the member search");
        assertGt(gOld, gNew + 299 * 36, "one keccak per later version");
    }

    /// @notice A groth16 verifier address without code (or one returning malformed data) makes `verify`
    /// return false, not revert (a try/catch could not catch this; `_verifyGroth16` uses a low-level call).
    function test_verify_groth16_verifierWithoutCode_returnsFalse() public {
        History memory h = _history(41, 0);
        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(makeAddr("no code")));
        bytes memory proof = abi.encodePacked(_head(GROTH16, h.id, 0), hex"01");
        (bool ok, bytes memory ret) =
            address(nft).staticcall(abi.encodeCall(nft.verify, (h.ms[0], h.metas[0], proof)));
        assertTrue(ok, "verify must not revert");
        assertFalse(abi.decode(ret, (bool)));
    }

    // ------------------------------------------------------------------ evolve: no fork, no rewrite

    /// @notice Only `parent == latest` extends the chain; any stale or future parent reverts and leaves
    /// the head untouched; after n updates the head is the reference chain head over all n + 1 commitments.
    function test_evolve_noForkNoRewrite() public {
        _checkNoFork(23, 3, 1);
    }

    function testFuzz_evolve_noForkNoRewrite(uint256 seed, uint8 n, uint256 parent) public {
        _checkNoFork(seed, bound(n, 0, 5), parent);
    }

    function _checkNoFork(uint256 seed, uint256 n, uint256 parent) internal {
        History memory h = _history(seed, n);
        (uint256 count, bytes32 head) = nft.versionChain(h.id);
        assertEq(count, n + 1);
        assertEq(head, ChainReference.head(h.chain));
        assertEq(nft.chainHead(h.chain), head);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        if (parent != n) {
            vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionConflict.selector, h.id, parent, n));
            evolveAs(agent, h.id, parent, keccak256("fork md"));
            (uint256 countAfter, bytes32 headAfter) = nft.versionChain(h.id);
            assertEq(countAfter, count);
            assertEq(headAfter, head);
        } else {
            assertEq(evolveAs(agent, h.id, parent, keccak256("next md")), n + 1);
        }
    }

    // ------------------------------------------------------------------ the 2^32 version limit

    /// @notice The last version a chain word can hold is 2^32 - 1; the update after it reverts
    /// `VersionLimitReached` (through `evolve` and `addAigcData`), nothing wraps into the head bits, and
    /// the last version still verifies.
    function test_versionLimit() public {
        History memory h = _history(29, 2);
        bytes32 slot = _chainSlot(h.id, h.chain);
        uint256 last = type(uint32).max;
        bytes32 parentHead = keccak256("h_{2^32-2}") & bytes32((uint256(1) << 224) - 1);
        vm.store(address(nft), slot, bytes32(((last - 1) << 224) | uint256(parentHead)));
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes memory mLast = _manifestOf(29, last);
        bytes memory metaLast = metadataFor(mLast, last);
        bytes32 cLast = sha256(metaLast);
        assertEq(evolveMeta(h.id, last - 1, metaLast, mLast), last);
        (uint256 count, bytes32 head) = nft.versionChain(h.id);
        assertEq(count, uint256(1) << 32);
        assertEq(head, bytes32(uint256(keccak256(abi.encode(parentHead, cLast))) & ((1 << 224) - 1)));
        assertTrue(nft.verify(mLast, metaLast, abi.encodePacked(_head(REPLAY, h.id, last), parentHead)));

        vm.warp(block.timestamp + UPDATE_INTERVAL);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionLimitReached.selector, h.id, last));
        evolveAs(agent, h.id, last, keccak256("one too many"));
        bytes memory prompt = manifest(1);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionLimitReached.selector, h.id, last));
        vm.prank(agent);
        nft.addAigcData(h.id, prompt, rawCid(HELLO_DIGEST), abi.encodePacked(MODEL, last));
        (uint256 countAfter, bytes32 headAfter) = nft.versionChain(h.id);
        assertEq(countAfter, count);
        assertEq(headAfter, head);
    }

    // ------------------------------------------------------------------ addAigcData == evolve

    /// @notice `addAigcData` and `evolve` with the same inputs end in the same state or the same revert,
    /// over agent / non-agent, stale parents, zero digests, unapproved models, the rate limit and pause.
    function test_addAigcData_enforcesEvolve() public {
        bytes32 c = keccak256("c");
        _checkAddAigcDataMatchesEvolve(0, false, c, MODEL, 0, false);
        _checkAddAigcDataMatchesEvolve(0, true, c, MODEL, 0, false); // not the agent
        _checkAddAigcDataMatchesEvolve(1, false, c, MODEL, 0, false); // parent is not the latest
        _checkAddAigcDataMatchesEvolve(0, false, bytes32(0), MODEL, 0, false); // zero metadata digest
        _checkAddAigcDataMatchesEvolve(0, false, c, OTHER_MODEL, 0, false); // unapproved
        _checkAddAigcDataMatchesEvolve(0, false, c, MODEL, 1, false); // rate-limited
        _checkAddAigcDataMatchesEvolve(0, false, c, MODEL, 0, true); // paused
    }

    function testFuzz_addAigcData_enforcesEvolve(
        uint8 parentOffset,
        bool stranger,
        bytes32 metadataDigest,
        bool otherModel,
        uint256 waitBack,
        bool paused
    ) public {
        _checkAddAigcDataMatchesEvolve(
            bound(parentOffset, 0, 2),
            stranger,
            metadataDigest,
            otherModel ? OTHER_MODEL : MODEL,
            bound(waitBack, 0, UPDATE_INTERVAL),
            paused
        );
    }

    struct UpdateCase {
        uint256 id;
        uint256 parent;
        bytes32 metadataDigest;
        bytes32 modelId;
        address sender;
    }

    struct Outcome {
        bool ok;
        bytes ret;
        uint256 count;
        bytes32 head;
        string uri;
    }

    function _checkAddAigcDataMatchesEvolve(
        uint256 parentOffset,
        bool stranger,
        bytes32 metadataDigest,
        bytes32 modelId,
        uint256 waitBack,
        bool paused
    ) internal {
        History memory h = _history(31 + _cases++, 1); // a fresh token per case
        vm.warp(block.timestamp + UPDATE_INTERVAL - waitBack);
        if (paused) TestPolicyGuard(address(guard)).setPaused(true);
        UpdateCase memory u =
            UpdateCase(h.id, 1 + parentOffset, metadataDigest, modelId, stranger ? collector : agent);

        uint256 snap = vm.snapshotState();
        Outcome memory e = _outcome(u, _evolveCall(u));
        vm.revertToState(snap);
        Outcome memory a = _outcome(u, _addAigcDataCall(u));
        assertEq(a.ok, e.ok, "same outcome");
        if (!e.ok) assertEq(a.ret, e.ret, "same revert");
        assertEq(a.count, e.count);
        assertEq(a.head, e.head);
        assertEq(a.uri, e.uri);
        assertEq(
            e.ok,
            !stranger && parentOffset == 0 && metadataDigest != 0 && modelId == MODEL && waitBack == 0
                && !paused
        );
        if (paused) TestPolicyGuard(address(guard)).setPaused(false);
    }

    /// @dev The manifest digest both paths record: `addAigcData` takes it as the prompt's raw CID.
    function _manifestDigest(UpdateCase memory u) internal pure returns (bytes32) {
        return sha(u.metadataDigest);
    }

    function _evolveCall(UpdateCase memory u) internal pure returns (bytes memory) {
        return abi.encodeCall(
            ProvenanceNFT.evolve, (u.id, u.parent, u.modelId, _manifestDigest(u), u.metadataDigest)
        );
    }

    function _addAigcDataCall(UpdateCase memory u) internal pure returns (bytes memory) {
        bytes memory proof = abi.encodePacked(u.modelId, u.parent);
        return abi.encodeCall(
            ProvenanceNFT.addAigcData, (u.id, rawCid(_manifestDigest(u)), rawCid(u.metadataDigest), proof)
        );
    }

    function _outcome(UpdateCase memory u, bytes memory data) internal returns (Outcome memory o) {
        vm.prank(u.sender);
        (o.ok, o.ret) = address(nft).call(data);
        (o.count, o.head) = nft.versionChain(u.id);
        o.uri = nft.tokenURI(u.id);
    }
}
