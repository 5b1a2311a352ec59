// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";

import {TestStablecoin} from "../../src/devnet/TestStablecoin.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {RevenueHandler} from "./RevenueHandler.sol";

/// @notice Revenue conservation across any sequence of distributions, share transfers and claims:
/// claimed + claimable == paid in, up to one unit of rounding dust per settlement (documented).
contract ModelRegistryInvariantTest is Test {
    bytes32 internal constant MODEL = keccak256("weights:invariant");
    TestStablecoin internal usd;
    ModelRegistry internal registry;
    RevenueHandler internal handler;
    address[] internal holders;

    function setUp() public {
        usd = new TestStablecoin();
        registry = new ModelRegistry(IERC20(address(usd)), address(this), address(this));
        for (uint256 i; i < 4; ++i) {
            holders.push(makeAddr(string.concat("holder", vm.toString(i))));
        }
        uint256[] memory amounts = new uint256[](4);
        (amounts[0], amounts[1], amounts[2], amounts[3]) = (500_000e18, 300_000e18, 199_999e18, 1e18);
        address shares =
            registry.register(MODEL, ModelRegistry.Kind.Generator, "1", "", "MIT", holders, amounts);
        registry.approveModel(MODEL, address(this), shares, bytes32(0)); // revenue flows to approved ids only
        handler = new RevenueHandler(registry, usd, MODEL, holders);
        targetContract(address(handler));
    }

    function _claimable() internal view returns (uint256 sum) {
        for (uint256 i; i < holders.length; ++i) {
            sum += registry.claimable(MODEL, holders[i]);
        }
    }

    function invariant_claimedPlusClaimableEqualsPaidIn() public view {
        uint256 accounted = handler.claimed() + _claimable();
        uint256 paid = handler.paidIn();
        assertLe(accounted, paid, "never more than paid in");
        // Dust bound: one unit per settlement, plus one per holder for the pending settlement.
        assertLe(paid - accounted, handler.settlements() + holders.length, "dust within bound");
    }

    function invariant_registrySolvent() public view {
        assertEq(usd.balanceOf(address(registry)), handler.paidIn() - handler.claimed());
        assertGe(usd.balanceOf(address(registry)), _claimable());
    }
}
