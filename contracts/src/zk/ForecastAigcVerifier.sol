// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAigcVerifier} from "../assets/IAigcVerifier.sol";
import {ForecastProofGate} from "./ForecastProofGate.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";

/// @title ForecastAigcVerifier
/// @notice ERC-7007 `groth16` proofs for `ProvenanceNFT`: answers whether a token version's committed
/// manifest names a market-state forecast that `ForecastProofGate` accepted on-chain.
///
/// The kind proof (what follows the NFT's 65-byte head) is `abi.encode(bytes32 modelId, bytes32 proofId,
/// bytes manifest)`. `verifyAigc` returns true iff
/// 1. `keccak256(manifest)` equals the version's manifest commitment (the NFT passes the stored one);
/// 2. the gate recorded a forecast under (`modelId`, `proofId`) (`provenForecast(..).provenAt != 0`);
/// 3. the manifest contains, byte for byte, the canonical-JSON member
///    `"forecastProof":{"modelId":"0x<64 hex>","proofId":"0x<64 hex>"}` (lowercase hex) for exactly these
///    ids; in valid JSON that byte sequence can only be a real member (a quote inside a string is `\"`);
/// 4. `aigcData` is empty, or is `abi.encode(int256 output0, int256 output1)` equal to the recorded forecast.
///
/// What a true answer proves: the artwork's committed manifest (the one the agent recorded for that
/// token version) names a forecast that the gate accepted, i.e. at submission a Groth16 proof verified
/// that the model whose weights hash to the registry's zk commitment of `modelId` — approved at that
/// moment — turned the feed's answers for the proven rounds (bound through the feed accumulator; the
/// features are derived from them inside the circuit; the last round fresh by the gate's `MAX_AGE`) into
/// that forecast; and, with `aigcData`, that the forecast is exactly those outputs.
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
        bytes32 manifestCommitment,
        bytes calldata aigcData,
        bytes calldata proof
    ) external view returns (bool) {
        if (proof.length < 128) return false;
        (bytes32 modelId, bytes32 proofId, bytes memory manifest) =
            abi.decode(proof, (bytes32, bytes32, bytes));
        if (keccak256(manifest) != manifestCommitment) return false;
        ForecastProofGate.ProvenForecast memory p = GATE.provenForecast(modelId, proofId);
        if (p.provenAt == 0) return false;
        if (!_contains(manifest, forecastMember(modelId, proofId))) return false;
        if (aigcData.length == 0) return true;
        if (aigcData.length != 64) return false;
        (int256 output0, int256 output1) = abi.decode(aigcData, (int256, int256));
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

    // ---- internal ----

    /// @dev True when `needle` (longer than 32 bytes) occurs in `hay`. Compares the first word, then
    /// hashes the candidate window.
    function _contains(bytes memory hay, bytes memory needle) internal pure returns (bool found) {
        uint256 n = needle.length;
        if (hay.length < n) return false;
        assembly ("memory-safe") {
            let h := add(hay, 32)
            let first := mload(add(needle, 32))
            let needleHash := keccak256(add(needle, 32), n)
            let end := add(h, sub(mload(hay), n))
            for { let p := h } iszero(gt(p, end)) { p := add(p, 1) } {
                if eq(mload(p), first) {
                    if eq(keccak256(p, n), needleHash) {
                        found := 1
                        break
                    }
                }
            }
        }
    }
}
