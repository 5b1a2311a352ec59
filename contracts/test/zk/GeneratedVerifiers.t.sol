// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";

import {Groth16Verifier} from "../../src/zk/Groth16Verifier.sol";
import {RidgeGroth16Verifier} from "../../src/zk/RidgeGroth16Verifier.sol";
import {ForecastProofFixture as M} from "./fixtures/ForecastProofFixture.sol";
import {RidgeProofFixture as R} from "./fixtures/RidgeProofFixture.sol";

/// @notice Both snarkjs-generated verifiers accept the real fixture proof of their circuit (ridge: the
/// agent's forecaster; MLP: the same recipe on the oracle features) and refuse any changed public signal,
/// the other circuit's proof, and a proof for the other circuit's statement. The MLP fixture proves over
/// the same 21 WTI answers, so both share `accLast`.
contract GeneratedVerifiersTest is Test {
    RidgeGroth16Verifier internal ridge;
    Groth16Verifier internal mlp;

    function setUp() public {
        ridge = new RidgeGroth16Verifier();
        mlp = new Groth16Verifier();
    }

    function _three(uint256[] memory s) internal pure returns (uint256[3] memory out) {
        out = [s[0], s[1], s[2]];
    }

    function test_fixtures_shareTheAccumulatorOfTheSameAnswers() public pure {
        assertEq(R.ACC_LAST, M.ACC_LAST);
        assertEq(R.publicSignals()[1], R.ACC_LAST);
        assertEq(M.publicSignals()[1], M.ACC_LAST);
    }

    function test_ridge_acceptsItsProof() public view {
        assertTrue(ridge.verifyProof(R.a(), R.b(), R.c(), _three(R.publicSignals())));
    }

    function test_mlp_acceptsItsProof() public view {
        assertTrue(mlp.verifyProof(M.a(), M.b(), M.c(), _three(M.publicSignals())));
    }

    function test_verifiers_refuseTheOtherCircuitsProof() public view {
        assertFalse(ridge.verifyProof(M.a(), M.b(), M.c(), _three(M.publicSignals())));
        assertFalse(mlp.verifyProof(R.a(), R.b(), R.c(), _three(R.publicSignals())));
    }

    function test_ridge_refusesAChangedSignal() public view {
        for (uint256 i = 0; i < 3; ++i) {
            uint256[3] memory s = _three(R.publicSignals());
            s[i] ^= 1;
            assertFalse(ridge.verifyProof(R.a(), R.b(), R.c(), s));
        }
    }

    /// @notice Fuzzed twin: any other value of any public signal is refused (ridge and MLP).
    function testFuzz_verifiers_refuseAnyChangedSignal(uint256 index, uint256 delta) public view {
        index = bound(index, 0, 2);
        delta = bound(delta, 1, type(uint128).max);
        uint256[3] memory r = _three(R.publicSignals());
        r[index] += delta;
        assertFalse(ridge.verifyProof(R.a(), R.b(), R.c(), r));
        uint256[3] memory m = _three(M.publicSignals());
        m[index] += delta;
        assertFalse(mlp.verifyProof(M.a(), M.b(), M.c(), m));
    }
}
