/**
 * The `dlp` command. Every expected failure (bad flag, missing data, unloadable backend) ends
 * with one line on stderr and exit code 2; anything else is a bug and keeps its stack trace.
 */

import { DlpError } from '@dlp/core';
import { BACKENDS_HELP, runBackends } from './commands/backends.js';
import { BENCH_GEMM_HELP, runBenchGemm } from './commands/bench-gemm.js';
import { DATA_CHECK_HELP, runDataCheck } from './commands/data-check.js';
import { REPRODUCE_HELP, runReproduce } from './commands/reproduce.js';
import { runTrain, trainHelp } from './commands/train.js';
import { runWeb, WEB_HELP } from './commands/web.js';
import { runWeightsInspect, WEIGHTS_INSPECT_HELP } from './commands/weights-inspect.js';
import { endQuietlyWhenStdoutCloses } from './closed-stdout.js';
import { UsageError } from './errors.js';

const HELP = `dlp: deep learning in TypeScript on Rust kernels (native, wasm SIMD, pure TS)

Usage: dlp <command> [flags]

Commands:
  train         train an experiment of the CIFAR-10 practical (dlp train --help)
  reproduce     run a group of experiments and write its results page (dlp reproduce mlp)
  bench gemm    GFLOPS of matrix multiplication per backend
  data check    find, download if needed, and verify CIFAR-10
  weights inspect  the tensors of a .safetensors or PyTorch .pth/.pt file
  web           serve the web demo, which trains in the browser (dlp web --help)
  backends      which backends load here
  help          this text (also: dlp <command> --help)

Run \`dlp <command> --help\` for the flags of a command.
`;

interface Command {
  help: string | (() => string);
  run: (argv: string[]) => number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  train: { help: trainHelp, run: runTrain },
  reproduce: { help: REPRODUCE_HELP, run: runReproduce },
  'bench gemm': { help: BENCH_GEMM_HELP, run: runBenchGemm },
  'data check': { help: DATA_CHECK_HELP, run: runDataCheck },
  'weights inspect': { help: WEIGHTS_INSPECT_HELP, run: runWeightsInspect },
  backends: { help: BACKENDS_HELP, run: runBackends },
  web: { help: WEB_HELP, run: runWeb },
};

/** Finds the command named by the first one or two words of argv. */
function route(argv: string[]): { command: Command; rest: string[] } | undefined {
  const two = argv.slice(0, 2).join(' ');
  if (COMMANDS[two]) return { command: COMMANDS[two], rest: argv.slice(2) };
  const one = argv[0];
  if (one !== undefined && COMMANDS[one]) return { command: COMMANDS[one], rest: argv.slice(1) };
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    process.stdout.write(HELP);
    return 0;
  }
  const routed = route(argv);
  if (!routed) {
    const group = Object.keys(COMMANDS).filter((name) => name.startsWith(`${argv[0]} `));
    const hint = group.length > 0 ? `; did you mean ${group.map((g) => `'${g}'`).join(' or ')}?` : '';
    throw new UsageError(`unknown command '${argv.slice(0, 2).join(' ')}'${hint} (see \`dlp --help\`)`);
  }
  if (routed.rest.includes('--help') || routed.rest.includes('-h')) {
    const { help } = routed.command;
    process.stdout.write(typeof help === 'string' ? help : help());
    return 0;
  }
  return routed.command.run(routed.rest);
}

endQuietlyWhenStdoutCloses();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof DlpError || error instanceof UsageError) {
      process.stderr.write(`dlp: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`dlp: internal error (a bug, please report it):\n${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
