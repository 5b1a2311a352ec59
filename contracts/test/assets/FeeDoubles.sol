// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelApprovalListener} from "../../src/models/IModelApprovalListener.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

/// @notice A plain ERC-20 fee token for tests; anyone may mint.
contract TestFeeToken is ERC20 {
    constructor() ERC20("Test Fee", "TFEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice A model registry double: approvals set by anyone (tests only), and `distribute` pulls the
/// fee as the real registry promises and books it per model.
contract AssetModelRegistry is IModelRegistry {
    using SafeERC20 for IERC20;

    IERC20 public immutable feeToken;
    mapping(bytes32 modelId => uint256) public revenue;
    mapping(bytes32 modelId => bool) private _approved;
    /// @notice Told of every `setApproved` once bound (as `ModelRegistry.bindApprovalListener`; unchecked here).
    IModelApprovalListener public approvalListener;

    event Distributed(bytes32 indexed modelId, uint256 amount);

    constructor(IERC20 token) {
        feeToken = token;
    }

    function bindApprovalListener(IModelApprovalListener listener) external {
        approvalListener = listener;
    }

    function setApproved(bytes32 modelId, bool approved) external {
        _approved[modelId] = approved;
        if (address(approvalListener) != address(0)) {
            approvalListener.onModelApprovalChanged(modelId, approved);
        }
    }

    function isApproved(bytes32 modelId) external view returns (bool) {
        return _approved[modelId];
    }

    function FEE_TOKEN() external view returns (IERC20) {
        return feeToken;
    }

    function distribute(bytes32 modelId, uint256 amount) external {
        feeToken.safeTransferFrom(msg.sender, address(this), amount);
        revenue[modelId] += amount;
        emit Distributed(modelId, amount);
    }
}

/// @notice An `IAigcVerifier` double: accepts a proof iff it equals keccak256(manifestDigest, aigcData).
contract TestAigcVerifier {
    function verifyAigc(
        uint256,
        uint256,
        bytes32 manifestDigest,
        bytes calldata aigcData,
        bytes calldata proof
    ) external pure returns (bool) {
        return proof.length == 32 && bytes32(proof) == keccak256(abi.encode(manifestDigest, aigcData));
    }
}
