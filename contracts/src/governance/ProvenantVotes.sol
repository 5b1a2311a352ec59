// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {ERC20Votes} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Votes.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

/// @title ProvenantVotes
/// @notice The governance token (symbol PVG): ERC-20 with EIP-2612 permit and ERC-5805 vote delegation.
/// The whole supply is minted once, at deployment, to `initialHolder`; nothing mints afterwards.
/// @dev Invariants: `totalSupply()` equals `initialSupply` forever; the clock is `block.timestamp`
/// (`CLOCK_MODE() == "mode=timestamp"`), so every governance delay counted in this token's clock is in
/// seconds. Holders must delegate (possibly to themselves) before their balance counts as votes.
contract ProvenantVotes is ERC20, ERC20Permit, ERC20Votes {
    /// @param initialHolder Receives the whole supply (e.g. the deployer, who distributes it).
    /// @param initialSupply Total supply, 18 decimals.
    constructor(address initialHolder, uint256 initialSupply)
        ERC20("Provenant Governance", "PVG")
        ERC20Permit("Provenant Governance")
    {
        _mint(initialHolder, initialSupply);
    }

    /// @notice The vote clock: the current block timestamp (seconds).
    function clock() public view override returns (uint48) {
        return uint48(block.timestamp);
    }

    /// @notice ERC-6372 clock description: timestamps.
    // solhint-disable-next-line func-name-mixedcase
    function CLOCK_MODE() public pure override returns (string memory) {
        return "mode=timestamp";
    }

    /// @inheritdoc ERC20Permit
    function nonces(address owner) public view override(ERC20Permit, Nonces) returns (uint256) {
        return super.nonces(owner);
    }

    function _update(address from, address to, uint256 value) internal override(ERC20, ERC20Votes) {
        super._update(from, to, value);
    }
}
