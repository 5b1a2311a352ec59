// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";
import {console} from "forge-std/console.sol";

import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {ForecastProofGate} from "../../src/zk/ForecastProofGate.sol";
import {Groth16Verifier} from "../../src/zk/Groth16Verifier.sol";
import {IZkModelRegistry} from "../../src/zk/IZkModelRegistry.sol";
import {AggregatorDouble} from "./doubles/AggregatorDouble.sol";
import {ZkRegistryDouble} from "./doubles/ZkRegistryDouble.sol";
import {ForecastProofFixture as F} from "./fixtures/ForecastProofFixture.sol";

/// @notice The gate with the generated verifier and a real proof (fixtures, made by src/zk/generateArtifacts.ts).
contract ForecastProofGateTest is Test {
    uint256 internal constant MAX_AGE = 2 days;
    uint80 internal constant ROUND_0 = 1001;
    uint80 internal constant ROUND_1 = 1002;
    uint256 internal constant NOW = 1_790_000_000;

    ForecastProofGate internal gate;
    AggregatorDouble internal oracle;
    ZkRegistryDouble internal registry;

    function setUp() public {
        vm.warp(NOW);
        oracle = new AggregatorDouble();
        registry = new ZkRegistryDouble();
        gate = new ForecastProofGate(
            address(new Groth16Verifier()),
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(oracle)),
            MAX_AGE,
            F.N_OUTPUTS,
            F.N_FEATURES,
            F.N_ANSWERS,
            F.VALUE_BITS
        );
        registry.set(F.MODEL_ID, true, F.ZK_COMMITMENT);
        oracle.setRound(ROUND_0, F.ANSWER_0, NOW - 1 days);
        oracle.setRound(ROUND_1, F.ANSWER_1, NOW - 1 hours);
    }

    function _rounds() internal pure returns (uint80[] memory r) {
        r = new uint80[](2);
        r[0] = ROUND_0;
        r[1] = ROUND_1;
    }

    function _submit() internal returns (bytes32) {
        return gate.submit(F.MODEL_ID, _rounds(), F.a(), F.b(), F.c(), F.publicSignals());
    }

    function _proofId() internal pure returns (bytes32) {
        return keccak256(abi.encode(_rounds(), F.publicSignals()));
    }

    function test_submit_acceptsValidProofAndRecordsForecast() public {
        int256[] memory forecast = new int256[](2);
        forecast[0] = F.OUTPUT_0;
        forecast[1] = F.OUTPUT_1;
        vm.expectEmit(address(gate));
        emit ForecastProofGate.ForecastProven(_proofId(), F.MODEL_ID, _rounds(), forecast, address(this));
        bytes32 id = _submit();
        assertEq(id, _proofId());
        assertEq(gate.proofIdOf(_rounds(), F.publicSignals()), id);
        ForecastProofGate.ProvenForecast memory p = gate.provenForecast(F.MODEL_ID, id);
        assertEq(gate.provenForecast(bytes32(uint256(1)), id).provenAt, 0); // not proven for another model
        assertEq(p.lastRoundId, ROUND_1);
        assertEq(p.provenAt, NOW);
        assertEq(p.output0, F.OUTPUT_0);
        assertEq(p.output1, F.OUTPUT_1);
    }

    function test_gas_submit() public {
        uint80[] memory rounds = _rounds();
        uint256[2] memory a = F.a();
        uint256[2][2] memory b = F.b();
        uint256[2] memory c = F.c();
        uint256[] memory s = F.publicSignals();
        uint256 before = gasleft();
        gate.submit(F.MODEL_ID, rounds, a, b, c, s);
        uint256 used = before - gasleft();
        console.log("zk gate submit gas (verifier + oracle binding + registry + record):", used);
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

    function test_submit_revertsWhenAnswerDiffersFromOracle() public {
        oracle.setRound(ROUND_1, F.ANSWER_1 + 1, NOW - 1 hours);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAnswerMismatch.selector, ROUND_1, F.ANSWER_1 + 1, F.ANSWER_1
            )
        );
        _submit();
    }

    function testFuzz_submit_revertsWhenAnswerDiffersFromOracle(int256 delta) public {
        delta = bound(delta, -1e12, 1e12);
        vm.assume(delta != 0);
        oracle.setRound(ROUND_0, F.ANSWER_0 + delta, NOW - 1 days);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkAnswerMismatch.selector, ROUND_0, F.ANSWER_0 + delta, F.ANSWER_0
            )
        );
        _submit();
    }

    function test_submit_revertsWhenRoundsSwapped() public {
        uint80[] memory r = new uint80[](2);
        r[0] = ROUND_1;
        r[1] = ROUND_0;
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundsNotConsecutive.selector, ROUND_1, ROUND_0)
        );
        gate.submit(F.MODEL_ID, r, F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// @notice The proven answers must be successive closes: a gap between the rounds is refused.
    function test_submit_revertsWhenRoundsNotConsecutive() public {
        uint80[] memory r = new uint80[](2);
        r[0] = ROUND_0 - 1;
        r[1] = ROUND_1;
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundsNotConsecutive.selector, ROUND_0 - 1, ROUND_1)
        );
        gate.submit(F.MODEL_ID, r, F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// @notice Fuzzed twin: any pair of round ids that are not successive is refused before any read.
    function testFuzz_submit_revertsWhenRoundsNotConsecutive(uint80 first, uint80 second) public {
        vm.assume(first < type(uint80).max && second != first + 1);
        uint80[] memory r = new uint80[](2);
        r[0] = first;
        r[1] = second;
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkRoundsNotConsecutive.selector, first, second)
        );
        gate.submit(F.MODEL_ID, r, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function test_submit_revertsOnMissingRound() public {
        uint80[] memory r = new uint80[](2);
        r[0] = 5000;
        r[1] = 5001;
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkRoundNotFound.selector, uint80(5000)));
        gate.submit(F.MODEL_ID, r, F.a(), F.b(), F.c(), F.publicSignals());
    }

    /// @notice The round the forecast is made on (the last) must be fresh.
    function test_submit_revertsOnStaleRound() public {
        vm.warp(NOW - 1 hours + MAX_AGE + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                ForecastProofGate.ZkStaleRound.selector,
                ROUND_1,
                NOW - 1 hours,
                MAX_AGE,
                NOW - 1 hours + MAX_AGE + 1
            )
        );
        _submit();
    }

    function test_submit_acceptsAtExactlyMaxAge() public {
        vm.warp(NOW - 1 hours + MAX_AGE);
        _submit();
    }

    /// @notice The close before the latest may be older than MAX_AGE (a long weekend): still accepted.
    function test_submit_acceptsAnOlderPreviousClose() public {
        vm.warp(NOW - 1 days + MAX_AGE + 1); // ROUND_0 is past MAX_AGE, ROUND_1 is not
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
        bytes32 id = gate.submit(F.MODEL_ID, _rounds(), a, b, F.c(), F.publicSignals()); // valid on its own
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkProofAlreadyUsed.selector, id));
        _submit();
    }

    function test_submit_revertsOnTamperedFeatures() public {
        uint256[] memory s = F.publicSignals();
        // packed[0] = [output0, output1, feature0, …]: bump feature0 by one unit.
        s[1] += uint256(1) << (2 * F.VALUE_BITS);
        bytes32 id = keccak256(abi.encode(_rounds(), s));
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkInvalidProof.selector, id));
        gate.submit(F.MODEL_ID, _rounds(), F.a(), F.b(), F.c(), s);
    }

    function test_submit_revertsOnInvalidProofPoint() public {
        uint256[2] memory c = F.c();
        c[0] = 1;
        c[1] = 2; // the generator: on the curve, not the proof's C
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkInvalidProof.selector, _proofId()));
        gate.submit(F.MODEL_ID, _rounds(), F.a(), F.b(), c, F.publicSignals());
    }

    function test_submit_revertsOnWrongSignalCount() public {
        uint256[] memory s = new uint256[](F.N_PUBLIC + 1);
        vm.expectRevert(
            abi.encodeWithSelector(ForecastProofGate.ZkPublicSignalCount.selector, F.N_PUBLIC + 1, F.N_PUBLIC)
        );
        gate.submit(F.MODEL_ID, _rounds(), F.a(), F.b(), F.c(), s);
    }

    function test_submit_revertsOnWrongRoundCount() public {
        uint80[] memory r = new uint80[](1);
        r[0] = ROUND_1;
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkRoundCount.selector, 1, 2));
        gate.submit(F.MODEL_ID, r, F.a(), F.b(), F.c(), F.publicSignals());
    }

    function test_publicValue_decodesAnswers() public view {
        uint256[] memory s = F.publicSignals();
        assertEq(gate.publicValue(s, 0), F.OUTPUT_0);
        assertEq(gate.publicValue(s, F.N_OUTPUTS + F.N_FEATURES), F.ANSWER_0);
        assertEq(gate.publicValue(s, F.N_OUTPUTS + F.N_FEATURES + 1), F.ANSWER_1);
    }

    function test_constructor_revertsOnBadLayout() public {
        vm.expectRevert(abi.encodeWithSelector(ForecastProofGate.ZkBadLayout.selector, 3, 8, 2, 40));
        new ForecastProofGate(
            address(0),
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(oracle)),
            1,
            3,
            8,
            2,
            40
        );
    }
}
