// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {JournalAnchor} from "../../src/provenance/JournalAnchor.sol";
import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

/// @notice Unit tests of JournalAnchor, each fuzz test with a concrete twin, and the anchor's gas as a
/// whole transaction (21,000 intrinsic + calldata + the call's execution with the contract and its slot
/// cold, as in a fresh transaction). Run:
/// `FOUNDRY_SRC=contracts/src/provenance FOUNDRY_TEST=contracts/test/provenance FOUNDRY_OUT=out-provenance
/// FOUNDRY_CACHE_PATH=cache/provenance node scripts/forge.mjs test -vv`; gas lines read `gas.<name> <n>`.
contract JournalAnchorTest is Test {
    event JournalAnchored(address indexed agent, uint64 indexed seq, bytes32 head);

    JournalAnchor internal anchors;
    /// The agent's first anchor (seq 24) already recorded: the steady state of the gas figure.
    JournalAnchor internal anchored;
    address internal constant AGENT = address(0xA6E7);
    address internal constant OTHER = address(0x07E4);
    bytes32 internal constant HEAD = keccak256("journal entry 466");

    function setUp() public {
        anchors = new JournalAnchor();
        anchored = new JournalAnchor();
        vm.prank(AGENT);
        anchored.anchor(24, HEAD);
    }

    // ------------------------------------------------------------------------------------------ anchor

    function test_anchor_recordsAndEmits() public {
        vm.expectEmit(true, true, false, true, address(anchors));
        emit JournalAnchored(AGENT, 466, HEAD);
        vm.prank(AGENT);
        anchors.anchor(466, HEAD);
        assertEq(anchors.lastSeq(AGENT), 466);
        assertEq(anchors.lastSeq(OTHER), 0);
    }

    function testFuzz_anchor_recordsAndEmits(address agent, uint64 seq, bytes32 head) public {
        seq = uint64(bound(seq, 1, type(uint64).max));
        vm.assume(head != bytes32(0));
        vm.expectEmit(true, true, false, true, address(anchors));
        emit JournalAnchored(agent, seq, head);
        vm.prank(agent);
        anchors.anchor(seq, head);
        assertEq(anchors.lastSeq(agent), seq);
    }

    function test_anchor_strictlyIncreasing() public {
        vm.startPrank(AGENT);
        anchors.anchor(10, HEAD);
        anchors.anchor(11, HEAD);
        anchors.anchor(500, keccak256("later"));
        vm.stopPrank();
        assertEq(anchors.lastSeq(AGENT), 500);
    }

    function test_anchor_refusesSameSeq() public {
        vm.startPrank(AGENT);
        anchors.anchor(466, HEAD);
        vm.expectRevert(
            abi.encodeWithSelector(JournalAnchor.JournalAnchorSeqNotIncreasing.selector, AGENT, 466, 466)
        );
        anchors.anchor(466, keccak256("a rewritten entry 466"));
        vm.stopPrank();
        assertEq(anchors.lastSeq(AGENT), 466);
    }

    function test_anchor_refusesLowerSeq() public {
        vm.startPrank(AGENT);
        anchors.anchor(466, HEAD);
        vm.expectRevert(
            abi.encodeWithSelector(JournalAnchor.JournalAnchorSeqNotIncreasing.selector, AGENT, 465, 466)
        );
        anchors.anchor(465, HEAD);
        vm.stopPrank();
    }

    function testFuzz_anchor_refusesNotAbove(uint64 last, uint64 seq) public {
        last = uint64(bound(last, 1, type(uint64).max));
        seq = uint64(bound(seq, 0, last));
        vm.startPrank(AGENT);
        anchors.anchor(last, HEAD);
        vm.expectRevert(
            abi.encodeWithSelector(JournalAnchor.JournalAnchorSeqNotIncreasing.selector, AGENT, seq, last)
        );
        anchors.anchor(seq, HEAD);
        vm.stopPrank();
        assertEq(anchors.lastSeq(AGENT), last);
    }

    function test_anchor_refusesNotAbove_twin() public {
        testFuzz_anchor_refusesNotAbove(1000, 999);
    }

    function test_anchor_refusesSeqZero() public {
        vm.expectRevert(
            abi.encodeWithSelector(JournalAnchor.JournalAnchorSeqNotIncreasing.selector, AGENT, 0, 0)
        );
        vm.prank(AGENT);
        anchors.anchor(0, HEAD);
    }

    function test_anchor_refusesZeroHead() public {
        vm.expectRevert(abi.encodeWithSelector(JournalAnchor.JournalAnchorZeroHead.selector, AGENT, 7));
        vm.prank(AGENT);
        anchors.anchor(7, bytes32(0));
        assertEq(anchors.lastSeq(AGENT), 0);
    }

    function test_anchor_callersAreIndependent() public {
        vm.prank(AGENT);
        anchors.anchor(466, HEAD);
        // Another address anchors lower seqs of its own journal; the agent's last seq is untouched.
        vm.prank(OTHER);
        anchors.anchor(3, keccak256("other journal"));
        assertEq(anchors.lastSeq(AGENT), 466);
        assertEq(anchors.lastSeq(OTHER), 3);
    }

    function testFuzz_anchor_callersAreIndependent(address a, address b, uint64 seqA, uint64 seqB) public {
        vm.assume(a != b);
        seqA = uint64(bound(seqA, 1, type(uint64).max));
        seqB = uint64(bound(seqB, 1, type(uint64).max));
        vm.prank(a);
        anchors.anchor(seqA, HEAD);
        vm.prank(b);
        anchors.anchor(seqB, HEAD);
        assertEq(anchors.lastSeq(a), seqA);
        assertEq(anchors.lastSeq(b), seqB);
    }

    function test_anchor_lastSeqIsOneSlotPerCaller() public {
        vm.prank(AGENT);
        anchors.anchor(466, HEAD);
        // `_lastSeq` is the contract's only state: slot keccak256(agent . 0) holds the seq, nothing else.
        bytes32 slot = keccak256(abi.encode(AGENT, uint256(0)));
        assertEq(uint256(vm.load(address(anchors), slot)), 466);
    }

    // --------------------------------------------------------------------------------------------- gas

    /// @dev A whole transaction's gas: 21,000 + calldata (4 per zero byte, 16 per other byte; Cancun,
    /// no EIP-7623 floor) + the call's execution, measured as the first touch of `target` in the test's
    /// transaction (a test is one transaction: a slot written earlier in the same test is dirty and its
    /// second write is priced 2,800 lower than in a fresh transaction).
    function _txGas(JournalAnchor target, uint64 seq, bytes32 head) internal returns (uint256) {
        bytes memory data = abi.encodeCall(JournalAnchor.anchor, (seq, head));
        uint256 calldataGas;
        for (uint256 i; i < data.length; ++i) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        vm.prank(AGENT);
        target.anchor(seq, head);
        return 21_000 + calldataGas + vm.lastCallGas().gasTotalUsed;
    }

    /// @dev Two measured calls on two separate contracts, each its first touch in this transaction: `anchors`
    /// (fresh from setUp) takes the agent's first anchor; `anchored` (the agent anchored seq 24 in setUp, a
    /// transaction of its own) takes the next one over a non-zero, clean slot.
    function test_gas_anchor() public {
        uint256 first = _txGas(anchors, 24, HEAD);
        uint256 next = _txGas(anchored, 1366, keccak256("journal entry 1366"));
        console.log("gas.anchor.first(tx)", first);
        console.log("gas.anchor.next(tx)", next);
        // Bounds, not exact figures: a zero-to-non-zero slot (22,100) makes the first one dearer.
        assertLt(first, 50_000);
        assertLt(next, 35_000);
        assertGt(first, next);
        assertEq(anchored.lastSeq(AGENT), 1366);
    }
}
