// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

import {MarketsFixture} from "./MarketsFixture.sol";

/// @notice The synth folded into the vault: `SyntheticVault` is itself the synth's ERC-20. Transfers,
/// allowances and permits work as OpenZeppelin's; nothing outside the vault's own mint, repay and
/// liquidation paths mints or burns; and after any sequence of mints, transfers, transfers from an
/// allowance, repays and liquidations, `totalSupply() == totalDebt == the position's debt == the sum of
/// all balances`.
contract SyntheticVaultSynthTest is MarketsFixture {
    uint256 internal constant OWNER_PK = 0xB0B5EC;
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    address[4] internal _actors;

    function setUp() public {
        _deployMarkets();
        _fund(agent, 10_000_000e6);
        _actors = [agent, keeper, alice, bob];
    }

    // ------------------------------------------------------------------ metadata

    /// @notice The vault answers the ERC-20 metadata and the permit domain from its config, and
    /// `SYNTH()` (kept for older ABI readers) names the vault itself.
    function test_metadataAndDomain() public view {
        assertEq(vault.SYNTH(), address(vault));
        assertEq(synth.name(), "Provenant Synthetic WTI");
        assertEq(synth.symbol(), "sWTI");
        assertEq(synth.decimals(), 18);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256(
                    "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
                ),
                keccak256("Provenant Synthetic WTI"),
                keccak256("1"),
                block.chainid,
                address(vault)
            )
        );
        assertEq(synth.DOMAIN_SEPARATOR(), domain);
    }

    // ------------------------------------------------------------------ transfer / approve

    /// @dev The agent mints `minted`, sends `sent` to alice, approves keeper for `allowance` and keeper
    /// spends `spent` of it into bob: balances, allowance and events as OpenZeppelin's; supply untouched.
    function _transferApprove(uint256 minted, uint256 sent, uint256 allowance, uint256 spent) internal {
        _agentOpen(1_000_000e6, minted, keccak256("open"));
        vm.expectEmit(address(vault));
        emit IERC20.Transfer(agent, alice, sent);
        vm.prank(agent);
        assertTrue(synth.transfer(alice, sent));
        vm.expectEmit(address(vault));
        emit IERC20.Approval(agent, keeper, allowance);
        vm.prank(agent);
        assertTrue(synth.approve(keeper, allowance));
        assertEq(synth.allowance(agent, keeper), allowance);
        vm.expectRevert(
            abi.encodeWithSelector(
                IERC20Errors.ERC20InsufficientAllowance.selector, keeper, allowance, allowance + 1
            )
        );
        vm.prank(keeper);
        synth.transferFrom(agent, bob, allowance + 1);
        vm.prank(keeper);
        assertTrue(synth.transferFrom(agent, bob, spent));
        assertEq(synth.allowance(agent, keeper), allowance - spent);
        assertEq(synth.balanceOf(agent), minted - sent - spent);
        assertEq(synth.balanceOf(alice), sent);
        assertEq(synth.balanceOf(bob), spent);
        assertEq(synth.totalSupply(), minted);
        _assertLedger();
    }

    function test_transferApprove() public {
        _transferApprove(100e18, 30e18, 50e18, 20e18);
    }

    function testFuzz_transferApprove(uint256 minted, uint256 sent, uint256 allowance, uint256 spent) public {
        minted = bound(minted, 1e18, 1000e18);
        sent = bound(sent, 0, minted);
        allowance = bound(allowance, 0, minted - sent);
        _transferApprove(minted, sent, allowance, bound(spent, 0, allowance));
    }

    // ------------------------------------------------------------------ permit

    function _permitDigest(address owner, address spender, uint256 value, uint256 nonce, uint256 deadline)
        internal
        view
        returns (bytes32)
    {
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, owner, spender, value, nonce, deadline));
        return keccak256(abi.encodePacked("\x19\x01", synth.DOMAIN_SEPARATOR(), structHash));
    }

    /// @dev A signed permit sets the allowance and bumps the nonce; it cannot be replayed, an expired one
    /// is refused, and spending the allowance moves balances only.
    function _permit(uint256 value, uint256 ttl) internal {
        _agentOpen(1_000_000e6, 100e18, keccak256("open"));
        address owner = vm.addr(OWNER_PK);
        vm.prank(agent);
        synth.transfer(owner, 100e18);
        uint256 deadline = block.timestamp + ttl;
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(OWNER_PK, _permitDigest(owner, keeper, value, 0, deadline));
        synth.permit(owner, keeper, value, deadline, v, r, s);
        assertEq(synth.allowance(owner, keeper), value);
        assertEq(synth.nonces(owner), 1);
        vm.expectPartialRevert(ERC20Permit.ERC2612InvalidSigner.selector);
        synth.permit(owner, keeper, value, deadline, v, r, s);
        (v, r, s) = vm.sign(OWNER_PK, _permitDigest(owner, keeper, value, 1, deadline));
        vm.warp(deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        synth.permit(owner, keeper, value, deadline, v, r, s);
        uint256 spend = value < 100e18 ? value : 100e18;
        vm.prank(keeper);
        synth.transferFrom(owner, keeper, spend);
        assertEq(synth.balanceOf(keeper), spend);
        assertEq(synth.totalSupply(), 100e18);
        _assertLedger();
    }

    function test_permit() public {
        _permit(40e18, 1 hours);
    }

    function testFuzz_permit(uint256 value, uint256 ttl) public {
        _permit(bound(value, 0, 1000e18), bound(ttl, 0, 365 days));
    }

    // ------------------------------------------------------------------ no mint or burn from outside

    /// @dev Every mint/burn entry a token might expose, called by `caller`: none exists on the vault, so
    /// each call reverts and the ledger does not move.
    function _noOutsideMintOrBurn(address caller, address target, uint256 amount) internal {
        _agentOpen(1_000_000e6, 100e18, keccak256("open"));
        bytes[5] memory calls = [
            abi.encodeWithSignature("mint(address,uint256)", target, amount),
            abi.encodeWithSignature("burn(address,uint256)", target, amount),
            abi.encodeWithSignature("burn(uint256)", amount),
            abi.encodeWithSignature("burnFrom(address,uint256)", target, amount),
            abi.encodeWithSignature("_mint(address,uint256)", target, amount)
        ];
        for (uint256 i; i < calls.length; ++i) {
            vm.prank(caller);
            (bool ok,) = address(vault).call(calls[i]);
            assertFalse(ok, "no mint or burn entry");
        }
        assertEq(synth.totalSupply(), 100e18);
        assertEq(synth.balanceOf(agent), 100e18);
        _assertLedger();
    }

    function test_noOutsideMintOrBurn() public {
        _noOutsideMintOrBurn(agent, agent, 1);
    }

    function testFuzz_noOutsideMintOrBurn(address caller, uint256 target, uint256 amount) public {
        _noOutsideMintOrBurn(caller, _actors[target % 4], amount);
    }

    // ------------------------------------------------------------------ supply == debt, any sequence

    /// @dev One step: 0 mint (deposit + mint at 300% for the new part), 1 transfer, 2 approve +
    /// transferFrom, 3 repay of the agent's debt by any holder, 4 price shock + liquidation by any holder
    /// (price then restored). Amounts are bounded to what the actor holds. Returns true if the step
    /// changed state (a step that does not apply is skipped).
    function _step(uint256 i, uint256 kind, uint256 a, uint256 b) internal returns (bool done) {
        kind %= 5;
        address from = _actors[a % 4];
        address to = _actors[b % 4];
        uint256 bal = synth.balanceOf(from);
        (, uint256 debt) = vault.positionOf(agent);
        if (kind == 0) {
            uint256 minted = bound(b, 1e18, 50e18);
            uint256 nonce = vault.mintNonce(agent);
            vm.prank(agent);
            vault.depositAndMint(
                minted * 75 * 3 / 1e12, minted, MODEL, keccak256(abi.encode("seq", i, b)), nonce
            );
            return true;
        }
        uint256 amount = bound(b >> 8, 0, bal);
        if (kind == 1) {
            vm.prank(from);
            synth.transfer(to, amount);
            return true;
        }
        if (kind == 2) {
            vm.prank(from);
            synth.approve(to, amount);
            vm.prank(to);
            synth.transferFrom(from, _actors[(a >> 8) % 4], amount);
            return true;
        }
        if (amount > debt) amount = debt;
        if (kind == 3) {
            // Repay, leaving zero or at least minDebt (1e18).
            if (amount == 0 || (debt - amount != 0 && debt - amount < 1e18)) return false;
            vm.prank(from);
            vault.repay(agent, amount, bytes32(0));
            return true;
        }
        if (amount == 0) return false;
        feed.set(int256(bound(a >> 16, 95e8, 110e8)));
        if (vault.isLiquidatable(agent)) {
            vm.prank(from);
            vault.liquidate(agent, amount, bytes32(0));
            done = true;
        }
        _steadyPrice(WTI);
    }

    /// @dev Opens the agent's position, runs the steps, checks the four totals after each; returns how
    /// many steps applied.
    function _sequence(uint8[8] memory kinds, uint256[8] memory as_, uint256[8] memory bs)
        internal
        returns (uint256 applied)
    {
        _agentOpen(60_000e6, 500e18, keccak256("open"));
        _assertLedger();
        for (uint256 i; i < 8; ++i) {
            if (_step(i, kinds[i], as_[i], bs[i])) ++applied;
            _assertLedger();
        }
    }

    /// @notice Concrete twin: every kind of step applies at least once, liquidation in the partial regime.
    function test_supplyEqualsDebt_sequence() public {
        uint8[8] memory kinds = [0, 1, 2, 3, 4, 0, 1, 3];
        // a: actor index in the low byte (0 agent, 1 keeper, 2 alice, 3 bob); the second byte picks the
        // transferFrom recipient; from the third byte the liquidation price (bounded to 95..110 USD).
        uint256[8] memory as_ = [uint256(0), 0, 0x0300, 1, (uint256(110e8) << 16) | 1, 0, 0, 2];
        // b: mint amount, or (from the second byte) the amount moved, bounded to the holder's balance.
        uint256[8] memory bs = [
            uint256(20e18),
            (uint256(200e18) << 8) | 1,
            (uint256(50e18) << 8) | 2,
            uint256(30e18) << 8,
            uint256(40e18) << 8,
            uint256(10e18),
            (uint256(25e18) << 8) | 2,
            uint256(5e18) << 8
        ];
        assertEq(_sequence(kinds, as_, bs), 8, "every step applied");
        (uint256 coll, uint256 debt) = vault.positionOf(agent);
        assertLt(debt, 530e18, "repaid and liquidated");
        assertGt(coll, 0);
        assertGt(vault.reserve(), 0, "a liquidation ran");
    }

    function testFuzz_supplyEqualsDebt_sequence(
        uint8[8] memory kinds,
        uint256[8] memory as_,
        uint256[8] memory bs
    ) public {
        _sequence(kinds, as_, bs);
    }

    /// @dev totalSupply == totalDebt == the agent's debt (the only position) == the sum of all balances
    /// (the four actors, the permit signer and the vault are every account a test here credits).
    function _assertLedger() internal view {
        uint256 balances = synth.balanceOf(address(vault)) + synth.balanceOf(vm.addr(OWNER_PK));
        for (uint256 i; i < 4; ++i) {
            balances += synth.balanceOf(_actors[i]);
        }
        (, uint256 debt) = vault.positionOf(agent);
        assertEq(synth.totalSupply(), vault.totalDebt(), "supply == totalDebt");
        assertEq(vault.totalDebt(), debt, "totalDebt == sum of debts");
        assertEq(balances, debt, "sum of balances == sum of debts");
    }
}
