// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {ChainReference} from "./ChainReference.sol";
import {RealGuardFixture} from "./RealGuardFixture.sol";
import {Test, Vm} from "forge-std/Test.sol";

/// @notice Drives the NFT as an agent (and strangers) would: mints with fresh metadata, duplicate
/// metadata (an existing token id) and fresh metadata under a reused intent key (allowed: the key is
/// only logged), updates with current and stale parents, transfers and time. Keeps ghost copies of
/// every version chain (as appended, and as read back from the emitted `Minted`/`Evolved` logs: the
/// token id, then each `Evolved` metadata digest) and flags any refusal that should have been a
/// success or vice versa, and any head that did not extend.
contract ProvenanceHandler is Test {
    ProvenanceNFT internal immutable _nft;
    PolicyGuard internal immutable _guard;
    address internal immutable _agent;
    bytes32 internal immutable _model;

    uint256[] public tokens;
    mapping(uint256 tokenId => bytes32[]) internal _chains;
    mapping(uint256 tokenId => bytes32[]) internal _emitted; // commitments read from the logs
    mapping(uint256 tokenId => bytes32) public lastMetadata;
    bytes32[] internal _intents;
    uint256 public ghostMinted;
    uint256 public violations;
    uint256 internal _nonce;

    constructor(ProvenanceNFT nft, PolicyGuard guard, address agent, bytes32 model) {
        _nft = nft;
        _guard = guard;
        _agent = agent;
        _model = model;
    }

    function mint(uint256 seed, uint8 mode) external {
        ++_nonce;
        bytes32 commitment = keccak256(abi.encode("c", seed, _nonce)); // the genesis metadata digest
        bytes32 intentKey = keccak256(abi.encode("k", seed, _nonce));
        bool expectDuplicate = mode % 4 == 1 && tokens.length != 0;
        bool reuseIntent = mode % 4 == 2 && _intents.length != 0;
        if (expectDuplicate) commitment = bytes32(tokens[seed % tokens.length]);
        if (reuseIntent) intentKey = _intents[seed % _intents.length];
        address sender = mode % 4 == 3 ? address(uint160(seed | 1)) : _agent;
        if (sender == _agent && mode % 4 == 3) sender = address(0xdead);

        bytes32 manifestDigest = keccak256(abi.encode("sha256", commitment));
        vm.prank(sender);
        try _nft.mint(address(this), _model, commitment, intentKey, manifestDigest) returns (uint256 id) {
            if (expectDuplicate || sender != _agent || id != uint256(commitment)) ++violations;
            tokens.push(id);
            _chains[id].push(commitment);
            _emitted[id].push(bytes32(id)); // the genesis commitment is the token id
            lastMetadata[id] = commitment; // version 0's metadata digest is the token id
            _intents.push(intentKey);
            ++ghostMinted;
        } catch {
            // Refused: fine only if a rule says so.
            (uint256 epochLeft, uint256 lifetimeLeft,) = _guard.remaining(address(_nft), PolicyActions.MINT);
            bool capped = epochLeft == 0 || lifetimeLeft == 0;
            if (!(expectDuplicate || sender != _agent || capped)) ++violations;
        }
    }

    function evolve(uint256 seed, bool stale) external {
        if (tokens.length == 0) return;
        uint256 id = tokens[seed % tokens.length];
        bytes32[] storage chain = _chains[id];
        uint256 parent = chain.length - 1;
        if (stale && parent == 0) stale = false;
        bytes32 commitment = keccak256(abi.encode("u", seed, ++_nonce)); // the new metadata digest
        (uint256 before, bytes32 headBefore) = _nft.versionChain(id);
        bytes32 manifestDigest = keccak256(abi.encode("sha256", commitment));
        vm.recordLogs();
        vm.prank(_agent);
        try _nft.evolve(id, stale ? parent - 1 : parent, _model, manifestDigest, commitment) returns (
            uint256 version
        ) {
            if (stale || version != parent + 1) ++violations;
            chain.push(commitment);
            lastMetadata[id] = commitment;
            _recordEmitted(id, version);
            // The head extends by exactly the new commitment.
            bytes32[] memory step = new bytes32[](2);
            step[0] = headBefore;
            step[1] = commitment;
            (uint256 after_, bytes32 headAfter) = _nft.versionChain(id);
            if (after_ != before + 1 || headAfter != ChainReference.head(step)) ++violations;
        } catch {
            // Stale parents and the per-token rate limit are the only reasons to refuse; a refusal
            // leaves the chain as it was.
            (uint256 after_, bytes32 headAfter) = _nft.versionChain(id);
            if (after_ != before || headAfter != headBefore) ++violations;
        }
    }

    /// @dev Appends the commitment of the `Evolved` log just emitted for (`id`, `version`).
    function _recordEmitted(uint256 id, uint256 version) internal {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        bytes32 topic = keccak256("Evolved(uint256,uint256,bytes32,bytes32,bytes32)");
        uint256 found;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter != address(_nft) || logs[i].topics[0] != topic) continue;
            if (uint256(logs[i].topics[1]) != id || uint256(logs[i].topics[2]) != version) ++violations;
            _emitted[id].push(logs[i].topics[3]);
            ++found;
        }
        if (found != 1) ++violations;
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 1, 1 days));
    }

    function transfer(uint256 seed, address to) external {
        if (tokens.length == 0 || to == address(0) || to.code.length != 0) return;
        uint256 id = tokens[seed % tokens.length];
        address owner = _nft.ownerOf(id);
        vm.prank(owner);
        _nft.transferFrom(owner, to, id);
    }

    function tokenCount() external view returns (uint256) {
        return tokens.length;
    }

    /// @notice How many tokens are at exactly version 1 now (the head implied by the token id).
    function tokensAtVersionOne() external view returns (uint256 n) {
        for (uint256 t; t < tokens.length; ++t) {
            if (_chains[tokens[t]].length == 2) ++n;
        }
    }

    function chainOf(uint256 id) external view returns (bytes32[] memory) {
        return _chains[id];
    }

    function emittedOf(uint256 id) external view returns (bytes32[] memory) {
        return _emitted[id];
    }
}

/// @notice Invariants of ProvenanceNFT behind the product's PolicyGuard (epoch cap 5, lifetime cap 12).
contract ProvenanceNFTInvariantTest is RealGuardFixture {
    ProvenanceHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new ProvenanceHandler(nft, guard, agent, MODEL);
        targetContract(address(handler));
    }

    /// @notice Every successful mint exists, was counted by the guard, and the count never exceeds the
    /// guard's cap.
    function invariant_totalMintedWithinGuardCap() public view {
        uint256 held;
        uint256 n = handler.tokenCount();
        for (uint256 t; t < n; ++t) {
            if (nft.ownerOf(handler.tokens(t)) != address(0)) ++held;
        }
        assertEq(held, handler.ghostMinted());
        assertLe(handler.ghostMinted(), LIFETIME_CAP);
        (, uint256 lifetimeLeft,) = guard.remaining(address(nft), PolicyActions.MINT);
        assertEq(handler.ghostMinted(), LIFETIME_CAP - lifetimeLeft);
    }

    /// @notice The history is append-only: the version count is what was appended, the commitments
    /// read back from the emitted logs are exactly the appended ones, and recomputing the chain from them
    /// gives the stored head (so no past version was rewritten or dropped), for every token at every
    /// version, including version 1 (whose head is implied, not stored); `latestVersion` and `tokenURI`
    /// name the last metadata (the token id at version 0).
    function invariant_versionHistoryIsAppendOnly() public view {
        uint256 n = handler.tokenCount();
        for (uint256 t; t < n; ++t) {
            uint256 id = handler.tokens(t);
            bytes32[] memory chain = handler.chainOf(id);
            bytes32[] memory emitted = handler.emittedOf(id);
            assertEq(nft.versionCount(id), chain.length);
            assertEq(emitted.length, chain.length);
            for (uint256 v; v < chain.length; ++v) {
                assertEq(emitted[v], chain[v]);
            }
            (uint256 count, bytes32 head) = nft.versionChain(id);
            assertEq(count, chain.length);
            assertEq(head, ChainReference.head(emitted));
            assertEq(nft.chainHead(emitted), head);
            if (chain.length == 2) {
                // Version 1: no chain word; the head is link(token id, c_1).
                assertEq(
                    head, bytes32(uint256(keccak256(abi.encode(bytes32(id), emitted[1]))) & ((1 << 224) - 1))
                );
            }
            (uint256 latest, bytes32 md) = nft.latestVersion(id);
            assertEq(latest, chain.length - 1);
            assertEq(md, handler.lastMetadata(id));
            assertEq(md, emitted[emitted.length - 1]);
            assertEq(nft.metadataCidOf(id), abi.encodePacked(hex"01551220", md));
        }
    }

    /// @notice No refusal was missing and no success was wrong (duplicate manifests, strangers,
    /// stale parents, shrinking version counts).
    function invariant_noRuleViolations() public view {
        assertEq(handler.violations(), 0);
    }

    /// @notice Concrete twin of the invariants: a fixed sequence that leaves tokens at versions 0, 1
    /// and 2, a duplicate, a stranger, a stale parent and a rate-limited update, then checks them all.
    function test_invariants_concreteSequence() public {
        handler.mint(1, 0);
        handler.mint(2, 0);
        handler.mint(3, 0);
        handler.mint(4, 1); // duplicate of an existing token id: refused
        handler.mint(5, 3); // a stranger: refused
        handler.mint(6, 2); // reused intent key: allowed
        handler.warp(1 hours);
        handler.evolve(0, false); // token 0 -> version 1
        handler.evolve(1, false); // token 1 -> version 1
        handler.evolve(1, false); // rate-limited in this epoch: refused, chain unchanged
        handler.warp(1 hours);
        handler.evolve(1, true); // stale parent: refused
        handler.evolve(1, false); // token 1 -> version 2
        assertEq(handler.tokenCount(), 4);
        assertEq(handler.tokensAtVersionOne(), 1);
        assertEq(nft.versionCount(handler.tokens(1)), 3);
        invariant_totalMintedWithinGuardCap();
        invariant_versionHistoryIsAppendOnly();
        invariant_noRuleViolations();
    }
}
