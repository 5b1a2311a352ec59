// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @title IERC7007
/// @notice ERC-7007 (Final): verifiable AI-generated content tokens. An ERC-721 extension that binds a
/// token to the input (`prompt`) and output (`aigcData`) of an AI model, with a proof that a verifier
/// can check. Interface id `0x702c55a6` = `addAigcData.selector ^ verify.selector`.
interface IERC7007 is IERC165 {
    /// @notice Emitted when AIGC data is added to `tokenId`. `prompt` and `aigcData` are indexed, so
    /// the log carries only their keccak256 hashes; `proof` is carried in full.
    event AigcData(uint256 indexed tokenId, bytes indexed prompt, bytes indexed aigcData, bytes proof);

    /// @notice Adds AIGC data (`prompt` → `aigcData`, with `proof`) to `tokenId`. MUST emit `AigcData`.
    function addAigcData(
        uint256 tokenId,
        bytes calldata prompt,
        bytes calldata aigcData,
        bytes calldata proof
    ) external;

    /// @notice True when `proof` shows that `aigcData` is the output recorded for `prompt`.
    function verify(bytes calldata prompt, bytes calldata aigcData, bytes calldata proof)
        external
        view
        returns (bool success);
}
