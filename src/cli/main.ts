// Start-up: building the program loads only commander and the command registrations; every handler
// imports what it needs (viem, snarkjs, better-sqlite3, resvg, the domain modules) when it runs, and the
// error path below loads its helpers only on an error. `npx tsx bench/cli.bench.ts` measures it.
import { Command, CommanderError } from 'commander';
import { NonRetryableError } from '../errors/index.js';
import { registerAgent } from './commands/agent.js';
import { registerArt } from './commands/art.js';
import { registerAudit } from './commands/audit.js';
import { registerContent } from './commands/content.js';
import { registerDemo } from './commands/demo.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDevnet } from './commands/devnet.js';
import { registerFaucet } from './commands/faucet.js';
import { registerGov } from './commands/gov.register.js';
import { registerModel } from './commands/model.js';
import { registerOracle } from './commands/oracle.js';
import { registerPolicy } from './commands/policy.register.js';
import { registerPool } from './commands/pool.register.js';
import { registerSynth } from './commands/synth.register.js';
import { registerVerify } from './commands/verify.js';
import { registerZk } from './commands/zk.register.js';
import type { GlobalOptions } from './context.js';

/** Builds the `provenant` program; exported so tests can run commands in-process. */
export function buildProgram(): Command {
  const program = new Command('provenant')
    .description(
      'Autonomous AI agents that create on-chain assets inside hard on-chain limits, with verifiable provenance.',
    )
    .version('0.1.0')
    .option('-c, --config <file>', 'config file (default: ./provenant.config.json if present)')
    .option(
      '--rpc-url <url>',
      'JSON-RPC endpoint; repeat the flag for failover (tried in order); omit to use the embedded devnet',
      (url: string, previous: string[] = []) => [...previous, url],
    )
    .option('--state-dir <dir>', 'where journal, content and deployments live (default: .provenant)')
    .option('-v, --verbose', 'show causes and stack traces of errors')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerContent(program);
  registerDevnet(program);
  registerDeploy(program);
  registerModel(program);
  registerOracle(program);
  registerPolicy(program);
  registerGov(program);
  registerSynth(program);
  registerPool(program);
  registerFaucet(program);
  registerVerify(program);
  registerArt(program);
  registerAgent(program);
  registerAudit(program);
  registerZk(program);
  return program;
}

/** The state dir the failed command used (for the deployment's names in the error), best effort. */
async function stateDirOf(program: Command): Promise<string> {
  const globals = program.opts<GlobalOptions>();
  try {
    const { loadCliConfig } = await import('./context.js');
    return loadCliConfig(globals).stateDirPath;
  } catch {
    return globals.stateDir ?? '.provenant';
  }
}

/**
 * `--version` anywhere on the line is commander's global "print the program version and exit 0", so
 * `verify 1 --version 2` (the old spelling of `--at-version`) would verify nothing and succeed. Refuse it.
 */
export function refuseShadowedVersion(argv: readonly string[]): void {
  const args = argv.slice(2);
  const verifyAt = args.indexOf('verify');
  if (verifyAt >= 0 && args.slice(verifyAt + 1).some((a) => a === '--version' || a.startsWith('--version=')))
    throw new NonRetryableError('`verify --version` would print the program version, not verify a version.', {
      details:
        'Name the version to verify with --at-version <n> (e.g. `provenant verify 1 --at-version 2`); `provenant --version` alone prints the program version.',
      docsPath: 'docs/provenance.md#verify',
    });
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    refuseShadowedVersion(argv);
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    const { formatError } = await import('./output.js');
    const { explainCliError, readDeploymentLabels } = await import('./refusal.js');
    const explained = explainCliError(error, readDeploymentLabels(await stateDirOf(program)));
    console.error(formatError(explained, argv.includes('--verbose') || argv.includes('-v')));
    return 1;
  } finally {
    // snarkjs keeps worker threads for its curve; stop them so the process can exit. The curve exists
    // only if a command built one (it sets `globalThis.curve_bn128`), so the zk module is loaded then.
    if ((globalThis as { curve_bn128?: unknown }).curve_bn128) {
      const { releaseCurves } = await import('../zk/index.js');
      await releaseCurves();
    }
  }
}

/**
 * Output piped into a reader that stops early (`provenant agent status | head -3`) closes stdout: writing
 * more raises EPIPE, which Node throws as an uncaught error with a stack trace. The reader has what it
 * wanted, so the command ends quietly (exit 0), as Unix tools do.
 */
export function exitQuietlyOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

if (process.argv[1] && /provenant(\.js)?$|main\.ts$/.test(process.argv[1])) {
  exitQuietlyOnClosedPipe(process.stdout);
  process.exitCode = await main(process.argv);
}
