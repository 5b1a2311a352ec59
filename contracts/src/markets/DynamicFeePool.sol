// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

import {IPolicyGuard, PolicyActions} from "../policy/IPolicyGuard.sol";

/// @title DynamicFeePool
/// @notice A constant-product (x * y = k) pool of two ERC-20s — a synth (`TOKEN0`) and its collateral
/// (`TOKEN1`) — whose LP shares are this contract's own ERC-20. The swap fee is tuned by the agent
/// within the PolicyGuard's bounds (min, max, max step per epoch) and under an immutable ceiling.
///
/// Why our own pool and not Uniswap v4 with a dynamic-fee hook: v4 is not shipped as a compiled npm
/// package that builds with this offline toolchain (it needs its singleton PoolManager, hooks
/// address mining and transient-storage accounting), which is far more surface than one pair needs.
/// This is Uniswap v2's maths (exact-in swaps, sqrt first mint, pro-rata shares) in ~300 lines.
///
/// - Fee: `feeBps` of every input stays in the pool, so it accrues to LPs (k grows); no protocol cut.
/// - Reserves are tracked internally, not read from `balanceOf`: a donation cannot move the share
///   price, and the first deposit burns `MINIMUM_LIQUIDITY` shares to `DEAD`, so the classic
///   first-depositor share-inflation attack has nothing to work with. Donated tokens stay inert.
/// - Fee-on-transfer and rebasing tokens are not supported (amounts are taken as sent).
///
/// Invariants (tested in `contracts/test/markets/`):
/// - `reserve0 * reserve1` never decreases across a swap; it only falls on `removeLiquidity`.
/// - `reserveN <= TOKENN.balanceOf(this)`.
/// - Redeeming `s` shares pays exactly `floor(s * reserveN / totalSupply)` of each token, and no
///   deposit or swap lowers `reserveN / totalSupply` for existing holders.
/// - A deposit after the first takes at most its desired amounts and at most 1 wei per side more than
///   its shares redeem for at once, whatever the reserves' ratio.
/// - `feeBps <= FEE_CEILING_BPS`; every fee change passed `guard.consumeValue(SET_FEE, ...)` and
///   emitted `FeeChanged`.
contract DynamicFeePool is ERC20, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice Shares burned at the first deposit.
    uint256 public constant MINIMUM_LIQUIDITY = 1000;
    /// @notice Holder of the burned shares (OpenZeppelin's ERC-20 refuses minting to address(0)).
    address public constant DEAD = 0x000000000000000000000000000000000000dEaD;
    /// @notice Basis points denominator.
    uint256 public constant BPS = 10_000;
    /// @notice Absolute ceiling for any deployment's fee ceiling: 10%.
    uint256 public constant FEE_ABSOLUTE_CEILING_BPS = 1000;

    /// @notice The synth side.
    IERC20 public immutable TOKEN0;
    /// @notice The collateral side.
    IERC20 public immutable TOKEN1;
    /// @notice The policy gate every fee change passes through.
    IPolicyGuard public immutable GUARD;
    /// @notice The fee can never exceed this, whatever the guard allows.
    uint256 public immutable FEE_CEILING_BPS;

    uint112 private _reserve0;
    uint112 private _reserve1;
    uint16 private _feeBps;

    /// @notice `provider` added `amount0`/`amount1` and `to` received `shares`.
    event LiquidityAdded(
        address indexed provider, address indexed to, uint256 amount0, uint256 amount1, uint256 shares
    );
    /// @notice `provider` burned `shares` and `to` received `amount0`/`amount1`.
    event LiquidityRemoved(
        address indexed provider, address indexed to, uint256 amount0, uint256 amount1, uint256 shares
    );
    /// @notice `sender` swapped `amountIn` of `tokenIn` for `amountOut` of the other token, sent to `to`.
    event Swapped(
        address indexed sender,
        address indexed tokenIn,
        address indexed to,
        uint256 amountIn,
        uint256 amountOut,
        uint256 feeBps
    );
    /// @notice The swap fee changed from `oldFeeBps` to `newFeeBps`, set by `actor`.
    event FeeChanged(uint256 oldFeeBps, uint256 newFeeBps, address indexed actor);

    /// @notice The deadline passed.
    error Expired(uint256 deadline, uint256 timestamp);
    /// @notice The output is below the caller's minimum.
    error InsufficientOutput(uint256 amountOut, uint256 minOut);
    /// @notice A deposit below the caller's minimum for one side.
    error InsufficientAmount(uint256 amount, uint256 minAmount);
    /// @notice A zero amount, or a deposit that would mint no shares.
    error ZeroAmount();
    /// @notice The first deposit must mint more than `MINIMUM_LIQUIDITY` shares.
    error InsufficientInitialLiquidity(uint256 liquidity, uint256 minimum);
    /// @notice `token` is neither side of the pool.
    error InvalidToken(address token);
    /// @notice The pool has no liquidity yet.
    error EmptyPool();
    /// @notice The fee exceeds the immutable ceiling.
    error FeeAboveCeiling(uint256 feeBps, uint256 ceilingBps);
    /// @notice Bad constructor argument: `reason` names it (a zero token or guard, or the same token twice).
    error InvalidConfig(string reason);

    /// @param token0 The synth. @param token1 The collateral. @param guard The PolicyGuard.
    /// @param feeCeilingBps Immutable fee ceiling (<= 10%). @param initialFeeBps Starting fee (<= ceiling).
    /// @param name_ LP token name. @param symbol_ LP token symbol.
    constructor(
        IERC20 token0,
        IERC20 token1,
        IPolicyGuard guard,
        uint256 feeCeilingBps,
        uint16 initialFeeBps,
        string memory name_,
        string memory symbol_
    ) ERC20(name_, symbol_) {
        if (address(token0) == address(0) || address(token1) == address(0)) {
            revert InvalidConfig("zero token");
        }
        if (address(token0) == address(token1)) revert InvalidConfig("token0 == token1");
        if (address(guard) == address(0)) revert InvalidConfig("zero guard");
        if (feeCeilingBps > FEE_ABSOLUTE_CEILING_BPS) {
            revert FeeAboveCeiling(feeCeilingBps, FEE_ABSOLUTE_CEILING_BPS);
        }
        if (initialFeeBps > feeCeilingBps) revert FeeAboveCeiling(initialFeeBps, feeCeilingBps);
        TOKEN0 = token0;
        TOKEN1 = token1;
        GUARD = guard;
        FEE_CEILING_BPS = feeCeilingBps;
        _feeBps = initialFeeBps;
        emit FeeChanged(0, initialFeeBps, msg.sender);
    }

    /// @notice Adds liquidity at the current ratio (the first deposit sets it) and mints shares to `to`.
    /// The first deposit takes both desired amounts. Later deposits mint the most shares both desired
    /// amounts cover, `shares = min(amount0Desired * supply / reserve0, amount1Desired * supply / reserve1)`
    /// (rounded down), and take only what those shares are worth, `amountN = ceil(shares * reserveN /
    /// supply)` (<= `amountNDesired`): a depositor pays at most 1 wei per side more than the pro-rata
    /// value of the shares received, whatever the ratio (Uniswap v2's router instead takes the desired
    /// side in full and floors the other, which in a skewed pool can take twice what the shares are worth:
    /// audit 2, F4). The limiting side is taken to within one share's worth (`reserveN / supply`) of its
    /// desired amount, so set its minimum a little below it. Each side taken must reach its minimum.
    function addLiquidity(
        uint256 amount0Desired,
        uint256 amount1Desired,
        uint256 amount0Min,
        uint256 amount1Min,
        address to,
        uint256 deadline
    ) external nonReentrant returns (uint256 amount0, uint256 amount1, uint256 shares) {
        _checkDeadline(deadline);
        if (amount0Desired == 0 || amount1Desired == 0) revert ZeroAmount();
        uint256 r0 = _reserve0;
        uint256 r1 = _reserve1;
        uint256 supply = totalSupply();
        if (supply == 0) {
            (amount0, amount1) = (amount0Desired, amount1Desired);
            uint256 liquidity = Math.sqrt(amount0 * amount1);
            if (liquidity <= MINIMUM_LIQUIDITY) {
                revert InsufficientInitialLiquidity(liquidity, MINIMUM_LIQUIDITY);
            }
            // liquidity > MINIMUM_LIQUIDITY checked above.
            unchecked {
                shares = liquidity - MINIMUM_LIQUIDITY;
            }
            _mint(DEAD, MINIMUM_LIQUIDITY);
        } else {
            shares =
                Math.min(Math.mulDiv(amount0Desired, supply, r0), Math.mulDiv(amount1Desired, supply, r1));
            if (shares == 0) revert ZeroAmount();
            // Rounded up, so no deposit lowers reserveN / supply for existing holders; each is at most
            // amountNDesired because shares <= amountNDesired * supply / rN.
            amount0 = Math.mulDiv(shares, r0, supply, Math.Rounding.Ceil);
            amount1 = Math.mulDiv(shares, r1, supply, Math.Rounding.Ceil);
        }
        if (amount0 < amount0Min) revert InsufficientAmount(amount0, amount0Min);
        if (amount1 < amount1Min) revert InsufficientAmount(amount1, amount1Min);
        _reserve0 = (r0 + amount0).toUint112();
        _reserve1 = (r1 + amount1).toUint112();
        _mint(to, shares);
        TOKEN0.safeTransferFrom(msg.sender, address(this), amount0);
        TOKEN1.safeTransferFrom(msg.sender, address(this), amount1);
        emit LiquidityAdded(msg.sender, to, amount0, amount1, shares);
    }

    /// @notice Burns `shares` of the caller and sends the pro-rata reserves (rounded down) to `to`.
    function removeLiquidity(
        uint256 shares,
        uint256 amount0Min,
        uint256 amount1Min,
        address to,
        uint256 deadline
    ) external nonReentrant returns (uint256 amount0, uint256 amount1) {
        _checkDeadline(deadline);
        if (shares == 0) revert ZeroAmount();
        (amount0, amount1) = previewRemove(shares);
        if (amount0 < amount0Min) revert InsufficientOutput(amount0, amount0Min);
        if (amount1 < amount1Min) revert InsufficientOutput(amount1, amount1Min);
        _burn(msg.sender, shares);
        // amountN <= reserveN (shares <= supply after the burn succeeded).
        unchecked {
            _reserve0 -= uint112(amount0);
            _reserve1 -= uint112(amount1);
        }
        TOKEN0.safeTransfer(to, amount0);
        TOKEN1.safeTransfer(to, amount1);
        emit LiquidityRemoved(msg.sender, to, amount0, amount1, shares);
    }

    /// @notice Swaps exactly `amountIn` of `tokenIn` for at least `minOut` of the other token, sent to
    /// `to`, before `deadline`. The fee stays in the pool.
    function swapExactIn(address tokenIn, uint256 amountIn, uint256 minOut, address to, uint256 deadline)
        external
        nonReentrant
        returns (uint256 amountOut)
    {
        _checkDeadline(deadline);
        if (amountIn == 0) revert ZeroAmount();
        bool zeroForOne = _direction(tokenIn);
        uint256 fee;
        (amountOut, fee) = _applySwap(zeroForOne, amountIn);
        if (amountOut < minOut || amountOut == 0) revert InsufficientOutput(amountOut, minOut);
        IERC20(tokenIn).safeTransferFrom(msg.sender, address(this), amountIn);
        (zeroForOne ? TOKEN1 : TOKEN0).safeTransfer(to, amountOut);
        emit Swapped(msg.sender, tokenIn, to, amountIn, amountOut, fee);
    }

    /// @notice Sets the swap fee. The caller must be the agent and the change within the guard's
    /// bounds (`consumeValue(SET_FEE, msg.sender, newFeeBps)`) and under `FEE_CEILING_BPS`.
    function setFee(uint16 newFeeBps) external {
        if (newFeeBps > FEE_CEILING_BPS) revert FeeAboveCeiling(newFeeBps, FEE_CEILING_BPS);
        GUARD.consumeValue(PolicyActions.SET_FEE, msg.sender, newFeeBps);
        uint256 old = _feeBps;
        _feeBps = newFeeBps;
        emit FeeChanged(old, newFeeBps, msg.sender);
    }

    /// @notice Current reserves and fee.
    function getReserves() external view returns (uint256 reserve0, uint256 reserve1, uint256 currentFeeBps) {
        return (_reserve0, _reserve1, _feeBps);
    }

    /// @notice Current swap fee in bps.
    function feeBps() external view returns (uint256) {
        return _feeBps;
    }

    /// @notice Output of swapping `amountIn` of `tokenIn` now.
    function quote(address tokenIn, uint256 amountIn) external view returns (uint256) {
        bool zeroForOne = _direction(tokenIn);
        (uint256 rIn, uint256 rOut) =
            zeroForOne ? (uint256(_reserve0), uint256(_reserve1)) : (uint256(_reserve1), uint256(_reserve0));
        if (rIn == 0 || rOut == 0) revert EmptyPool();
        return _amountOut(amountIn, rIn, rOut, _feeBps);
    }

    /// @notice What `shares` redeem for now: `floor(shares * reserveN / totalSupply)`.
    function previewRemove(uint256 shares) public view returns (uint256 amount0, uint256 amount1) {
        uint256 supply = totalSupply();
        if (supply == 0) return (0, 0);
        amount0 = shares * _reserve0 / supply;
        amount1 = shares * _reserve1 / supply;
    }

    function _checkDeadline(uint256 deadline) internal view {
        if (block.timestamp > deadline) revert Expired(deadline, block.timestamp);
    }

    function _direction(address tokenIn) internal view returns (bool zeroForOne) {
        if (tokenIn == address(TOKEN0)) return true;
        if (tokenIn == address(TOKEN1)) return false;
        revert InvalidToken(tokenIn);
    }

    /// @dev Computes the output and writes the new reserves.
    function _applySwap(bool zeroForOne, uint256 amountIn) internal returns (uint256 amountOut, uint256 fee) {
        (uint256 rIn, uint256 rOut) =
            zeroForOne ? (uint256(_reserve0), uint256(_reserve1)) : (uint256(_reserve1), uint256(_reserve0));
        if (rIn == 0 || rOut == 0) revert EmptyPool();
        fee = _feeBps;
        amountOut = _amountOut(amountIn, rIn, rOut, fee);
        uint112 newIn = (rIn + amountIn).toUint112();
        // amountOut < rOut by the constant-product formula.
        uint112 newOut;
        unchecked {
            newOut = uint112(rOut - amountOut);
        }
        (_reserve0, _reserve1) = zeroForOne ? (newIn, newOut) : (newOut, newIn);
    }

    /// @dev Uniswap v2's exact-in formula with the fee in bps; rounds down (in the pool's favour).
    function _amountOut(uint256 amountIn, uint256 rIn, uint256 rOut, uint256 fee)
        internal
        pure
        returns (uint256)
    {
        uint256 inAfterFee = amountIn * (BPS - fee);
        return inAfterFee * rOut / (rIn * BPS + inAfterFee);
    }
}
