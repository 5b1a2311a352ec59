// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title TestStablecoin — DEVNET ONLY
/// @notice A 6-decimal dollar stand-in (like USDC) that ANYONE can mint for free. It exists so the
/// embedded devnet (anvil) has collateral and a fee token without a bridge. It has no value and must
/// never be deployed to a public network or used as collateral there: on a real chain, configure the
/// vaults and the model registry with a real ERC-20 (e.g. USDC) instead.
/// @dev Invariant: `totalSupply()` equals the sum of all `Minted` amounts minus burns (none exist).
/// A per-call cap keeps a fat-fingered faucet call from overflowing downstream fixed-point maths.
contract TestStablecoin is ERC20, ERC20Permit {
    /// @notice Largest amount a single `mint` call may create (1e12 tokens at 6 decimals).
    uint256 public constant MAX_MINT_PER_CALL = 1e18;

    /// @notice `amount` was minted to `to` by `by` through the open faucet.
    event Minted(address indexed by, address indexed to, uint256 amount);

    /// @notice The requested mint exceeds the per-call cap.
    error MintAboveFaucetCap(uint256 requested, uint256 cap);

    constructor() ERC20("Provenant Test USD (devnet)", "tUSD") ERC20Permit("Provenant Test USD (devnet)") {}

    /// @notice Mints `amount` to `to`. Open to anyone: this is a devnet faucet.
    function mint(address to, uint256 amount) external {
        if (amount > MAX_MINT_PER_CALL) revert MintAboveFaucetCap(amount, MAX_MINT_PER_CALL);
        _mint(to, amount);
        emit Minted(msg.sender, to, amount);
    }

    /// @notice 6 decimals, like USDC.
    function decimals() public pure override returns (uint8) {
        return 6;
    }
}
