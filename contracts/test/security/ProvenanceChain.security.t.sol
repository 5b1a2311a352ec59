// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAigcVerifier} from "../../src/assets/IAigcVerifier.sol";
import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {ChainReference} from "../assets/ChainReference.sol";
import {ProvenanceFixture} from "../assets/ProvenanceFixture.sol";
import {TestPolicyGuard} from "../assets/TestPolicyGuard.sol";

/// @notice Test double: a groth16 verifier that accepts exactly one (token, version, commitment, kind
/// proof), so a test sees which bytes `verify` hands it as the kind proof.
contract ExactKindProofVerifier is IAigcVerifier {
    bytes32 public expected;

    function expect(uint256 tokenId, uint256 version, bytes32 commitment, bytes calldata kindProof) external {
        expected = keccak256(abi.encode(tokenId, version, commitment, kindProof));
    }

    function verifyAigc(
        uint256 tokenId,
        uint256 version,
        bytes32 commitment,
        bytes calldata,
        bytes calldata proof
    ) external view returns (bool) {
        return keccak256(abi.encode(tokenId, version, commitment, proof)) == expected;
    }
}

/// @notice Adversarial review of the hash-chain version history (ProvenanceNFT, commit c0d7583): ERC-7007
/// `verify` must never accept a commitment the agent did not record at that version, `evolve` must not
/// fork or rewrite the history, the 2^32 version limit must hold, and `addAigcData` must enforce
/// everything `evolve` does. Each test pins the safe behaviour (no bug was found in this contract).
contract ProvenanceChainSecurityTest is ProvenanceFixture {
    uint8 internal constant REPLAY = 1;
    uint8 internal constant GROTH16 = 2;
    uint256 private _cases;

    // ------------------------------------------------------------------ helpers

    function _head(uint8 kind, uint256 id, uint256 version) internal pure returns (bytes memory) {
        return abi.encodePacked(kind, id, version);
    }

    /// @dev Mints a token from `seed` and evolves it `n` times; returns the id and its full chain.
    function _history(uint256 seed, uint256 n) internal returns (uint256 id, bytes32[] memory chain) {
        chain = new bytes32[](n + 1);
        chain[0] = keccak256(abi.encode("genesis", seed));
        id = mintAs(
            agent, chain[0], keccak256(abi.encode("intent", seed)), keccak256(abi.encode("md", seed, 0))
        );
        for (uint256 v = 1; v <= n; ++v) {
            chain[v] = keccak256(abi.encode("version", seed, v));
            vm.warp(block.timestamp + UPDATE_INTERVAL);
            evolveAs(agent, id, v - 1, chain[v], keccak256(abi.encode("md", seed, v)));
        }
    }

    function _replayProof(uint256 id, bytes32[] memory chain, uint256 version)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encodePacked(_head(REPLAY, id, version), ChainReference.proofFor(chain, version));
    }

    /// @dev The storage slot of `_chain[id]`, found by its content after at least one update (so the test
    /// does not hard-code the layout).
    function _chainSlot(uint256 id, bytes32[] memory chain) internal view returns (bytes32) {
        uint256 word = ((chain.length - 1) << 224) | uint256(ChainReference.head(chain));
        for (uint256 base; base < 64; ++base) {
            bytes32 slot = keccak256(abi.encode(id, base));
            if (uint256(vm.load(address(nft), slot)) == word) return slot;
        }
        revert("chain slot not found");
    }

    // ------------------------------------------------------------------ verify: forgery attempts

    /// @notice Every recorded (version, commitment) verifies with its honest proof; the same commitment
    /// claimed at any other version does not, even with an honest-looking proof for that version.
    function test_verify_versionBinding() public {
        _checkVersionBinding(1, 4);
    }

    function testFuzz_verify_versionBinding(uint256 seed, uint8 n) public {
        _checkVersionBinding(seed, bound(n, 1, 6));
    }

    function _checkVersionBinding(uint256 seed, uint256 n) internal {
        (uint256 id, bytes32[] memory chain) = _history(seed, n);
        for (uint256 v; v <= n; ++v) {
            assertTrue(nft.verify(abi.encodePacked(chain[v]), "", _replayProof(id, chain, v)), "honest proof");
            for (uint256 k; k <= n; ++k) {
                if (k == v) continue;
                assertFalse(
                    nft.verify(abi.encodePacked(chain[k]), "", _replayProof(id, chain, v)),
                    "commitment of another version"
                );
            }
        }
    }

    /// @notice A commitment never recorded fails for every version and every attacker-chosen chain proof
    /// (parent head and later commitments free), including proofs longer or shorter than the layout.
    function test_verify_neverRecordedCommitment() public {
        (uint256 id, bytes32[] memory chain) = _history(7, 3);
        bytes32 forged = keccak256("never recorded");
        for (uint256 v; v <= 3; ++v) {
            bytes memory honest = ChainReference.proofFor(chain, v);
            assertFalse(
                nft.verify(abi.encodePacked(forged), "", abi.encodePacked(_head(REPLAY, id, v), honest))
            );
        }
        // Parent head = the real head: h_latest = link(h_latest, forged) would need a keccak preimage.
        assertFalse(
            nft.verify(
                abi.encodePacked(forged),
                "",
                abi.encodePacked(_head(REPLAY, id, 3), ChainReference.head(chain))
            )
        );
    }

    function testFuzz_verify_neverRecordedCommitment(
        uint256 seed,
        uint8 n,
        uint256 version,
        bytes32 forged,
        bytes32 parentHead,
        bytes32[4] memory later
    ) public {
        n = uint8(bound(n, 0, 4));
        (uint256 id, bytes32[] memory chain) = _history(seed, n);
        for (uint256 i; i <= n; ++i) {
            vm.assume(forged != chain[i]);
        }
        version = bound(version, 0, n + 1); // n + 1 does not exist
        bytes memory proof = abi.encodePacked(_head(REPLAY, id, version), parentHead);
        for (uint256 i; i < 4; ++i) {
            assertFalse(nft.verify(abi.encodePacked(forged), "", proof), "forged commitment");
            proof = abi.encodePacked(proof, later[i]); // every chain-proof length 1 ... 5 words
        }
        assertFalse(nft.verify(abi.encodePacked(forged), "", proof));
    }

    /// @notice A chain proof one word short fails (the layout is fixed by the stored latest version); one
    /// word too long reads the extra word as the kind proof, which `replay` ignores (pinned: trailing
    /// bytes after a valid replay proof are accepted, they carry no meaning).
    function test_verify_chainProofLength() public {
        (uint256 id, bytes32[] memory chain) = _history(3, 3);
        bytes memory c1 = abi.encodePacked(chain[1]);
        bytes memory honest = _replayProof(id, chain, 1); // 65 + 3 words
        assertTrue(nft.verify(c1, "", honest));
        bytes memory short = new bytes(honest.length - 32);
        for (uint256 i; i < short.length; ++i) {
            short[i] = honest[i];
        }
        assertFalse(nft.verify(c1, "", short), "one word short");
        assertFalse(
            nft.verify(c1, "", abi.encodePacked(honest, bytes32("trailing"))),
            "replay takes no trailing bytes"
        );
        // The same bytes as a (shorter) proof for version 2: the words no longer line up.
        assertFalse(
            nft.verify(c1, "", abi.encodePacked(_head(REPLAY, id, 2), ChainReference.proofFor(chain, 1)))
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
        (uint256 id, bytes32[] memory chain) = _history(11, 2);
        bytes memory words = abi.encodePacked(ChainReference.head(chain), chain[2], chain[1], chain[0]);
        for (uint256 k; k <= 2; ++k) {
            assertFalse(
                nft.verify(
                    abi.encodePacked(chain[k]), "", abi.encodePacked(_head(REPLAY, id, version), words)
                )
            );
        }
    }

    /// @notice Version 0 is checked against the token id alone; its replay proof is the 65-byte head, and
    /// extra bytes (e.g. a later head given as "chain proof") make it fail, never another commitment pass.
    function test_verify_versionZeroExtraBytes() public {
        (uint256 id, bytes32[] memory chain) = _history(5, 2);
        bytes memory extra = abi.encodePacked(chain[1], chain[2], ChainReference.head(chain));
        assertTrue(nft.verify(abi.encodePacked(chain[0]), "", _head(REPLAY, id, 0)));
        // A replay proof takes no trailing bytes: version 0's proof is the 65-byte head alone.
        assertFalse(nft.verify(abi.encodePacked(chain[0]), "", abi.encodePacked(_head(REPLAY, id, 0), extra)));
        for (uint256 k = 1; k <= 2; ++k) {
            assertFalse(
                nft.verify(abi.encodePacked(chain[k]), "", abi.encodePacked(_head(REPLAY, id, 0), extra))
            );
        }
        // The stored head read as a 32-byte prompt is not a commitment of any version.
        for (uint256 v; v <= 2; ++v) {
            assertFalse(
                nft.verify(abi.encodePacked(ChainReference.head(chain)), "", _replayProof(id, chain, v)),
                "head as prompt"
            );
        }
    }

    /// @notice h_0 is the full 256-bit token id, later heads are masked to 224 bits: the version-1 proof
    /// needs the unmasked token id as parent head; the masked one (or the id with a flipped top bit) fails.
    function test_verify_genesisHeadIsUnmasked() public {
        (uint256 id, bytes32[] memory chain) = _history(13, 1);
        assertTrue(id >> 224 != 0, "the fixed seed's id has top bits set");
        bytes memory c1 = abi.encodePacked(chain[1]);
        assertTrue(nft.verify(c1, "", abi.encodePacked(_head(REPLAY, id, 1), bytes32(id))));
        assertFalse(
            nft.verify(c1, "", abi.encodePacked(_head(REPLAY, id, 1), bytes32(id & ((1 << 224) - 1))))
        );
        assertFalse(nft.verify(c1, "", abi.encodePacked(_head(REPLAY, id, 1), bytes32(id ^ (1 << 255)))));
        (, bytes32 head) = nft.versionChain(id);
        assertEq(uint256(head) >> 224, 0, "stored heads are masked");
    }

    /// @notice A 32-byte prompt is taken as the commitment itself: it passes only when it IS the recorded
    /// commitment; a 32-byte manifest whose keccak is recorded cannot be verified by its bytes (pinned:
    /// only the commitment form works for 32-byte manifests; canonical manifests are far longer).
    function test_verify_thirtyTwoBytePrompt() public {
        bytes memory m32 = abi.encodePacked(keccak256("a manifest of exactly 32 bytes"));
        bytes32 c0 = keccak256(m32);
        uint256 id = mintAs(agent, c0, keccak256("i32"), HELLO_DIGEST);
        bytes memory proof = _head(REPLAY, id, 0);
        assertTrue(nft.verify(abi.encodePacked(c0), "", proof), "commitment form");
        assertFalse(nft.verify(m32, "", proof), "32-byte manifest bytes read as a commitment");
    }

    function testFuzz_verify_thirtyTwoBytePrompt(bytes32 prompt) public {
        (uint256 id, bytes32[] memory chain) = _history(17, 2);
        for (uint256 v; v <= 2; ++v) {
            assertEq(nft.verify(abi.encodePacked(prompt), "", _replayProof(id, chain, v)), prompt == chain[v]);
        }
    }

    /// @notice The groth16 kind proof is exactly the bytes after the chain proof, at every version, and
    /// a superseded version's aigcData never passes `replay`.
    function test_verify_kindProofStart() public {
        _checkKindProofStart(4, 1, hex"c0ffee");
    }

    function testFuzz_verify_kindProofStart(uint8 n, uint256 version, bytes memory kindProof) public {
        n = uint8(bound(n, 0, 5));
        _checkKindProofStart(n, bound(version, 0, n), kindProof);
    }

    function _checkKindProofStart(uint256 n, uint256 version, bytes memory kindProof) internal {
        (uint256 id, bytes32[] memory chain) = _history(19, n);
        ExactKindProofVerifier verifier = new ExactKindProofVerifier();
        vm.prank(timelock);
        nft.setAigcVerifier(verifier);
        verifier.expect(id, version, chain[version], kindProof);
        bytes memory proof =
            abi.encodePacked(_head(GROTH16, id, version), ChainReference.proofFor(chain, version), kindProof);
        assertTrue(nft.verify(abi.encodePacked(chain[version]), "", proof), "kind proof handed over exactly");
        assertFalse(
            nft.verify(abi.encodePacked(chain[version]), "", abi.encodePacked(proof, uint8(0))),
            "one byte more"
        );
        bytes memory cid = rawCid(keccak256(abi.encode("md", uint256(19), version)));
        assertEq(
            nft.verify(abi.encodePacked(chain[version]), cid, _replayProof(id, chain, version)),
            version == n,
            "aigcData only for the latest version"
        );
    }

    /// @notice Verifying version v costs one keccak per later version (the chain proof carries
    /// `1 + latest - v` words): an old version of a long-lived token is linear in its age. A proof shorter
    /// than the layout is refused before any hashing. Figures for latest = 300 printed with -vv.
    function test_verify_oldVersionCostIsLinear() public {
        (uint256 id, bytes32[] memory chain) = _history(37, 300);
        bytes memory oldest = _replayProof(id, chain, 1);
        bytes memory newest = _replayProof(id, chain, 300);
        uint256 g0 = gasleft();
        assertTrue(nft.verify(abi.encodePacked(chain[1]), "", oldest));
        uint256 gOld = g0 - gasleft();
        g0 = gasleft();
        assertTrue(nft.verify(abi.encodePacked(chain[300]), "", newest));
        uint256 gNew = g0 - gasleft();
        g0 = gasleft();
        assertFalse(nft.verify(abi.encodePacked(chain[1]), "", newest)); // 1 word for a 300-word layout
        uint256 gShort = g0 - gasleft();
        // Relative figures: the history was built in this test, so the NFT's account and slots are warm here
        // (a fresh call costs ~4,700 more); the test compares them, the README quotes none.
        emit log_named_uint("verify v1 of 301 versions (gas, warm, as the caller measures it)", gOld);
        emit log_named_uint("verify v300 of 301 versions (gas)", gNew);
        emit log_named_uint("short proof refused (gas)", gShort);
        assertLt(gShort, gNew + 1000, "a short proof is refused before hashing");
        assertGt(gOld, gNew + 299 * 36, "one keccak per later version");
    }

    /// @notice A groth16 verifier address without code (or one returning malformed data) makes `verify`
    /// return false, not revert (a try/catch could not catch this; `_verifyGroth16` uses a low-level call).
    function test_verify_groth16_verifierWithoutCode_returnsFalse() public {
        (uint256 id, bytes32[] memory chain) = _history(41, 0);
        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(makeAddr("no code")));
        bytes memory proof = abi.encodePacked(_head(GROTH16, id, 0), hex"01");
        (bool ok, bytes memory ret) =
            address(nft).staticcall(abi.encodeCall(nft.verify, (abi.encodePacked(chain[0]), "", proof)));
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
        (uint256 id, bytes32[] memory chain) = _history(seed, n);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, n + 1);
        assertEq(head, ChainReference.head(chain));
        assertEq(nft.chainHead(chain), head);
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        if (parent != n) {
            vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionConflict.selector, id, parent, n));
            evolveAs(agent, id, parent, keccak256("fork"), keccak256("fork md"));
            (uint256 countAfter, bytes32 headAfter) = nft.versionChain(id);
            assertEq(countAfter, count);
            assertEq(headAfter, head);
        } else {
            assertEq(evolveAs(agent, id, parent, keccak256("next"), keccak256("next md")), n + 1);
        }
    }

    // ------------------------------------------------------------------ the 2^32 version limit

    /// @notice The last version a chain word can hold is 2^32 - 1; the update after it reverts
    /// `VersionLimitReached` (through `evolve` and `addAigcData`), nothing wraps into the head bits, and
    /// the last version still verifies.
    function test_versionLimit() public {
        (uint256 id, bytes32[] memory chain) = _history(29, 1);
        bytes32 slot = _chainSlot(id, chain);
        uint256 last = type(uint32).max;
        bytes32 parentHead = keccak256("h_{2^32-2}") & bytes32((uint256(1) << 224) - 1);
        vm.store(address(nft), slot, bytes32(((last - 1) << 224) | uint256(parentHead)));
        vm.warp(block.timestamp + UPDATE_INTERVAL);
        bytes32 cLast = keccak256("last version");
        assertEq(evolveAs(agent, id, last - 1, cLast, keccak256("md last")), last);
        (uint256 count, bytes32 head) = nft.versionChain(id);
        assertEq(count, uint256(1) << 32);
        assertEq(head, bytes32(uint256(keccak256(abi.encode(parentHead, cLast))) & ((1 << 224) - 1)));
        assertTrue(
            nft.verify(abi.encodePacked(cLast), "", abi.encodePacked(_head(REPLAY, id, last), parentHead))
        );

        vm.warp(block.timestamp + UPDATE_INTERVAL);
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionLimitReached.selector, id, last));
        evolveAs(agent, id, last, keccak256("one too many"), keccak256("md"));
        vm.expectRevert(abi.encodeWithSelector(ProvenanceNFT.VersionLimitReached.selector, id, last));
        vm.prank(agent);
        nft.addAigcData(
            id,
            abi.encodePacked(keccak256("one too many")),
            rawCid(HELLO_DIGEST),
            abi.encodePacked(MODEL, last, sha(keccak256("one too many")))
        );
        (uint256 countAfter, bytes32 headAfter) = nft.versionChain(id);
        assertEq(countAfter, count);
        assertEq(headAfter, head);
    }

    // ------------------------------------------------------------------ addAigcData == evolve

    /// @notice `addAigcData` and `evolve` with the same inputs end in the same state or the same revert,
    /// over agent / non-agent, stale parents, zero commitments, unapproved models, the rate limit and pause.
    function test_addAigcData_enforcesEvolve() public {
        _checkAddAigcDataMatchesEvolve(0, false, keccak256("c"), MODEL, 0, false);
        _checkAddAigcDataMatchesEvolve(0, true, keccak256("c"), MODEL, 0, false); // not the agent
        _checkAddAigcDataMatchesEvolve(1, false, keccak256("c"), MODEL, 0, false); // parent is not the latest
        _checkAddAigcDataMatchesEvolve(0, false, bytes32(0), MODEL, 0, false); // zero commitment
        _checkAddAigcDataMatchesEvolve(0, false, keccak256("c"), OTHER_MODEL, 0, false); // unapproved
        _checkAddAigcDataMatchesEvolve(0, false, keccak256("c"), MODEL, 1, false); // rate-limited
        _checkAddAigcDataMatchesEvolve(0, false, keccak256("c"), MODEL, 0, true); // paused
    }

    function testFuzz_addAigcData_enforcesEvolve(
        uint8 parentOffset,
        bool stranger,
        bytes32 commitment,
        bool otherModel,
        uint256 waitBack,
        bool paused
    ) public {
        _checkAddAigcDataMatchesEvolve(
            bound(parentOffset, 0, 2),
            stranger,
            commitment,
            otherModel ? OTHER_MODEL : MODEL,
            bound(waitBack, 0, UPDATE_INTERVAL),
            paused
        );
    }

    struct UpdateCase {
        uint256 id;
        uint256 parent;
        bytes32 commitment;
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
        bytes32 commitment,
        bytes32 modelId,
        uint256 waitBack,
        bool paused
    ) internal {
        (uint256 id,) = _history(31 + _cases++, 1); // a fresh token per case
        vm.warp(block.timestamp + UPDATE_INTERVAL - waitBack);
        if (paused) TestPolicyGuard(address(guard)).setPaused(true);
        UpdateCase memory u =
            UpdateCase(id, 1 + parentOffset, commitment, modelId, stranger ? collector : agent);

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
            !stranger && parentOffset == 0 && commitment != 0 && modelId == MODEL && waitBack == 0 && !paused
        );
        if (paused) TestPolicyGuard(address(guard)).setPaused(false);
    }

    function _evolveCall(UpdateCase memory u) internal pure returns (bytes memory) {
        return abi.encodeCall(
            ProvenanceNFT.evolve, (u.id, u.parent, u.modelId, u.commitment, sha(u.commitment), HELLO_DIGEST)
        );
    }

    function _addAigcDataCall(UpdateCase memory u) internal pure returns (bytes memory) {
        bytes memory proof = abi.encodePacked(u.modelId, u.parent, sha(u.commitment));
        return abi.encodeCall(
            ProvenanceNFT.addAigcData, (u.id, abi.encodePacked(u.commitment), rawCid(HELLO_DIGEST), proof)
        );
    }

    function _outcome(UpdateCase memory u, bytes memory data) internal returns (Outcome memory o) {
        vm.prank(u.sender);
        (o.ok, o.ret) = address(nft).call(data);
        (o.count, o.head) = nft.versionChain(u.id);
        o.uri = nft.tokenURI(u.id);
    }
}
