// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title SynthToken
/// @notice The ERC-20 of one synthetic asset (e.g. sWTI, sXAU), 18 decimals, with EIP-2612 permits.
/// @dev Invariants: only `VAULT` mints or burns, so `totalSupply()` always equals the sum of the debts
/// the vault records; transfers are plain ERC-20 and need no one's permission. The vault deploys this
/// token in its own constructor, so `VAULT` is fixed before the first mint can happen.
contract SynthToken is ERC20, ERC20Permit {
    /// @notice The `SyntheticVault` that alone may mint and burn.
    address public immutable VAULT;

    /// @notice A caller other than the vault tried to mint or burn.
    error SynthUnauthorized(address caller, address vault);

    modifier onlyVault() {
        if (msg.sender != VAULT) revert SynthUnauthorized(msg.sender, VAULT);
        _;
    }

    /// @param name_ ERC-20 name, e.g. "Provenant Synthetic WTI".
    /// @param symbol_ ERC-20 symbol, e.g. "sWTI".
    /// @param vault_ The vault that mints and burns.
    constructor(string memory name_, string memory symbol_, address vault_)
        ERC20(name_, symbol_)
        ERC20Permit(name_)
    {
        VAULT = vault_;
    }

    /// @notice Mints `amount` to `to`. Vault only.
    function mint(address to, uint256 amount) external onlyVault {
        _mint(to, amount);
    }

    /// @notice Burns `amount` from `from`. Vault only; the vault burns only from the account that
    /// called it (repayment, liquidation), so no allowance is involved.
    function burn(address from, uint256 amount) external onlyVault {
        _burn(from, amount);
    }
}
