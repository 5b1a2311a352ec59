// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {ForecastProofGate} from "../../src/zk/ForecastProofGate.sol";
import {IFeedAccumulator} from "../../src/zk/IFeedAccumulator.sol";
import {IZkModelRegistry} from "../../src/zk/IZkModelRegistry.sol";
import {RidgeGroth16Verifier} from "../../src/zk/RidgeGroth16Verifier.sol";
import {ZkFeedSetup} from "./ZkFeedSetup.sol";
import {AggregatorDouble} from "./doubles/AggregatorDouble.sol";
import {ZkRegistryDouble} from "./doubles/ZkRegistryDouble.sol";
import {RidgeProofFixture as F} from "./fixtures/RidgeProofFixture.sol";

/// @notice The gate with the generated verifier, a real proof over 21 real WTI answers (fixture made by
/// src/zk/generateArtifacts.ts) and a real FeedAccumulator over a feed that publishes those answers.
contract ForecastProofGateTest is Test, ZkFeedSetup {
    uint256 internal constant MAX_AGE = 2 days;
    uint256 internal constant NOW = 1_790_000_000;
    uint256 internal constant LAST_UPDATED = NOW - 1 hours;

    ForecastProofGate internal gate;
    AggregatorDouble internal oracle;
    ZkRegistryDouble internal registry;
    FeedAccumulator internal accumulator;

    function setUp() public {
        vm.warp(NOW);
        oracle = new AggregatorDouble();
        registry = new ZkRegistryDouble();
        _publishFixtureRounds(oracle, LAST_UPDATED);
        accumulator = _absorbedAccumulator(oracle);
        gate = _gate(accumulator);
        registry.set(F.MODEL_ID, true, F.ZK_COMMITMENT);
    }

    function _gate(FeedAccumulator acc) internal returns (ForecastProofGate) {
        return new ForecastProofGate(
            address(new RidgeGroth16Verifier()),
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(oracle)),
            IFeedAccumulator(address(acc)),
            MAX_AGE,
            F.N_OUTPUTS,
            F.N_ANSWERS,
            F.VALUE_BITS
        );
    }

    function _submit() internal returns (bytes32) {
        return gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function _proofId() internal pure returns (bytes32) {
        return keccak256(abi.encode(F.LAST_ROUND_ID, F.publicSignals()));
    }

    function test_fixture_accumulatorMatchesTheProof() public view {
        assertEq(accumulator.accumulatorAt(F.LAST_ROUND_ID), F.ACC_LAST);
        assertEq(F.publicSignals()[1], F.ACC_LAST);
    }

    function test_submit_acceptsValidProofAndRecordsForecast() public {
        int256[] memory forecast = new int256[](2);
        forecast[0] = F.OUTPUT_0;
        forecast[1] = F.OUTPUT_1;
        vm.expectEmit(address(gate));
        emit ForecastProofGate.ForecastProven(
            _proofId(), F.MODEL_ID, F.LAST_ROUND_ID - 20, F.LAST_ROUND_ID, forecast, address(this)
        );
        bytes32 id = _submit();
        assertEq(id, _proofId());
        assertEq(gate.proofIdOf(F.LAST_ROUND_ID, F.publicSignals()), id);
        ForecastProofGate.ProvenForecast memory p = gate.provenForecast(F.MODEL_ID, id);
        assertEq(gate.provenForecast(bytes32(uint256(1)), id).provenAt, 0); // not proven for another model
        assertEq(p.lastRoundId, F.LAST_ROUND_ID);
        assertEq(p.provenAt, NOW);
        assertEq(p.output0, F.OUTPUT_0);
        assertEq(p.output1, F.OUTPUT_1);
    }

    function test_gas_submit() public {
        uint256[2] memory a = F.a();
        uint256[2][2] memory b = F.b();
        uint256[2] memory c = F.c();
        uint256[] memory s = F.publicSignals();
        ForecastProofGate g = gate; // read before the window: the test's own storage is no part of the figure
        uint256 before = gasleft();
        g.submit(F.MODEL_ID, F.LAST_ROUND_ID, a, b, c, s);
        uint256 used = before - gasleft();
        console.log(
            "zk gate submit gas (verifier + accumulator binding + freshness + registry + record):", used
        );
        assertLt(used, 300_000);
    }

    function test_submit_revertsOnWrongCommitment() public {
        bytes32 other = bytes32(uint256(F.ZK_COMMITMENT) ^ 1);
        registry.set(F.MODEL_ID, true, other);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkCommitmentMismatch.selector, F.MODEL_ID, other, F.ZK_COMMITMENT
            )
        );
        _submit();
    }

    function test_submit_revertsOnUnregisteredCommitment() public {
        registry.set(F.MODEL_ID, true, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkCommitmentMismatch.selector, F.MODEL_ID, bytes32(0), F.ZK_COMMITMENT
            )
        );
        _submit();
    }

    function test_submit_revertsOnUnapprovedModel() public {
        registry.set(F.MODEL_ID, false, F.ZK_COMMITMENT);
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkModelNotApproved.selector, F.MODEL_ID));
        _submit();
    }

    /// @dev A feed whose round `roundId` (1..21) differs from the fixture's by `delta`, absorbed, and a gate on it.
    function _gateOnTamperedFeed(uint80 roundId, int256 delta) internal returns (uint256 onchain) {
        AggregatorDouble tampered = new AggregatorDouble();
        int256[21] memory answers = F.answers();
        for (uint256 i = 0; i < FIXTURE_ROUNDS; ++i) {
            int256 answer = answers[i] + (i + 1 == roundId ? delta : int256(0));
            tampered.setRound(uint80(i + 1), answer, LAST_UPDATED - (FIXTURE_ROUNDS - 1 - i) * 1 days);
        }
        oracle = tampered;
        FeedAccumulator acc = _absorbedAccumulator(tampered);
        gate = _gate(acc);
        onchain = acc.accumulatorAt(F.LAST_ROUND_ID);
    }

    /// @notice An answer the proof used that the oracle does not have — even the oldest of the 21,
    /// which enters the forecast only through one return — is refused.
    function test_submit_revertsWhenAnAnswerDiffersFromOracle() public {
        uint256 onchain = _gateOnTamperedFeed(1, 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAccumulatorMismatch.selector, F.LAST_ROUND_ID, onchain, F.ACC_LAST
            )
        );
        _submit();
    }

    function testFuzz_submit_revertsWhenAnAnswerDiffersFromOracle(uint256 roundSeed, int256 delta) public {
        uint80 roundId = uint80(bound(roundSeed, 1, FIXTURE_ROUNDS));
        delta = bound(delta, -1e9, 1e12);
        vm.assume(delta != 0);
        uint256 onchain = _gateOnTamperedFeed(roundId, delta);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAccumulatorMismatch.selector, F.LAST_ROUND_ID, onchain, F.ACC_LAST
            )
        );
        _submit();
    }

    /// @notice The same proof claimed for a later round (its window is other answers) is refused.
    function test_submit_revertsForAnotherLastRound() public {
        oracle.setRound(F.LAST_ROUND_ID + 1, 7_000_000_000, NOW - 10 minutes);
        accumulator.absorb(F.LAST_ROUND_ID + 1);
        uint256 onchain = accumulator.accumulatorAt(F.LAST_ROUND_ID + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAccumulatorMismatch.selector, F.LAST_ROUND_ID + 1, onchain, F.ACC_LAST
            )
        );
        gate.submit(F.MODEL_ID, F.LAST_ROUND_ID + 1, F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// @notice A round the accumulator has not absorbed cannot be proven on (the accumulator names it).
    function test_submit_revertsOnRoundNotAbsorbed() public {
        oracle.setRound(F.LAST_ROUND_ID + 1, 7_000_000_000, NOW - 10 minutes);
        vm.expectRevert(
            abi.encodeWithSelector(
                FeedAccumulator.AccumulatorRoundNotAbsorbed.selector, F.LAST_ROUND_ID + 1, F.LAST_ROUND_ID
            )
        );
        gate.submit(F.MODEL_ID, F.LAST_ROUND_ID + 1, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function test_submit_revertsWhenFewerRoundsThanAnswers() public {
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkRoundTooEarly.selector, 20, F.N_ANSWERS));
        gate.submit(F.MODEL_ID, 20, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function testFuzz_submit_revertsWhenFewerRoundsThanAnswers(uint80 lastRoundId) public {
        lastRoundId = uint80(bound(lastRoundId, 0, F.N_ANSWERS - 1));
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundTooEarly.selector, lastRoundId, F.N_ANSWERS)
        );
        gate.submit(F.MODEL_ID, lastRoundId, F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// @notice A window that would reach into an earlier Chainlink proxy phase (ids `phase << 64 | n`,
    /// n < N_ANSWERS) with no accumulator bridge into its phase is refused (bridged windows:
    /// ForecastProofGate.phases.t.sol).
    function test_submit_revertsWhenWindowCrossesProxyPhase() public {
        uint80 lastRoundId = (uint80(2) << 64) | 20;
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundTooEarly.selector, lastRoundId, F.N_ANSWERS)
        );
        gate.submit(F.MODEL_ID, lastRoundId, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function testFuzz_submit_revertsWhenWindowCrossesProxyPhase(uint16 phase, uint64 n) public {
        uint80 lastRoundId = (uint80(phase) << 64) | uint80(bound(n, 0, F.N_ANSWERS - 1));
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundTooEarly.selector, lastRoundId, F.N_ANSWERS)
        );
        gate.submit(F.MODEL_ID, lastRoundId, F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// @notice The round the forecast is made on (the last) must be fresh.
    function test_submit_revertsOnStaleRound() public {
        vm.warp(LAST_UPDATED + MAX_AGE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkStaleRound.selector,
                F.LAST_ROUND_ID,
                LAST_UPDATED,
                MAX_AGE,
                LAST_UPDATED + MAX_AGE + 1
            )
        );
        _submit();
    }

    function testFuzz_submit_revertsOnStaleRound(uint256 late) public {
        late = bound(late, 1, 365 days);
        vm.warp(LAST_UPDATED + MAX_AGE + late);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkStaleRound.selector,
                F.LAST_ROUND_ID,
                LAST_UPDATED,
                MAX_AGE,
                LAST_UPDATED + MAX_AGE + late
            )
        );
        _submit();
    }

    /// @notice Earlier rounds may be older than MAX_AGE (weekends, holidays): only the last must be fresh.
    function test_submit_acceptsAtExactlyMaxAgeWithOlderEarlierRounds() public {
        vm.warp(LAST_UPDATED + MAX_AGE); // rounds 1..20 are all past MAX_AGE
        _submit();
    }

    function test_submit_revertsOnReplay() public {
        bytes32 id = _submit();
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkProofAlreadyUsed.selector, id));
        _submit();
    }

    function test_submit_revertsOnReplayOfRerandomisedProof() public {
        // Groth16 malleability: (A, B) -> (-A, -B) is another valid proof of the same statement, so a
        // nullifier over proof bytes would let it replay. The statement-based id refuses it.
        uint256 q =
            21_888_242_871_839_275_222_246_405_745_257_275_088_696_311_157_297_823_662_689_037_894_645_226_208_583;
        uint256[2] memory a = F.a();
        a[1] = q - a[1];
        uint256[2][2] memory b = F.b();
        b[1][0] = q - b[1][0];
        b[1][1] = q - b[1][1];
        bytes32 id = gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, a, b, F.c(), F.publicSignals()); // valid alone
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkProofAlreadyUsed.selector, id));
        _submit();
    }

    /// @notice A forecast other than the proven one fails the pairing check.
    function test_submit_revertsOnTamperedForecast() public {
        uint256[] memory s = F.publicSignals();
        s[2] += 1; // output0 + 1
        bytes32 id = keccak256(abi.encode(F.LAST_ROUND_ID, s));
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkInvalidProof.selector, id));
        gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, F.a(), F.b(), F.c(), s);
    }

    /// @notice A chain end other than the accumulator's is refused before the pairing.
    function test_submit_revertsOnTamperedAccumulatorSignal() public {
        uint256[] memory s = F.publicSignals();
        s[1] ^= 1;
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAccumulatorMismatch.selector, F.LAST_ROUND_ID, F.ACC_LAST, F.ACC_LAST ^ 1
            )
        );
        gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, F.a(), F.b(), F.c(), s);
    }

    function test_submit_revertsOnInvalidProofPoint() public {
        uint256[2] memory c = F.c();
        c[0] = 1;
        c[1] = 2; // the generator: on the curve, not the proof's C
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkInvalidProof.selector, _proofId()));
        gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, F.a(), F.b(), c, F.publicSignals());
    }

    function test_submit_revertsOnWrongSignalCount() public {
        uint256[] memory s = new uint256[](F.N_PUBLIC + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkPublicSignalCount.selector, F.N_PUBLIC + 1, F.N_PUBLIC)
        );
        gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, F.a(), F.b(), F.c(), s);
    }

    function test_publicValue_decodesOutputs() public view {
        uint256[] memory s = F.publicSignals();
        assertEq(gate.publicValue(s, 0), F.OUTPUT_0);
        assertEq(gate.publicValue(s, 1), F.OUTPUT_1);
    }

    /// @notice A gate whose accumulator absorbs another feed than the one it checks freshness on is refused.
    function test_constructor_revertsWhenTheAccumulatorIsOverAnotherFeed() public {
        AggregatorDouble otherFeed = new AggregatorDouble();
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAccumulatorFeedMismatch.selector, address(oracle), address(otherFeed)
            )
        );
        new ForecastProofGate(
            address(1),
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(otherFeed)),
            IFeedAccumulator(address(accumulator)),
            MAX_AGE,
            F.N_OUTPUTS,
            F.N_ANSWERS,
            F.VALUE_BITS
        );
    }

    function test_constructor_revertsOnBadLayout() public {
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkBadLayout.selector, 3, 21, 40));
        new ForecastProofGate(
            address(0),
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(oracle)),
            IFeedAccumulator(address(accumulator)),
            1,
            3,
            21,
            40
        );
    }
}
