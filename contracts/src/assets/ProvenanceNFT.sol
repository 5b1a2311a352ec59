// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelRegistry} from "../models/IModelRegistry.sol";
import {IPolicyGuard, PolicyActions} from "../policy/IPolicyGuard.sol";
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
/// A token's id is its genesis manifest commitment: `tokenId = uint256(keccak256(manifest bytes))`, the
/// ERC-7007 convention of indexing a token by its prompt (here the prompt is the canonical provenance
/// manifest). Each token has a linear version history: version 0 is the mint, each `evolve` appends
/// version `n` whose parent is version `n - 1`. The chain stores, per version, the 32-byte manifest
/// commitment (version 0's is the token id itself); per token, the sha2-256 digest of the latest
/// metadata file (the `tokenURI`). The version count is not stored: versions are contiguous, so version
/// `n` exists iff its commitment slot is non-zero. Everything else (manifest CID, metadata CID, model
/// id, intent key) is emitted in `Minted` / `Evolved`, so the whole record can be rebuilt from logs and
/// checked against the stored commitments. The model id is not stored either: each mint and update
/// names the model that rendered that version, the guard checks it is allowed at that moment, the log
/// records it, and the committed manifest names it (and the hash of its weights) for `provenant verify`.
///
/// ERC-7007's `AigcData` is emitted by `addAigcData` (the standard's entry point). `mint` and `evolve`
/// emit `Minted` / `Evolved` instead: they carry everything `AigcData` would (whose prompt and aigcData
/// are indexed, i.e. only hashed); emitting both would cost 4,205 gas more per mint (measured).
///
/// CIDs cross the ABI as their 32-byte sha2-256 digests and are always CIDv1 `raw` (codec 0x55):
/// CID bytes = `0x01 0x55 0x12 0x20 ‖ digest`, text = `b` + base32 of those bytes (`bafkrei…`), which is
/// what `ipfs add --cid-version 1` gives any file that fits one block (manifests and metadata JSON do).
///
/// Invariants:
/// - Only the guard's agent creates or changes provenance, and only through `_mintWithProvenance` and
///   `_evolve`, which each call `guard.consume` first; so every mint counts against the guard's caps
///   and every update against its per-token rate limit, and nothing happens while the guard is paused.
/// - A manifest commitment is minted at most once (it is the token id), and an intent key is used at
///   most once (`_intents`): a restarted agent cannot double-mint.
/// - A token's version count only grows, past versions are never rewritten, and the latest commitment
///   is always the one appended last. `tokenURI` always names the metadata of the latest version.
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

    // ---------------------------------------------------------------- state

    IPolicyGuard private immutable _guard;
    uint256 private immutable _maxMintFee;

    mapping(uint256 tokenId => bytes32) private _metadataDigest;
    mapping(uint256 tokenId => mapping(uint256 version => bytes32)) private _commitments; // version >= 1
    mapping(bytes32 intentKey => uint256 tokenId) private _intents;
    FeeRoute private _feeRoute;
    IERC20 private _feeToken;
    IAigcVerifier private _aigcVerifier;

    // ---------------------------------------------------------------- events

    /// @notice Token `tokenId` (= its genesis manifest commitment) was minted by the agent (recipient:
    /// the `Transfer` log), rendered by `modelId`, for the agent's intent `intentKey`. `manifestDigest`
    /// and `metadataDigest` are the sha2-256 digests of the raw CIDv1s of the manifest and metadata.
    event Minted(
        uint256 indexed tokenId,
        bytes32 indexed modelId,
        bytes32 indexed intentKey,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    );
    /// @notice Version `version` (parent `version - 1`) was appended to `tokenId`; digests as in `Minted`.
    event Evolved(
        uint256 indexed tokenId,
        uint256 indexed version,
        bytes32 indexed manifestCommitment,
        bytes32 modelId,
        bytes32 manifestDigest,
        bytes32 metadataDigest
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

    /// @notice The manifest commitment was already minted (it is an existing token id).
    error DuplicateContent(bytes32 manifestCommitment);
    /// @notice The intent key was already used, by the mint of `tokenId`.
    error IntentReused(bytes32 intentKey, uint256 tokenId);
    /// @notice A zero commitment, intent key or digest was given; each must be a real hash.
    error ZeroKey(bytes32 commitment, bytes32 intentKey, bytes32 metadataDigest);
    /// @notice `cid` is not a binary CIDv1 raw (36 bytes, `0x01551220` ‖ sha2-256 digest).
    error InvalidCid(bytes cid);
    /// @notice `evolve` named `parentGiven` as parent but the latest version of `tokenId` is `latest`.
    error VersionConflict(uint256 tokenId, uint256 parentGiven, uint256 latest);
    /// @notice `index` is not below the version count `count` of `tokenId`.
    error VersionOutOfRange(uint256 tokenId, uint256 index, uint256 count);
    /// @notice The requested mint fee exceeds the immutable ceiling.
    error MintFeeTooHigh(uint256 fee, uint256 maxFee);
    /// @notice A non-zero fee needs both a registry and a fee token.
    error FeeRouteIncomplete(address registry, address token, uint256 fee);
    /// @notice The requested default royalty exceeds `MAX_ROYALTY_BPS`.
    error RoyaltyTooHigh(uint96 bps, uint96 maxBps);
    /// @notice An `addAigcData` proof that is not 96 bytes (modelId, parentVersion, manifestDigest).
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

    /// @notice Mints `tokenId = uint256(manifestCommitment)` to `to`. Agent only (checked by the guard).
    /// @param to Recipient (plain `_mint`: no receiver callback).
    /// @param modelId The model that rendered the asset (checked by the guard: allowed).
    /// @param manifestCommitment keccak256 of the canonical provenance manifest bytes.
    /// @param intentKey The agent's idempotency key for this intent (refused if ever reused).
    /// @param manifestDigest sha2-256 of the manifest bytes (its raw CIDv1 digest); emitted, not stored.
    /// @param metadataDigest sha2-256 of the metadata JSON bytes (its raw CIDv1 digest); stored.
    /// @return tokenId The new token id.
    function mint(
        address to,
        bytes32 modelId,
        bytes32 manifestCommitment,
        bytes32 intentKey,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    ) external returns (uint256 tokenId) {
        return _mintWithProvenance(to, modelId, manifestCommitment, intentKey, manifestDigest, metadataDigest);
    }

    /// @notice Appends version `parentVersion + 1` to `tokenId`. Agent only (checked by the guard),
    /// rate-limited per token by the guard. `parentVersion` must be the latest version: a retried or
    /// stale update fails with `VersionConflict` instead of forking or repeating the history (this is
    /// the update's idempotency).
    /// @param tokenId The token.
    /// @param parentVersion The version this update derives from (must be the latest).
    /// @param modelId The model that rendered the new version (checked by the guard: allowed).
    /// @param manifestCommitment keccak256 of the new canonical manifest (which names its parent).
    /// @param manifestDigest sha2-256 of the new manifest bytes (raw CIDv1 digest); emitted.
    /// @param metadataDigest sha2-256 of the new metadata JSON bytes (raw CIDv1 digest); stored.
    /// @return version The new version index.
    function evolve(
        uint256 tokenId,
        uint256 parentVersion,
        bytes32 modelId,
        bytes32 manifestCommitment,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    ) external returns (uint256 version) {
        return _evolve(tokenId, parentVersion, modelId, manifestCommitment, manifestDigest, metadataDigest);
    }

    /// @notice ERC-7007 entry point; the same update as `evolve` (agent only, guarded, rate-limited).
    /// @param tokenId The token.
    /// @param prompt The new canonical manifest bytes, or its 32-byte keccak256 commitment.
    /// @param aigcData Binary raw CIDv1 of the new metadata JSON (36 bytes).
    /// @param proof `abi.encodePacked(bytes32 modelId, uint256 parentVersion, bytes32 manifestDigest)`.
    function addAigcData(
        uint256 tokenId,
        bytes calldata prompt,
        bytes calldata aigcData,
        bytes calldata proof
    ) external {
        if (proof.length != 96) revert InvalidUpdateProof(proof.length);
        if (!CidV1.isSha256(aigcData, CidV1.RAW)) revert InvalidCid(aigcData);
        _evolve(
            tokenId,
            uint256(bytes32(proof[32:64])),
            bytes32(proof[0:32]),
            _commitmentOfPrompt(prompt),
            bytes32(proof[64:96]),
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
    /// `proof = abi.encodePacked(uint8 kind, uint256 tokenId, uint256 version, bytes kindProof)` (65-byte
    /// head, then the kind's own proof, empty for `replay`); `prompt` is
    /// the version's canonical manifest bytes or its 32-byte keccak256 commitment; `aigcData` is the
    /// binary metadata CID of the version, or empty.
    ///
    /// Kind `replay` (1) returns true iff the version exists and `keccak256(prompt)` (or `prompt`) equals
    /// its stored manifest commitment, and, when `aigcData` is non-empty, the version is the latest and
    /// `aigcData` is exactly its metadata CID. It proves that this manifest is the one the agent
    /// recorded for (token, version) and, for the latest version, that it is what `tokenURI` shows. It
    /// does NOT prove that the model really produced the output: that is re-execution, done off-chain
    /// by `provenant verify` from the manifest (weights hash, oracle rounds, seed, output CIDs). Output
    /// CIDs of superseded versions are bound only through their manifest, so a non-empty `aigcData`
    /// for a superseded version returns false (check it off-chain).
    ///
    /// Kind `groth16` (2) does the same commitment check and then asks `aigcVerifier`; false while it
    /// is unset or if it reverts. Proofs shorter than 65 bytes and unknown kinds return false.
    function verify(bytes calldata prompt, bytes calldata aigcData, bytes calldata proof)
        external
        view
        returns (bool success)
    {
        if (proof.length < 65) return false;
        uint8 kind = uint8(proof[0]);
        uint256 tokenId = uint256(bytes32(proof[1:33]));
        uint256 version = uint256(bytes32(proof[33:65]));
        if (_ownerOf(tokenId) == address(0)) return false;
        bytes32 commitment = _commitmentAt(tokenId, version);
        if (commitment == 0 || _commitmentOfPrompt(prompt) != commitment) return false;
        if (kind == PROOF_REPLAY) {
            if (aigcData.length == 0) return true;
            return _commitments[tokenId][version + 1] == 0 && CidV1.isSha256(aigcData, CidV1.RAW)
                && CidV1.digest(aigcData) == _metadataDigest[tokenId];
        }
        if (kind == PROOF_GROTH16) {
            IAigcVerifier verifier = _aigcVerifier;
            if (address(verifier) == address(0)) return false;
            try verifier.verifyAigc(tokenId, version, commitment, aigcData, proof[65:]) returns (bool ok) {
                return ok;
            } catch {
                return false;
            }
        }
        return false;
    }

    /// @notice `ipfs://<metadata CID>` of the latest version (CIDv1, raw, base32).
    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return string.concat("ipfs://", CidV1.toBase32(CidV1.encode(CidV1.RAW, _metadataDigest[tokenId])));
    }

    /// @notice Binary raw CIDv1 of the latest version's metadata JSON.
    function metadataCidOf(uint256 tokenId) external view returns (bytes memory) {
        _requireOwned(tokenId);
        return CidV1.encode(CidV1.RAW, _metadataDigest[tokenId]);
    }

    /// @notice Number of versions of `tokenId` (1 after mint, +1 per update).
    function versionCount(uint256 tokenId) external view returns (uint256) {
        _requireOwned(tokenId);
        return _latest(tokenId) + 1;
    }

    /// @notice Version `index` of `tokenId`: its manifest commitment and its parent's (zero for the
    /// genesis version). The parent of version `index` is version `index - 1`.
    function versionAt(uint256 tokenId, uint256 index)
        external
        view
        returns (bytes32 manifestCommitment, bytes32 parentCommitment)
    {
        _requireOwned(tokenId);
        manifestCommitment = _commitmentAt(tokenId, index);
        if (manifestCommitment == 0) revert VersionOutOfRange(tokenId, index, _latest(tokenId) + 1);
        if (index != 0) parentCommitment = _commitmentAt(tokenId, index - 1);
    }

    /// @notice The latest version of `tokenId`: index, manifest commitment, metadata digest. (Times
    /// are not stored: each version's block is in its `Minted` / `Evolved` log.)
    function latestVersion(uint256 tokenId)
        external
        view
        returns (uint256 version, bytes32 manifestCommitment, bytes32 metadataDigest)
    {
        _requireOwned(tokenId);
        version = _latest(tokenId);
        manifestCommitment = _commitmentAt(tokenId, version);
        metadataDigest = _metadataDigest[tokenId];
    }

    /// @notice The token minted for `intentKey` (0 = the key is unused).
    function tokenOfIntent(bytes32 intentKey) external view returns (uint256) {
        return _intents[intentKey];
    }

    /// @notice True when `manifestCommitment` has been minted (as a token id).
    function isMinted(bytes32 manifestCommitment) external view returns (bool) {
        return _ownerOf(uint256(manifestCommitment)) != address(0);
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

    /// @dev The one mint path: key, intent and duplicate checks, the guard, state and logs, then the fee.
    function _mintWithProvenance(
        address to,
        bytes32 modelId,
        bytes32 manifestCommitment,
        bytes32 intentKey,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    ) internal returns (uint256 tokenId) {
        if (manifestCommitment == 0 || intentKey == 0 || metadataDigest == 0) {
            revert ZeroKey(manifestCommitment, intentKey, metadataDigest);
        }
        tokenId = uint256(manifestCommitment);
        uint256 previous = _intents[intentKey];
        if (previous != 0) revert IntentReused(intentKey, previous);
        if (_ownerOf(tokenId) != address(0)) revert DuplicateContent(manifestCommitment);

        _guard.consume(PolicyActions.MINT, msg.sender, modelId, 0, 1);

        _intents[intentKey] = tokenId;
        _metadataDigest[tokenId] = metadataDigest;
        _mint(to, tokenId);
        emit Minted(tokenId, modelId, intentKey, manifestDigest, metadataDigest);

        FeeRoute memory route = _feeRoute;
        if (route.fee != 0) _payFee(tokenId, modelId, route.registry, route.fee);
    }

    /// @dev The one update path: guard (per-token rate limit), optimistic parent check, append.
    function _evolve(
        uint256 tokenId,
        uint256 parentVersion,
        bytes32 modelId,
        bytes32 manifestCommitment,
        bytes32 manifestDigest,
        bytes32 metadataDigest
    ) internal returns (uint256 version) {
        // The digest slot is rewritten below, so reading it here costs no extra cold access.
        if (_metadataDigest[tokenId] == 0) revert ERC721NonexistentToken(tokenId);
        if (manifestCommitment == 0 || metadataDigest == 0) {
            revert ZeroKey(manifestCommitment, 0, metadataDigest);
        }
        // Versions are contiguous: the parent must exist and be the last one. Reading the new slot
        // first is free (the write below pays the cold access once).
        if (_commitmentAt(tokenId, parentVersion) == 0) {
            revert VersionConflict(tokenId, parentVersion, _latest(tokenId));
        }
        version = parentVersion + 1; // the parent exists, so it is far below 2**256 - 1
        if (_commitments[tokenId][version] != 0) {
            revert VersionConflict(tokenId, parentVersion, _latest(tokenId));
        }

        _guard.consume(PolicyActions.UPDATE, msg.sender, modelId, tokenId, 1);

        _commitments[tokenId][version] = manifestCommitment;
        _metadataDigest[tokenId] = metadataDigest;
        emit Evolved(tokenId, version, manifestCommitment, modelId, manifestDigest, metadataDigest);
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

    /// @dev The stored commitment of version `version` (version 0 is the token id itself).
    function _commitmentAt(uint256 tokenId, uint256 version) internal view returns (bytes32) {
        return version == 0 ? bytes32(tokenId) : _commitments[tokenId][version];
    }

    /// @dev The latest version index: the last non-zero commitment slot (versions are contiguous),
    /// found by doubling then bisecting, O(log n) reads. Views and revert paths only.
    function _latest(uint256 tokenId) internal view returns (uint256) {
        mapping(uint256 => bytes32) storage c = _commitments[tokenId];
        uint256 lo; // exists
        uint256 hi = 1; // candidate
        while (c[hi] != 0) {
            lo = hi;
            hi <<= 1;
        }
        while (hi - lo > 1) {
            uint256 mid = (lo + hi) >> 1;
            if (c[mid] != 0) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /// @dev A 32-byte prompt is a commitment; anything else is manifest bytes and is hashed.
    function _commitmentOfPrompt(bytes calldata prompt) internal pure returns (bytes32) {
        // casting to 'bytes32' is safe because the length is exactly 32
        // forge-lint: disable-next-line(unsafe-typecast)
        return prompt.length == 32 ? bytes32(prompt) : keccak256(prompt);
    }
}
