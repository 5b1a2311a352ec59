// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "../models/IModelRegistry.sol";
import {IPolicyGuard, PolicyActions} from "../policy/IPolicyGuard.sol";
import {ByteSearch} from "./ByteSearch.sol";
import {CidV1} from "./CidV1.sol";
import {IAigcVerifier} from "./IAigcVerifier.sol";
import {IERC7007} from "./IERC7007.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title ProvenanceNFT
/// @notice AI-generated artworks with verifiable provenance: ERC-721 + ERC-7007 (verifiable AIGC) +
/// ERC-4906 (metadata updates) + ERC-2981 (royalties).
///
/// What a version commits to. Each version `n` of a token has one 32-byte commitment `c_n`: the sha2-256
/// digest of its metadata JSON, i.e. the digest of the metadata's raw CIDv1 (`tokenURI` is
/// `ipfs://` + that CID). The metadata names its provenance manifest by CID (the canonical-JSON member
/// `"provenance":"ipfs://<manifest CID>"`), and the manifest names the model (weights hash), the oracle
/// rounds, the seed, the image CID and the parent version. So `c_n` binds the whole record by content,
/// the way a git commit id binds its tree: change one byte of the manifest and its CID changes, so the
/// metadata naming it changes, so its digest is no longer `c_n`. The manifest cannot name the metadata's
/// CID in turn (that would be a hash cycle): the metadata is derived from the manifest, after it.
///
/// The token id is the genesis commitment: `tokenId = uint256(c_0)`. Nothing else is stored at mint:
/// `tokenURI` of a never-updated token is computed from its id. This is what keeps a guarded mint to a
/// first-time holder under 105,000 gas: a stored metadata digest per token was a fresh slot (22,100 gas).
///
/// Version history as a hash chain. Each `evolve` appends version `n` with commitment `c_n` (its parent
/// is version `n - 1`). The chain keeps one word per token: the latest version index `n` (top 32 bits)
/// and the chain head `h_n` (low 224 bits), where `h_0 = c_0 = bytes32(tokenId)` (implicit: nothing is
/// stored at mint) and `h_n = keccak256(abi.encode(h_{n-1}, c_n))` with its top 32 bits cleared; the
/// latest `c_n` is stored beside it for `tokenURI`. An update rewrites both words (non-zero to non-zero,
/// 5,000 gas each) instead of filling a fresh slot per version (the first update fills the latest
/// commitment's slot, version 1's head being implied by it; the second fills the chain word). Every past
/// version stays verifiable: each `Evolved` log carries its version's commitment, anyone recomputes the
/// chain from the logs (`chainHead`) and compares it with `versionChain`; on-chain, ERC-7007 `verify`
/// checks version `v` against the head from the parent head and the later commitments given in the proof.
/// The head is truncated to 224 bits so the version index fits in the same slot: forging a different
/// history with the same head needs a keccak second preimage on 224 bits (2^224 work), and even the
/// agent, the only writer, would need a collision (2^112), the SHA-224 security level. What is given up:
/// `versionAt(tokenId, index)` (a past commitment is not readable from storage, only checkable against
/// the head). The model id, manifest digest and intent key are emitted in `Minted` / `Evolved`, not
/// stored; each mint and update names the model that rendered that version, the guard checks it is
/// allowed at that moment, the log records it, and the manifest names it (and the hash of its weights)
/// for `provenant verify`.
///
/// ERC-7007's `AigcData` is emitted by `addAigcData` (the standard's entry point). `mint` and `evolve`
/// emit `Minted` / `Evolved` instead: they carry everything `AigcData` would (whose prompt and aigcData
/// are indexed, i.e. only hashed); emitting both would cost ~4,200 gas more per mint (measured).
///
/// CIDs cross the ABI as their 32-byte sha2-256 digests and are always CIDv1 `raw` (codec 0x55):
/// CID bytes = `0x01 0x55 0x12 0x20 ‖ digest`, text = `b` + base32 of those bytes (`bafkrei…`), which is
/// what `ipfs add --cid-version 1` gives any file that fits one block (manifests and metadata JSON do).
///
/// Invariants:
/// - Only the guard's agent creates or changes provenance, and only through `_mintWithProvenance` and
///   `_evolve`, which each call `guard.consume` first; so every mint counts against the guard's caps
///   and every update against its per-token rate limit, and nothing happens while the guard is paused.
/// - A genesis commitment is minted at most once (it is the token id): a restarted agent that resends a
///   mint cannot double-mint. The contract never sees the metadata, so it cannot refuse a second metadata
///   naming an already minted manifest: the agent derives the metadata from the manifest
///   deterministically (same manifest, same metadata, same token id, `DuplicateContent`), and `provenant
///   verify` fails any other metadata (`metadata-bytes`). The agent's manifest names its intent key
///   (`nonce`), and its journal records the intent and its manifest before sending, so a restart resumes
///   that manifest instead of re-rendering. The intent key is not stored; it is indexed in `Minted`, so
///   two tokens of one intent are visible in the logs.
/// - A token's version count only grows by one per update and its head only ever extends: after `n`
///   updates the stored head equals `chainHead` over the `n + 1` commitments in the order they were
///   emitted, so no past version can be rewritten or dropped without changing the head. `tokenURI`
///   always names the metadata of the latest version.
/// - The mint fee never exceeds the immutable `maxMintFee`; the default royalty never exceeds
///   `MAX_ROYALTY_BPS`. Only the owner (the governance timelock) changes fee, royalty or verifier.
contract ProvenanceNFT is ERC721, ERC2981, Ownable2Step, IERC7007, IERC4906 {
    using SafeERC20 for IERC20;

    // ---------------------------------------------------------------- types

    /// @dev Mint fee and where it goes, one slot read by every mint.
    struct FeeRoute {
        IModelRegistry registry;
        uint96 fee; // in `_feeToken` units; 0 = no fee
    }

    // ---------------------------------------------------------------- constants

    /// @notice Proof kind `replay`: the on-chain check is commitment equality; re-execution of the
    /// model happens off-chain (`provenant verify`).
    uint8 public constant PROOF_REPLAY = 1;
    /// @notice Proof kind `groth16`: checked by the governed `aigcVerifier`; false while it is unset.
    uint8 public constant PROOF_GROTH16 = 2;
    /// @notice Hard ceiling on the default royalty (10 %).
    uint96 public constant MAX_ROYALTY_BPS = 1000;
    /// @notice ERC-4906 interface id.
    bytes4 private constant _ERC4906_INTERFACE_ID = 0x49064906;
    /// @dev The version index sits in the top 32 bits of a chain word, the head in the low 224 bits.
    uint256 private constant _VERSION_SHIFT = 224;
    uint256 private constant _HEAD_MASK = (1 << 224) - 1;

    // ---------------------------------------------------------------- state

    IPolicyGuard private immutable _guard;
    uint256 private immutable _maxMintFee;

    /// @dev The latest version's commitment (its metadata digest); 0 = never evolved (the token id).
    mapping(uint256 tokenId => bytes32) private _latestCommitment;
    /// @dev `latest version << 224 | head`; 0 = never evolved (version 0, head = the token id).
    mapping(uint256 tokenId => uint256) private _chain;
    FeeRoute private _feeRoute;
    IERC20 private _feeToken;
    IAigcVerifier private _aigcVerifier;

    // ---------------------------------------------------------------- events

    /// @notice Token `tokenId` was minted by the agent (recipient: the `Transfer` log), rendered by
    /// `modelId`, for the agent's intent `intentKey`. The token id is the sha2-256 digest of the genesis
    /// metadata (its raw CIDv1 digest); `manifestDigest` is the digest of the manifest that metadata names.
    event Minted(
        uint256 indexed tokenId, bytes32 indexed modelId, bytes32 indexed intentKey, bytes32 manifestDigest
    );
    /// @notice Version `version` (parent `version - 1`) was appended to `tokenId`. `metadataDigest` is the
    /// version's commitment (the sha2-256 digest of its metadata, what the chain head was extended with,
    /// see `chainHead`); `manifestDigest` is the digest of the manifest that metadata names.
    event Evolved(
        uint256 indexed tokenId,
        uint256 indexed version,
        bytes32 indexed metadataDigest,
        bytes32 modelId,
        bytes32 manifestDigest
    );
    /// @notice The mint fee route changed.
    event MintFeeSet(address indexed registry, address indexed token, uint256 fee);
    /// @notice The default royalty changed.
    event DefaultRoyaltySet(address indexed receiver, uint96 bps);
    /// @notice The groth16 verifier changed (zero = groth16 proofs are refused).
    event AigcVerifierSet(address indexed verifier);
    /// @notice A mint fee was paid to a model's revenue.
    event MintFeePaid(uint256 indexed tokenId, bytes32 indexed modelId, address indexed payer, uint256 fee);

    // ---------------------------------------------------------------- errors

    /// @notice The genesis metadata digest was already minted (it is an existing token id).
    error DuplicateContent(bytes32 metadataDigest);
    /// @notice A zero metadata digest, intent key or manifest digest was given; each must be a real hash.
    error ZeroKey(bytes32 metadataDigest, bytes32 intentKey, bytes32 manifestDigest);
    /// @notice `cid` is not a binary CIDv1 raw (36 bytes, `0x01551220` ‖ sha2-256 digest).
    error InvalidCid(bytes cid);
    /// @notice `evolve` named `parentGiven` as parent but the latest version of `tokenId` is `latest`.
    error VersionConflict(uint256 tokenId, uint256 parentGiven, uint256 latest);
    /// @notice `tokenId` already has the most versions a chain word can count (2^32).
    error VersionLimitReached(uint256 tokenId, uint256 latest);
    /// @notice `chainHead` needs at least the genesis commitment.
    error EmptyChain();
    /// @notice The requested mint fee exceeds the immutable ceiling.
    error MintFeeTooHigh(uint256 fee, uint256 maxFee);
    /// @notice A non-zero fee must be paid in the registry's fee token.
    error FeeTokenMismatch(address token, address feeToken);
    /// @notice A non-zero fee must go to the registry the guard approves models in.
    error FeeRegistryMismatch(address registry, address guardRegistry);
    /// @notice A non-zero fee needs both a registry and a fee token.
    error FeeRouteIncomplete(address registry, address token, uint256 fee);
    /// @notice The requested default royalty exceeds `MAX_ROYALTY_BPS`.
    error RoyaltyTooHigh(uint96 bps, uint96 maxBps);
    /// @notice An `addAigcData` proof that is not 64 bytes (modelId, parentVersion).
    error InvalidUpdateProof(uint256 length);
    /// @notice The guard address is zero.
    error ZeroGuard();

    // ---------------------------------------------------------------- constructor

    /// @param name_ ERC-721 name.
    /// @param symbol_ ERC-721 symbol.
    /// @param guard_ The PolicyGuard every mint and update passes through (immutable).
    /// @param admin The owner: the governance timelock (fee, royalty, verifier).
    /// @param royaltyReceiver Initial default royalty receiver (zero with `royaltyBps` 0 = none).
    /// @param royaltyBps Initial default royalty in basis points, at most `MAX_ROYALTY_BPS`.
    /// @param maxMintFee_ Immutable ceiling on the governed mint fee (0 = fees impossible).
    constructor(
        string memory name_,
        string memory symbol_,
        IPolicyGuard guard_,
        address admin,
        address royaltyReceiver,
        uint96 royaltyBps,
        uint256 maxMintFee_
    ) ERC721(name_, symbol_) Ownable(admin) {
        if (address(guard_) == address(0)) revert ZeroGuard();
        _guard = guard_;
        _maxMintFee = maxMintFee_;
        if (royaltyBps != 0 || royaltyReceiver != address(0)) _setRoyalty(royaltyReceiver, royaltyBps);
    }

    // ---------------------------------------------------------------- external: agent

    /// @notice Mints `tokenId = uint256(metadataDigest)` to `to`. Agent only (checked by the guard).
    /// @param to Recipient (plain `_mint`: no receiver callback).
    /// @param modelId The model that rendered the asset (checked by the guard: allowed).
    /// @param metadataDigest sha2-256 of the metadata JSON bytes (its raw CIDv1 digest): the token id.
    /// @param intentKey The agent's idempotency key for this intent (indexed in `Minted`, not stored).
    /// @param manifestDigest sha2-256 of the manifest the metadata names (its raw CIDv1 digest); emitted.
    /// @return tokenId The new token id.
    function mint(
        address to,
        bytes32 modelId,
        bytes32 metadataDigest,
        bytes32 intentKey,
        bytes32 manifestDigest
    ) external returns (uint256 tokenId) {
        return _mintWithProvenance(to, modelId, metadataDigest, intentKey, manifestDigest);
    }

    /// @notice Appends version `parentVersion + 1` to `tokenId`. Agent only (checked by the guard),
    /// rate-limited per token by the guard. `parentVersion` must be the latest version: a retried or
    /// stale update fails with `VersionConflict` instead of forking or repeating the history (this is
    /// the update's idempotency).
    /// @param tokenId The token.
    /// @param parentVersion The version this update derives from (must be the latest).
    /// @param modelId The model that rendered the new version (checked by the guard: allowed).
    /// @param manifestDigest sha2-256 of the new manifest (raw CIDv1 digest; it names its parent); emitted.
    /// @param metadataDigest sha2-256 of the new metadata JSON (raw CIDv1 digest): the version's
    /// commitment, stored (`tokenURI`) and linked into the chain head.
    /// @return version The new version index.
    function evolve(
        uint256 tokenId,
        uint256 parentVersion,
        bytes32 modelId,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    ) external returns (uint256 version) {
        return _evolve(tokenId, parentVersion, modelId, manifestDigest, metadataDigest);
    }

    /// @notice ERC-7007 entry point; the same update as `evolve` (agent only, guarded, rate-limited).
    /// @param tokenId The token.
    /// @param prompt The new canonical manifest bytes, or its binary raw CIDv1 (36 bytes).
    /// @param aigcData Binary raw CIDv1 of the new metadata JSON (36 bytes).
    /// @param proof `abi.encodePacked(bytes32 modelId, uint256 parentVersion)`.
    function addAigcData(
        uint256 tokenId,
        bytes calldata prompt,
        bytes calldata aigcData,
        bytes calldata proof
    ) external {
        if (proof.length != 64) revert InvalidUpdateProof(proof.length);
        if (!CidV1.isSha256(aigcData, CidV1.RAW)) revert InvalidCid(aigcData);
        _evolve(
            tokenId,
            uint256(bytes32(proof[32:64])),
            bytes32(proof[0:32]),
            _manifestDigestOfPrompt(prompt),
            CidV1.digest(aigcData)
        );
        emit AigcData(tokenId, prompt, aigcData, proof);
    }

    // ---------------------------------------------------------------- external: governance

    /// @notice Sets the mint fee (0 disables it) and where it goes: `registry.distribute(modelId, fee)`
    /// in `token`, pulled from the minting agent. Owner (timelock) only.
    function setMintFee(IModelRegistry registry, IERC20 token, uint256 fee) external onlyOwner {
        if (fee > _maxMintFee) revert MintFeeTooHigh(fee, _maxMintFee);
        if (fee != 0 && (address(registry) == address(0) || address(token) == address(0))) {
            revert FeeRouteIncomplete(address(registry), address(token), fee);
        }
        // The fee must reach the registry the guard approves models in, or an approved model's fees
        // would go to a registry that does not know it (the distribute call would revert every mint).
        if (fee != 0 && registry != _guard.modelRegistry()) {
            revert FeeRegistryMismatch(address(registry), address(_guard.modelRegistry()));
        }
        // `distribute` pulls the registry's fee token: another token would make every paid mint revert.
        if (fee != 0 && token != registry.FEE_TOKEN()) {
            revert FeeTokenMismatch(address(token), address(registry.FEE_TOKEN()));
        }
        _feeRoute = FeeRoute({registry: registry, fee: SafeCast.toUint96(fee)});
        _feeToken = token;
        emit MintFeeSet(address(registry), address(token), fee);
    }

    /// @notice Sets the default royalty (ERC-2981). Owner (timelock) only.
    function setDefaultRoyalty(address receiver, uint96 bps) external onlyOwner {
        _setRoyalty(receiver, bps);
    }

    /// @notice Sets the verifier for `groth16` proofs (zero = refuse them). Owner (timelock) only.
    function setAigcVerifier(IAigcVerifier verifier) external onlyOwner {
        _aigcVerifier = verifier;
        emit AigcVerifierSet(address(verifier));
    }

    // ---------------------------------------------------------------- external: views

    /// @notice ERC-7007 verification of one version's record.
    ///
    /// `prompt` is the version's canonical manifest bytes or the manifest's 36-byte binary raw CIDv1;
    /// `aigcData` is the version's metadata JSON bytes. `proof = abi.encodePacked(uint8 kind, uint256
    /// tokenId, uint256 version, bytes chainProof, bytes kindProof)`: a 65-byte head; for `version >= 1`
    /// a chain proof of `1 + latest - version` words, the parent head `h_{version-1}` then the
    /// commitments of versions `version + 1 … latest` (from the `Evolved` logs; for the latest version
    /// only the parent head); empty for version 0, whose commitment is the token id. Then the kind's own
    /// proof, empty for `replay` (a replay proof with trailing bytes returns false).
    ///
    /// Kind `replay` (1) returns true iff the version exists, `sha256(aigcData)`, linked to the parent
    /// head and extended by the later commitments, gives the stored head (version 0: equals the token
    /// id), and `aigcData` contains `provenanceMember(manifest digest)`, i.e. the metadata names this
    /// manifest. The member is found by a byte search, not by parsing: metadata with a nested or a second
    /// `provenance` member verifies for each manifest it names (only the agent records metadata; off-chain,
    /// `provenant verify` compares the whole metadata with the one it re-derives from the manifest).
    /// It proves that this metadata and this manifest are the ones the agent recorded for
    /// (token, version). It does NOT prove that the model really produced the output: that is
    /// re-execution, done off-chain by `provenant verify` from the manifest (weights hash, oracle
    /// rounds, seed, image CID).
    ///
    /// Kind `groth16` (2) does the same checks and then asks `aigcVerifier` with the manifest digest,
    /// `aigcData` and the kind proof; false while it is unset, has no code, reverts or returns anything
    /// but true. Proofs shorter than their layout and unknown kinds return false.
    function verify(bytes calldata prompt, bytes calldata aigcData, bytes calldata proof)
        external
        view
        returns (bool success)
    {
        if (proof.length < 65) return false;
        uint256 tokenId = uint256(bytes32(proof[1:33]));
        uint256 version = uint256(bytes32(proof[33:65]));
        if (_ownerOf(tokenId) == address(0)) return false;
        (bool recorded, uint256 kindProofStart) = _isRecorded(tokenId, version, sha256(aigcData), proof);
        if (!recorded) return false;
        bytes32 manifestDigest = _manifestDigestOfPrompt(prompt);
        if (!ByteSearch.contains(aigcData, provenanceMember(manifestDigest))) return false;
        uint8 kind = uint8(proof[0]);
        // A replay proof is exactly the head and the chain proof: no trailing bytes.
        if (kind == PROOF_REPLAY) return proof.length == kindProofStart;
        if (kind == PROOF_GROTH16) {
            return _verifyGroth16(tokenId, version, manifestDigest, aigcData, proof[kindProofStart:]);
        }
        return false;
    }

    /// @notice The canonical-JSON member a version's metadata must contain to name its manifest:
    /// `"provenance":"ipfs://<manifest CID>"`, the CID a raw CIDv1 of `manifestDigest` in base32.
    function provenanceMember(bytes32 manifestDigest) public pure returns (bytes memory) {
        return abi.encodePacked(
            '"provenance":"ipfs://', CidV1.toBase32(CidV1.encode(CidV1.RAW, manifestDigest)), '"'
        );
    }

    /// @notice `ipfs://<metadata CID>` of the latest version (CIDv1, raw, base32).
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return string.concat("ipfs://", CidV1.toBase32(CidV1.encode(CidV1.RAW, _latestOf(tokenId))));
    }

    /// @notice Binary raw CIDv1 of the latest version's metadata JSON.
    function metadataCidOf(uint256 tokenId) external view returns (bytes memory) {
        _requireOwned(tokenId);
        return CidV1.encode(CidV1.RAW, _latestOf(tokenId));
    }

    /// @notice Number of versions of `tokenId` (1 after mint, +1 per update).
    function versionCount(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        (uint256 latest,) = _chainState(tokenId);
        return latest + 1;
    }

    /// @notice The version history of `tokenId` as the chain keeps it: the version count and the chain
    /// head over the commitments of all versions. Past commitments are not stored: rebuild them from
    /// `Minted` (version 0: the token id) and `Evolved` (version n: `metadataDigest`) and check
    /// them with `chainHead(commitments) == head`.
    function versionChain(uint256 tokenId) external view returns (uint256 count, bytes32 head) {
        _requireOwned(tokenId);
        uint256 latest;
        (latest, head) = _chainState(tokenId);
        count = latest + 1;
    }

    /// @notice The latest version of `tokenId`: its index and commitment (the sha2-256 digest of its
    /// metadata; the token id for version 0). Times are not stored: each version's block is in its log.
    function latestVersion(uint256 tokenId) external view returns (uint256 version, bytes32 metadataDigest) {
        _requireOwned(tokenId);
        (version,) = _chainState(tokenId);
        metadataDigest = _latestOf(tokenId);
    }

    /// @notice The chain head over a full history: `commitments[0]` is the genesis commitment (the
    /// token id), `commitments[n]` version n's commitment (its metadata digest). Equals `versionChain(tokenId).head`
    /// iff the history is the recorded one (for off-chain code and tests).
    function chainHead(bytes32[] calldata commitments) external pure returns (bytes32 head) {
        if (commitments.length == 0) revert EmptyChain();
        head = commitments[0];
        for (uint256 i = 1; i < commitments.length; ++i) {
            head = _link(head, commitments[i]);
        }
    }

    /// @notice True when `metadataDigest` has been minted as a token id, i.e. is some token's genesis
    /// commitment (a later version's metadata digest is not a token id: false).
    function isMinted(bytes32 metadataDigest) external view returns (bool) {
        return _ownerOf(uint256(metadataDigest)) != address(0);
    }

    /// @notice The policy guard every mint and update passes through.
    function guard() external view returns (IPolicyGuard) {
        return _guard;
    }

    /// @notice The current mint fee, its route, and its immutable ceiling.
    function mintFee()
        external
        view
        returns (uint256 fee, IModelRegistry registry, IERC20 token, uint256 maxFee)
    {
        FeeRoute memory route = _feeRoute;
        return (route.fee, route.registry, _feeToken, _maxMintFee);
    }

    /// @notice The verifier for `groth16` proofs (zero = unset).
    function aigcVerifier() external view returns (IAigcVerifier) {
        return _aigcVerifier;
    }

    /// @notice ERC-165: ERC-721, ERC-721 Metadata, ERC-2981, ERC-4906, ERC-7007.
    function supportsInterface(bytes4 interfaceId)
        public
        view
        override(ERC721, ERC2981, IERC165)
        returns (bool)
    {
        return interfaceId == type(IERC7007).interfaceId || interfaceId == _ERC4906_INTERFACE_ID
            || ERC721.supportsInterface(interfaceId) || ERC2981.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- internal

    /// @dev The one mint path: key and duplicate checks, the guard, state and logs, then the fee.
    function _mintWithProvenance(
        address to,
        bytes32 modelId,
        bytes32 metadataDigest,
        bytes32 intentKey,
        bytes32 manifestDigest
    ) internal returns (uint256 tokenId) {
        if (metadataDigest == 0 || intentKey == 0 || manifestDigest == 0) {
            revert ZeroKey(metadataDigest, intentKey, manifestDigest);
        }
        tokenId = uint256(metadataDigest);
        if (_ownerOf(tokenId) != address(0)) revert DuplicateContent(metadataDigest);

        _guard.consume(PolicyActions.MINT, msg.sender, modelId, 0, 1);

        // Nothing but the ERC-721 record is stored: the token id is the genesis commitment.
        _mint(to, tokenId);
        emit Minted(tokenId, modelId, intentKey, manifestDigest);

        FeeRoute memory route = _feeRoute;
        if (route.fee != 0) _payFee(tokenId, modelId, route.registry, route.fee);
    }

    /// @dev The one update path: optimistic parent check, guard (per-token rate limit), extend the chain.
    function _evolve(
        uint256 tokenId,
        uint256 parentVersion,
        bytes32 modelId,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    ) internal returns (uint256 version) {
        if (metadataDigest == 0 || manifestDigest == 0) {
            revert ZeroKey(metadataDigest, 0, manifestDigest);
        }
        // Both slots read here are written below, so reading them first adds no cold access.
        uint256 word = _chain[tokenId];
        bytes32 previous = word == 0 ? _latestCommitment[tokenId] : bytes32(0);
        // Only this path writes either slot, after this check: a token with one is known to exist, so
        // the owner slot is read only on a token's first update.
        if (word == 0 && previous == 0 && _ownerOf(tokenId) == address(0)) {
            revert ERC721NonexistentToken(tokenId);
        }
        (uint256 latest, bytes32 head) = _unpack(tokenId, word, previous);
        // The parent must be the latest version: a retried or stale update cannot fork the history.
        if (parentVersion != latest) revert VersionConflict(tokenId, parentVersion, latest);
        if (latest == type(uint32).max) revert VersionLimitReached(tokenId, latest);

        _guard.consume(PolicyActions.UPDATE, msg.sender, modelId, tokenId, 1);

        unchecked {
            version = latest + 1; // below 2**32
        }
        // Version 1's head is implied by the token id and its commitment (see `_unpack`): the first
        // update fills one fresh slot, not two.
        if (version != 1) {
            _chain[tokenId] = (version << _VERSION_SHIFT) | uint256(_link(head, metadataDigest));
        }
        _latestCommitment[tokenId] = metadataDigest;
        emit Evolved(tokenId, version, metadataDigest, modelId, manifestDigest);
        emit MetadataUpdate(tokenId);
    }

    /// @dev Pulls `fee` of the fee token from the agent and hands it to the model's revenue.
    function _payFee(uint256 tokenId, bytes32 modelId, IModelRegistry registry, uint256 fee) internal {
        IERC20 token = _feeToken;
        token.safeTransferFrom(msg.sender, address(this), fee);
        token.forceApprove(address(registry), fee);
        registry.distribute(modelId, fee);
        emit MintFeePaid(tokenId, modelId, msg.sender, fee);
    }

    /// @dev Validates and sets the default royalty.
    function _setRoyalty(address receiver, uint96 bps) internal {
        if (bps > MAX_ROYALTY_BPS) revert RoyaltyTooHigh(bps, MAX_ROYALTY_BPS);
        _setDefaultRoyalty(receiver, bps);
        emit DefaultRoyaltySet(receiver, bps);
    }

    /// @dev The latest version and the chain head of `tokenId`, from its two slots.
    function _chainState(uint256 tokenId) internal view returns (uint256 latest, bytes32 head) {
        uint256 word = _chain[tokenId];
        return _unpack(tokenId, word, word == 0 ? _latestCommitment[tokenId] : bytes32(0));
    }

    /// @dev The latest version and the head from the chain word and (when the word is zero) the stored
    /// latest commitment: no word and no commitment = version 0, head = the token id; no word and a
    /// commitment `c_1` = version 1, head = `_link(tokenId, c_1)`; else the word's version and head.
    function _unpack(uint256 tokenId, uint256 word, bytes32 latestCommitment)
        internal
        pure
        returns (uint256 latest, bytes32 head)
    {
        if (word != 0) return (word >> _VERSION_SHIFT, bytes32(word & _HEAD_MASK));
        if (latestCommitment == 0) return (0, bytes32(tokenId));
        return (1, _link(bytes32(tokenId), latestCommitment));
    }

    /// @dev One chain step: `keccak256(abi.encode(head, commitment))` with the top 32 bits cleared.
    function _link(bytes32 head, bytes32 commitment) internal pure returns (bytes32 next) {
        assembly ("memory-safe") {
            mstore(0x00, head)
            mstore(0x20, commitment)
            next := and(keccak256(0x00, 0x40), shr(32, not(0))) // _HEAD_MASK
        }
    }

    /// @dev The latest version's commitment: the stored one, or the token id when never updated.
    function _latestOf(uint256 tokenId) internal view returns (bytes32 latest) {
        latest = _latestCommitment[tokenId];
        if (latest == 0) latest = bytes32(tokenId);
    }

    /// @dev Whether `commitment` is version `version` of `tokenId`, given `verify`'s proof (its chain
    /// proof starts at byte 65), and where the kind proof starts.
    function _isRecorded(uint256 tokenId, uint256 version, bytes32 commitment, bytes calldata proof)
        internal
        view
        returns (bool recorded, uint256 kindProofStart)
    {
        (uint256 latest, bytes32 head) = _chainState(tokenId);
        if (version > latest) return (false, 0);
        if (version == 0) return (commitment == bytes32(tokenId), 65);
        kindProofStart = 65 + 32 * (1 + latest - version); // latest < 2**32: no overflow
        if (proof.length < kindProofStart) return (false, kindProofStart);
        bytes32 h = _link(bytes32(proof[65:97]), commitment);
        for (uint256 offset = 97; offset < kindProofStart; offset += 32) {
            h = _link(h, bytes32(proof[offset:offset + 32]));
        }
        recorded = h == head;
    }

    /// @dev Asks the governed groth16 verifier; false while it is unset or if it reverts.
    function _verifyGroth16(
        uint256 tokenId,
        uint256 version,
        bytes32 manifestDigest,
        bytes calldata aigcData,
        bytes calldata kindProof
    ) internal view returns (bool) {
        IAigcVerifier verifier = _aigcVerifier;
        if (address(verifier) == address(0)) return false;
        // A low-level call, not try/catch: try/catch cannot catch a call to an address without code or
        // return data that does not decode, and `verify` must answer false, never revert.
        (bool ok, bytes memory ret) = address(verifier)
            .staticcall(
                abi.encodeCall(
                    IAigcVerifier.verifyAigc, (tokenId, version, manifestDigest, aigcData, kindProof)
                )
            );
        return ok && ret.length == 32 && uint256(bytes32(ret)) == 1;
    }

    /// @dev A prompt that is a binary raw CIDv1 names the manifest; anything else is the manifest's bytes
    /// and is hashed. (A canonical manifest is a JSON object: it starts with `{`, never with 0x01.)
    function _manifestDigestOfPrompt(bytes calldata prompt) internal pure returns (bytes32) {
        return CidV1.isSha256(prompt, CidV1.RAW) ? CidV1.digest(prompt) : sha256(prompt);
    }
}
