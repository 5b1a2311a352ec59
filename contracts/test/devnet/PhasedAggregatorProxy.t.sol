// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PhasedAggregatorProxy} from "../../src/devnet/PhasedAggregatorProxy.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {MedianOracle} from "../../src/oracle/MedianOracle.sol";
import {Test} from "forge-std/Test.sol";

/// @notice The Chainlink-style proxy double: round-id encoding (`phase << 64 | aggregatorRound`),
/// forwarding to the phase aggregators (MedianOracles with one reporter, quorum 1), phases, refusals.
contract PhasedAggregatorProxyTest is Test {
    address internal constant OWNER = address(0x0A11CE);
    uint256 internal constant KEY = 0xB0B;
    uint256 internal constant PHASE_ONE = 1 << 64;
    uint256 internal constant PHASE_TWO = 2 << 64;

    MedianOracle internal first;
    MedianOracle internal second;
    PhasedAggregatorProxy internal proxy;

    event PhaseStarted(uint16 indexed phaseId, address indexed aggregator);

    function setUp() public {
        vm.warp(1_700_000_000);
        first = _oracle(8);
        second = _oracle(8);
        proxy = new PhasedAggregatorProxy(OWNER, first);
    }

    // ------------------------------------------------------------ encoding

    function test_encoding() public view {
        assertEq(proxy.proxyRoundId(1, 5), PHASE_ONE + 5);
        assertEq(proxy.proxyRoundId(3, type(uint64).max), (3 << 64) | type(uint64).max);
        (uint16 phase, uint64 r) = proxy.parseRoundId(uint80(PHASE_TWO + 7));
        assertEq(phase, 2);
        assertEq(r, 7);
        (phase, r) = proxy.parseRoundId(5);
        assertEq(phase, 0);
        assertEq(r, 5);
    }

    /// Fuzz twin of `test_encoding`: encoding and parsing are inverse, and match Chainlink's formula.
    function testFuzz_encoding(uint16 phase, uint64 aggregatorRound) public view {
        uint80 id = proxy.proxyRoundId(phase, aggregatorRound);
        assertEq(uint256(id), uint256(phase) * 2 ** 64 + aggregatorRound);
        (uint16 p, uint64 r) = proxy.parseRoundId(id);
        assertEq(p, phase);
        assertEq(r, aggregatorRound);
    }

    // ------------------------------------------------------------ forwarding

    function test_forwarding() public {
        _checkForwarding(3, 2);
    }

    /// Fuzz twin of `test_forwarding`: any published round of phase 1 reads back through the proxy.
    function testFuzz_forwarding(uint8 rounds, uint8 pick) public {
        uint256 n = bound(rounds, 1, 8);
        _checkForwarding(n, bound(pick, 1, n));
    }

    function test_constructor() public {
        assertEq(proxy.phaseId(), 1);
        assertEq(address(proxy.phaseAggregators(1)), address(first));
        assertEq(address(proxy.phaseAggregators(0)), address(0));
        assertEq(address(proxy.phaseAggregators(2)), address(0));
        assertEq(address(proxy.aggregator()), address(first));
        assertEq(proxy.decimals(), 8);
        assertEq(proxy.description(), "WTI / USD (phase aggregator)");
        assertEq(proxy.version(), 1);
        assertEq(proxy.owner(), OWNER);
        vm.expectEmit(true, true, false, false);
        emit PhaseStarted(1, address(second));
        new PhasedAggregatorProxy(OWNER, second);
    }

    function test_newPhase() public {
        _publish(first, 70e8);
        _publish(first, 71e8);
        vm.expectEmit(true, true, false, false, address(proxy));
        emit PhaseStarted(2, address(second));
        vm.prank(OWNER);
        proxy.setAggregator(second);
        assertEq(proxy.phaseId(), 2);
        assertEq(address(proxy.phaseAggregators(2)), address(second));
        assertEq(address(proxy.phaseAggregators(1)), address(first));
        assertEq(address(proxy.aggregator()), address(second));

        _publish(second, 72e8);
        (uint80 id, int256 answer,,, uint80 answered) = proxy.latestRoundData();
        assertEq(id, PHASE_TWO + 1);
        assertEq(answered, PHASE_TWO + 1);
        assertEq(answer, 72e8);
        // Phase 1's rounds stay readable under phase 1's ids.
        (id, answer,,,) = proxy.getRoundData(uint80(PHASE_ONE + 2));
        assertEq(id, PHASE_ONE + 2);
        assertEq(answer, 71e8);
        // Round 2 of phase 2 is not published: the aggregator's own revert comes through.
        vm.expectRevert(abi.encodeWithSelector(MedianOracle.OracleRoundNotFound.selector, uint80(2)));
        proxy.getRoundData(uint80(PHASE_TWO + 2));
    }

    // ------------------------------------------------------------ refusals

    function test_revert_phaseNotFound() public {
        _publish(first, 70e8);
        vm.expectRevert(
            abi.encodeWithSelector(PhasedAggregatorProxy.ProxyPhaseNotFound.selector, uint80(1), 0)
        );
        proxy.getRoundData(1);
        _checkPhaseNotFound(2, 1);
    }

    /// Fuzz twin of `test_revert_phaseNotFound`: any phase after the current one is refused by value.
    function testFuzz_revert_phaseNotFound(uint16 phase, uint64 aggregatorRound) public {
        _publish(first, 70e8);
        _checkPhaseNotFound(uint16(bound(phase, 2, type(uint16).max)), aggregatorRound);
    }

    function test_revert_setAggregator() public {
        vm.expectRevert(
            abi.encodeWithSelector(PhasedAggregatorProxy.ProxyUnauthorized.selector, address(this))
        );
        proxy.setAggregator(second);
        vm.startPrank(OWNER);
        vm.expectRevert(PhasedAggregatorProxy.ProxyZeroAggregator.selector);
        proxy.setAggregator(AggregatorV3Interface(address(0)));
        MedianOracle six = _oracle(6);
        vm.expectRevert(
            abi.encodeWithSelector(PhasedAggregatorProxy.ProxyDecimalsMismatch.selector, address(six), 8, 6)
        );
        proxy.setAggregator(six);
        vm.stopPrank();
        assertEq(proxy.phaseId(), 1);
        vm.expectRevert(PhasedAggregatorProxy.ProxyZeroAggregator.selector);
        new PhasedAggregatorProxy(OWNER, AggregatorV3Interface(address(0)));
    }

    function test_revert_noRoundYet() public {
        vm.expectRevert(MedianOracle.OracleNoRounds.selector);
        proxy.latestRoundData();
    }

    // ------------------------------------------------------------ helpers

    function _checkForwarding(uint256 n, uint256 k) internal {
        for (uint256 i = 1; i <= n; ++i) {
            vm.warp(block.timestamp + 60);
            _publish(first, int256(70e8 + i));
        }
        (uint80 id, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answered) =
            proxy.latestRoundData();
        (, int256 direct,, uint256 directUpdatedAt,) = first.latestRoundData();
        assertEq(id, PHASE_ONE + n);
        assertEq(answered, PHASE_ONE + n);
        assertEq(answer, direct);
        assertEq(updatedAt, directUpdatedAt);
        assertEq(startedAt, directUpdatedAt);
        (id, answer,, updatedAt, answered) = proxy.getRoundData(uint80(PHASE_ONE + k));
        assertEq(id, PHASE_ONE + k);
        assertEq(answered, PHASE_ONE + k);
        assertEq(answer, int256(70e8 + k));
        (, direct,, directUpdatedAt,) = first.getRoundData(uint80(k));
        assertEq(answer, direct);
        assertEq(updatedAt, directUpdatedAt);
    }

    function _checkPhaseNotFound(uint16 phase, uint64 aggregatorRound) internal {
        uint80 id = proxy.proxyRoundId(phase, aggregatorRound);
        vm.expectRevert(abi.encodeWithSelector(PhasedAggregatorProxy.ProxyPhaseNotFound.selector, id, phase));
        proxy.getRoundData(id);
    }

    function _oracle(uint8 decimals_) internal returns (MedianOracle) {
        address[] memory reporters = new address[](1);
        reporters[0] = vm.addr(KEY);
        return new MedianOracle(
            address(this), decimals_, "WTI / USD (phase aggregator)", 1, 1e12, 1 days, reporters, 1
        );
    }

    /// Publishes the next round of `oracle` with `answer`, observed now, signed by the one reporter.
    function _publish(MedianOracle oracle, int256 answer) internal {
        uint80 roundId = oracle.latestRound() + 1;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(KEY, oracle.reportDigest(roundId, answer, block.timestamp));
        MedianOracle.Report[] memory reports = new MedianOracle.Report[](1);
        reports[0] = MedianOracle.Report(vm.addr(KEY), answer, block.timestamp, abi.encodePacked(r, s, v));
        oracle.submitRound(roundId, reports);
    }
}
