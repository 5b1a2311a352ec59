// SPDX-License-Identifier: GPL-3.0
// GENERATED FILE — DO NOT EDIT.
// Produced by src/zk/generateArtifacts.ts with snarkjs 0.7.6 `zkey export solidityverifier` (API).
// Circuit sha256 0a1a1f9f599a044997da73c34b459da38a105b44c5c25078ec32a5c0c08ff80f; zkey sha256 be3ee684a93f6f5b8e6cf2987d9ab3178ade8ba348999cfb74a818681303539a.
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
    uint256 constant alphax  = 5261777719528974776106219097225442462781974208094668773391247415557167130778;
    uint256 constant alphay  = 15368269608117916043371080587141946470523705649169088246563324873510214492358;
    uint256 constant betax1  = 19106075948559736272248388138314268961069567784129367644174966618707685502975;
    uint256 constant betax2  = 18203255446414939698389763084921250603421034484183773714663135290999979901465;
    uint256 constant betay1  = 12939599128886633290162792492318559435266690080702711223791948141469525143721;
    uint256 constant betay2  = 4074923894201286769133184511584130229101556888461770430034042171860414577022;
    uint256 constant gammax1 = 11559732032986387107991004021392285783925812861821192530917403151452391805634;
    uint256 constant gammax2 = 10857046999023057135944570762232829481370756359578518086990519993285655852781;
    uint256 constant gammay1 = 4082367875863433681332203403145435568316851327593401208105741076214120093531;
    uint256 constant gammay2 = 8495653923123431417604973247489272438418190587263600148770280649306958101930;
    uint256 constant deltax1 = 2174622330217250359141738281850283605398059432920626465329929366003225000354;
    uint256 constant deltax2 = 14098300599998745654311787368728118485654679974287571513015428249154069487284;
    uint256 constant deltay1 = 14431239764981250436320494594696597253865473560060495248721910381692627409942;
    uint256 constant deltay2 = 4443909405254004366688439115286482238479254705207705590216352901515689956007;

    
    uint256 constant IC0x = 3043425882120627870850235048892607976357649646985805050418018758540276630875;
    uint256 constant IC0y = 19759977121373777271162409128864346720790930442171406654144849524172565565308;
    
    uint256 constant IC1x = 12827860359234109405127129272379693047030659096809877119814702185373061768676;
    uint256 constant IC1y = 6502630861491439680526963832867367053678777450187871513714454906752340628629;
    
    uint256 constant IC2x = 2977589594433395578243695876439089436966124564598751311308211873652599068339;
    uint256 constant IC2y = 3822265050915390191663345305292428775312127822317448973023217414676470513465;
    
    uint256 constant IC3x = 3679494710164458912676618992404720069489569492903899636588065106193283667860;
    uint256 constant IC3y = 12823892321946859428038091660511067823433748977421691564086971404507786107386;
    
 
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
