// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PolicyActions} from "../../src/policy/IPolicyGuard.sol";
import {PolicyGuard} from "../../src/policy/PolicyGuard.sol";
import {GuardedToken, PolicyTestBase, limitsArray} from "./PolicyTestBase.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Drives PolicyGuard through random sequences of agent mints, time, governance, guardian and
/// (attempted) agent configuration, keeping ghost sums of what was minted.
contract PolicyGuardHandler is Test {
    PolicyGuard public immutable guard;
    GuardedToken public immutable token;
    address public immutable admin;
    address public immutable guardian;
    address public immutable agent;
    uint256 public immutable epochLength;

    mapping(uint256 epoch => uint256) public ghostEpochMinted;
    uint256 public ghostLifetimeMinted;
    bool public ghostEpochOverCap;
    bool public ghostLifetimeOverCap;
    bool public ghostGuardianLoosened;
    bool public ghostGuardianUnpaused;
    bool public ghostAgentConfigured;
    uint256 public mints;

    constructor(
        PolicyGuard guard_,
        GuardedToken token_,
        address admin_,
        address guardian_,
        address agent_,
        uint256 e
    ) {
        guard = guard_;
        token = token_;
        admin = admin_;
        guardian = guardian_;
        agent = agent_;
        epochLength = e;
    }

    // ------------------------------------------------------------ agent acts

    function mint(uint256 amount) external {
        amount = bound(amount, 0, 1500e18);
        vm.prank(agent);
        try token.mint(address(0xB0B), amount) {
            ++mints;
            uint256 epoch = block.timestamp / epochLength;
            ghostEpochMinted[epoch] += amount;
            ghostLifetimeMinted += amount;
            PolicyGuard.Limits memory l = guard.limitsOf(address(token), PolicyActions.MINT);
            if (ghostEpochMinted[epoch] > l.epochCap) ghostEpochOverCap = true;
            if (ghostLifetimeMinted > l.lifetimeCap) ghostLifetimeOverCap = true;
        } catch {}
    }

    function warp(uint256 dt) external {
        vm.warp(block.timestamp + bound(dt, 0, 2 * epochLength));
    }

    // ------------------------------------------------------------ governance

    function adminSetLimit(uint8 field, uint256 value) external {
        PolicyGuard.Field f = PolicyGuard.Field(bound(field, 0, 9));
        uint256 ceiling = _get(guard.ceilingOf(address(token), PolicyActions.MINT), uint256(f));
        value = bound(value, 0, ceiling * 2 + 1);
        vm.prank(admin);
        try guard.setLimit(address(token), PolicyActions.MINT, f, value) {} catch {}
    }

    function adminLowerCeiling(uint8 field, uint256 value) external {
        uint256 i = bound(field, 0, 9);
        PolicyGuard.Limits memory c = guard.ceilingOf(address(token), PolicyActions.MINT);
        uint256[10] memory a = limitsArray(c);
        a[i] = bound(value, 0, a[i] * 2 + 1);
        vm.prank(admin);
        try guard.lowerCeiling(address(token), PolicyActions.MINT, _lim(a)) {} catch {}
    }

    function adminUnpause() external {
        vm.startPrank(admin);
        guard.unpause();
        guard.unpauseAsset(address(token));
        vm.stopPrank();
    }

    // ------------------------------------------------------------ guardian

    function guardianTighten(uint8 field, uint256 value) external {
        PolicyGuard.Field f = PolicyGuard.Field(bound(field, 0, 9));
        uint256[10] memory before = limitsArray(guard.limitsOf(address(token), PolicyActions.MINT));
        value = bound(value, 0, before[uint256(f)] * 2 + 1);
        vm.prank(guardian);
        try guard.tightenLimit(address(token), PolicyActions.MINT, f, value) {} catch {}
        _checkNotLooser(before);
    }

    function guardianTightenAll(uint256 seed) external {
        uint256[10] memory before = limitsArray(guard.limitsOf(address(token), PolicyActions.MINT));
        uint256[10] memory next;
        for (uint256 i; i < 10; ++i) {
            next[i] = bound(uint256(keccak256(abi.encode(seed, i))), 0, before[i] * 2 + 1);
        }
        vm.prank(guardian);
        try guard.tightenLimits(address(token), PolicyActions.MINT, _lim(next)) {} catch {}
        _checkNotLooser(before);
    }

    function guardianPause(bool global) external {
        vm.prank(guardian);
        if (global) guard.pause();
        else guard.pauseAsset(address(token));
    }

    function guardianTriesUnpause(bool global) external {
        bool wasPaused = guard.isPaused(address(token));
        vm.prank(guardian);
        if (global) {
            try guard.unpause() {
                ghostGuardianUnpaused = true;
            } catch {}
        } else {
            try guard.unpauseAsset(address(token)) {
                ghostGuardianUnpaused = true;
            } catch {}
        }
        if (wasPaused && !guard.isPaused(address(token))) ghostGuardianUnpaused = true;
    }

    // ------------------------------------------------------------ agent tries to configure

    function agentTriesConfigure(uint8 which, uint256 value) external {
        bytes32 before = _configHash();
        address a = agent;
        vm.startPrank(a);
        uint256 w = bound(which, 0, 11);
        bool ok;
        if (w == 0) {
            ok = _try(
                abi.encodeCall(
                    guard.setLimit, (address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, value)
                )
            );
        } else if (w == 1) {
            ok = _try(
                abi.encodeCall(
                    guard.tightenLimit, (address(token), PolicyActions.MINT, PolicyGuard.Field.EpochCap, 0)
                )
            );
        } else if (w == 2) {
            ok = _try(abi.encodeCall(guard.pause, ()));
        } else if (w == 3) {
            ok = _try(abi.encodeCall(guard.unpause, ()));
        } else if (w == 4) {
            ok = _try(abi.encodeCall(guard.pauseAsset, (address(token))));
        } else if (w == 5) {
            ok = _try(abi.encodeCall(guard.unpauseAsset, (address(token))));
        } else if (w == 6) {
            ok = _try(abi.encodeCall(guard.setAgent, (address(uint160(value)))));
        } else if (w == 7) {
            ok = _try(abi.encodeCall(guard.setGuardian, (a)));
        } else if (w == 8) {
            ok = _try(abi.encodeCall(guard.setAdmin, (a)));
        } else if (w == 9) {
            ok = _try(
                abi.encodeCall(
                    guard.createPolicy,
                    (
                        address(uint160(value)),
                        PolicyActions.MINT,
                        1 days,
                        guard.ceilingOf(address(token), PolicyActions.MINT),
                        guard.limitsOf(address(token), PolicyActions.MINT),
                        0
                    )
                )
            );
        } else if (w == 10) {
            ok = _try(
                abi.encodeCall(
                    guard.lowerCeiling,
                    (address(token), PolicyActions.MINT, guard.limitsOf(address(token), PolicyActions.MINT))
                )
            );
        } else {
            ok = _try(
                abi.encodeCall(
                    guard.setLimits,
                    (address(token), PolicyActions.MINT, guard.limitsOf(address(token), PolicyActions.MINT))
                )
            );
        }
        vm.stopPrank();
        if (ok || _configHash() != before) ghostAgentConfigured = true;
    }

    // ------------------------------------------------------------ helpers

    function _try(bytes memory data) internal returns (bool ok) {
        (ok,) = address(guard).call(data);
    }

    function _configHash() internal view returns (bytes32) {
        return keccak256(
            abi.encode(
                guard.limitsOf(address(token), PolicyActions.MINT),
                guard.ceilingOf(address(token), PolicyActions.MINT),
                guard.isPaused(address(token)),
                guard.agent(),
                guard.guardian(),
                guard.admin(),
                guard.modelRegistry()
            )
        );
    }

    function _checkNotLooser(uint256[10] memory before) internal {
        uint256[10] memory afterwards = limitsArray(guard.limitsOf(address(token), PolicyActions.MINT));
        for (uint256 i; i < 10; ++i) {
            bool lowerLooser =
                i == uint256(PolicyGuard.Field.MinValue) || i == uint256(PolicyGuard.Field.MarginBps);
            if (lowerLooser ? afterwards[i] < before[i] : afterwards[i] > before[i]) {
                ghostGuardianLoosened = true;
            }
        }
    }

    function _get(PolicyGuard.Limits memory l, uint256 i) internal pure returns (uint256) {
        return limitsArray(l)[i];
    }

    function _lim(uint256[10] memory a) internal pure returns (PolicyGuard.Limits memory) {
        return PolicyGuard.Limits(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    }
}

/// @notice Invariants: caps hold through any sequence; governed <= ceiling <= global; the guardian never
/// loosens or unpauses; the agent never configures.
contract PolicyGuardInvariantTest is PolicyTestBase {
    PolicyGuardHandler internal handler;

    function setUp() public override {
        super.setUp();
        handler = new PolicyGuardHandler(guard, token, ADMIN, GUARDIAN, AGENT, EPOCH);
        targetContract(address(handler));
    }

    function invariant_epochMintedNeverExceedsCap() public view {
        assertFalse(handler.ghostEpochOverCap());
        PolicyGuard.PolicyView memory p = guard.policyOf(address(token), PolicyActions.MINT);
        assertEq(p.usedThisEpoch, handler.ghostEpochMinted(block.timestamp / EPOCH));
    }

    function invariant_lifetimeMintedNeverExceedsCap() public view {
        assertFalse(handler.ghostLifetimeOverCap());
        PolicyGuard.PolicyView memory p = guard.policyOf(address(token), PolicyActions.MINT);
        assertEq(p.usedLifetime, handler.ghostLifetimeMinted());
        assertEq(token.totalSupply(), handler.ghostLifetimeMinted());
    }

    function invariant_governedWithinCeilingWithinGlobal() public view {
        uint256[10] memory l = limitsArray(guard.limitsOf(address(token), PolicyActions.MINT));
        uint256[10] memory c = limitsArray(guard.ceilingOf(address(token), PolicyActions.MINT));
        uint256[10] memory g = limitsArray(guard.globalCeiling());
        for (uint256 i; i < 10; ++i) {
            if (i == uint256(PolicyGuard.Field.MinValue) || i == uint256(PolicyGuard.Field.MarginBps)) {
                assertGe(l[i], c[i]);
                assertGe(c[i], g[i]);
            } else {
                assertLe(l[i], c[i]);
                assertLe(c[i], g[i]);
            }
        }
    }

    function invariant_guardianNeverLoosensOrUnpauses() public view {
        assertFalse(handler.ghostGuardianLoosened());
        assertFalse(handler.ghostGuardianUnpaused());
    }

    function invariant_agentNeverConfigures() public view {
        assertFalse(handler.ghostAgentConfigured());
    }
}
