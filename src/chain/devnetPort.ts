import { createServer } from 'node:net';
import { NonRetryableError } from '../errors/index.js';

/**
 * Ports at or above 1024 that the WHATWG fetch standard blocks ("bad ports"): Node's fetch, and so viem,
 * refuses to connect to them, so a devnet there could never be reached (it used to wait out the whole
 * startup timeout). Ports below 1024 are refused anyway as privileged.
 */
export const FETCH_BLOCKED_PORTS: ReadonlySet<number> = new Set([
  1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697,
  10080,
]);

const PORT_ADVICE = 'Pass another --port from 1024 to 65535, or --port 0 to pick a free one.';

/** The devnet cannot listen on the port that was asked for. */
export class DevnetPortError extends NonRetryableError {
  override name = 'DevnetPortError';
  readonly port: number;
  readonly reason: 'invalid' | 'privileged' | 'blocked' | 'in-use' | 'denied' | 'address';
  constructor(port: number, host: string, reason: DevnetPortError['reason']) {
    const where = `${host}:${port}`;
    const texts: Record<DevnetPortError['reason'], readonly [string, string]> = {
      invalid: [
        `The devnet port ${port} is not a port number.`,
        `Expected a whole number from 0 to 65535. ${PORT_ADVICE}`,
      ],
      privileged: [
        `The devnet port ${port} is a privileged port (below 1024).`,
        `Privileged ports need root and clash with system services. ${PORT_ADVICE}`,
      ],
      blocked: [
        `The devnet port ${port} is blocked by fetch (a WHATWG "bad port"), so no client could reach the devnet.`,
        `Node's fetch (and viem through it) refuses to connect to this port. ${PORT_ADVICE}`,
      ],
      'in-use': [
        `The devnet port ${port} on ${host} is already in use.`,
        `Another program listens there; find it with \`ss -ltnp 'sport = :${port}'\` (or \`lsof -i :${port}\`). ${PORT_ADVICE}`,
      ],
      denied: [
        `The devnet may not listen on ${where}: permission denied.`,
        `The operating system refused the port. ${PORT_ADVICE}`,
      ],
      address: [
        `The devnet cannot listen on ${where}: the host address is not on this machine.`,
        'Set devnet.host to a local address (127.0.0.1 by default).',
      ],
    };
    const [short, details] = texts[reason];
    super(short, { details, docsPath: 'docs/chain.md#devnet' });
    this.port = port;
    this.reason = reason;
  }
}

/** Refuses, before anything starts, a port that is not a number, is privileged or is fetch-blocked. */
export function validateDevnetPort(port: number, host = '127.0.0.1'): void {
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new DevnetPortError(port, host, 'invalid');
  if (port === 0) return;
  if (port < 1024) throw new DevnetPortError(port, host, 'privileged');
  if (FETCH_BLOCKED_PORTS.has(port)) throw new DevnetPortError(port, host, 'blocked');
}

/** The bind errors that name a port problem the user can fix; anything else is passed on as is. */
const BIND_ERROR_REASONS: Record<string, 'in-use' | 'denied' | 'address'> = {
  EADDRINUSE: 'in-use',
  EACCES: 'denied',
  EADDRNOTAVAIL: 'address',
};

/** Binds the port for a moment to see that it is free; throws {@link DevnetPortError} if not. */
export async function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolveFree, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code ? BIND_ERROR_REASONS[error.code] : undefined;
      reject(reason ? new DevnetPortError(port, host, reason) : error);
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolveFree()));
  });
}

/** The port error that anvil's own output reports, if any (a port taken between the check and the start). */
export function portErrorFromAnvilOutput(output: string, port: number, host: string): DevnetPortError | null {
  if (/address already in use|os error 98|os error 48/i.test(output))
    return new DevnetPortError(port, host, 'in-use');
  if (/permission denied \(os error 13\)/i.test(output)) return new DevnetPortError(port, host, 'denied');
  if (/cannot assign requested address|os error 99/i.test(output))
    return new DevnetPortError(port, host, 'address');
  return null;
}
