// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {AssetModelRegistry, TestFeeToken} from "./FeeDoubles.sol";
import {Test} from "forge-std/Test.sol";

/// @notice ProvenanceNFT behind the product's `PolicyGuard`: a mint policy (epoch and lifetime caps,
/// daily epochs) and an update policy (one update per token per hour-long epoch). Model approval is
/// read from a registry double (`isApproved`).
abstract contract RealGuardFixture is Test {
    bytes32 internal constant MODEL = keccak256("provenant.model.cppn-v1");
    bytes32 internal constant OTHER_MODEL = keccak256("provenant.model.unapproved");
    uint256 internal constant EPOCH_CAP = 5;
    uint256 internal constant LIFETIME_CAP = 12;
    uint256 internal constant MINT_EPOCH = 1 days;
    uint256 internal constant UPDATE_EPOCH = 1 hours;

    address internal agent = makeAddr("agent");
    address internal timelock = makeAddr("timelock");
    address internal guardian = makeAddr("guardian");
    address internal collector = makeAddr("collector");
    AssetModelRegistry internal registry;
    PolicyGuard internal guard;
    ProvenanceNFT internal nft;

    function setUp() public virtual {
        vm.warp(1_750_032_000); // a multiple of 1 hour, mid-day
        registry = new AssetModelRegistry(new TestFeeToken());
        registry.setApproved(MODEL, true);
        guard = new PolicyGuard(timelock, guardian, agent, IModelRegistry(address(registry)), _ceiling());
        nft = new ProvenanceNFT("Provenant Art", "PVART", guard, timelock, timelock, 500, 0);
        PolicyGuard.Limits memory mintLimits = _ceiling();
        mintLimits.epochCap = EPOCH_CAP;
        mintLimits.lifetimeCap = LIFETIME_CAP;
        PolicyGuard.Limits memory updateLimits = _ceiling();
        updateLimits.subjectRateLimit = 1;
        vm.startPrank(timelock);
        guard.createPolicy(address(nft), PolicyActions.MINT, MINT_EPOCH, _ceiling(), mintLimits, 0);
        guard.createPolicy(address(nft), PolicyActions.UPDATE, UPDATE_EPOCH, _ceiling(), updateLimits, 0);
        vm.stopPrank();
    }

    function _ceiling() internal pure returns (PolicyGuard.Limits memory) {
        return PolicyGuard.Limits({
            epochCap: 1000,
            lifetimeCap: 100_000,
            rateLimit: 1000,
            subjectRateLimit: 4,
            minValue: 0,
            maxValue: 0,
            maxStep: 0,
            marginBps: 0,
            maxOracleAge: 0,
            maxDeviationBps: 0
        });
    }

    /// @dev Mints metadata digest `metadataDigest` (the token id); the manifest digest is a stand-in.
    function mintAs(address sender, bytes32 metadataDigest, bytes32 intentKey) internal returns (uint256) {
        vm.prank(sender);
        return nft.mint(collector, MODEL, metadataDigest, intentKey, keccak256(abi.encode(metadataDigest)));
    }

    function mintN(uint256 n) internal returns (uint256) {
        return mintAs(agent, keccak256(abi.encode("manifest", n)), keccak256(abi.encode("intent", n)));
    }

    /// @dev Appends metadata digest `metadataDigest` (the version's commitment); stand-in manifest digest.
    function evolveAs(address sender, uint256 tokenId, uint256 parent, bytes32 metadataDigest)
        internal
        returns (uint256)
    {
        vm.prank(sender);
        return nft.evolve(tokenId, parent, MODEL, keccak256(abi.encode(metadataDigest)), metadataDigest);
    }

    function policyId(bytes32 action) internal view returns (bytes32) {
        return keccak256(abi.encode(address(nft), action));
    }
}
