// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title ISynthDebtLedger
/// @notice What `SynthToken` reads from its vault: the sum of all position debts.
interface ISynthDebtLedger {
    /// @notice Sum of all position debts, in synth units.
    function totalDebt() external view returns (uint128);
}

/// @title SynthToken
/// @notice The ERC-20 of one synthetic asset (e.g. sWTI, sXAU), 18 decimals, with EIP-2612 permits.
/// @dev Invariants: only `VAULT` mints or burns, and it does so exactly when it adds or removes the same
/// amount of position debt, so the sum of all balances equals the vault's `totalDebt` at the end of every
/// vault call. `totalSupply()` therefore READS the vault's `totalDebt` instead of keeping a second
/// counter: one storage write less per mint and per burn (5,000 gas each, measured in
/// `contracts/test/bench/MarketsGas.t.sol`), and the two totals cannot drift apart. Balances live in this
/// contract's own mapping (OpenZeppelin's `_update` would also write its supply counter); transfers,
/// allowances and permits are OpenZeppelin's. The vault deploys this token in its own constructor, so
/// `VAULT` is fixed before the first mint can happen.
contract SynthToken is ERC20, ERC20Permit {
    /// @notice The `SyntheticVault` that alone may mint and burn.
    address public immutable VAULT;

    mapping(address account => uint256) private _synthBalances;

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

    /// @notice The vault's `totalDebt` (see the contract header): equal to the sum of all balances.
    function totalSupply() public view override returns (uint256) {
        return ISynthDebtLedger(VAULT).totalDebt();
    }

    /// @inheritdoc ERC20
    function balanceOf(address account) public view override returns (uint256) {
        return _synthBalances[account];
    }

    /// @dev OpenZeppelin's `_update` without the supply counter. Adding to a balance stays checked; it
    /// cannot overflow anyway, since all balances sum to the vault's uint128 `totalDebt`.
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) {
            uint256 fromBalance = _synthBalances[from];
            if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
            unchecked {
                _synthBalances[from] = fromBalance - value;
            }
        }
        if (to != address(0)) _synthBalances[to] += value;
        emit Transfer(from, to, value);
    }
}
