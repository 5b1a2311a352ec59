// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProvenanceNFT} from "../../src/assets/ProvenanceNFT.sol";
import {IModelRegistry} from "../../src/models/IModelRegistry.sol";
import {IPolicyGuard, PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {AssetModelRegistry, TestFeeToken} from "../assets/FeeDoubles.sol";
import {TestPolicyGuard} from "../assets/TestPolicyGuard.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Test, console} from "forge-std/Test.sol";

/// @notice A guard that checks nothing: isolates the NFT's own share of the figures.
contract NoopGuard {
    function consume(bytes32, address, bytes32, uint256, uint256) external {}
}

/// @notice The OpenZeppelin ERC-721 plain-mint reference (no guard, no provenance).
contract PlainERC721 is ERC721 {
    constructor() ERC721("Plain", "PLN") {}

    function mint(address to, uint256 tokenId) external {
        _mint(to, tokenId);
    }
}

/// @title NftGas
/// @notice Gas of ProvenanceNFT's guarded mint and metadata update, with the real `PolicyGuard` (and,
/// for comparison, the test guard). Each figure is measured in its own test so that storage and
/// accounts start cold, as in a real transaction; setUp primes the steady state (the collector holds
/// a token, the guard's counters and token A's two words are non-zero). `update` is that steady state
/// (token A, evolved twice: its chain word and latest commitment are rewritten); `update.firstOfToken`
/// is token B's first update (its latest-commitment slot and the guard's per-token slot go from zero to
/// non-zero; version 1's head is implied, no chain word); `update.secondOfToken` is token B's second
/// update (its chain word goes from zero to non-zero).
///
/// Printed per case: `<name> <execution gas>` = gas used by the call frame (a transaction's gas minus
/// its intrinsic cost), and `<name>.tx <n>` = execution + 21,000 + calldata (4 per zero byte, 16 per
/// non-zero byte; Cancun, no refunds in these paths) = what a receipt shows.
/// Run: `node scripts/forge.mjs test --match-path contracts/test/bench/NftGas.t.sol -vv`.
contract NftGasTest is Test {
    bytes32 internal constant MODEL = keccak256("provenant.model.cppn-v1");
    address internal agent = makeAddr("agent");
    address internal timelock = makeAddr("timelock");
    address internal collector = makeAddr("collector");

    ProvenanceNFT internal nft; // real PolicyGuard
    ProvenanceNFT internal nftT; // TestPolicyGuard
    ProvenanceNFT internal nftN; // NoopGuard
    PlainERC721 internal plain;
    uint256 internal tokenA; // minted and evolved twice in setUp (its chain word exists)
    uint256 internal tokenB; // minted in setUp, never evolved
    uint256 internal tokenC; // minted and evolved once in setUp (no chain word yet)
    uint256 internal tokenAT;
    uint256 internal tokenBT;
    uint256 internal tokenAN;
    uint256 internal tokenBN;

    function setUp() public {
        vm.warp(1_750_000_000);
        AssetModelRegistry registry = new AssetModelRegistry(new TestFeeToken());
        PolicyGuard.Limits memory ceiling = PolicyGuard.Limits({
            epochCap: 1000,
            lifetimeCap: 1_000_000,
            rateLimit: 1000,
            subjectRateLimit: 4,
            minValue: 0,
            maxValue: 0,
            maxStep: 0,
            marginBps: 0,
            maxOracleAge: 0,
            maxDeviationBps: 0
        });
        PolicyGuard pg =
            new PolicyGuard(address(this), address(0), agent, IModelRegistry(address(registry)), ceiling);
        // As the deployment does: the registry tells the guard of every approval change (its fast path).
        registry.bindApprovalListener(pg);
        registry.setApproved(MODEL, true);
        nft = new ProvenanceNFT("Provenant Art", "PVART", pg, timelock, timelock, 500, 0);
        PolicyGuard.Limits memory limits = ceiling;
        pg.createPolicy(address(nft), PolicyActions.MINT, 1 days, ceiling, limits, 0);
        limits.subjectRateLimit = 1; // one update per token per epoch
        pg.createPolicy(address(nft), PolicyActions.UPDATE, 1 hours, ceiling, limits, 0);

        TestPolicyGuard tg = new TestPolicyGuard(agent);
        nftT = new ProvenanceNFT("Provenant Art", "PVART", tg, timelock, timelock, 500, 0);
        tg.setModel(MODEL, true);
        tg.setLimit(address(nftT), PolicyActions.MINT, 1_000_000, 0);
        tg.setLimit(address(nftT), PolicyActions.UPDATE, type(uint64).max, 1 hours);

        nftN = new ProvenanceNFT(
            "Provenant Art", "PVART", IPolicyGuard(address(new NoopGuard())), timelock, timelock, 500, 0
        );

        plain = new PlainERC721();
        plain.mint(collector, 1);

        (tokenA, tokenB) = _prime(nft);
        (tokenAT, tokenBT) = _prime(nftT);
        (tokenAN, tokenBN) = _prime(nftN);
        vm.startPrank(agent);
        tokenC = uint256(nft.mint(collector, MODEL, _h("dc"), _h("ic"), _h("mc")));
        nft.evolve(tokenC, 0, MODEL, _h("mc1"), _h("dc1"));
        vm.stopPrank();
        vm.warp(block.timestamp + 1 days);
    }

    /// @dev Issue #5's target: a guarded mint costs at most 105,000 gas per transaction (receipt
    /// figure), also to a first-time holder. (No bound for the update: the issue's 50,000 is not met,
    /// a steady update is about 62,000; see the figures printed.)
    uint256 internal constant MINT_TX_TARGET = 105_000;

    function test_gas_mint() public {
        assertLe(
            _mint(nft, collector, "gas.nft.mint"), MINT_TX_TARGET, "gas.nft.mint.tx over issue #5's target"
        );
    }

    function test_gas_mint_firstTokenOfHolder() public {
        assertLe(
            _mint(nft, makeAddr("newHolder"), "gas.nft.mint.newHolder"),
            MINT_TX_TARGET,
            "gas.nft.mint.newHolder.tx over issue #5's target"
        );
    }

    function test_gas_update() public {
        _evolve(nft, tokenA, 2, "gas.nft.update");
    }

    function test_gas_update_firstOfToken() public {
        _evolve(nft, tokenB, 0, "gas.nft.update.firstOfToken");
    }

    function test_gas_update_secondOfToken() public {
        _evolve(nft, tokenC, 1, "gas.nft.update.secondOfToken");
    }

    function test_gas_mint_testGuard() public {
        _mint(nftT, collector, "gas.nft.mint.testGuard");
    }

    function test_gas_update_testGuard() public {
        _evolve(nftT, tokenAT, 2, "gas.nft.update.testGuard");
    }

    function test_gas_mint_noopGuard() public {
        _mint(nftN, collector, "gas.nft.mint.noopGuard");
    }

    function test_gas_update_noopGuard() public {
        _evolve(nftN, tokenAN, 2, "gas.nft.update.noopGuard");
    }

    function test_gas_update_firstOfToken_noopGuard() public {
        _evolve(nftN, tokenBN, 0, "gas.nft.update.firstOfToken.noopGuard");
    }

    function test_gas_reference_plainErc721Mint() public {
        plain.mint(makeAddr("newHolder"), 2);
        _report(
            "gas.ref.erc721.plainMint.newHolder", abi.encodeCall(PlainERC721.mint, (makeAddr("newHolder"), 2))
        );
    }

    // ------------------------------------------------------------ helpers

    function _prime(ProvenanceNFT target) internal returns (uint256 a, uint256 b) {
        vm.startPrank(agent);
        a = target.mint(collector, MODEL, _h("da"), _h("ia"), _h("ma"));
        b = target.mint(collector, MODEL, _h("db"), _h("ib"), _h("mb"));
        target.evolve(a, 0, MODEL, _h("ma1"), _h("da1"));
        vm.warp(block.timestamp + 1 hours); // the update policy allows one update per token per hour
        target.evolve(a, 1, MODEL, _h("ma2"), _h("da2"));
        vm.stopPrank();
    }

    /// @dev Mints, prints the figures and returns the transaction figure (`<name>.tx`).
    function _mint(ProvenanceNFT target, address to, string memory name) internal returns (uint256 txGas) {
        bytes32 manifestCid = _h(string.concat(name, ".manifestCid"));
        bytes32 metadataCid = _h(string.concat(name, ".metadataCid"));
        bytes32 intentKey = _h(string.concat(name, ".intent"));
        vm.prank(agent);
        target.mint(to, MODEL, metadataCid, intentKey, manifestCid);
        txGas = _report(
            name, abi.encodeCall(ProvenanceNFT.mint, (to, MODEL, metadataCid, intentKey, manifestCid))
        );
        assertEq(target.ownerOf(uint256(metadataCid)), to);
    }

    function _evolve(ProvenanceNFT target, uint256 tokenId, uint256 parent, string memory name) internal {
        bytes32 manifestCid = _h(string.concat(name, ".manifestCid"));
        bytes32 metadataCid = _h(string.concat(name, ".metadataCid"));
        vm.prank(agent);
        target.evolve(tokenId, parent, MODEL, manifestCid, metadataCid);
        _report(
            name, abi.encodeCall(ProvenanceNFT.evolve, (tokenId, parent, MODEL, manifestCid, metadataCid))
        );
        assertEq(target.versionCount(tokenId), parent + 2);
    }

    /// @dev Prints `<name> <execution>` and `<name>.tx <n>`; returns the `.tx` figure.
    function _report(string memory name, bytes memory callData) internal view returns (uint256 txGas) {
        uint256 execution = vm.lastCallGas().gasTotalUsed;
        uint256 calldataGas;
        for (uint256 i; i < callData.length; ++i) {
            calldataGas += callData[i] == 0 ? 4 : 16;
        }
        console.log(string.concat(name, " ", vm.toString(execution)));
        txGas = execution + 21_000 + calldataGas;
        console.log(string.concat(name, ".tx ", vm.toString(txGas)));
    }

    function _h(string memory s) internal pure returns (bytes32) {
        return keccak256(bytes(s));
    }
}
