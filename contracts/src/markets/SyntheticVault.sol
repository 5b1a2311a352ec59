// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IModelRegistry} from "../models/IModelRegistry.sol";
import {AggregatorV3Interface} from "../oracle/AggregatorV3Interface.sol";
import {OracleLib} from "../oracle/OracleLib.sol";
import {ICollateralGuard, PolicyActions} from "../policy/IPolicyGuard.sol";
import {ForecastProofGate} from "../zk/ForecastProofGate.sol";

/// @title SyntheticVault
/// @notice One vault per synthetic asset (sWTI, sXAU, ...). Owners deposit an ERC-20 collateral (a
/// dollar stablecoin, valued at 1 USD per token), mint the synth against it at the oracle price, burn
/// the synth to repay, and withdraw. Unsafe positions are liquidated by anyone.
///
/// The vault IS the synth: this contract is the synthetic asset's ERC-20 (18 decimals, EIP-2612 permits;
/// name, symbol and permit domain from `Config.name` / `Config.symbol`). Minting and burning are internal
/// (`_mint` / `_burn`, reached only from the mint, repay and liquidation paths), so no call to a separate
/// token contract is paid on any of them (a cold account, 2,600 gas, plus the call's overhead, each time;
/// measured in `contracts/test/bench/MarketsGas.t.sol`). `SYNTH()` returns `address(this)` for the ABI
/// consumers that read the synth's address from the vault. `totalSupply()` returns `totalDebt` instead of
/// keeping a second counter (one storage write less per mint and per burn, and the two totals cannot drift
/// apart); balances live in the vault's own mapping, transfers, allowances and permits are OpenZeppelin's.
/// Transfers, approvals and permits are not behind `nonReentrant`: the vault calls out (guard, feed,
/// collateral, registry, zk gate) only where the synth ledger is whole — the guard, feed and zk gate
/// before a mint's effects; the collateral after all of a mint's or a burn's effects (`depositAndMint`'s
/// pull, a liquidation's payout) or where no synth moves (`deposit` credits the position before its pull,
/// `withdraw` pays after its write); the registry in `flushFees` (no synth moves) — so a re-entrant synth
/// transfer sees and leaves `totalSupply == totalDebt == sum of balances`. The vault's own address cannot
/// receive synth (`ERC20InvalidReceiver`): nothing could ever move or burn that balance, and sending the
/// synth "back to the vault" does not repay a debt (`repay` does).
///
/// Design — which anchor and why:
/// - **Maker (vault per owner, Vat invariants)**: we keep Maker's shape — isolated positions, a debt
///   ceiling, a minimum debt ("dust"), a liquidation ratio below the issuance ratio, owner consent for
///   anything that reduces a position's safety, and "every position is safe or liquidatable".
/// - **Synthetix (pooled debt, c-ratio ~ 400-750%)**: rejected. Pooled debt makes each minter's debt
///   move with everyone's trades, which is hard to explain and to bound per agent action. We borrow only
///   its two-ratio vocabulary: issuance (minimum) ratio and liquidation ratio.
/// - **UMA (fully collateralised, priceless, dispute-based)**: rejected for liquidation, because the
///   agent needs a deterministic on-chain answer at mint time; our price comes from the MedianOracle
///   (Chainlink AggregatorV3 shape) and is checked for freshness and positivity on every priced action.
/// So: over-collateralised, isolated, Maker-style positions priced by a median oracle.
///
/// Minting: every mint goes through ONE internal path, `_mintSynth`, which calls
/// `guard.consumeWithCollateral(SYNTH_MINT, msg.sender, modelId, amount, ratioAfterBps,
/// liquidationRatioBps, updatedAt, answer, previousAnswer)` — the guard's
/// `consume(SYNTH_MINT, msg.sender, modelId, 0, amount)`, then its
/// `checkCollateral(SYNTH_MINT, ratioAfterBps, liquidationRatioBps)`, then its
/// `checkOracle(SYNTH_MINT, updatedAt, answer, previousAnswer)` on the round that prices the mint (the
/// SYNTH_MINT policy's `maxOracleAge` and `maxDeviationBps` against the feed's previous round), in one
/// call. The guard refuses a zero `modelId` (`PolicyModelRequired`) and an unapproved one, so every
/// mint's fee is credited to an approved model. The guard admits only the
/// agent role, so minting is agent-only by design (the protocol issues synths sized by a model); anyone
/// may deposit, repay, liquidate, and owners withdraw.
///
/// Exactly once. Each mint carries a non-zero `intentId` (emitted in `Minted`, for the agent's journal and
/// auditors) and is keyed by the position's `mintNonce`: `mint`, `mintWithProof` and `depositAndMint` must
/// name the current value, which the mint increments in the position slot it writes anyway, so a resent
/// mint reverts `MintNonceMismatch` (the agent's crash recovery) and only the position's owner can move it
/// (nobody can use up another caller's key by front-running it). A mint's key costs no fresh slot: the
/// per-intent record this replaced was 22,100 gas a mint, and "open a position and mint" fits its
/// 140,000-gas budget only without it. Pipelined mints carry consecutive nonces, so a refused mint makes
/// the ones after it revert too (the sender rebuilds them from `mintNonce`). `proveAndMint` needs no nonce
/// and does not move it: its key is the proof's statement, which the gate records and refuses to accept
/// twice (`ZkProofAlreadyUsed`); the agent's intent id is the hash of a manifest that contains that
/// statement, so one names the other. The other actions' optional intent ids are recorded per caller
/// (`keccak256(abi.encode(msg.sender, intentId))`; a reused one reverts `DuplicateIntent`).
///
/// Mint fee: charged in COLLATERAL, taken from the position's deposited collateral, `mintFeeBps` of the
/// minted value (rounded up), and credited to `feesAccrued[modelId]` — the model that sized the mint.
/// `flushFees(modelId)` (anyone, any time) routes it to `registry.distribute(modelId, amount)`, i.e. pro
/// rata to that model's shareholders. Accruing instead of calling the registry on every mint saves about
/// 25,000 gas per mint (measured: 31,000 for the inline call vs ~5,000 for the accrual) and keeps minting
/// independent of the registry's state; a flush leaves 1 unit in the slot so the next accrual writes a
/// non-zero slot (that unit is routed by a later flush). The ratio checks use the collateral after fee.
///
/// Liquidation (by anyone, when ratio < liquidation ratio), penalty `p` = `liquidationPenaltyBps`. The
/// liquidator burns any amount `d` of its synth up to the debt (`maxRepay` is capped at the debt) and
/// is due `d`'s value times `1 + p/2` (`LIQUIDATOR_PENALTY_SHARE_BPS` = 50% of the penalty), rounded down.
/// - Partial regime (ratio >= 100% + p): the position loses `d` debt and collateral worth `d * (1 + p)`
///   (rounded down, in the owner's favour); the liquidator gets its due, the other half of the penalty
///   goes to the vault `reserve`. Since the ratio is at least `1 + p`, it never falls. No `minDebt`
///   check: the debt left may be any size (a minimum here made positions at or near `minDebt`
///   unliquidatable, since nobody can hold a whole debt — see the full regime — and let anyone block a
///   keeper's largest liquidation with a 1-wei repay; found by the third audit). A small left-over debt
///   stays liquidatable while its ratio is below the liquidation ratio.
/// - Full regime (ratio < 100% + p): the position loses `d` debt and the same share of its collateral,
///   `seized = floor(collateral * d / debt)` (pro rata, rounded down, so the exact ratio never falls;
///   the whole debt seizes all the collateral). The liquidator gets `min(due, seized)`; the rest of the
///   seized collateral (what is left of the penalty, zero below 100% + p/2) goes to the `reserve`.
///   Partial repayment is accepted here because only the agent mints: the synth supply is about the
///   agent's debt, and some of it is always locked in the pool (reserves never reach zero; the burned
///   minimum LP shares), so nobody can ever hold a whole debt. Dust: no `minDebt` check in this regime
///   (any repaid unit shrinks a bad exposure); a left-over debt of any size, down to 1 unit, stays
///   liquidatable while its ratio is below the liquidation ratio, and liquidating it all takes the last
///   collateral unit with it. Rounding the seizure down can leave a few wei of debt against a whole
///   collateral unit, i.e. safe again: anyone may then `repay` it (no minimum applies to a zero debt).
/// The reserve is stored as a uint96 and saturates at `MAX_TOTAL` (2^96 - 1 collateral units): a penalty
/// share that would take it higher stays in the position instead (less is seized), so a liquidation is
/// never refused for it and the position's ratio only ends higher. The collateral has at most 18 decimals
/// (refused above, `UnsupportedDecimals`), so the bound is at least 7.9e10 whole tokens (7.9e22 with 6
/// decimals); the admin keeps the reserve below it by moving the reserve out (`withdrawReserve`).
/// A position with ratio < 100% is bad debt: no rational liquidator repays it (the seized collateral is
/// worth less than the synth burned); the admin may recapitalise it from the reserve off-band (not
/// automated here).
///
/// Zero-knowledge path (`mintWithProof`, tested in `contracts/test/zk/`): the same `_mintSynth` path,
/// after a bound read from a forecast proven in `ForecastProofGate` (a Groth16 proof that the registered
/// model, with private weights, turned the oracle's rounds into the forecast). Risk rule (volatility
/// targeting with a leverage cap, in 18-decimal fixed point, from the proven outputs at `scaleBits`):
///   absRet     = max(output1, 2^scaleBits / 10_000)             (expected |daily log return|, floored at 1e-4)
///   annualVol  = absRet · √(π/2) · √252 / 2^scaleBits           (√(π/2): E|r| → σ for a normal r)
///   leverage   = min(maxLeverage, targetVol / annualVol)
///   maxDebt    = collateralValue · leverage / price             (synth units; collateral before this fee)
/// With `zkRequired` (set by the admin, or switched on at once by the guardian: tightening), every mint
/// must take this path: the plain `mint` / `depositAndMint` refuse with `ZkProofRequired`.
/// and the mint is refused unless `debt + amount <= maxDebt` — a bound on the POSITION, so reusing a
/// proof cannot stack mints past it (no per-proof nullifier is needed here; the gate already refuses a
/// replayed statement). The proof must be at most `maxProofAge` old and its last round must be the
/// feed's latest round (the price that values the mint is the one the forecast saw). The direction
/// (output0) is not enforced on-chain: the rule bounds size, the strategy decides whether to trade.
///
/// Invariants (tested in `contracts/test/markets/`):
/// - `totalSupply() == totalDebt == sum of position debts == sum of synth balances`: every change of a
///   position's debt is matched, in the same internal path, by a `_mint` or `_burn` of the same amount
///   (mint: to the minter; repay and liquidation: from the caller), transfers move balances only, and
///   `totalSupply()` reads `totalDebt`; only the vault's own mint, repay and liquidation paths mint or
///   burn (there is no external mint or burn). `totalDebt <= debtCeiling <= MAX_TOTAL` after a mint
///   (`debtCeiling` and `minDebt` are refused above `MAX_TOTAL` where they are set, so the uint96 the
///   totals are stored in can never be exceeded); `reserve <= MAX_TOTAL` (it saturates).
/// - A mint never leaves its position below `minCollateralRatioBps` or with debt below `minDebt`.
/// - Every position with ratio < `liquidationRatioBps` is liquidatable (at a fresh, positive price) by
///   any positive amount of synth up to its debt, in both regimes, and a liquidation never lowers the
///   position's exact ratio (collateral/debt) nor raises the system's shortfall.
/// - A position's `mintNonce` moves only by its owner's own nonce-checked mints, by exactly one per mint
///   (`proveAndMint` and every other action leave it); optional intent
///   ids are keyed per caller (`keccak256(abi.encode(msg.sender, intentId))`): one caller's key can never
///   be used up by another.
/// - `collateral.balanceOf(this) == sum of position collateral + reserve + sum of feesAccrued` (no
///   donations); every fee is routed to the model that sized its mint.
/// - Storage: a liquidation reads one global slot (`totalDebt`, `reserve`, `maxOracleAge`,
///   `liquidationRatioBps`, `liquidationPenaltyBps`) besides the position and balances; a mint reads that
///   slot and one more (`debtCeiling`, `minDebt`, `minCollateralRatioBps`, `mintFeeBps`, `mintingPaused`,
///   `zkRequired`). The views (`totalDebt()`, `reserve()`, `debtCeiling()`, `zkRequired()`,
///   `riskParams()`) keep their types.
/// - No price is used unless `answer > 0` and `block.timestamp - updatedAt <= maxOracleAge` (OracleLib);
///   a mint's price also satisfies the guard's SYNTH_MINT oracle policy (age and deviation from the
///   feed's previous round).
/// - The guardian can pause new minting only; repay, deposit, withdraw (of a safe position) and
///   liquidation never pause. Governed values stay within the immutable floors/ceilings.
contract SyntheticVault is ERC20, ERC20Permit, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice An owner's position, one slot: collateral in collateral-token units, debt in synth units
    /// (18 decimals). `mintNonce` counts the owner's nonce-checked mints (`mint`,
    /// `mintWithProof`, `depositAndMint`): each must name the current value, and landing increments it
    /// (the mints' exactly-once key; see the header). Collateral and debt fit uint112 (debt <= totalDebt
    /// <= `MAX_TOTAL` < 2^96; a deposit taking collateral above 2^112 - 1 units reverts
    /// `SafeCastOverflowedUintDowncast`).
    struct Position {
        uint112 collateral;
        uint112 debt;
        uint32 mintNonce;
    }

    /// @notice Governed risk values, packed in one slot.
    struct RiskParams {
        uint16 minCollateralRatioBps;
        uint16 liquidationRatioBps;
        uint16 liquidationPenaltyBps;
        uint16 mintFeeBps;
        uint32 maxOracleAge;
        bool mintingPaused;
        uint128 minDebt;
    }

    /// @dev Storage, one slot: the three risk values a liquidation reads, with the two totals it writes,
    /// so a liquidation reads (and writes) one global slot. Every mint reads it too (`totalDebt`, the
    /// oracle age, the liquidation ratio it passes to the guard). Both totals are at most `MAX_TOTAL`
    /// (2^96 - 1): `totalDebt <= debtCeiling <= MAX_TOTAL` after every mint (the ceiling is checked where it
    /// is set); `reserve` saturates at `MAX_TOTAL` (see `liquidate`).
    struct Globals {
        uint96 totalDebt;
        uint96 reserve;
        uint32 maxOracleAge;
        uint16 liquidationRatioBps;
        uint16 liquidationPenaltyBps;
    }

    /// @dev Storage, one slot: the other values the mint path reads. `debtCeiling` and `minDebt` are at most
    /// `MAX_TOTAL` (checked where they are set: constructor, `setDebtCeiling`, `setMinDebt`).
    struct MintParams {
        uint96 debtCeiling;
        uint96 minDebt;
        uint16 minCollateralRatioBps;
        uint16 mintFeeBps;
        bool mintingPaused;
        bool zkRequired;
    }

    /// @notice Hard limits fixed at deployment; governance can never move a value past them.
    struct Bounds {
        uint16 liquidationRatioFloorBps;
        uint16 liquidationPenaltyCeilingBps;
        uint16 mintFeeCeilingBps;
        uint32 oracleAgeCeiling;
    }

    /// @notice Everything the constructor needs.
    struct Config {
        string name;
        string symbol;
        IERC20Metadata collateral;
        AggregatorV3Interface feed;
        ICollateralGuard guard;
        IModelRegistry registry;
        address admin;
        address guardian;
        Bounds bounds;
        RiskParams risk;
        uint256 debtCeiling;
    }

    /// @notice The oracle round a mint is priced with, as the guard's oracle policy checks it.
    struct MintRound {
        uint256 updatedAt;
        int256 answer;
        int256 previousAnswer; // 0 when the feed has no previous round
    }

    /// @notice Settings of the zero-knowledge mint path (one slot). `gate == 0` disables it.
    struct ZkConfig {
        ForecastProofGate gate;
        uint16 targetVolBps;
        uint16 maxLeverageBps;
        uint8 scaleBits;
        uint32 maxProofAge;
    }

    /// @notice A Groth16 proof for `ForecastProofGate.submit` (snarkjs calldata order), for `proveAndMint`.
    struct ForecastProofCalldata {
        uint80 lastRoundId;
        uint256[2] a;
        uint256[2][2] b;
        uint256[2] c;
        uint256[] publicSignals;
    }

    /// @notice Basis points denominator.
    uint256 public constant BPS = 10_000;
    /// @notice Absolute floor for any liquidation-ratio floor: 110%.
    uint256 public constant LIQUIDATION_RATIO_ABSOLUTE_FLOOR_BPS = 11_000;
    /// @notice Absolute ceiling for any penalty ceiling: 20%.
    uint256 public constant PENALTY_ABSOLUTE_CEILING_BPS = 2000;
    /// @notice Absolute ceiling for any mint-fee ceiling: 5%.
    uint256 public constant MINT_FEE_ABSOLUTE_CEILING_BPS = 500;
    /// @notice Absolute ceiling for oracle staleness tolerance: 1 day.
    uint256 public constant ORACLE_AGE_ABSOLUTE_CEILING = 1 days;
    /// @notice Hard ceiling of `debtCeiling` and `minDebt`, and the most `totalDebt` and `reserve` can hold:
    /// 2^96 - 1 (7.9e10 whole synths of 18 decimals; at least 7.9e10 whole collateral tokens, since the
    /// collateral has at most 18 decimals; 7.9e22 of 6). `totalDebt`, `reserve`, `debtCeiling` and `minDebt`
    /// are stored as uint96 (see `Globals`).
    uint256 public constant MAX_TOTAL = type(uint96).max;
    /// @notice Share of the liquidation penalty paid to the liquidator; the rest goes to the reserve.
    uint256 public constant LIQUIDATOR_PENALTY_SHARE_BPS = 5000;
    uint256 private constant WAD = 1e18;
    /// @dev Most collateral decimals accepted: `MAX_TOTAL` collateral units (the reserve's cap) must stay a
    /// large amount (>= 7.9e10 whole tokens), and collateral converts to WAD by one exact multiplication.
    uint256 private constant MAX_COLLATERAL_DECIMALS = 18;
    /// @dev Most feed decimals accepted (a feed with more than 18 converts by a division, see `_toPriceWad`).
    uint256 private constant MAX_FEED_DECIMALS = 36;
    /// @dev √(π/2)·√252 in WAD: turns an expected |daily log return| into an annualised volatility.
    uint256 private constant ABS_TO_ANNUAL_VOL_WAD = 19_895_745_131_869_626_275;

    /// @notice The collateral token (any decimals <= 18), valued at 1 USD per whole token.
    IERC20 public immutable COLLATERAL;
    /// @notice USD price of one synth unit (e.g. WTI per barrel), AggregatorV3 shape, any decimals <= 36.
    AggregatorV3Interface public immutable FEED;
    /// @notice The policy gate every mint passes through (`consumeWithCollateral`).
    ICollateralGuard public immutable GUARD;
    /// @notice Where mint fees go (pro rata to model shareholders); zero disables fees.
    IModelRegistry public immutable REGISTRY;
    /// @notice Governance (the timelock). Sets every governed value and moves the reserve.
    address public immutable ADMIN;
    /// @notice Hard floor of `liquidationRatioBps` (>= 110%).
    uint256 public immutable LIQUIDATION_RATIO_FLOOR_BPS;
    /// @notice Hard ceiling of `liquidationPenaltyBps` (<= 20%).
    uint256 public immutable LIQUIDATION_PENALTY_CEILING_BPS;
    /// @notice Hard ceiling of `mintFeeBps` (<= 5%).
    uint256 public immutable MINT_FEE_CEILING_BPS;
    /// @notice Hard ceiling of `maxOracleAge` (<= 1 day).
    uint256 public immutable ORACLE_AGE_CEILING;

    /// @dev 10^(18 - collateral decimals): collateral units to WAD (the collateral has at most 18 decimals).
    uint256 private immutable _COLLATERAL_TO_WAD_MUL;
    uint256 private immutable _PRICE_TO_WAD_MUL;
    uint256 private immutable _PRICE_TO_WAD_DIV;

    /// @notice May pause new minting (never anything else). Set by the admin.
    address public guardian;
    /// @dev `totalDebt`, `reserve` and the liquidation's risk values (read by `totalDebt()`, `reserve()`,
    /// `riskParams()`).
    Globals private _globals;
    /// @dev The mint path's other values (read by `debtCeiling()`, `zkRequired()`, `riskParams()`).
    MintParams private _mintParams;
    mapping(address owner => Position) private _positions;
    /// @dev Keyed by `keccak256(abi.encode(caller, intentId))` (see `_intentKey`).
    mapping(bytes32 callerIntent => bool) private _intentUsed;
    /// @notice Mint fees (collateral units) owed to each model's shareholders, not yet flushed.
    mapping(bytes32 modelId => uint256) public feesAccrued;
    ZkConfig private _zk;
    /// @dev Synth balances. OpenZeppelin's `_update` would also write its supply counter, which
    /// `totalSupply()` replaces by `totalDebt` (see the header), so `_update` is overridden onto this map.
    mapping(address account => uint256) private _synthBalances;

    /// @notice `amount` collateral was added to `owner`'s position by `by`.
    event Deposited(address indexed owner, address indexed by, bytes32 indexed intentId, uint256 amount);
    /// @notice `owner` minted `amount` synth sized by `modelId`; `fee` collateral accrued to the model;
    /// `collateralAdded` was deposited into the position by the same call (`depositAndMint`; else zero).
    event Minted(
        address indexed owner,
        bytes32 indexed modelId,
        bytes32 indexed intentId,
        uint256 amount,
        uint256 fee,
        uint256 ratioAfterBps,
        uint256 priceWad,
        uint256 collateralAdded
    );
    /// @notice `by` burned `amount` synth to repay `owner`'s debt.
    event Repaid(address indexed owner, address indexed by, bytes32 indexed intentId, uint256 amount);
    /// @notice `owner` withdrew `amount` collateral to `to`.
    event Withdrawn(address indexed owner, address indexed to, bytes32 indexed intentId, uint256 amount);
    /// @notice `liquidator` repaid `debtRepaid` of `owner`'s debt and received `toLiquidator` collateral;
    /// `toReserve` went to the reserve.
    event Liquidated(
        address indexed owner,
        address indexed liquidator,
        bytes32 indexed intentId,
        uint256 debtRepaid,
        uint256 toLiquidator,
        uint256 toReserve,
        uint256 priceWad
    );
    /// @notice `amount` of accrued fees was sent to the registry for `modelId` by `by`.
    event FeesFlushed(bytes32 indexed modelId, address indexed by, uint256 amount);
    /// @notice Governance set the risk ratios and penalty.
    event RiskRatiosSet(
        uint256 minCollateralRatioBps, uint256 liquidationRatioBps, uint256 liquidationPenaltyBps
    );
    /// @notice Governance set the debt ceiling.
    event DebtCeilingSet(uint256 debtCeiling);
    /// @notice Governance set the minimum debt.
    event MinDebtSet(uint256 minDebt);
    /// @notice Governance set the mint fee.
    event MintFeeSet(uint256 mintFeeBps);
    /// @notice Governance set the oracle staleness tolerance.
    event MaxOracleAgeSet(uint256 maxOracleAge);
    /// @notice Minting was paused or unpaused by `by`.
    event MintingPausedSet(bool paused, address indexed by);
    /// @notice Governance replaced the guardian.
    event GuardianSet(address guardian);
    /// @notice Governance set the zero-knowledge mint path (gate zero: disabled).
    event ZkConfigSet(
        address gate, uint256 targetVolBps, uint256 maxLeverageBps, uint256 scaleBits, uint256 maxProofAge
    );
    /// @notice `zkRequired` was set to `required` by `by` (guardian: on only; admin: on or off).
    event ZkRequiredSet(bool required, address indexed by);
    /// @notice A mint was sized by the forecast proven under (`modelId`, `proofId`); `maxDebt` was its bound.
    event MintedWithProof(
        address indexed owner,
        bytes32 indexed modelId,
        bytes32 indexed proofId,
        uint256 amount,
        uint256 maxDebt
    );
    /// @notice Governance moved `amount` of the reserve to `to`.
    event ReserveWithdrawn(address indexed to, uint256 amount);

    /// @notice The caller is not the admin.
    error VaultNotAdmin(address caller);
    /// @notice The caller is neither the guardian nor the admin.
    error VaultNotGuardian(address caller);
    /// @notice The feed's answer is below one unit of an 18-decimal price (a feed with more decimals).
    error PriceBelowPrecision(uint256 answer);
    /// @notice The collateral (what fees accrue in) is not the registry's fee token.
    error VaultFeeTokenMismatch(address collateral, address feeToken);
    /// @notice The fee registry is not the registry the guard approves models in.
    error VaultRegistryMismatch(address registry, address guardRegistry);
    /// @notice This intent id was used before.
    error DuplicateIntent(bytes32 intentId);
    /// @notice A mint named `nonce` but the caller's position is at `current`: a mint with that nonce
    /// already landed (resending is refused), or the caller must read `mintNonce(caller)` and rebuild.
    error MintNonceMismatch(uint256 nonce, uint256 current);
    /// @notice A mint needs a non-zero intent id.
    error MissingIntent();
    /// @notice Minting is paused.
    error MintingPaused();
    /// @notice An amount of zero was given where a positive amount is needed.
    error ZeroAmount();
    /// @notice The position would fall below the minimum collateral ratio.
    error CollateralRatioTooLow(uint256 ratioBps, uint256 minimumBps);
    /// @notice The mint would push total debt above the ceiling.
    error DebtCeilingExceeded(uint256 totalDebtAfter, uint256 debtCeiling);
    /// @notice The position's debt would be non-zero but below the minimum debt.
    error DebtBelowMinimum(uint256 debtAfter, uint256 minDebt);
    /// @notice The position holds less collateral than needed.
    error InsufficientCollateral(uint256 available, uint256 needed);
    /// @notice More debt repaid than the position owes.
    error RepayExceedsDebt(uint256 amount, uint256 debt);
    /// @notice The position is not below the liquidation ratio.
    error PositionSafe(address owner, uint256 ratioBps, uint256 liquidationRatioBps);
    /// @notice A governed value lies outside its hard bound or breaks a relation between values
    /// (`debtCeiling` and `minDebt`: above `MAX_TOTAL`).
    error ParameterOutOfBounds(bytes32 what, uint256 value, uint256 bound);
    /// @notice The collateral reports more than `MAX_COLLATERAL_DECIMALS` (18) decimals, or the feed more
    /// than `MAX_FEED_DECIMALS` (36).
    error UnsupportedDecimals(uint256 decimals);
    /// @notice Nothing (beyond the 1-unit slot keeper) to flush for `modelId`.
    error NothingToFlush(bytes32 modelId, uint256 accrued);
    /// @notice A zero address where one is required.
    error ZeroAddress(string field);
    /// @notice Collateral would be sent to the vault itself, where it belongs to no position and the reserve
    /// does not count it: nobody could ever take it out. Send it to an owned address.
    error CollateralToVault();
    /// @notice The zero-knowledge mint path is not configured.
    error ZkPathDisabled();
    /// @notice The vault requires a zk proof for every mint (`zkRequired`): use `mintWithProof` or
    /// `proveAndMint`.
    error ZkProofRequired();
    /// @notice The gate holds no forecast proven for `modelId` under `proofId`.
    error ZkForecastNotProven(bytes32 modelId, bytes32 proofId);
    /// @notice The proven forecast is older than `maxAge` seconds.
    error ZkForecastStale(bytes32 proofId, uint256 provenAt, uint256 maxAge, uint256 timestamp);
    /// @notice The proven forecast used round `provenRound`; the feed has moved on to `latestRound`.
    error ZkForecastOutdated(bytes32 proofId, uint80 provenRound, uint80 latestRound);
    /// @notice The position's debt after the mint would exceed what the proven forecast allows.
    error ZkSizeExceeded(bytes32 proofId, uint256 debtAfter, uint256 maxDebt);
    /// @notice The gate proves forecasts on `gateOracle`, not on this vault's feed.
    error ZkGateFeedMismatch(address gateOracle, address feed);

    modifier onlyAdmin() {
        if (msg.sender != ADMIN) revert VaultNotAdmin(msg.sender);
        _;
    }

    /// @param c See `Config`. `c.bounds` are validated against the absolute limits above, then
    /// `c.risk`, `c.debtCeiling` against `c.bounds`, and `c.debtCeiling`, `c.risk.minDebt` against
    /// `MAX_TOTAL`. The collateral must have at most 18 decimals and the feed at most 36
    /// (`UnsupportedDecimals`). `c.name` and `c.symbol` name the synth (the vault itself, see the header;
    /// `c.name` is also its permit domain). Approves the registry to pull mint fees.
    constructor(Config memory c) ERC20(c.name, c.symbol) ERC20Permit(c.name) {
        if (address(c.collateral) == address(0)) revert ZeroAddress("collateral");
        if (address(c.feed) == address(0)) revert ZeroAddress("feed");
        if (address(c.guard) == address(0)) revert ZeroAddress("guard");
        if (c.admin == address(0)) revert ZeroAddress("admin");
        // Fees go to REGISTRY and the guard approves models in its own registry: if they differed, a model
        // the guard approves could not be paid and its fees would be stranded in the vault.
        if (address(c.registry) != address(0) && address(c.registry) != address(c.guard.modelRegistry())) {
            revert VaultRegistryMismatch(address(c.registry), address(c.guard.modelRegistry()));
        }
        // Fees accrue in collateral and `distribute` pulls the registry's fee token: they must be the same
        // token, or every flush reverts and the accrued fees can never leave the vault.
        if (address(c.registry) != address(0) && address(c.registry.FEE_TOKEN()) != address(c.collateral)) {
            revert VaultFeeTokenMismatch(address(c.collateral), address(c.registry.FEE_TOKEN()));
        }
        Bounds memory b = c.bounds;
        if (b.liquidationRatioFloorBps < LIQUIDATION_RATIO_ABSOLUTE_FLOOR_BPS) {
            revert ParameterOutOfBounds(
                "liquidationRatioFloor", b.liquidationRatioFloorBps, LIQUIDATION_RATIO_ABSOLUTE_FLOOR_BPS
            );
        }
        if (b.liquidationPenaltyCeilingBps > PENALTY_ABSOLUTE_CEILING_BPS) {
            revert ParameterOutOfBounds(
                "penaltyCeiling", b.liquidationPenaltyCeilingBps, PENALTY_ABSOLUTE_CEILING_BPS
            );
        }
        if (b.mintFeeCeilingBps > MINT_FEE_ABSOLUTE_CEILING_BPS) {
            revert ParameterOutOfBounds("mintFeeCeiling", b.mintFeeCeilingBps, MINT_FEE_ABSOLUTE_CEILING_BPS);
        }
        if (b.oracleAgeCeiling > ORACLE_AGE_ABSOLUTE_CEILING || b.oracleAgeCeiling == 0) {
            revert ParameterOutOfBounds("oracleAgeCeiling", b.oracleAgeCeiling, ORACLE_AGE_ABSOLUTE_CEILING);
        }
        LIQUIDATION_RATIO_FLOOR_BPS = b.liquidationRatioFloorBps;
        LIQUIDATION_PENALTY_CEILING_BPS = b.liquidationPenaltyCeilingBps;
        MINT_FEE_CEILING_BPS = b.mintFeeCeilingBps;
        ORACLE_AGE_CEILING = b.oracleAgeCeiling;

        uint256 cd = c.collateral.decimals();
        uint256 fd = c.feed.decimals();
        // The reserve is a uint96 (`MAX_TOTAL` collateral units): above 18 decimals it would saturate at
        // less than 7.9e10 whole tokens (0.079 at 30 decimals), i.e. the bad-debt buffer would be off.
        if (cd > MAX_COLLATERAL_DECIMALS) revert UnsupportedDecimals(cd);
        if (fd > MAX_FEED_DECIMALS) revert UnsupportedDecimals(fd);
        _COLLATERAL_TO_WAD_MUL = 10 ** (18 - cd);
        _PRICE_TO_WAD_MUL = fd <= 18 ? 10 ** (18 - fd) : 1;
        _PRICE_TO_WAD_DIV = fd <= 18 ? 1 : 10 ** (fd - 18);

        COLLATERAL = IERC20(address(c.collateral));
        FEED = c.feed;
        GUARD = c.guard;
        REGISTRY = c.registry;
        ADMIN = c.admin;
        guardian = c.guardian;

        _validateRisk(c.risk);
        _checkTotalBound("minDebt", c.risk.minDebt);
        _checkTotalBound("debtCeiling", c.debtCeiling);
        _storeRisk(c.risk);
        // <= MAX_TOTAL, checked above.
        _mintParams.debtCeiling = uint96(c.debtCeiling);
        if (address(c.registry) != address(0)) {
            COLLATERAL.forceApprove(address(c.registry), type(uint256).max);
        } else if (c.risk.mintFeeBps != 0) {
            revert ParameterOutOfBounds("mintFee", c.risk.mintFeeBps, 0);
        }
        emit GuardianSet(c.guardian);
        emit RiskRatiosSet(
            c.risk.minCollateralRatioBps, c.risk.liquidationRatioBps, c.risk.liquidationPenaltyBps
        );
        emit DebtCeilingSet(c.debtCeiling);
        emit MinDebtSet(c.risk.minDebt);
        emit MintFeeSet(c.risk.mintFeeBps);
        emit MaxOracleAgeSet(c.risk.maxOracleAge);
    }

    // ------------------------------------------------------------------ positions

    /// @notice Adds `amount` collateral (pulled from the caller) to `owner`'s position. Anyone may top
    /// up anyone. `intentId` may be zero (not recorded) or a fresh key (recorded).
    function deposit(address owner, uint256 amount, bytes32 intentId) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _useIntent(intentId);
        Position storage stored = _positions[owner];
        stored.collateral = (stored.collateral + amount).toUint112();
        COLLATERAL.safeTransferFrom(msg.sender, address(this), amount);
        emit Deposited(owner, msg.sender, intentId, amount);
    }

    /// @notice Mints `amount` synth to the caller against the caller's position, sized by `modelId`.
    /// Agent only (through the guard). `intentId` must be non-zero (emitted in `Minted`); `nonce` must be
    /// the caller's `mintNonce` (the mint's exactly-once key, see the header).
    function mint(uint256 amount, bytes32 modelId, bytes32 intentId, uint256 nonce) external nonReentrant {
        Position memory p = _positions[msg.sender];
        _useMintNonce(p, intentId, nonce);
        _refuseUnproven();
        _mintSynth(p, amount, modelId, intentId, 0);
    }

    /// @notice Mints like `mint`, sized by a forecast proven in the zk gate: reverts unless the forecast
    /// proven for `modelId` under `proofId` is fresh, used the feed's latest round, and allows the
    /// position's debt after the mint under the risk rule (see the header). Then the guard's caps and the
    /// collateral margin apply exactly as for `mint`.
    /// `nonce` as for `mint`.
    function mintWithProof(uint256 amount, bytes32 modelId, bytes32 intentId, bytes32 proofId, uint256 nonce)
        external
        nonReentrant
    {
        Position memory p = _positions[msg.sender];
        _useMintNonce(p, intentId, nonce);
        _mintWithProof(p, amount, modelId, intentId, proofId);
    }

    /// @notice Submits `proof` to the zk gate (which checks it: verifier, registry commitment, oracle
    /// rounds, freshness, replay) and mints like `mintWithProof` with the forecast it records — the whole
    /// zk-gated mint in one transaction.
    function proveAndMint(
        uint256 amount,
        bytes32 modelId,
        bytes32 intentId,
        ForecastProofCalldata calldata proof
    ) external nonReentrant {
        ForecastProofGate gate = _zk.gate;
        if (address(gate) == address(0)) revert ZkPathDisabled();
        if (intentId == bytes32(0)) revert MissingIntent();
        bytes32 proofId =
            gate.submit(modelId, proof.lastRoundId, proof.a, proof.b, proof.c, proof.publicSignals);
        // The fresh statement the gate just recorded (and will refuse again) is this mint's idempotency key,
        // so it neither needs nor moves the mint nonce.
        _mintWithProof(_positions[msg.sender], amount, modelId, intentId, proofId);
    }

    /// @dev The zk mint path on the caller's position `p` (as read, nonce already applied by the caller):
    /// the proven bound, then the single mint path.
    function _mintWithProof(
        Position memory p,
        uint256 amount,
        bytes32 modelId,
        bytes32 intentId,
        bytes32 proofId
    ) internal {
        uint256 maxDebt = _zkMaxDebt(p.collateral, modelId, proofId);
        uint256 debtAfter = p.debt + amount;
        if (debtAfter > maxDebt) revert ZkSizeExceeded(proofId, debtAfter, maxDebt);
        _mintSynth(p, amount, modelId, intentId, 0);
        emit MintedWithProof(msg.sender, modelId, proofId, amount, maxDebt);
    }

    /// @notice Deposits `collateralAmount` (pulled from the caller) into the caller's position and mints
    /// `amount` synth in one transaction: "open a position and mint". `nonce` as for `mint`. The deposit is
    /// reported in `Minted.collateralAdded` (no separate `Deposited` log).
    function depositAndMint(
        uint256 collateralAmount,
        uint256 amount,
        bytes32 modelId,
        bytes32 intentId,
        uint256 nonce
    ) external nonReentrant {
        // Worked on in memory and written once, by `_mintSynth`.
        Position memory p = _positions[msg.sender];
        _useMintNonce(p, intentId, nonce);
        p.collateral = (p.collateral + collateralAmount).toUint112();
        _refuseUnproven();
        _mintSynth(p, amount, modelId, intentId, collateralAmount);
        // Checks-effects-interactions: the collateral is pulled after every check and state write (a
        // failed transfer reverts the whole call, so the credited collateral is never unbacked).
        if (collateralAmount != 0) COLLATERAL.safeTransferFrom(msg.sender, address(this), collateralAmount);
    }

    /// @notice Burns `amount` of the caller's synth to repay `owner`'s debt. Never paused, needs no price.
    /// The remaining debt must be zero or at least `minDebt`.
    function repay(address owner, uint256 amount, bytes32 intentId) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        _useIntent(intentId);
        Position storage p = _positions[owner];
        uint256 debt = p.debt;
        if (amount > debt) revert RepayExceedsDebt(amount, debt);
        uint256 debtAfter = debt - amount;
        uint256 minDebt = _mintParams.minDebt;
        if (debtAfter != 0 && debtAfter < minDebt) revert DebtBelowMinimum(debtAfter, minDebt);
        // Cannot underflow: amount <= debt <= totalDebt <= MAX_TOTAL, so amount also fits uint96.
        unchecked {
            p.debt = uint112(debtAfter);
            _globals.totalDebt -= uint96(amount);
        }
        _burn(msg.sender, amount);
        emit Repaid(owner, msg.sender, intentId, amount);
    }

    /// @notice Withdraws `amount` of the caller's collateral to `to`. Never paused. With debt, needs a
    /// fresh price and leaves the position at or above the minimum ratio; without debt, needs no price.
    function withdraw(uint256 amount, address to, bytes32 intentId) external nonReentrant {
        if (amount == 0) revert ZeroAmount();
        if (to == address(this)) revert CollateralToVault();
        _useIntent(intentId);
        Position storage p = _positions[msg.sender];
        uint256 coll = p.collateral;
        if (amount > coll) revert InsufficientCollateral(coll, amount);
        uint256 collAfter = coll - amount;
        uint256 debt = p.debt;
        if (debt != 0) {
            uint256 ratio = _ratioBps(collAfter, debt, _priceWad());
            uint256 minRatio = _mintParams.minCollateralRatioBps;
            if (ratio < minRatio) revert CollateralRatioTooLow(ratio, minRatio);
        }
        p.collateral = uint112(collAfter);
        COLLATERAL.safeTransfer(to, amount);
        emit Withdrawn(msg.sender, to, intentId, amount);
    }

    /// @notice Liquidates `owner`'s position if its ratio is below the liquidation ratio, burning up to
    /// `maxRepay` of the caller's synth. Never paused; needs a fresh, positive price. See the header
    /// for the partial/full regimes, the penalty split and the reserve's bound (`MAX_TOTAL`).
    /// @return repaid Debt burned. @return toLiquidator Collateral paid to the caller.
    function liquidate(address owner, uint256 maxRepay, bytes32 intentId)
        external
        nonReentrant
        returns (uint256 repaid, uint256 toLiquidator)
    {
        if (maxRepay == 0) revert ZeroAmount();
        _useIntent(intentId);
        Position memory p = _positions[owner];
        // The one global slot a liquidation reads and writes: its risk values and both totals.
        Globals memory g = _globals;
        uint256 price = _priceWadAt(g.maxOracleAge);
        uint256 ratio = _ratioBps(p.collateral, p.debt, price);
        if (p.debt == 0 || ratio >= g.liquidationRatioBps) {
            revert PositionSafe(owner, ratio, g.liquidationRatioBps);
        }

        uint256 seized;
        (repaid, seized, toLiquidator) = _liquidationSplit(p, g.liquidationPenaltyBps, price, ratio, maxRepay);
        // toLiquidator <= seized <= p.collateral in both regimes (partial: ratio >= 1 + p bounds seized
        // above; full: repaid <= debt and the cap); the subtractions stay checked so a broken bound
        // reverts instead of corrupting state.
        uint256 toReserve = seized - toLiquidator;
        (seized, toReserve) = _capToReserve(g.reserve, seized, toReserve);
        // Field by field (the nonce is left as it is): solc writes a three-member struct assigned whole with
        // one read-modify-write per member, ~1,200 gas more than this (measured).
        Position storage stored = _positions[owner];
        (stored.collateral, stored.debt) = (uint112(p.collateral - seized), uint112(p.debt - repaid));
        // One write of the packed global slot. Cannot underflow: repaid <= p.debt <= totalDebt <= MAX_TOTAL
        // (so repaid fits uint96); cannot overflow: toReserve <= MAX_TOTAL - reserve (above).
        unchecked {
            (_globals.totalDebt, _globals.reserve) =
            (g.totalDebt - uint96(repaid), g.reserve + uint96(toReserve));
        }
        _burn(msg.sender, repaid);
        COLLATERAL.safeTransfer(msg.sender, toLiquidator);
        emit Liquidated(owner, msg.sender, intentId, repaid, toLiquidator, toReserve, price);
    }

    /// @notice Routes the fees accrued for `modelId` to `registry.distribute(modelId, amount)`, keeping
    /// 1 unit in the slot (see the header). Anyone may call. Returns the amount routed.
    function flushFees(bytes32 modelId) external nonReentrant returns (uint256 amount) {
        uint256 accrued = feesAccrued[modelId];
        if (accrued <= 1) revert NothingToFlush(modelId, accrued);
        // accrued > 1 checked above.
        unchecked {
            amount = accrued - 1;
        }
        feesAccrued[modelId] = 1;
        REGISTRY.distribute(modelId, amount);
        emit FeesFlushed(modelId, msg.sender, amount);
    }

    // ------------------------------------------------------------------ governance

    /// @notice Sets the three risk ratios together. Requires: liquidation ratio >= its floor and
    /// >= 100% + penalty; minimum ratio >= liquidation ratio; penalty <= its ceiling. Admin only.
    function setRiskRatios(
        uint16 minCollateralRatioBps,
        uint16 liquidationRatioBps,
        uint16 liquidationPenaltyBps
    ) external onlyAdmin {
        RiskParams memory r = _riskParams();
        r.minCollateralRatioBps = minCollateralRatioBps;
        r.liquidationRatioBps = liquidationRatioBps;
        r.liquidationPenaltyBps = liquidationPenaltyBps;
        _validateRisk(r);
        _storeRisk(r);
        emit RiskRatiosSet(minCollateralRatioBps, liquidationRatioBps, liquidationPenaltyBps);
    }

    /// @notice Sets the debt ceiling, at most `MAX_TOTAL` (so no mint can take `totalDebt` past what it
    /// stores). Admin only. Lowering it below `totalDebt` blocks new mints only.
    function setDebtCeiling(uint256 newCeiling) external onlyAdmin {
        _checkTotalBound("debtCeiling", newCeiling);
        // <= MAX_TOTAL, checked above.
        _mintParams.debtCeiling = uint96(newCeiling);
        emit DebtCeilingSet(newCeiling);
    }

    /// @notice Sets the minimum non-zero debt of a position: applies to mints and repays (a position's
    /// debt is zero or at least this after either), never to liquidations. Admin only; at most `MAX_TOTAL`.
    function setMinDebt(uint256 newMinDebt) external onlyAdmin {
        _checkTotalBound("minDebt", newMinDebt);
        // <= MAX_TOTAL, checked above.
        _mintParams.minDebt = uint96(newMinDebt);
        emit MinDebtSet(newMinDebt);
    }

    /// @notice Sets the mint fee (bps of minted value, in collateral). Admin only; <= its ceiling.
    function setMintFee(uint16 newFeeBps) external onlyAdmin {
        if (newFeeBps > MINT_FEE_CEILING_BPS) {
            revert ParameterOutOfBounds("mintFee", newFeeBps, MINT_FEE_CEILING_BPS);
        }
        if (address(REGISTRY) == address(0) && newFeeBps != 0) {
            revert ParameterOutOfBounds("mintFee", newFeeBps, 0);
        }
        _mintParams.mintFeeBps = newFeeBps;
        emit MintFeeSet(newFeeBps);
    }

    /// @notice Sets the oracle staleness tolerance. Admin only; in (0, ceiling].
    function setMaxOracleAge(uint32 newMaxAge) external onlyAdmin {
        if (newMaxAge == 0 || newMaxAge > ORACLE_AGE_CEILING) {
            revert ParameterOutOfBounds("maxOracleAge", newMaxAge, ORACLE_AGE_CEILING);
        }
        _globals.maxOracleAge = newMaxAge;
        emit MaxOracleAgeSet(newMaxAge);
    }

    /// @notice Replaces the guardian. Admin only.
    function setGuardian(address newGuardian) external onlyAdmin {
        guardian = newGuardian;
        emit GuardianSet(newGuardian);
    }

    /// @notice Configures the zero-knowledge mint path. Admin only. `gate` must prove forecasts on this
    /// vault's feed; zero disables the path. `targetVolBps` (annual) and `maxLeverageBps` (<= 100%) are
    /// the risk rule's values, `scaleBits` the circuit's fixed-point scale, `maxProofAge` seconds in
    /// (0, oracle age ceiling].
    function setZkConfig(ZkConfig calldata config) external onlyAdmin {
        address gate = address(config.gate);
        if (gate != address(0)) {
            address gateOracle = address(config.gate.ORACLE());
            if (gateOracle != address(FEED)) revert ZkGateFeedMismatch(gateOracle, address(FEED));
            if (config.maxLeverageBps == 0 || config.maxLeverageBps > BPS) {
                revert ParameterOutOfBounds("zkMaxLeverage", config.maxLeverageBps, BPS);
            }
            if (config.targetVolBps == 0) revert ParameterOutOfBounds("zkTargetVol", 0, 1);
            if (config.scaleBits > 62) revert ParameterOutOfBounds("zkScaleBits", config.scaleBits, 62);
            if (config.maxProofAge == 0 || config.maxProofAge > ORACLE_AGE_CEILING) {
                revert ParameterOutOfBounds("zkMaxProofAge", config.maxProofAge, ORACLE_AGE_CEILING);
            }
        }
        _zk = config;
        emit ZkConfigSet(
            gate, config.targetVolBps, config.maxLeverageBps, config.scaleBits, config.maxProofAge
        );
    }

    /// @notice Requires (or, admin only, stops requiring) a zk proof for every mint. The guardian may only
    /// switch it on (tightening); switching it off goes through governance. Needs the zk path configured.
    function setZkRequired(bool required) external {
        if (required) {
            if (msg.sender != guardian && msg.sender != ADMIN) revert VaultNotGuardian(msg.sender);
            if (address(_zk.gate) == address(0)) revert ZkPathDisabled();
        } else if (msg.sender != ADMIN) {
            revert VaultNotAdmin(msg.sender);
        }
        _mintParams.zkRequired = required;
        emit ZkRequiredSet(required, msg.sender);
    }

    /// @notice Pauses new minting at once. Guardian or admin.
    function pauseMinting() external {
        if (msg.sender != guardian && msg.sender != ADMIN) revert VaultNotGuardian(msg.sender);
        _mintParams.mintingPaused = true;
        emit MintingPausedSet(true, msg.sender);
    }

    /// @notice Resumes minting. Admin only (tighten fast, loosen slow).
    function unpauseMinting() external onlyAdmin {
        _mintParams.mintingPaused = false;
        emit MintingPausedSet(false, msg.sender);
    }

    /// @notice Moves `amount` of the reserve to `to`. Admin only.
    function withdrawReserve(address to, uint256 amount) external onlyAdmin {
        if (to == address(this)) revert CollateralToVault();
        uint256 res = _globals.reserve;
        if (amount > res) revert InsufficientCollateral(res, amount);
        // amount <= res <= MAX_TOTAL: the result fits uint96.
        _globals.reserve = uint96(res - amount);
        COLLATERAL.safeTransfer(to, amount);
        emit ReserveWithdrawn(to, amount);
    }

    // ------------------------------------------------------------------ views

    /// @notice The synth's address: this vault, which is the synth's ERC-20 (see the header). Kept so that
    /// every reader written when the synth was a separate token (`SYNTH()` then `balanceOf`, `approve`,
    /// ...) keeps working unchanged.
    function SYNTH() external view returns (address) {
        return address(this);
    }

    /// @notice Sum of all position debts (== synth total supply); at most `debtCeiling` after a mint, and
    /// never above `MAX_TOTAL`.
    function totalDebt() external view returns (uint128) {
        return _globals.totalDebt;
    }

    /// @notice Collateral owned by the vault (liquidation penalties), moved only by the admin; at most
    /// `MAX_TOTAL` (see `liquidate`). Packed with `totalDebt`: a liquidation writes both in one slot.
    function reserve() external view returns (uint128) {
        return _globals.reserve;
    }

    /// @notice Maximum `totalDebt` a mint may reach (at most `MAX_TOTAL`).
    function debtCeiling() external view returns (uint248) {
        return _mintParams.debtCeiling;
    }

    /// @notice When true, a mint is accepted only through the zk path (`mintWithProof`, `proveAndMint`):
    /// `mint` and `depositAndMint` refuse with `ZkProofRequired`. Packed with the mint path's other values,
    /// which every mint reads anyway, so the check costs no extra storage read.
    function zkRequired() external view returns (bool) {
        return _mintParams.zkRequired;
    }

    /// @notice Synth total supply: `totalDebt`, equal to the sum of all balances (see the header).
    function totalSupply() public view override returns (uint256) {
        return _globals.totalDebt;
    }

    /// @inheritdoc ERC20
    function balanceOf(address account) public view override returns (uint256) {
        return _synthBalances[account];
    }

    /// @notice `owner`'s collateral (collateral units) and debt (synth units).
    function positionOf(address owner) external view returns (uint256 collateral, uint256 debt) {
        Position memory p = _positions[owner];
        return (p.collateral, p.debt);
    }

    /// @notice The governed risk values.
    function riskParams() external view returns (RiskParams memory) {
        return _riskParams();
    }

    /// @notice The nonce `owner`'s next `mint`, `mintWithProof` or `depositAndMint` must name.
    function mintNonce(address owner) external view returns (uint256) {
        return _positions[owner].mintNonce;
    }

    /// @notice True when `caller` has used `intentId` as the optional key of a `deposit`, `repay`,
    /// `withdraw` or `liquidate` (recorded per caller). Mints are keyed by `mintNonce` instead.
    function intentUsed(address caller, bytes32 intentId) external view returns (bool) {
        return _intentUsed[_intentKey(caller, intentId)];
    }

    /// @notice The current oracle price as 18-decimal USD per synth. Reverts if stale or non-positive.
    function priceWad() external view returns (uint256) {
        return _priceWad();
    }

    /// @notice `owner`'s collateral ratio in bps at the current price (`type(uint256).max` without debt).
    function collateralRatioBps(address owner) external view returns (uint256) {
        Position memory p = _positions[owner];
        return _ratioBps(p.collateral, p.debt, _priceWad());
    }

    /// @notice True when `owner` has debt and a ratio below the liquidation ratio at the current price.
    function isLiquidatable(address owner) external view returns (bool) {
        Position memory p = _positions[owner];
        return p.debt != 0 && _ratioBps(p.collateral, p.debt, _priceWad()) < _globals.liquidationRatioBps;
    }

    /// @notice The zero-knowledge mint path's settings.
    function zkConfig() external view returns (ZkConfig memory) {
        return _zk;
    }

    /// @notice The largest debt `owner`'s position may reach through `mintWithProof` with the forecast
    /// proven for `modelId` under `proofId` (reverts like `mintWithProof` when that proof cannot be used).
    function zkMaxDebt(address owner, bytes32 modelId, bytes32 proofId) external view returns (uint256) {
        return _zkMaxDebt(_positions[owner].collateral, modelId, proofId);
    }

    /// @notice Mint fee, in collateral units, for minting `amount` synth at the current price.
    function mintFeeFor(uint256 amount) external view returns (uint256) {
        return _mintFee(amount, _priceWad(), _mintParams.mintFeeBps);
    }

    // ------------------------------------------------------------------ internal

    /// @dev The single mint path. Order: local checks, guard checks, then effects (the synth `_mint` is
    /// internal, an effect like the others; `depositAndMint` pulls the collateral after it returns).
    /// `p` is the caller's position as read (plus any collateral just deposited); written once, here.
    function _mintSynth(
        Position memory p,
        uint256 amount,
        bytes32 modelId,
        bytes32 intentId,
        uint256 collateralAdded
    ) internal {
        MintParams memory m = _mintParams;
        if (amount == 0) revert ZeroAmount();
        if (m.mintingPaused) revert MintingPaused();
        Globals memory g = _globals;
        (uint256 price, MintRound memory round) = _mintRound(g.maxOracleAge);
        uint256 fee = _mintFee(amount, price, m.mintFeeBps);
        // The position after the mint is built in `p` (scoped locals: the function is at the stack limit).
        {
            uint256 coll = p.collateral;
            if (fee > coll) revert InsufficientCollateral(coll, fee);
            // fee <= coll checked above.
            unchecked {
                p.collateral = uint112(coll - fee);
            }
        }
        uint256 debtAfter = p.debt + amount;
        if (debtAfter < m.minDebt) revert DebtBelowMinimum(debtAfter, m.minDebt);
        // totalDebt + amount is computed again where it is stored (a local here would not fit the stack).
        if (g.totalDebt + amount > m.debtCeiling) {
            revert DebtCeilingExceeded(g.totalDebt + amount, m.debtCeiling);
        }
        uint256 ratio = _ratioBps(p.collateral, debtAfter, price);
        if (ratio < m.minCollateralRatioBps) revert CollateralRatioTooLow(ratio, m.minCollateralRatioBps);

        _guardMint(amount, modelId, ratio, g.liquidationRatioBps, round);

        // debtAfter <= totalDebt + amount <= debtCeiling <= MAX_TOTAL (checked above and where the ceiling
        // is set); the casts stay checked (SafeCast) so a broken bound reverts instead of truncating.
        p.debt = debtAfter.toUint112();
        _storePosition(msg.sender, p);
        _globals.totalDebt = (g.totalDebt + amount).toUint96();
        if (fee != 0) feesAccrued[modelId] += fee;
        _mint(msg.sender, amount);
        emit Minted(msg.sender, modelId, intentId, amount, fee, ratio, price, collateralAdded);
    }

    /// @dev The mint's one guard call: `consume(SYNTH_MINT, msg.sender, modelId, 0, amount)`, then
    /// `checkCollateral(SYNTH_MINT, ratio, liquidationRatioBps)`, then `checkOracle(SYNTH_MINT, updatedAt,
    /// answer, previousAnswer)` on the round that prices this mint (saves two calls and two policy lookups).
    function _guardMint(
        uint256 amount,
        bytes32 modelId,
        uint256 ratio,
        uint256 liquidationRatioBps,
        MintRound memory round
    ) internal {
        GUARD.consumeWithCollateral(
            PolicyActions.SYNTH_MINT,
            msg.sender,
            modelId,
            amount,
            ratio,
            liquidationRatioBps,
            round.updatedAt,
            round.answer,
            round.previousAnswer
        );
    }

    /// @dev Writes `p` as `owner`'s position in one SSTORE. solc writes a three-member struct assigned whole
    /// with one read-modify-write per member, ~1,200 gas more (measured); the word below is the layout solc
    /// reads back (`collateral` in bits 0..111, `debt` in 112..223, `mintNonce` in 224..255).
    function _storePosition(address owner, Position memory p) internal {
        Position storage stored = _positions[owner];
        uint256 word = uint256(p.collateral) | (uint256(p.debt) << 112) | (uint256(p.mintNonce) << 224);
        /// @solidity memory-safe-assembly
        assembly {
            sstore(stored.slot, word)
        }
    }

    /// @dev A liquidation's amounts for position `p` (debt != 0, `ratio` below the liquidation ratio) at
    /// `price`: the debt `repaid` (`maxRepay` capped at the debt), the collateral `seized` from the
    /// position and the part of it paid `toLiquidator` (the rest goes to the reserve). See the header.
    function _liquidationSplit(
        Position memory p,
        uint256 penaltyBps,
        uint256 price,
        uint256 ratio,
        uint256 maxRepay
    ) internal view returns (uint256 repaid, uint256 seized, uint256 toLiquidator) {
        repaid = maxRepay < p.debt ? maxRepay : p.debt;
        uint256 valueWad = _mulDiv(repaid, price, WAD);
        uint256 seizeBps;
        uint256 dueBps;
        // penaltyBps is a uint16 (and <= LIQUIDATION_PENALTY_CEILING_BPS <= 2000): nothing here can overflow.
        unchecked {
            seizeBps = BPS + penaltyBps;
            dueBps = BPS + penaltyBps * LIQUIDATOR_PENALTY_SHARE_BPS / BPS;
        }
        // The liquidator's due: the repaid value plus its share of the penalty (rounded down).
        toLiquidator = _fromWadDown(_mulDiv(valueWad, dueBps, BPS));
        if (ratio < seizeBps) {
            // Full regime (ratio < 1 + p): any amount up to the debt, the collateral seized pro rata,
            // floor(coll * repaid / debt): rounded down, so the exact ratio coll/debt never falls; the
            // whole debt seizes all the collateral. No minimum-debt check here: every repaid unit of an
            // under-collateralised position shrinks the exposure, and demanding a minimum left debt would
            // block exactly the liquidations that matter (synth locked in the pool cannot be bought back).
            seized = _mulDiv(p.collateral, repaid, p.debt);
            if (toLiquidator > seized) toLiquidator = seized;
        } else {
            // Partial regime: ratio >= 1 + p, so seizing (1 + p) per unit of debt never lowers the ratio.
            // No minDebt check (see the header): it would make small positions unliquidatable.
            // Value rounded down here (in the owner's favour), so the position's exact ratio never falls.
            seized = _fromWadDown(_mulDiv(valueWad, seizeBps, BPS));
        }
    }

    /// @dev The reserve saturates at `MAX_TOTAL`: the part of `toReserve` that would not fit stays in the
    /// position (`seized` is lowered by it), so a liquidation is never refused for it and the position's
    /// ratio can only be higher than without the cap. Returns the amounts to apply.
    function _capToReserve(uint256 reserveBefore, uint256 seized, uint256 toReserve)
        internal
        pure
        returns (uint256, uint256)
    {
        // reserveBefore <= MAX_TOTAL (stored as uint96).
        uint256 room;
        unchecked {
            room = MAX_TOTAL - reserveBefore;
        }
        if (toReserve <= room) return (seized, toReserve);
        // toReserve > room, and toReserve <= seized (toReserve = seized - toLiquidator).
        unchecked {
            return (seized - (toReserve - room), room);
        }
    }

    /// @dev The risk rule of the zk path (see the header), for a position holding `coll` collateral.
    function _zkMaxDebt(uint256 coll, bytes32 modelId, bytes32 proofId) internal view returns (uint256) {
        ZkConfig memory z = _zk;
        if (address(z.gate) == address(0)) revert ZkPathDisabled();
        ForecastProofGate.ProvenForecast memory f = z.gate.provenForecast(modelId, proofId);
        if (f.provenAt == 0) revert ZkForecastNotProven(modelId, proofId);
        if (block.timestamp > uint256(f.provenAt) + z.maxProofAge) {
            revert ZkForecastStale(proofId, f.provenAt, z.maxProofAge, block.timestamp);
        }
        (uint80 latestRound, uint256 answer,) = OracleLib.latest(FEED, _globals.maxOracleAge);
        if (latestRound != f.lastRoundId) revert ZkForecastOutdated(proofId, f.lastRoundId, latestRound);
        uint256 price = _toPriceWad(answer);
        return Math.mulDiv(_toWad(coll), _zkLeverageWad(f.output1, z), price);
    }

    /// @dev min(maxLeverage, targetVol / annualVol) in WAD, annualVol from the proven expected |return|.
    function _zkLeverageWad(int64 output1, ZkConfig memory z) internal pure returns (uint256 leverageWad) {
        uint256 one = uint256(1) << z.scaleBits;
        // Non-negative int64 values convert exactly.
        uint256 absRet = output1 > 0 ? uint256(uint64(output1)) : 0;
        uint256 floorRet = one / 10_000;
        if (absRet < floorRet) absRet = floorRet;
        if (absRet == 0) absRet = 1;
        uint256 annualVolWad = Math.mulDiv(absRet, ABS_TO_ANNUAL_VOL_WAD, one);
        leverageWad = Math.mulDiv(uint256(z.targetVolBps) * 1e14, WAD, annualVolWad);
        uint256 capWad = uint256(z.maxLeverageBps) * 1e14;
        if (leverageWad > capWad) leverageWad = capWad;
    }

    /// @dev The unproven mint paths (`mint`, `depositAndMint`) while the vault requires a zk proof. (The check
    /// is here rather than in `_mintSynth`, whose parameters are at the stack limit; its `_mintParams` read
    /// is then warm.)
    function _refuseUnproven() internal view {
        if (_mintParams.zkRequired) revert ZkProofRequired();
    }

    /// @dev A nonce-checked mint's key: a non-zero intent id (emitted, not recorded) and `nonce` equal to the
    /// position's `mintNonce`, which moves on in memory (`_mintSynth` writes it with the position).
    function _useMintNonce(Position memory p, bytes32 intentId, uint256 nonce) internal pure {
        if (intentId == bytes32(0)) revert MissingIntent();
        uint256 current = p.mintNonce;
        if (nonce != current) revert MintNonceMismatch(nonce, current);
        // Checked: the 2^32-th mint of one position reverts instead of wrapping to a used nonce.
        p.mintNonce = (current + 1).toUint32();
    }

    /// @dev Records `intentId` under `msg.sender`; zero is allowed (and not recorded).
    function _useIntent(bytes32 intentId) internal {
        if (intentId == bytes32(0)) return;
        bytes32 key = _intentKey(msg.sender, intentId);
        if (_intentUsed[key]) revert DuplicateIntent(intentId);
        _intentUsed[key] = true;
    }

    /// @dev The storage key of `caller`'s `intentId`: `keccak256(abi.encode(caller, intentId))`.
    function _intentKey(address caller, bytes32 intentId) internal pure returns (bytes32) {
        return keccak256(abi.encode(caller, intentId));
    }

    /// @dev Reads the feed through `OracleLib`: reverts `OracleNonPositiveAnswer` unless answer > 0 and
    /// `OracleStaleRound` if the round is older than `maxOracleAge`. Returns USD per synth, 18 decimals.
    function _priceWad() internal view returns (uint256) {
        return _priceWadAt(_globals.maxOracleAge);
    }

    /// @dev The mint path's price read: the latest round through `OracleLib` (positive, at most
    /// `maxOracleAge` old) as 18-decimal USD per synth, plus what the guard's oracle policy checks on it:
    /// its `updatedAt`, its raw answer and the previous round's answer (`getRoundData(roundId - 1)`).
    /// No previous round — round id 0, a feed that reverts for `roundId - 1` (a MedianOracle's first
    /// round; a Chainlink proxy at a phase start) or returns an empty round — gives `previousAnswer = 0`,
    /// for which the guard checks freshness only.
    function _mintRound(uint256 maxOracleAge) internal view returns (uint256 price, MintRound memory round) {
        (uint80 roundId, uint256 answer, uint256 updatedAt) = OracleLib.latest(FEED, maxOracleAge);
        price = _toPriceWad(answer);
        round.updatedAt = updatedAt;
        round.answer = int256(answer); // OracleLib returned a positive int256 as uint256
        if (roundId != 0) {
            try FEED.getRoundData(roundId - 1) returns (uint80, int256 previous, uint256, uint256, uint80) {
                round.previousAnswer = previous;
            } catch {}
        }
    }

    /// @dev `_priceWad` for a caller that has already read the risk values.
    function _priceWadAt(uint256 maxOracleAge) internal view returns (uint256) {
        (, uint256 answer,) = OracleLib.latest(FEED, maxOracleAge);
        return _toPriceWad(answer);
    }

    /// @dev A positive feed answer as an 18-decimal price. A feed with more than 18 decimals can give an
    /// answer below one WAD unit, which would truncate to a zero price (a zero debt value: every position
    /// "safe", every fee zero): refused instead.
    function _toPriceWad(uint256 answer) internal view returns (uint256 price) {
        // One of MUL and DIV is 1 (constructor): only the other one is applied.
        price = _PRICE_TO_WAD_DIV == 1 ? answer * _PRICE_TO_WAD_MUL : answer / _PRICE_TO_WAD_DIV;
        if (price == 0) revert PriceBelowPrecision(answer);
    }

    /// @dev Collateral ratio in bps; `type(uint256).max` when `debt == 0`.
    function _ratioBps(uint256 coll, uint256 debt, uint256 price) internal view returns (uint256) {
        if (debt == 0) return type(uint256).max;
        uint256 debtValue = _debtValueWad(debt, price);
        if (debtValue == 0) return type(uint256).max;
        return _mulDiv(_toWad(coll), BPS, debtValue);
    }

    /// @dev USD value (18 decimals) of `debt` synth at `price`, rounded up (against the minter).
    function _debtValueWad(uint256 debt, uint256 price) internal pure returns (uint256) {
        return _mulDivUp(debt, price, WAD);
    }

    /// @dev The mint fee in collateral units: `feeBps` of the minted value, rounded up (against the minter).
    function _mintFee(uint256 amount, uint256 price, uint256 feeBps) internal view returns (uint256) {
        if (feeBps == 0) return 0;
        uint256 feeWad = _mulDivUp(_debtValueWad(amount, price), feeBps, BPS);
        return Math.ceilDiv(feeWad, _COLLATERAL_TO_WAD_MUL);
    }

    /// @dev floor(x * y / d), exactly `Math.mulDiv(x, y, d)`; skips the 512-bit product when both
    /// factors are below 2^128 (the usual case: uint128 amounts, prices, bps), where x * y cannot overflow.
    function _mulDiv(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        // x, y < 2^128: x * y < 2^256. Division by zero still reverts inside `unchecked`.
        unchecked {
            if ((x | y) >> 128 == 0) return x * y / d;
        }
        return Math.mulDiv(x, y, d);
    }

    /// @dev ceil(x * y / d), exactly `Math.mulDiv(x, y, d, Math.Rounding.Ceil)`, with the same shortcut.
    function _mulDivUp(uint256 x, uint256 y, uint256 d) internal pure returns (uint256) {
        // x, y < 2^128: x * y < 2^256.
        unchecked {
            if ((x | y) >> 128 == 0) return Math.ceilDiv(x * y, d);
        }
        return Math.mulDiv(x, y, d, Math.Rounding.Ceil);
    }

    /// @dev Collateral units as WAD: `coll * 10^(18 - decimals)` (exact; the collateral has <= 18 decimals).
    function _toWad(uint256 coll) internal view returns (uint256) {
        return coll * _COLLATERAL_TO_WAD_MUL;
    }

    /// @dev WAD as collateral units, rounded down: `wad / 10^(18 - decimals)`.
    function _fromWadDown(uint256 wad) internal view returns (uint256) {
        return wad / _COLLATERAL_TO_WAD_MUL;
    }

    /// @dev OpenZeppelin's `_update` without the supply counter (`totalSupply()` is `totalDebt`), refusing the
    /// vault itself as a receiver (`ERC20InvalidReceiver`). Adding to a balance stays checked; it cannot
    /// overflow anyway, since all balances sum to `totalDebt` (<= `MAX_TOTAL`).
    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0)) {
            uint256 fromBalance = _synthBalances[from];
            if (fromBalance < value) revert ERC20InsufficientBalance(from, fromBalance, value);
            // fromBalance >= value checked above.
            unchecked {
                _synthBalances[from] = fromBalance - value;
            }
        }
        if (to != address(0)) {
            // Synth sent to the vault could never be moved or burned again (nothing spends the vault's own
            // balance; "repay by sending it back" is refused instead). Mint and burn never get here with
            // `to == address(this)`: a mint goes to its caller (the vault never calls itself), a burn to 0.
            if (to == address(this)) revert ERC20InvalidReceiver(to);
            _synthBalances[to] += value;
        }
        emit Transfer(from, to, value);
    }

    /// @dev The governed risk values, gathered from the two slots they are stored in.
    function _riskParams() internal view returns (RiskParams memory r) {
        Globals memory g = _globals;
        MintParams memory m = _mintParams;
        r = RiskParams({
            minCollateralRatioBps: m.minCollateralRatioBps,
            liquidationRatioBps: g.liquidationRatioBps,
            liquidationPenaltyBps: g.liquidationPenaltyBps,
            mintFeeBps: m.mintFeeBps,
            maxOracleAge: g.maxOracleAge,
            mintingPaused: m.mintingPaused,
            minDebt: m.minDebt
        });
    }

    /// @dev Stores validated risk values in their two slots; `r.minDebt <= MAX_TOTAL` (checked by the
    /// callers that change it: the constructor and `setMinDebt`; `setRiskRatios` writes back the stored one).
    function _storeRisk(RiskParams memory r) internal {
        Globals storage g = _globals;
        g.maxOracleAge = r.maxOracleAge;
        g.liquidationRatioBps = r.liquidationRatioBps;
        g.liquidationPenaltyBps = r.liquidationPenaltyBps;
        MintParams storage m = _mintParams;
        m.minCollateralRatioBps = r.minCollateralRatioBps;
        m.mintFeeBps = r.mintFeeBps;
        m.mintingPaused = r.mintingPaused;
        m.minDebt = uint96(r.minDebt);
    }

    /// @dev Reverts `ParameterOutOfBounds(what, value, MAX_TOTAL)` when `value` does not fit the uint96 it
    /// is stored in.
    function _checkTotalBound(bytes32 what, uint256 value) internal pure {
        if (value > MAX_TOTAL) revert ParameterOutOfBounds(what, value, MAX_TOTAL);
    }

    function _validateRisk(RiskParams memory r) internal view {
        if (r.liquidationRatioBps < LIQUIDATION_RATIO_FLOOR_BPS) {
            revert ParameterOutOfBounds(
                "liquidationRatio", r.liquidationRatioBps, LIQUIDATION_RATIO_FLOOR_BPS
            );
        }
        if (r.liquidationPenaltyBps > LIQUIDATION_PENALTY_CEILING_BPS) {
            revert ParameterOutOfBounds(
                "liquidationPenalty", r.liquidationPenaltyBps, LIQUIDATION_PENALTY_CEILING_BPS
            );
        }
        if (r.liquidationRatioBps < BPS + r.liquidationPenaltyBps) {
            revert ParameterOutOfBounds(
                "liquidationRatio", r.liquidationRatioBps, BPS + r.liquidationPenaltyBps
            );
        }
        if (r.minCollateralRatioBps < r.liquidationRatioBps) {
            revert ParameterOutOfBounds("minCollateralRatio", r.minCollateralRatioBps, r.liquidationRatioBps);
        }
        if (r.mintFeeBps > MINT_FEE_CEILING_BPS) {
            revert ParameterOutOfBounds("mintFee", r.mintFeeBps, MINT_FEE_CEILING_BPS);
        }
        if (r.maxOracleAge == 0 || r.maxOracleAge > ORACLE_AGE_CEILING) {
            revert ParameterOutOfBounds("maxOracleAge", r.maxOracleAge, ORACLE_AGE_CEILING);
        }
    }
}
