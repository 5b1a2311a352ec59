// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice Reports for one MedianOracle round, each signed (EIP-712, the oracle's own digest) by one of `keys`,
/// all answering `answer` at `observedAt`: what N honest reporters send. Shared by the invariant handlers.
library SignedReports {
    Vm private constant _VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    function unanimous(
        MedianOracle oracle,
        uint256[] memory keys,
        uint80 roundId,
        int256 answer,
        uint256 observedAt
    ) internal view returns (MedianOracle.Report[] memory reports) {
        bytes32 digest = oracle.reportDigest(roundId, answer, observedAt);
        reports = new MedianOracle.Report[](keys.length);
        for (uint256 i; i < keys.length; ++i) {
            (uint8 v, bytes32 r, bytes32 s) = _VM.sign(keys[i], digest);
            reports[i] = MedianOracle.Report(_VM.addr(keys[i]), answer, observedAt, abi.encodePacked(r, s, v));
        }
    }
}
