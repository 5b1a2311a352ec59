import type { IpfsConfig } from './schema.js';

/** What an IPFS push needs at run time: the config section with the secret resolved from the environment. */
export type IpfsSettings = {
  apiUrl: string;
  pin: boolean;
  timeoutMs: number;
  /** The `Authorization` header value, read from `authorizationEnv`; never log it. */
  authorization?: string;
  /** The variable named by `authorizationEnv` when it was set in the config but is empty in the environment. */
  missingAuthorizationEnv?: string;
};

/**
 * Resolves the `ipfs` config section against the environment. Returns undefined when no IPFS endpoint
 * to push to is configured (the default, and a gateway-only section: nothing is pushed). A named but unset authorization variable does not
 * throw (a push is never required): it is reported in `missingAuthorizationEnv` so the caller can warn.
 */
export function ipfsSettings(
  section: IpfsConfig | undefined,
  env: Record<string, string | undefined> = process.env,
): IpfsSettings | undefined {
  if (!section?.apiUrl) return undefined;
  const settings: IpfsSettings = { apiUrl: section.apiUrl, pin: section.pin, timeoutMs: section.timeoutMs };
  if (section.authorizationEnv) {
    const value = env[section.authorizationEnv];
    if (value) settings.authorization = value;
    else settings.missingAuthorizationEnv = section.authorizationEnv;
  }
  return settings;
}

/** The trustless gateway content is fetched from: the `--ipfs-gateway` flag, else `ipfs.gatewayUrl`, else none. */
export function ipfsGatewayUrl(section: IpfsConfig | undefined, flag?: string): string | undefined {
  return flag ?? section?.gatewayUrl;
}
