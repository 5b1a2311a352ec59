// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice What `ModelShares` calls on its registry before every balance change.
interface IModelSharesHook {
    /// @notice Settles the revenue owed to `from` and `to` at their balances before a transfer.
    function onSharesTransfer(
        bytes32 modelId,
        address from,
        uint256 fromBalance,
        address to,
        uint256 toBalance
    ) external;
}

/// @title ModelShares
/// @notice Fractional ownership of one registered model: a plain, transferable ERC-20 with a fixed
/// supply minted once, at registration, to the owners list. Holders earn the model's revenue pro rata;
/// the accumulator lives in the registry (`REGISTRY`), which this token calls before every transfer so
/// that revenue earned before a transfer stays with the sender.
/// @dev Invariants: `totalSupply()` is fixed after construction (no mint or burn function exists);
/// every transfer (including to self) settles both sides in the registry before balances change.
contract ModelShares is ERC20 {
    /// @notice The registry that deployed this token and keeps its revenue accumulator.
    IModelSharesHook public immutable REGISTRY;
    /// @notice The model this token represents (the commitment to its weights).
    bytes32 public immutable MODEL_ID;

    /// @notice Owners list and amounts differ in length, or the list is empty.
    error SharesInvalidHolders(uint256 holders, uint256 amounts);

    /// @param modelId The model. @param name_ / symbol_ ERC-20 metadata.
    /// @param holders Initial owners. @param amounts Their shares (18 decimals).
    constructor(
        bytes32 modelId,
        string memory name_,
        string memory symbol_,
        address[] memory holders,
        uint256[] memory amounts
    ) ERC20(name_, symbol_) {
        if (holders.length == 0 || holders.length != amounts.length) {
            revert SharesInvalidHolders(holders.length, amounts.length);
        }
        REGISTRY = IModelSharesHook(msg.sender);
        MODEL_ID = modelId;
        for (uint256 i; i < holders.length; ++i) {
            _mint(holders[i], amounts[i]);
        }
    }

    /// @dev Settles both sides in the registry before any transfer. Mints happen only in the
    /// constructor, before any revenue can exist, so they need no settlement (and the registry does
    /// not know this address yet).
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) {
            REGISTRY.onSharesTransfer(
                MODEL_ID, from, balanceOf(from), to, to == address(0) ? 0 : balanceOf(to)
            );
        }
        super._update(from, to, value);
    }
}
