// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ByteSearch} from "../assets/ByteSearch.sol";
import {IAigcVerifier} from "../assets/IAigcVerifier.sol";
import {ForecastProofGate} from "./ForecastProofGate.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title ForecastAigcVerifier
/// @notice ERC-7007 `groth16` proofs for `ProvenanceNFT`: answers whether a token version's committed
/// manifest names a market-state forecast that `ForecastProofGate` accepted on-chain.
///
/// The kind proof (what follows the NFT's 65-byte head and chain proof) is `abi.encode(bytes32 modelId,
/// bytes32 proofId, bytes manifest, int256 output0, int256 output1)`. `verifyAigc` returns true iff
/// 1. `sha256(manifest)` equals the manifest digest the NFT passes (the manifest the version's committed
///    metadata names);
/// 2. the gate recorded a forecast under (`modelId`, `proofId`) (`provenForecast(..).provenAt != 0`);
/// 3. the manifest contains, byte for byte, the canonical-JSON member
///    `"forecastProof":{"modelId":"0x<64 hex>","proofId":"0x<64 hex>"}` (lowercase hex) for exactly these
///    ids; in valid JSON that byte sequence can only be a real member (a quote inside a string is `\"`);
/// 4. (`output0`, `output1`) equal the recorded forecast.
///
/// What a true answer proves: the artwork's committed manifest (the one the agent recorded for that
/// token version) names a forecast that the gate accepted, i.e. at submission a Groth16 proof verified
/// that the model whose weights hash to the registry's zk commitment of `modelId` — approved at that
/// moment — turned the feed's answers for the proven rounds (bound through the feed accumulator; the
/// features are derived from them inside the circuit; the last round fresh by the gate's `MAX_AGE`) into
/// that forecast, and that the forecast is exactly those outputs.
///
/// What it does not prove: that the image was rendered from that forecast (the renderer is re-executed
/// off-chain by `provenant verify`); that the model is still approved now; that the forecast is from the
/// same epoch as the artwork (compare the manifest's rounds with the forecast's `lastRoundId` off-chain);
/// that the manifest is valid JSON or has no second `forecastProof` member (checked off-chain). The
/// trusted setup of the devnet circuit is single-contributor.
///
/// Invariants: stateless (immutable gate only); never reverts for a well-formed ABI proof; the answer
/// depends only on the arguments and the gate's records, which never change once written.
contract ForecastAigcVerifier is IAigcVerifier {
    // ---- constants ----

    /// @notice The gate whose recorded forecasts this verifier accepts.
    ForecastProofGate public immutable GATE;

    bytes private constant _MEMBER_HEAD = '"forecastProof":{"modelId":"';
    bytes private constant _MEMBER_MID = '","proofId":"';
    bytes private constant _MEMBER_TAIL = '"}';

    // ---- errors ----

    /// @notice The gate address is zero.
    error ZeroGate();

    // ---- constructor ----

    /// @param gate The `ForecastProofGate` of the feed whose forecasts artworks may reference.
    constructor(ForecastProofGate gate) {
        if (address(gate) == address(0)) revert ZeroGate();
        GATE = gate;
    }

    // ---- external ----

    /// @inheritdoc IAigcVerifier
    /// @dev Reverts only when `proof` is not ABI-decodable (the NFT's `verify` turns that into false).
    function verifyAigc(
        uint256, /* tokenId */
        uint256, /* version */
        bytes32 manifestDigest,
        bytes calldata, /* aigcData: the metadata, already bound to the manifest by the NFT */
        bytes calldata proof
    )
        external
        view
        returns (bool)
    {
        if (proof.length < 192) return false;
        (bytes32 modelId, bytes32 proofId, bytes memory manifest, int256 output0, int256 output1) =
            abi.decode(proof, (bytes32, bytes32, bytes, int256, int256));
        if (sha256(manifest) != manifestDigest) return false;
        ForecastProofGate.ProvenForecast memory p = GATE.provenForecast(modelId, proofId);
        if (p.provenAt == 0) return false;
        if (!ByteSearch.contains(manifest, forecastMember(modelId, proofId))) return false;
        return output0 == p.output0 && output1 == p.output1;
    }

    /// @notice The canonical-JSON member a manifest must contain to reference (`modelId`, `proofId`).
    function forecastMember(bytes32 modelId, bytes32 proofId) public pure returns (bytes memory) {
        return abi.encodePacked(
            _MEMBER_HEAD,
            Strings.toHexString(uint256(modelId), 32),
            _MEMBER_MID,
            Strings.toHexString(uint256(proofId), 32),
            _MEMBER_TAIL
        );
    }
}
