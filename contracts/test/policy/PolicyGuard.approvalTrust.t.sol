// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IModelApprovalListener} from "../../src/models/IModelApprovalListener.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {PolicyGuardApprovalPushTest} from "./PolicyGuard.approvalPush.t.sol";

/// @notice A listener that names the right registry (so `bindApprovalListener` accepts it) and refuses every
/// revocation: what a deployer could bind, since the registry checks only `modelRegistry()`.
contract VetoListener is IModelApprovalListener {
    IModelRegistry internal immutable _REGISTRY;

    constructor(IModelRegistry registry) {
        _REGISTRY = registry;
    }

    function onModelApprovalChanged(bytes32, bool approved) external pure {
        require(approved, "revocation vetoed");
    }

    function modelRegistry() external view returns (IModelRegistry) {
        return _REGISTRY;
    }
}

/// @notice The trust model of the approval push (session 10 review): the push is not try/caught, so a
/// revocation can never land while the bound guard's copy still says "approved" — not even when it is sent
/// with too little gas — and the price is that the listener the deployer binds can hold up revocations, which
/// the guardian answers by pausing the guard (documented in ModelRegistry's header and docs/markets.md).
contract PolicyGuardApprovalTrustTest is PolicyGuardApprovalPushTest {
    /// @dev Documented behaviour, not a wish: a vetoing listener makes the guardian's revocation revert, and
    /// the registry keeps approving; the guardian's pause of the guard still stops the guarded action at once.
    function test_vetoingListener_blocksRevocation_guardianPausesTheGuard() public {
        reg.bindApprovalListener(new VetoListener(IModelRegistry(address(reg))));
        _approve(M1);
        vm.prank(GUARDIAN);
        vm.expectRevert(bytes("revocation vetoed"));
        reg.revokeModel(M1);
        assertTrue(reg.isApproved(M1), "the revocation did not land");
        // `g` is not the bound listener: it asks the registry (slow path), which still approves.
        _guardedMint(g, asset, M1, true, 1);
        vm.prank(GUARDIAN);
        g.pause();
        vm.expectRevert(abi.encodeWithSelector(PolicyGuard.PolicyPaused.selector, address(0)));
        vm.prank(AGENT);
        asset.mintWith(USER, 1, M1, 0);
    }

    /// @dev A revocation sent with too little gas for the push reverts whole: the guard's copy always equals
    /// the registry, and the guarded action follows it.
    function testFuzz_starvedRevocation_neverLeavesAStaleCopy(uint256 gasLimit) public {
        reg.bindApprovalListener(g);
        _approve(M1);
        gasLimit = bound(gasLimit, 5000, 60_000);
        vm.prank(GUARDIAN);
        (bool ok,) = address(reg).call{gas: gasLimit}(abi.encodeCall(ModelRegistry.revokeModel, (M1)));
        assertEq(reg.isApproved(M1), !ok, "registry");
        assertEq(g.isModelAllowed(M1), reg.isApproved(M1), "guard's copy != registry");
        _guardedMint(g, asset, M1, !ok, ok ? 1 : 0);
    }

    /// @dev The concrete twin: every gas limit from 5,000 to 60,000 in steps of 250; both outcomes occur.
    function test_starvedRevocation_neverLeavesAStaleCopy() public {
        reg.bindApprovalListener(g);
        _approve(M1);
        uint256 landed;
        uint256 starved;
        for (uint256 gasLimit = 5000; gasLimit <= 60_000; gasLimit += 250) {
            uint256 snapshot = vm.snapshotState();
            vm.prank(GUARDIAN);
            (bool ok,) = address(reg).call{gas: gasLimit}(abi.encodeCall(ModelRegistry.revokeModel, (M1)));
            assertEq(g.isModelAllowed(M1), reg.isApproved(M1), "guard's copy != registry");
            assertEq(reg.isApproved(M1), !ok, "registry");
            if (ok) ++landed;
            else ++starved;
            vm.revertToState(snapshot);
        }
        assertGt(landed, 0, "no revocation landed");
        assertGt(starved, 0, "no revocation starved");
    }
}
