// SPDX-License-Identifier: GPL-3.0
// GENERATED FILE — DO NOT EDIT.
// Produced by src/zk/generateArtifacts.ts with snarkjs 0.7.6 `zkey export solidityverifier` (API).
// Circuit sha256 5d58fc6609381f264302093ef1573030f8f8b2f0b4eaf91e99b7e0e4fafe5db4; zkey sha256 8e5a89591e5b574cdeb23c01b61db2bec88168b27616d6176058ed93321edab1.
// The one change to snarkjs' output: 'pragma solidity >=0.7.0 <0.9.0;' was replaced by 'pragma solidity 0.8.37;'.
// Second change: the contract is named 'RidgeGroth16Verifier' (snarkjs: 'Groth16Verifier') so several verifiers compile together.
/*
    Copyright 2021 0KIMS association.

    This file is generated with [snarkJS](https://github.com/iden3/snarkjs).

    snarkJS is a free software: you can redistribute it and/or modify it
    under the terms of the GNU General Public License as published by
    the Free Software Foundation, either version 3 of the License, or
    (at your option) any later version.

    snarkJS is distributed in the hope that it will be useful, but WITHOUT
    ANY WARRANTY; without even the implied warranty of MERCHANTABILITY
    or FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public
    License for more details.

    You should have received a copy of the GNU General Public License
    along with snarkJS. If not, see <https://www.gnu.org/licenses/>.
*/

pragma solidity 0.8.37;

contract RidgeGroth16Verifier {
    // Scalar field size
    uint256 constant r    = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    // Base field size
    uint256 constant q   = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    // Verification Key data
    uint256 constant alphax  = 11594948467834180261219429808976481073615628086903190263765095889401982392959;
    uint256 constant alphay  = 16033836069223603618834323248505195235819728785738735263902249321804817429831;
    uint256 constant betax1  = 18583269580528750887369787302100937447512507282314710834075309533613095547370;
    uint256 constant betax2  = 17019198749909385047189160565973761185230093958464624688777891681221249762804;
    uint256 constant betay1  = 16524191059029995793829615320871256859511474240397243401567838989442727427325;
    uint256 constant betay2  = 11879906796585152098391627691382728415842016736790318322775645892450665982675;
    uint256 constant gammax1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 constant gammax2 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 constant gammay1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 constant gammay2 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;
    uint256 constant deltax1 = 10052970586873059750596016450360991659379733075619564305813850903099021683814;
    uint256 constant deltax2 = 7800599407139627700355508326113714373512410666190084605407975432506089667787;
    uint256 constant deltay1 = 6800859938756733696388473470980518390235753012216012201412994112423050488505;
    uint256 constant deltay2 = 11619654369311628056611717728759452875743560158598774167722910759367096690735;

    
    uint256 constant IC0x = 11181211967481773886173810147549034934555104906668314652896635818203718999969;
    uint256 constant IC0y = 11724499106593521315445220708490341876739590857886395638546269802781615721808;
    
    uint256 constant IC1x = 5937992890535956886191408342123654224378434578165107700518540962734347126605;
    uint256 constant IC1y = 9661866285752052637460291000322453267928128343764317803743818058193014995650;
    
    uint256 constant IC2x = 18778331677755414703465147446929475785925990093449118966675743211355634962645;
    uint256 constant IC2y = 7235431159301465214556029206895540897995487116688890799863799692213489802972;
    
    uint256 constant IC3x = 16549361765241021493665073395917512930334103280269027434323344202134039533622;
    uint256 constant IC3y = 9864660443141605087979213186279970036143389902811904927803587522563301279302;
    
 
    // Memory data
    uint16 constant pVk = 0;
    uint16 constant pPairing = 128;

    uint16 constant pLastMem = 896;

    function verifyProof(uint[2] calldata _pA, uint[2][2] calldata _pB, uint[2] calldata _pC, uint[3] calldata _pubSignals) public view returns (bool) {
        assembly {
            function checkField(v) {
                if iszero(lt(v, r)) {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }
            
            // G1 function to multiply a G1 value(x,y) to value in an address
            function g1_mulAccC(pR, x, y, s) {
                let success
                let mIn := mload(0x40)
                mstore(mIn, x)
                mstore(add(mIn, 32), y)
                mstore(add(mIn, 64), s)

                success := staticcall(sub(gas(), 2000), 7, mIn, 96, mIn, 64)

                if iszero(success) {
                    mstore(0, 0)
                    return(0, 0x20)
                }

                mstore(add(mIn, 64), mload(pR))
                mstore(add(mIn, 96), mload(add(pR, 32)))

                success := staticcall(sub(gas(), 2000), 6, mIn, 128, pR, 64)

                if iszero(success) {
                    mstore(0, 0)
                    return(0, 0x20)
                }
            }

            function checkPairing(pA, pB, pC, pubSignals, pMem) -> isOk {
                let _pPairing := add(pMem, pPairing)
                let _pVk := add(pMem, pVk)

                mstore(_pVk, IC0x)
                mstore(add(_pVk, 32), IC0y)

                // Compute the linear combination vk_x
                
                g1_mulAccC(_pVk, IC1x, IC1y, calldataload(add(pubSignals, 0)))
                
                g1_mulAccC(_pVk, IC2x, IC2y, calldataload(add(pubSignals, 32)))
                
                g1_mulAccC(_pVk, IC3x, IC3y, calldataload(add(pubSignals, 64)))
                

                // -A
                mstore(_pPairing, calldataload(pA))
                mstore(add(_pPairing, 32), mod(sub(q, calldataload(add(pA, 32))), q))

                // B
                mstore(add(_pPairing, 64), calldataload(pB))
                mstore(add(_pPairing, 96), calldataload(add(pB, 32)))
                mstore(add(_pPairing, 128), calldataload(add(pB, 64)))
                mstore(add(_pPairing, 160), calldataload(add(pB, 96)))

                // alpha1
                mstore(add(_pPairing, 192), alphax)
                mstore(add(_pPairing, 224), alphay)

                // beta2
                mstore(add(_pPairing, 256), betax1)
                mstore(add(_pPairing, 288), betax2)
                mstore(add(_pPairing, 320), betay1)
                mstore(add(_pPairing, 352), betay2)

                // vk_x
                mstore(add(_pPairing, 384), mload(add(pMem, pVk)))
                mstore(add(_pPairing, 416), mload(add(pMem, add(pVk, 32))))


                // gamma2
                mstore(add(_pPairing, 448), gammax1)
                mstore(add(_pPairing, 480), gammax2)
                mstore(add(_pPairing, 512), gammay1)
                mstore(add(_pPairing, 544), gammay2)

                // C
                mstore(add(_pPairing, 576), calldataload(pC))
                mstore(add(_pPairing, 608), calldataload(add(pC, 32)))

                // delta2
                mstore(add(_pPairing, 640), deltax1)
                mstore(add(_pPairing, 672), deltax2)
                mstore(add(_pPairing, 704), deltay1)
                mstore(add(_pPairing, 736), deltay2)


                let success := staticcall(sub(gas(), 2000), 8, _pPairing, 768, _pPairing, 0x20)

                isOk := and(success, mload(_pPairing))
            }

            let pMem := mload(0x40)
            mstore(0x40, add(pMem, pLastMem))

            // Validate that all evaluations ∈ F
            
            checkField(calldataload(add(_pubSignals, 0)))
            
            checkField(calldataload(add(_pubSignals, 32)))
            
            checkField(calldataload(add(_pubSignals, 64)))
            

            // Validate all evaluations
            let isValid := checkPairing(_pA, _pB, _pC, _pubSignals, pMem)

            mstore(0, isValid)
             return(0, 0x20)
         }
     }
 }
