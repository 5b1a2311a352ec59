// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {RealGuardFixture} from "./RealGuardFixture.sol";

/// @notice Policy-gated mint and update against the product's PolicyGuard: every refusal names the
/// rule and carries its values, and nothing is recorded by a refused call.
contract ProvenanceNFTPolicyTest is RealGuardFixture {
    function test_mint_agent_allowed() public {
        uint256 id = mintN(1);
        assertEq(nft.ownerOf(id), collector);
        (uint256 epochLeft, uint256 lifetimeLeft,) = guard.remaining(address(nft), PolicyActions.MINT);
        assertEq(epochLeft, EPOCH_CAP - 1);
        assertEq(lifetimeLeft, LIFETIME_CAP - 1);
    }

    function test_mint_nonAgent_refused() public {
        _checkNonAgent(makeAddr("stranger"));
    }

    function testFuzz_mint_nonAgent_refused(address stranger) public {
        vm.assume(stranger != agent);
        _checkNonAgent(stranger);
    }

    function _checkNonAgent(address stranger) internal {
        bytes32 c = keccak256("c");
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, stranger));
        mintAs(stranger, c, keccak256("k"));
        assertFalse(nft.isMinted(c));
    }

    function test_mint_globalPause_refused() public {
        vm.prank(guardian);
        guard.pause();
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(0)));
        mintN(1);
        vm.prank(timelock);
        guard.unpause();
        mintN(1);
    }

    function test_mint_assetPause_refused() public {
        vm.prank(guardian);
        guard.pauseAsset(address(nft));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(nft)));
        mintN(1);
    }

    function test_mint_unapprovedModel_refused() public {
        bytes32 c = keccak256("c");
        vm.prank(agent);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyModelNotAllowed.selector, policyId(PolicyActions.MINT), OTHER_MODEL
            )
        );
        nft.mint(collector, OTHER_MODEL, c, keccak256("k"), keccak256("manifest"));
    }

    function test_mint_epochCap_refused_thenResets() public {
        _checkEpochCap(0);
    }

    function testFuzz_mint_epochCap_refused_thenResets(uint256 offset) public {
        _checkEpochCap(bound(offset, 0, MINT_EPOCH - 1));
    }

    function _checkEpochCap(uint256 offset) internal {
        vm.warp((block.timestamp / MINT_EPOCH) * MINT_EPOCH + offset);
        for (uint256 i; i < EPOCH_CAP; ++i) {
            mintN(i);
        }
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyMintCapExceeded.selector, policyId(PolicyActions.MINT), 1, 0
            )
        );
        mintN(EPOCH_CAP);
        vm.warp((block.timestamp / MINT_EPOCH + 1) * MINT_EPOCH);
        mintN(EPOCH_CAP);
        assertEq(nft.balanceOf(collector), EPOCH_CAP + 1);
    }

    function test_mint_lifetimeCap_refused() public {
        uint256 n;
        while (n < LIFETIME_CAP) {
            mintN(n++);
            if (n % EPOCH_CAP == 0) vm.warp(block.timestamp + MINT_EPOCH);
        }
        vm.warp(block.timestamp + MINT_EPOCH);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyLifetimeCapExceeded.selector, policyId(PolicyActions.MINT), 1, 0
            )
        );
        mintN(n);
        assertEq(nft.balanceOf(collector), LIFETIME_CAP);
    }

    function test_update_rateLimitedPerToken() public {
        uint256 a = mintN(1);
        uint256 b = mintN(2);
        evolveAs(agent, a, 0, keccak256("a1"));
        evolveAs(agent, b, 0, keccak256("b1")); // another token has its own allowance
        uint256 resetsAt = (block.timestamp / UPDATE_EPOCH + 1) * UPDATE_EPOCH;
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyRateLimited.selector, policyId(PolicyActions.UPDATE), a, 1, resetsAt
            )
        );
        evolveAs(agent, a, 1, keccak256("a2"));
        assertEq(nft.versionCount(a), 2);
        vm.warp(resetsAt);
        evolveAs(agent, a, 1, keccak256("a2"));
        assertEq(nft.versionCount(a), 3);
    }

    function test_update_nonAgent_refused() public {
        uint256 id = mintN(1);
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyNotAgent.selector, collector));
        evolveAs(collector, id, 0, keccak256("v1"));
    }

    function test_update_paused_refused() public {
        uint256 id = mintN(1);
        vm.prank(guardian);
        guard.pauseAsset(address(nft));
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(nft)));
        evolveAs(agent, id, 0, keccak256("v1"));
        assertEq(nft.versionCount(id), 1);
    }

    function test_update_modelRevoked_refused() public {
        uint256 id = mintN(1);
        registry.setApproved(MODEL, false);
        vm.expectRevert(
            abi.encodeWithSelector(
                PolicyGuard.PolicyModelNotAllowed.selector, policyId(PolicyActions.UPDATE), MODEL
            )
        );
        evolveAs(agent, id, 0, keccak256("v1"));
    }
}
