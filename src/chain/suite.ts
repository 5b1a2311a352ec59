import type { Address } from 'viem';
import type { ProvenantClients } from './clients.js';
import { type DeployPlanResult, type DeployStep, deployPlan } from './deploy.js';

export type SuiteRoles = {
  /** Initial admin before governance takes over (the deployer). */
  deployer: Address;
  agent: Address;
  guardian: Address;
  reporters: readonly Address[];
};

/**
 * The Provenant contract suite in dependency order. Later parts add their contracts here; the deploy
 * engine makes it idempotent.
 */
export function suiteSteps(_roles: SuiteRoles): DeployStep[] {
  return [];
}

export async function deploySuite(
  clients: ProvenantClients,
  stateDir: string,
  roles: SuiteRoles,
  onStep?: Parameters<typeof deployPlan>[3],
): Promise<DeployPlanResult> {
  return deployPlan(clients, stateDir, suiteSteps(roles), onStep);
}
