// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {TestFeeToken} from "./FeeDoubles.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Test} from "forge-std/Test.sol";

/// @notice The three product contracts wired as deployed: ModelRegistry (approval + revenue),
/// PolicyGuard (reads approvals from the registry) and ProvenanceNFT (mint fee to the registry).
contract ProvenanceNFTWiredTest is Test {
    bytes32 internal constant MODEL = keccak256("provenant.model.cppn-v1");
    uint256 internal constant FEE = 2e18;

    address internal agent = makeAddr("agent");
    address internal timelock = makeAddr("timelock");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    TestFeeToken internal token;
    ModelRegistry internal registry;
    PolicyGuard internal guard;
    ProvenanceNFT internal nft;

    function setUp() public {
        vm.warp(1_750_032_000);
        token = new TestFeeToken();
        registry = new ModelRegistry(IERC20(address(token)), timelock, address(0));
        address[] memory holders = new address[](2);
        holders[0] = alice;
        holders[1] = bob;
        uint256[] memory amounts = new uint256[](2);
        amounts[0] = 750_000e18;
        amounts[1] = 250_000e18;
        registry.register(
            MODEL, ModelRegistry.Kind.Generator, "1.0.0", "ipfs://model", "MIT", holders, amounts
        );

        PolicyGuard.Limits memory limits = PolicyGuard.Limits({
            epochCap: 10,
            lifetimeCap: 100,
            rateLimit: 100,
            subjectRateLimit: 1,
            minValue: 0,
            maxValue: 0,
            maxStep: 0,
            marginBps: 0,
            maxOracleAge: 0,
            maxDeviationBps: 0
        });
        guard = new PolicyGuard(timelock, address(0), agent, IModelRegistry(address(registry)), limits);
        nft = new ProvenanceNFT("Provenant Art", "PVART", guard, timelock, timelock, 500, 10e18);
        vm.startPrank(timelock);
        guard.createPolicy(address(nft), PolicyActions.MINT, 1 days, limits, limits, 0);
        guard.createPolicy(address(nft), PolicyActions.UPDATE, 1 hours, limits, limits, 0);
        nft.setMintFee(registry, IERC20(address(token)), FEE);
        vm.stopPrank();

        token.mint(agent, 100e18);
        vm.prank(agent);
        token.approve(address(nft), type(uint256).max);
    }

    function test_mint_needsRegistryApproval_thenPaysModelHolders() public {
        bytes32 c = keccak256("metadata"); // the genesis metadata digest: the token id
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyModelNotAllowed.selector,
                keccak256(abi.encode(address(nft), PolicyActions.MINT)),
                MODEL
            )
        );
        nft.mint(agent, MODEL, c, keccak256("intent"), keccak256("manifest"));

        ModelRegistry.Model memory m = registry.getModel(MODEL);
        vm.prank(timelock);
        registry.approveModel(MODEL, m.owner, address(m.shares), m.zkCommitment);
        vm.prank(agent);
        uint256 id = nft.mint(agent, MODEL, c, keccak256("intent"), keccak256("manifest"));

        assertEq(nft.ownerOf(id), agent);
        assertEq(token.balanceOf(agent), 100e18 - FEE);
        assertEq(token.balanceOf(address(registry)), FEE);
        assertEq(registry.claimable(MODEL, alice), FEE * 3 / 4);
        assertEq(registry.claimable(MODEL, bob), FEE / 4);

        vm.warp(block.timestamp + 1 hours);
        vm.prank(agent);
        nft.evolve(id, 0, MODEL, keccak256("manifest v1"), keccak256("metadata v1"));
        assertEq(nft.versionCount(id), 2);
        assertEq(token.balanceOf(address(registry)), FEE, "updates carry no fee");
    }
}
