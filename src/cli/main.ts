import { Command, CommanderError } from 'commander';
import { NonRetryableError } from '../errors/index.js';
import { releaseCurves } from '../zk/index.js';
import { registerAgent } from './commands/agent.js';
import { registerArt } from './commands/art.js';
import { registerAudit } from './commands/audit.js';
import { registerContent } from './commands/content.js';
import { registerDemo } from './commands/demo.js';
import { registerDeploy } from './commands/deploy.js';
import { registerDevnet } from './commands/devnet.js';
import { registerGov } from './commands/gov.js';
import { registerModel } from './commands/model.js';
import { registerPolicy } from './commands/policy.js';
import { registerPool } from './commands/pool.js';
import { registerSynth } from './commands/synth.js';
import { registerVerify } from './commands/verify.js';
import { registerZk } from './commands/zk.js';
import { type GlobalOptions, loadCliConfig } from './context.js';
import { formatError } from './output.js';
import { explainCliError, readDeploymentLabels } from './refusal.js';

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
  registerPolicy(program);
  registerGov(program);
  registerSynth(program);
  registerPool(program);
  registerVerify(program);
  registerArt(program);
  registerAgent(program);
  registerAudit(program);
  registerZk(program);
  return program;
}

/** The state dir the failed command used (for the deployment's names in the error), best effort. */
function stateDirOf(program: Command): string {
  const globals = program.opts<GlobalOptions>();
  try {
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
    const explained = explainCliError(error, readDeploymentLabels(stateDirOf(program)));
    console.error(formatError(explained, argv.includes('--verbose') || argv.includes('-v')));
    return 1;
  } finally {
    // snarkjs keeps worker threads for its curve; stop them so the process can exit.
    await releaseCurves();
  }
}

if (process.argv[1] && /provenant(\.js)?$|main\.ts$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv);
}
