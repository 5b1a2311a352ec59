// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {console} from "forge-std/Test.sol";
import {Vm} from "forge-std/Vm.sol";

import {ModelShares} from "../../src/models/ModelShares.sol";
import {MarketsFixture} from "../markets/MarketsFixture.sol";

/// @notice The live-system state every markets gas figure starts from (see `setUp`), and the figure's
/// arithmetic. Each figure is one call measured from a cold state (each test is its own transaction
/// after `setUp`), reported as a transaction would be charged: callee gas + 21,000 intrinsic + calldata
/// (16/non-zero byte, 4/zero), before refunds. Run: `FOUNDRY_SRC=contracts/src/markets
/// FOUNDRY_TEST=contracts/test/bench node scripts/forge.mjs test --match-contract MarketsGas -vv`; lines
/// read `gas.<op> <n>`.
/// Targets (issue 4): open+mint <= 140,000; liquidate <= 70,000; distribute <= 55,000; claim <= 60,000.
/// A test body must not call a contract the measured call uses before measuring it: `vm.cool` cools an
/// account's storage slots but (measured on this forge) leaves the ACCOUNT warm, 2,500 gas below what a
/// real transaction pays for its first call to it. Preparations that touch such a contract (moving the
/// price, rotating the agent, a mint before a flush) therefore run in a `setUp` of their own, below.
abstract contract MarketsGasBase is MarketsFixture {
    bytes32 internal constant MODEL50 = keccak256("weights:fifty-holders");
    address internal payer = makeAddr("payer");
    address internal holder2;
    address internal holder50;
    address internal agent2 = makeAddr("agent2");

    function setUp() public virtual {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
        _fund(keeper, 1_000_000e6);
        _fund(payer, 1_000_000e6);
        vm.prank(payer);
        usd.approve(address(registry), type(uint256).max);

        // A second model with 50 holders.
        address[] memory holders = new address[](50);
        uint256[] memory amounts = new uint256[](50);
        for (uint256 i; i < 50; ++i) {
            holders[i] = makeAddr(string.concat("holder", vm.toString(i)));
            amounts[i] = 20_000e18;
            usd.mint(holders[i], 1e6); // holders already hold some fee token (steady state)
        }
        _registerModel(MODEL50, holders, amounts);
        _approveModel(MODEL50); // only approved (bound) models are paid
        holder50 = holders[7];
        holder2 = bob;
        usd.mint(bob, 1e6);

        // Steady state: each model has been paid and each measured holder has claimed once before.
        vm.startPrank(payer);
        registry.distribute(MODEL, 100e6);
        registry.distribute(MODEL50, 100e6);
        vm.stopPrank();
        vm.prank(holder2);
        registry.claim(MODEL);
        vm.prank(holder50);
        registry.claim(MODEL50);
        vm.startPrank(payer);
        registry.distribute(MODEL, 100e6);
        registry.distribute(MODEL50, 100e6);
        vm.stopPrank();

        // Live-system state: the agent's position exists, one liquidation has happened (so the
        // reserve is non-zero), the keeper holds synth, and a new guard epoch has begun.
        vm.prank(agent);
        vault.depositAndMint(12_000e6, 100e18, MODEL, keccak256("setup-open"), 0);
        vm.prank(agent);
        synth.transfer(keeper, 60e18);
        feed.set(100e8);
        vm.prank(keeper);
        vault.liquidate(agent, 40e18, bytes32(0)); // position now 7,577.5 tUSD / 60 sWTI
        vault.flushFees(MODEL); // the model's fee slot holds its 1-unit keeper, as after any flush
        _fund(agent2, 1_000_000e6);
        vm.warp(block.timestamp + 1 days);
        feed.set(WTI);
    }

    function _txGas(bytes memory data) internal view returns (uint256) {
        Vm.Gas memory g = vm.lastCallGas();
        uint256 calldataGas;
        for (uint256 i; i < data.length; ++i) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        return g.gasTotalUsed + 21_000 + calldataGas;
    }

    function _log(string memory op, uint256 n) internal pure {
        console.log(string.concat("gas.", op), n);
    }
}

/// @notice The operations whose test body touches no contract before the measured call.
contract MarketsGasTest is MarketsGasBase {
    /// @notice The agent's recurring epoch action: add collateral and mint more on its position.
    function test_gas_depositAndMint() public {
        bytes32 intent = keccak256("bench-topup");
        vm.prank(agent);
        vault.depositAndMint(12_000e6, 100e18, MODEL, intent, 1);
        uint256 n = _txGas(abi.encodeCall(vault.depositAndMint, (12_000e6, 100e18, MODEL, intent, 1)));
        _log("deposit_mint", n);
        // Regression bound, not the issue's target (that is for open+mint, README): enforcing the
        // policy's oracle deviation limit reads the previous round (+2,800 incl. the call) and took this
        // line from 138,468 to 141,583.
        assertLe(n, 142_000, "deposit+mint on an existing position");
    }

    /// @notice Mint on the existing position, collateral already deposited.
    function test_gas_mint() public {
        bytes32 intent = keccak256("bench-mint");
        vm.prank(agent);
        vault.mint(1e18, MODEL, intent, 1);
        uint256 n = _txGas(abi.encodeCall(vault.mint, (1e18, MODEL, intent, 1)));
        _log("mint", n);
        assertLe(n, 140_000, "mint on an existing position");
    }

    function test_gas_distribute_2holders() public {
        vm.prank(payer);
        registry.distribute(MODEL, 25e6);
        uint256 n = _txGas(abi.encodeCall(registry.distribute, (MODEL, 25e6)));
        _log("distribute", n);
        assertLe(n, 55_000, "distribute target");
    }

    function test_gas_distribute_50holders() public {
        vm.prank(payer);
        registry.distribute(MODEL50, 25e6);
        uint256 n = _txGas(abi.encodeCall(registry.distribute, (MODEL50, 25e6)));
        _log("distribute.holders50", n);
        assertLe(n, 55_000, "distribute target");
    }

    function test_gas_claim_2holders() public {
        vm.prank(holder2);
        registry.claim(MODEL);
        uint256 n = _txGas(abi.encodeCall(registry.claim, (MODEL)));
        _log("claim", n);
        assertLe(n, 60_000, "claim target");
    }

    function test_gas_claim_50holders() public {
        vm.prank(holder50);
        registry.claim(MODEL50);
        uint256 n = _txGas(abi.encodeCall(registry.claim, (MODEL50)));
        _log("claim.holders50", n);
        assertLe(n, 60_000, "claim target");
    }
}

/// @notice A model share transfer (settles both sides' revenue in the registry). The share token's address
/// is read from the registry in `setUp`, so the measured call finds the registry's account cold.
contract MarketsGasSharesTest is MarketsGasBase {
    ModelShares internal shares;

    function setUp() public override {
        super.setUp();
        shares = ModelShares(registry.sharesOf(MODEL50));
    }

    function test_gas_sharesTransfer() public {
        vm.prank(holder50);
        shares.transfer(holder2, 1e18);
        _log("shares_transfer", _txGas(abi.encodeCall(shares.transfer, (holder2, 1e18))));
    }
}

/// @notice The same mint as `test_gas_mint` with the mint fee set to zero: what the fee accrual costs. The fee
/// is set in `setUp`, so the measured call finds the vault's account cold.
contract MarketsGasNoFeeTest is MarketsGasBase {
    function setUp() public override {
        super.setUp();
        vm.prank(timelock);
        vault.setMintFee(0);
    }

    function test_gas_mint_noFee() public {
        bytes32 intent = keccak256("bench-mint-nofee");
        vm.prank(agent);
        vault.mint(1e18, MODEL, intent, 1);
        _log("mint.noFee", _txGas(abi.encodeCall(vault.mint, (1e18, MODEL, intent, 1))));
    }
}

/// @notice Open a NEW position and mint: a fresh agent key after rotation, system live. The rotation
/// (a guard call) happens in `setUp`, so the measured call finds the guard's account cold.
contract MarketsGasOpenTest is MarketsGasBase {
    function setUp() public override {
        super.setUp();
        vm.prank(timelock);
        guard.setAgent(agent2);
    }

    /// @notice Deposit + guard `consumeWithCollateral` (consume + collateral margin in one call) + oracle
    /// read + synth mint + fee accrued to the model; the mint nonce lives in the position slot. Two slots go
    /// zero -> non-zero (position, agent synth balance).
    function test_gas_openAndMint() public {
        bytes32 intent = keccak256("bench-open");
        vm.prank(agent2);
        vault.depositAndMint(12_000e6, 100e18, MODEL, intent, 0);
        uint256 n = _txGas(abi.encodeCall(vault.depositAndMint, (12_000e6, 100e18, MODEL, intent, 0)));
        _log("open_mint", n);
        assertLe(n, 140_000, "open a position and mint (issue 4 target)");
    }
}

/// @notice Route a model's accrued mint fees to its shareholders (registry.distribute inside). The mint
/// that accrues them (which calls the registry through the guard) happens in `setUp`.
contract MarketsGasFlushTest is MarketsGasBase {
    function setUp() public override {
        super.setUp();
        vm.prank(agent);
        vault.mint(1e18, MODEL, keccak256("bench-flush"), 1);
    }

    function test_gas_flushFees() public {
        vm.prank(keeper);
        vault.flushFees(MODEL);
        _log("flush_fees", _txGas(abi.encodeCall(vault.flushFees, (MODEL))));
    }
}

/// @notice Partial liquidation of an unsafe position by a keeper holding synth. The price move that
/// makes the position unsafe happens in `setUp`, so the measured call finds the feed's account cold.
contract MarketsGasLiquidationTest is MarketsGasBase {
    function setUp() public override {
        super.setUp();
        feed.set(110e8); // 7,577.5 / 6,600 = 114.8%: partial regime
    }

    function test_gas_liquidate() public {
        vm.prank(keeper);
        vault.liquidate(agent, 20e18, bytes32(0));
        uint256 n = _txGas(abi.encodeCall(vault.liquidate, (agent, 20e18, bytes32(0))));
        _log("liquidate", n);
        assertLe(n, 70_000, "liquidate target");
    }
}

/// @notice The very first position of a fresh deployment: every slot it touches starts at zero
/// (vault collateral balance, synth supply, total debt, guard usage, ...). A one-off cost, logged apart.
contract MarketsGasFirstEverTest is MarketsFixture {
    function setUp() public {
        _deployMarkets();
        _fund(agent, 1_000_000e6);
    }

    function test_gas_openAndMint_firstEver() public {
        bytes32 intent = keccak256("first");
        vm.prank(agent);
        vault.depositAndMint(12_000e6, 100e18, MODEL, intent, 0);
        Vm.Gas memory g = vm.lastCallGas();
        bytes memory data = abi.encodeCall(vault.depositAndMint, (12_000e6, 100e18, MODEL, intent, 0));
        uint256 calldataGas;
        for (uint256 i; i < data.length; ++i) {
            calldataGas += data[i] == 0 ? 4 : 16;
        }
        console.log("gas.open_mint.first_ever", g.gasTotalUsed + 21_000 + calldataGas);
    }
}
