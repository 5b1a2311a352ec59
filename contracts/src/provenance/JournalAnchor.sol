// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title JournalAnchor
/// @notice Public anchors of an agent's hash-chained journal. An agent calls `anchor(seq, head)` with the
/// journal's head (the seq of its last entry and that entry's hash); the log `JournalAnchored` records it,
/// and nobody can change or remove a log afterwards. Whoever holds the agent's key can rewrite the journal
/// file and sign the rewrite, but cannot rewrite its anchors: `provenant audit verify` compares every
/// anchored head with the journal.
/// @dev Invariants: for every caller, the seqs it anchors strictly increase (a caller can never anchor a
/// seq at or below one it anchored before, so an anchored head is never superseded by another head at the
/// same seq); `lastSeq(a)` is the seq of `a`'s latest anchor (0 before any), kept in one storage slot per
/// caller; no anchored head is zero; a caller anchors only for itself (`msg.sender`). There is no owner, no
/// pause and no other state: nobody can anchor for an agent, reset its seq or stop it anchoring.
contract JournalAnchor {
    // ------------------------------------------------------------------------------------------ state

    /// @dev The seq of each caller's latest anchor: one slot per caller (cheap to write, checkable).
    mapping(address agent => uint64 seq) private _lastSeq;

    // ----------------------------------------------------------------------------------------- events

    /// @notice `agent` anchored its journal head: entry `seq` of its journal hashes to `head`.
    event JournalAnchored(address indexed agent, uint64 indexed seq, bytes32 head);

    // ----------------------------------------------------------------------------------------- errors

    /// @notice `agent` tried to anchor `seq`, which is not above the seq it last anchored (`lastSeq`).
    error JournalAnchorSeqNotIncreasing(address agent, uint64 seq, uint64 lastSeq);

    /// @notice `agent` tried to anchor a zero head at `seq` (the zero hash is the empty journal's head).
    error JournalAnchorZeroHead(address agent, uint64 seq);

    // --------------------------------------------------------------------------------------- external

    /// @notice Anchors the caller's journal head: entry `seq` hashes to `head`.
    /// @dev Reverts with `JournalAnchorSeqNotIncreasing` when `seq` is not above the caller's last anchored
    /// seq (so seq 0 is always refused) and with `JournalAnchorZeroHead` when `head` is zero.
    /// @param seq The seq of the journal's last entry (1 for the first entry).
    /// @param head The hash of that entry.
    function anchor(uint64 seq, bytes32 head) external {
        uint64 last = _lastSeq[msg.sender];
        if (seq <= last) revert JournalAnchorSeqNotIncreasing(msg.sender, seq, last);
        if (head == bytes32(0)) revert JournalAnchorZeroHead(msg.sender, seq);
        _lastSeq[msg.sender] = seq;
        emit JournalAnchored(msg.sender, seq, head);
    }

    /// @notice The seq of `agent`'s latest anchor; 0 when it has anchored nothing.
    /// @param agent The anchoring address.
    /// @return The last seq `agent` anchored.
    function lastSeq(address agent) external view returns (uint64) {
        return _lastSeq[agent];
    }
}
