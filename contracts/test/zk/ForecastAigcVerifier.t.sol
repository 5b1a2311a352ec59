// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IAigcVerifier} from "../../src/assets/IAigcVerifier.sol";
import {AggregatorV3Interface} from "../../src/oracle/AggregatorV3Interface.sol";
import {FeedAccumulator} from "../../src/oracle/FeedAccumulator.sol";
import {ForecastAigcVerifier} from "../../src/zk/ForecastAigcVerifier.sol";
import {ForecastProofGate} from "../../src/zk/ForecastProofGate.sol";
import {IFeedAccumulator} from "../../src/zk/IFeedAccumulator.sol";
import {IZkModelRegistry} from "../../src/zk/IZkModelRegistry.sol";
import {RidgeGroth16Verifier} from "../../src/zk/RidgeGroth16Verifier.sol";
import {ProvenanceFixture} from "../assets/ProvenanceFixture.sol";
import {ZkFeedSetup} from "./ZkFeedSetup.sol";
import {AggregatorDouble} from "./doubles/AggregatorDouble.sol";
import {ZkRegistryDouble} from "./doubles/ZkRegistryDouble.sol";
import {RidgeProofFixture as F} from "./fixtures/RidgeProofFixture.sol";

/// @notice The ERC-7007 groth16 adapter with the real gate, the generated ridge verifier and a real proof
/// (fixture), directly and through `ProvenanceNFT.verify`.
contract ForecastAigcVerifierTest is ProvenanceFixture, ZkFeedSetup {
    ForecastProofGate internal gate;
    ZkRegistryDouble internal registry;
    ForecastAigcVerifier internal adapter;
    bytes32 internal proofId;

    function setUp() public override {
        super.setUp();
        AggregatorDouble oracle = new AggregatorDouble();
        registry = new ZkRegistryDouble();
        _publishFixtureRounds(oracle, block.timestamp - 1 hours);
        FeedAccumulator accumulator = _absorbedAccumulator(oracle);
        gate = new ForecastProofGate(
            address(new RidgeGroth16Verifier()),
            IZkModelRegistry(address(registry)),
            AggregatorV3Interface(address(oracle)),
            IFeedAccumulator(address(accumulator)),
            2 days,
            F.N_OUTPUTS,
            F.N_ANSWERS,
            F.VALUE_BITS
        );
        registry.set(F.MODEL_ID, true, F.ZK_COMMITMENT);
        proofId = gate.submit(F.MODEL_ID, F.LAST_ROUND_ID, F.a(), F.b(), F.c(), F.publicSignals());
        adapter = new ForecastAigcVerifier(gate);
    }

    // ---- helpers ----

    function _manifest(bytes32 modelId, bytes32 id) internal view returns (bytes memory) {
        return
            abi.encodePacked('{"date":"2020-01-02","forecastProof":', _member(modelId, id), ',"kind":"art"}');
    }

    function _member(bytes32 modelId, bytes32 id) internal view returns (bytes memory m) {
        m = adapter.forecastMember(modelId, id);
        // strip the key: `"forecastProof":` is 16 bytes
        bytes memory value = new bytes(m.length - 16);
        for (uint256 i = 0; i < value.length; ++i) {
            value[i] = m[i + 16];
        }
        return value;
    }

    /// @dev The kind proof naming (`modelId`, `id`) with the recorded forecast's outputs.
    function _kindProof(bytes32 modelId, bytes32 id, bytes memory manifest_)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(modelId, id, manifest_, F.OUTPUT_0, F.OUTPUT_1);
    }

    /// @dev Asks the adapter as the NFT would: the manifest's sha2-256 digest and some metadata bytes.
    function _check(bytes memory manifest_, bytes memory aigcData, bytes memory kindProof)
        internal
        view
        returns (bool)
    {
        return adapter.verifyAigc(1, 0, sha256(manifest_), aigcData, kindProof);
    }

    // ---- direct ----

    function test_forecastMember_isCanonicalJson() public view {
        assertEq(
            string(adapter.forecastMember(bytes32(uint256(0xab)), bytes32(uint256(1) << 255))),
            string.concat(
                '"forecastProof":{"modelId":"0x00000000000000000000000000000000000000000000000000000000000000ab",',
                '"proofId":"0x8000000000000000000000000000000000000000000000000000000000000000"}'
            )
        );
    }

    function test_verifyAigc_trueForProvenForecastNamedByManifest() public view {
        bytes memory m = _manifest(F.MODEL_ID, proofId);
        assertTrue(_check(m, "", _kindProof(F.MODEL_ID, proofId, m)));
    }

    /// @notice The outputs are in the kind proof and always checked; `aigcData` (the metadata, already
    /// bound by the NFT) does not change the answer.
    function test_verifyAigc_outputsMustBeTheProvenForecast() public view {
        bytes memory m = _manifest(F.MODEL_ID, proofId);
        bytes memory kp = _kindProof(F.MODEL_ID, proofId, m);
        assertTrue(_check(m, "", kp));
        assertTrue(_check(m, bytes('{"name":"any metadata"}'), kp));
        assertFalse(_check(m, "", abi.encode(F.MODEL_ID, proofId, m, F.OUTPUT_0, F.OUTPUT_1 + 1)));
        assertFalse(_check(m, "", abi.encode(F.MODEL_ID, proofId, m, F.OUTPUT_0 + 1, F.OUTPUT_1)));
    }

    function test_verifyAigc_falseForUnprovenStatement() public view {
        bytes32 other = keccak256("not proven");
        bytes memory m = _manifest(F.MODEL_ID, other);
        assertFalse(_check(m, "", _kindProof(F.MODEL_ID, other, m)));
    }

    function test_verifyAigc_falseForAnotherModel() public view {
        bytes32 otherModel = keccak256("other model");
        bytes memory m = _manifest(otherModel, proofId);
        assertFalse(_check(m, "", _kindProof(otherModel, proofId, m)));
    }

    function test_verifyAigc_falseWhenManifestDoesNotNameTheProof() public view {
        bytes memory plain = bytes('{"date":"2020-01-02","kind":"art"}');
        assertFalse(_check(plain, "", _kindProof(F.MODEL_ID, proofId, plain)));
        // names another (unproven) statement, while the kind proof claims the proven one
        bytes memory m = _manifest(F.MODEL_ID, keccak256("x"));
        assertFalse(_check(m, "", _kindProof(F.MODEL_ID, proofId, m)));
    }

    /// @notice The manifest in the kind proof must be the one whose sha2-256 digest the NFT passes.
    function test_verifyAigc_falseWhenManifestIsNotTheCommittedOne() public view {
        bytes memory m = _manifest(F.MODEL_ID, proofId);
        assertTrue(_digestCase(m, sha256(m)));
        assertFalse(_digestCase(m, sha256("another manifest")));
        assertFalse(_digestCase(m, keccak256(m)), "the old keccak commitment is not the digest");
        assertFalse(_digestCase(m, bytes32(0)));
    }

    function testFuzz_verifyAigc_falseForAnyOtherManifestDigest(bytes32 digest) public view {
        bytes memory m = _manifest(F.MODEL_ID, proofId);
        vm.assume(digest != sha256(m));
        assertFalse(_digestCase(m, digest));
    }

    function _digestCase(bytes memory m, bytes32 digest) internal view returns (bool) {
        return adapter.verifyAigc(1, 0, digest, "", _kindProof(F.MODEL_ID, proofId, m));
    }

    function test_verifyAigc_falseForShortProof() public view {
        assertFalse(adapter.verifyAigc(1, 0, bytes32(0), "", abi.encode(F.MODEL_ID, proofId)));
        assertFalse(adapter.verifyAigc(1, 0, bytes32(0), "", new bytes(191)));
    }

    function test_constructor_revertsOnZeroGate() public {
        vm.expectRevert(ForecastAigcVerifier.ZeroGate.selector);
        new ForecastAigcVerifier(ForecastProofGate(address(0)));
    }

    // ---- fuzz + concrete twins ----

    function _embeddedCase(bytes memory prefix, bytes memory suffix) internal view returns (bool) {
        bytes memory m = abi.encodePacked(prefix, adapter.forecastMember(F.MODEL_ID, proofId), suffix);
        return _check(m, "", _kindProof(F.MODEL_ID, proofId, m));
    }

    function testFuzz_verifyAigc_findsMemberAtAnyOffset(bytes memory prefix, bytes memory suffix)
        public
        view
    {
        assertTrue(_embeddedCase(prefix, suffix));
    }

    function test_verifyAigc_findsMemberAtAnyOffset_concrete() public view {
        assertTrue(_embeddedCase("", ""));
        assertTrue(_embeddedCase("{", "}"));
        assertTrue(_embeddedCase(bytes('{"a":"0123456789012345678901234567890123456789",'), bytes(',"z":1}')));
    }

    function _wrongOutputsCase(int256 o0, int256 o1) internal view returns (bool) {
        bytes memory m = _manifest(F.MODEL_ID, proofId);
        return _check(m, "", abi.encode(F.MODEL_ID, proofId, m, o0, o1));
    }

    function testFuzz_verifyAigc_falseForAnyOtherOutputs(int256 o0, int256 o1) public view {
        vm.assume(o0 != F.OUTPUT_0 || o1 != F.OUTPUT_1);
        assertFalse(_wrongOutputsCase(o0, o1));
    }

    function test_verifyAigc_falseForAnyOtherOutputs_concrete() public view {
        assertTrue(_wrongOutputsCase(F.OUTPUT_0, F.OUTPUT_1), "the recorded outputs pass");
        assertFalse(_wrongOutputsCase(F.OUTPUT_1, F.OUTPUT_0));
        assertFalse(_wrongOutputsCase(F.OUTPUT_0 - 1, F.OUTPUT_1));
        assertFalse(_wrongOutputsCase(0, 0));
    }

    function _flippedProofIdCase(uint8 bit) internal view returns (bool) {
        bytes32 id = proofId ^ bytes32(uint256(1) << bit);
        bytes memory m = _manifest(F.MODEL_ID, id);
        return _check(m, "", _kindProof(F.MODEL_ID, id, m));
    }

    function testFuzz_verifyAigc_falseForAnyOtherProofId(uint8 bit) public view {
        assertFalse(_flippedProofIdCase(bit));
    }

    function test_verifyAigc_falseForAnyOtherProofId_concrete() public view {
        assertFalse(_flippedProofIdCase(0));
        assertFalse(_flippedProofIdCase(255));
    }

    // ---- through the NFT (ERC-7007 verify, proof kind 2) ----

    function _nftProof(uint256 tokenId, bytes memory kindProof) internal pure returns (bytes memory) {
        return abi.encodePacked(uint8(2), tokenId, uint256(0), kindProof);
    }

    function test_nftVerify_groth16_trueOnlyWithAdapterAndProvenForecast() public {
        bytes memory m = _manifest(F.MODEL_ID, proofId);
        bytes memory meta = metadataFor(m, 0); // the version's metadata names the manifest
        uint256 tokenId = mintMeta(meta, m, keccak256("intent-zk"));
        bytes memory proof = _nftProof(tokenId, _kindProof(F.MODEL_ID, proofId, m));
        assertFalse(nft.verify(m, meta, proof)); // no verifier set yet

        vm.prank(timelock);
        nft.setAigcVerifier(IAigcVerifier(address(adapter)));
        assertTrue(nft.verify(m, meta, proof));
        assertTrue(nft.verify(rawCid(sha256(m)), meta, proof)); // prompt as the manifest's binary CID
        assertFalse(nft.verify(m, metadataFor(m, 1), proof), "metadata not recorded");
        assertFalse(
            nft.verify(
                m, meta, _nftProof(tokenId, abi.encode(F.MODEL_ID, proofId, m, F.OUTPUT_0 + 1, F.OUTPUT_1))
            ),
            "outputs are not the recorded forecast"
        );
        // The kind proof's manifest must be the one the metadata names.
        bytes memory other = _manifest(F.MODEL_ID, proofId);
        other[2] = "D"; // {"Date":...: still names the proof, another digest
        assertFalse(nft.verify(m, meta, _nftProof(tokenId, _kindProof(F.MODEL_ID, proofId, other))));

        bytes32 unproven = keccak256("unproven");
        assertFalse(nft.verify(m, meta, _nftProof(tokenId, _kindProof(F.MODEL_ID, unproven, m))));
        assertFalse(nft.verify(m, meta, _nftProof(tokenId, hex"deadbeef"))); // malformed kind proof: false
        // The session-10 kind proof (no outputs) is refused.
        assertFalse(nft.verify(m, meta, _nftProof(tokenId, abi.encode(F.MODEL_ID, proofId, m))));
    }
}
