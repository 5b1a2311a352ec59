// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SyntheticVault} from "../../src/markets/SyntheticVault.sol";
import {ModelRegistry} from "../../src/models/ModelRegistry.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";
import {TestFeed} from "../markets/TestFeed.sol";
import {TestGuard} from "../markets/TestGuard.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

/// @notice ERC-777-style hooks: the sender is called before its tokens move, the receiver after.
interface ITokenHooks {
    function tokensToSend() external;
    function tokensReceived() external;
}

/// @notice Test double: a 6-decimal collateral token that calls the sender's `tokensToSend` before a
/// `transferFrom` and the receiver's `tokensReceived` after a `transfer`, like ERC-777 hooks, for
/// accounts that opted in.
contract HookToken is ERC20 {
    mapping(address account => bool) public hooked;

    constructor() ERC20("Hook USD", "hUSD") {}

    function decimals() public pure override returns (uint8) {
        return 6;
    }

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setHooked(bool on) external {
        hooked[msg.sender] = on;
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (hooked[from]) ITokenHooks(from).tokensToSend();
        return super.transferFrom(from, to, value);
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        bool ok = super.transfer(to, value);
        if (hooked[to]) ITokenHooks(to).tokensReceived();
        return ok;
    }
}

/// @notice Test double: a position owner whose token hooks re-enter the vault with a chosen call and
/// record what happened (the revert is caught, so the outer call goes on with its stale memory copy).
contract ReentrantOwner is ITokenHooks {
    SyntheticVault public immutable vault;
    HookToken public immutable token;
    bytes public reentry;
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryError;

    constructor(SyntheticVault vault_, HookToken token_) {
        vault = vault_;
        token = token_;
        token_.approve(address(vault_), type(uint256).max);
    }

    function setReentry(bytes calldata data) external {
        reentry = data;
        token.setHooked(data.length != 0);
    }

    function call(bytes calldata data) external {
        (bool ok, bytes memory ret) = address(vault).call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
    }

    function tokensToSend() external {
        _reenter();
    }

    function tokensReceived() external {
        _reenter();
    }

    function _reenter() internal {
        if (reentered) return;
        reentered = true;
        (reentrySucceeded, reentryError) = address(vault).call(reentry);
    }
}

/// @notice Adversarial review of `depositAndMint`'s new order (commit b61e247): the position is read
/// into memory, the collateral pulled (an external call), and the position written once at the end.
/// A collateral token with callbacks could re-enter between the read and the write and have its change
/// overwritten by the stale copy (e.g. withdraw collateral, then have it restored). Every state-changing
/// vault entry point is `nonReentrant`, so each re-entry reverts and the accounting stays exact.
contract VaultReentrancySecurityTest is MarketsFixture {
    HookToken internal hook;
    TestGuard internal anyGuard;
    SyntheticVault internal hv;
    ReentrantOwner internal owner;

    function setUp() public {
        vm.warp(1_750_000_000);
        hook = new HookToken();
        feed = new TestFeed(8, WTI);
        anyGuard = new TestGuard(type(uint256).max, MARGIN_BPS);
        SyntheticVault.Config memory c =
            _vaultConfig(IERC20Metadata(address(hook)), feed, anyGuard, ModelRegistry(address(0)));
        c.risk.mintFeeBps = 0; // no registry, no fee
        hv = new SyntheticVault(c);
        owner = new ReentrantOwner(hv, hook);
        hook.mint(address(owner), 100_000e6);
        owner.call(abi.encodeCall(SyntheticVault.deposit, (address(owner), 10_000e6, bytes32(0))));
    }

    function _reentryCases() internal view returns (bytes[] memory calls) {
        calls = new bytes[](7);
        calls[0] = abi.encodeCall(SyntheticVault.withdraw, (10_000e6, address(owner), bytes32(0)));
        calls[1] = abi.encodeCall(SyntheticVault.deposit, (address(owner), 1e6, bytes32(0)));
        // Inner mints name the nonce the outer mint moves to: only the re-entry guard can refuse them.
        calls[2] = abi.encodeCall(SyntheticVault.mint, (1e18, MODEL, keccak256("inner mint"), 1));
        calls[3] = abi.encodeCall(SyntheticVault.repay, (address(owner), 1e18, bytes32(0)));
        calls[4] = abi.encodeCall(SyntheticVault.liquidate, (address(owner), 1e18, bytes32(0)));
        calls[5] =
            abi.encodeCall(SyntheticVault.depositAndMint, (1e6, 1e18, MODEL, keccak256("inner dam"), 1));
        calls[6] = abi.encodeCall(SyntheticVault.flushFees, (MODEL));
    }

    /// @notice A hook re-entering any state-changing entry point during `depositAndMint`'s collateral
    /// pull reverts `ReentrancyGuardReentrantCall`; the outer call then ends with exact accounting.
    function test_depositAndMint_reentryBlocked() public {
        bytes[] memory calls = _reentryCases();
        for (uint256 i; i < calls.length; ++i) {
            uint256 snap = vm.snapshotState();
            _checkDepositAndMintReentry(calls[i], 5000e6, 50e18);
            vm.revertToState(snap);
        }
    }

    function testFuzz_depositAndMint_reentryBlocked(uint8 which, uint256 coll, uint256 amount) public {
        bytes[] memory calls = _reentryCases();
        coll = bound(coll, 1, 90_000e6);
        // Keep the mint within the minimum ratio: (10,000 + coll) USD / 75 USD / 1.5.
        amount = bound(amount, 1e18, (10_000e6 + coll) * 1e12 / 75 * 10_000 / 15_000);
        _checkDepositAndMintReentry(calls[bound(which, 0, calls.length - 1)], coll, amount);
    }

    function _checkDepositAndMintReentry(bytes memory reentry, uint256 coll, uint256 amount) internal {
        owner.setReentry(reentry);
        uint256 ownerBalance = hook.balanceOf(address(owner));
        owner.call(
            abi.encodeCall(SyntheticVault.depositAndMint, (coll, amount, MODEL, keccak256("outer"), 0))
        );
        assertTrue(owner.reentered(), "the hook ran");
        assertFalse(owner.reentrySucceeded(), "re-entry refused");
        assertEq(
            owner.reentryError(),
            abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector)
        );
        (uint256 c, uint256 d) = hv.positionOf(address(owner));
        assertEq(c, 10_000e6 + coll);
        assertEq(d, amount);
        assertEq(hook.balanceOf(address(hv)), c, "vault holds exactly the position's collateral");
        assertEq(hook.balanceOf(address(owner)), ownerBalance - coll);
        assertEq(hv.totalSupply(), hv.balanceOf(address(owner)));
    }

    /// @notice The payout hooks (withdraw, liquidation) cannot re-enter either.
    function test_payoutHooks_reentryBlocked() public {
        owner.call(abi.encodeCall(SyntheticVault.mint, (50e18, MODEL, keccak256("m"), 0)));
        owner.setReentry(abi.encodeCall(SyntheticVault.withdraw, (1000e6, address(owner), bytes32(0))));
        owner.call(abi.encodeCall(SyntheticVault.withdraw, (1000e6, address(owner), bytes32(0))));
        assertTrue(owner.reentered());
        assertFalse(owner.reentrySucceeded());
        (uint256 c,) = hv.positionOf(address(owner));
        assertEq(c, 9000e6);
        assertEq(hook.balanceOf(address(hv)), c);
    }
}
