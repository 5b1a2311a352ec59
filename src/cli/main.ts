import { Command, CommanderError } from 'commander';
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
import { formatError } from './output.js';

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

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    console.error(formatError(error, argv.includes('--verbose') || argv.includes('-v')));
    return 1;
  } finally {
    // snarkjs keeps worker threads for its curve; stop them so the process can exit.
    await releaseCurves();
  }
}

if (process.argv[1] && /provenant(\.js)?$|main\.ts$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv);
}
