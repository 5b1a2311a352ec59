// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {JournalAnchor} from "../../src/provenance/JournalAnchor.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Three agents anchor random seqs (often at or below their last one) and random heads (sometimes
/// zero); ghost state keeps each agent's last accepted seq and flags any accepted seq not above it.
contract JournalAnchorHandler is Test {
    JournalAnchor public immutable anchors;
    address[3] public agents = [address(0xA1), address(0xA2), address(0xA3)];

    mapping(address agent => uint64 seq) public ghostLastSeq;
    bool public ghostNotIncreasing;
    bool public ghostZeroHead;
    uint256 public accepted;
    uint256 public refused;

    constructor(JournalAnchor anchors_) {
        anchors = anchors_;
    }

    function anchor(uint256 who, uint64 step, bool back, bytes32 head, bool zeroHead) external {
        address agent = agents[bound(who, 0, 2)];
        uint64 last = ghostLastSeq[agent];
        step = uint64(bound(step, 0, 50));
        // Half the calls aim at or below the last seq (must be refused), half above it (may be accepted).
        uint64 seq = back ? (last > step ? last - step : 0) : (last + step);
        if (zeroHead) head = bytes32(0);
        vm.prank(agent);
        try anchors.anchor(seq, head) {
            ++accepted;
            if (seq <= last) ghostNotIncreasing = true;
            if (head == bytes32(0)) ghostZeroHead = true;
            ghostLastSeq[agent] = seq;
        } catch {
            ++refused;
        }
    }

    function agentAt(uint256 i) external view returns (address) {
        return agents[i];
    }
}

contract JournalAnchorInvariantTest is Test {
    JournalAnchor internal anchors;
    JournalAnchorHandler internal handler;

    function setUp() public {
        anchors = new JournalAnchor();
        handler = new JournalAnchorHandler(anchors);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = JournalAnchorHandler.anchor.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// Per caller, anchored seqs strictly increase, and no zero head is ever accepted.
    function invariant_seqsStrictlyIncreasePerCaller() public view {
        assertFalse(handler.ghostNotIncreasing(), "an anchor at or below the caller's last seq was accepted");
        assertFalse(handler.ghostZeroHead(), "a zero head was accepted");
    }

    /// Each run exercised both outcomes: the invariants above are not vacuous.
    function afterInvariant() public view {
        assertGt(handler.accepted(), 0, "no anchor was accepted");
        assertGt(handler.refused(), 0, "no anchor was refused");
    }

    /// The contract's last seq per caller is the last seq the ghost saw accepted.
    function invariant_lastSeqMatchesGhost() public view {
        for (uint256 i; i < 3; ++i) {
            address agent = handler.agentAt(i);
            assertEq(anchors.lastSeq(agent), handler.ghostLastSeq(agent));
        }
    }
}
