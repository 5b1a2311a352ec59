// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {ModelShares} from "../../src/models/ModelShares.sol";

/// @notice Drives distributions, share transfers and claims; keeps ghost sums of revenue paid in,
/// claimed, and the number of settlements (each may leave < 1 unit of rounding dust).
contract RevenueHandler is Test {
    ModelRegistry internal registry;
    ModelShares internal shares;
    TestStablecoin internal usd;
    bytes32 internal modelId;
    address[] public holders;

    uint256 public paidIn;
    uint256 public claimed;
    uint256 public settlements;

    constructor(ModelRegistry r, TestStablecoin u, bytes32 id, address[] memory holders_) {
        registry = r;
        usd = u;
        modelId = id;
        shares = ModelShares(r.sharesOf(id));
        holders = holders_;
        usd.approve(address(r), type(uint256).max);
    }

    function holderCount() external view returns (uint256) {
        return holders.length;
    }

    function distribute(uint256 amount) external {
        amount = _bound(amount, 1, 1e15);
        usd.mint(address(this), amount);
        registry.distribute(modelId, amount);
        paidIn += amount;
    }

    function transfer(uint256 fromSeed, uint256 toSeed, uint256 amount) external {
        address from = holders[fromSeed % holders.length];
        address to = holders[toSeed % holders.length];
        uint256 bal = shares.balanceOf(from);
        amount = _bound(amount, 0, bal);
        vm.prank(from);
        shares.transfer(to, amount);
        settlements += 2;
    }

    function claim(uint256 seed) external {
        address h = holders[seed % holders.length];
        vm.prank(h);
        claimed += registry.claim(modelId);
        settlements += 1;
    }
}
