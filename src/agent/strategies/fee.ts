import { type Address, encodeAbiParameters, keccak256 } from 'viem';
import { prepareSetFee } from '../../chain/index.js';
import type { PolicyState } from '../../policy/index.js';
import type { Intent, Strategy } from './types.js';

/**
 * fee: the pool's swap fee follows forecast volatility: base + slope × annualised volatility (bps),
 * proposed as is; the guard bounds it to [min, max] and to a max step per epoch. After a step or
 * bounds refusal the strategy resizes to the largest change the policy allows.
 */
export function feeStrategy(parameters: {
  pool: Address;
  findPolicy: (policies: readonly PolicyState[]) => PolicyState | undefined;
}): Strategy {
  return {
    name: 'fee',
    async decide(context) {
      const policy = parameters.findPolicy(context.policies);
      if (!policy) return [];
      const annualVol = Math.max(context.inference.forecast.vol, context.inference.ewmaVol) * Math.sqrt(252);
      // The bounds are public policy: propose within them. The per-epoch step is left to the guard, which
      // refuses a too-large step with the reset time; the strategy then resizes to the allowed step.
      const wanted = Math.round(context.options.fee.baseBps + context.options.fee.volSlopeBps * annualVol);
      const desired = Math.min(
        Number(policy.limits.maxValue),
        Math.max(Number(policy.limits.minValue), wanted),
      );
      const current = Number(policy.value);
      // A deadband of one basis point: no transaction for a change nobody would notice.
      if (Math.abs(desired - current) <= 1) return [];
      const make = (fee: number, resizedFrom?: number): Intent => ({
        key: keccak256(
          encodeAbiParameters(
            [
              { type: 'string' },
              { type: 'uint256' },
              { type: 'address' },
              { type: 'uint256' },
              { type: 'uint256' },
            ],
            ['fee', BigInt(context.chainId), parameters.pool, BigInt(context.epoch), BigInt(fee)],
          ),
        ),
        strategy: 'fee',
        kind: 'set-fee',
        call: prepareSetFee(parameters.pool, fee),
        sizeUsd: 0,
        summary: `pool fee ${current} → ${fee} bps (annualised vol ${(annualVol * 100).toFixed(1)}%${resizedFrom !== undefined ? `, wanted ${resizedFrom}` : ''})`,
        decision: {
          from: current,
          to: fee,
          desired,
          annualVol,
          ...(resizedFrom !== undefined ? { resizedFrom } : {}),
        },
        resize: (refusal, policies) => {
          const p = parameters.findPolicy(policies) ?? policy;
          const start = Number(p.valueAtEpochStart);
          const step = Number(p.limits.maxStep);
          const lo = Math.max(Number(p.limits.minValue), start - step);
          const hi = Math.min(Number(p.limits.maxValue), start + step);
          const allowed = Math.min(hi, Math.max(lo, fee));
          if (refusal.rule !== 'max-step' && refusal.rule !== 'value-bounds') return undefined;
          return allowed === fee || allowed === Number(p.value) ? undefined : make(allowed, fee);
        },
      });
      return [make(desired)];
    },
  };
}
