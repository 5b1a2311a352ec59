/**
 * The vault's zk risk rule (SyntheticVault._zkMaxDebt), the same integer arithmetic in TypeScript so
 * the agent sizes a zk mint the chain accepts:
 *   absRet    = max(output1, 2^s / 10_000)          (expected |daily log return|, floored at 1e-4)
 *   annualVol = absRet · √(π/2)·√252 / 2^s           (WAD)
 *   leverage  = min(maxLeverage, targetVol / annualVol)
 *   maxDebt   = collateralValue · leverage / price  (synth units, 18 decimals)
 */
export type ZkRiskConfig = { targetVolBps: number; maxLeverageBps: number; scaleBits: number };

const WAD = 10n ** 18n;
/** √(π/2)·√252 in WAD, as in the contract. */
export const ABS_TO_ANNUAL_VOL_WAD = 19_895_745_131_869_626_275n;

/** The largest position debt (synth units) the proven `output1` allows. */
export function zkMaxDebtOf(parameters: {
  /** Position collateral, in collateral-token units. */
  collateral: bigint;
  collateralDecimals: number;
  /** Oracle answer of the latest round and its decimals. */
  answer: bigint;
  answerDecimals: number;
  /** The proven expected |return| at `config.scaleBits`. */
  output1: bigint;
  config: ZkRiskConfig;
}): bigint {
  const { config } = parameters;
  const one = 1n << BigInt(config.scaleBits);
  let absRet = parameters.output1 > 0n ? parameters.output1 : 0n;
  const floor = one / 10_000n;
  if (absRet < floor) absRet = floor;
  if (absRet === 0n) absRet = 1n;
  const annualVolWad = (absRet * ABS_TO_ANNUAL_VOL_WAD) / one;
  let leverage = (BigInt(config.targetVolBps) * 10n ** 14n * WAD) / annualVolWad;
  const cap = BigInt(config.maxLeverageBps) * 10n ** 14n;
  if (leverage > cap) leverage = cap;
  const toWad = (v: bigint, decimals: number) =>
    decimals <= 18 ? v * 10n ** BigInt(18 - decimals) : v / 10n ** BigInt(decimals - 18);
  const price = toWad(parameters.answer, parameters.answerDecimals);
  return (toWad(parameters.collateral, parameters.collateralDecimals) * leverage) / price;
}
