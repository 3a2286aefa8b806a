/** The ccproxy command line: parses arguments and dispatches to a command. */
import { Command, CommanderError, Option } from 'commander';
import { VERSION } from '../version.js';
import { registerAuthCommand } from './commands/auth.js';
import { registerConfigCommand } from './commands/config.js';
import { type ReplayOptions, runReplay } from './commands/replay.js';
import { runServe, type ServeOptions } from './commands/serve.js';
import { type CliIo, CommandFailure, processIo, UsageError } from './io.js';

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Builds the command tree; actions store their exit code in `result`. */
function buildProgram(io: CliIo, result: { code: number }): Command {
  const program = new Command('ccproxy')
    .description(
      'Local proxy that lets OpenAI Chat, OpenAI Responses and Anthropic Messages clients reach your Codex, Claude and Copilot accounts',
    )
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showHelpAfterError('(run "ccproxy --help" for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  program
    .command('serve')
    .description('run the proxy (default http://127.0.0.1:8000)')
    .option('--host <host>', 'address to listen on (default 127.0.0.1; others need an access key)')
    .option('--port <port>', 'port to listen on (default 8000)')
    .option(
      '--log-level <level>',
      'debug, info, warn or error (DEBUG, INFO, WARNING, ERROR accepted)',
    )
    .option('--log-file <path>', 'also write JSON log lines to this file')
    .option(
      '--capture-dir <dir>',
      'write each upstream stream and its answer to DIR (see `ccproxy replay`)',
    )
    .option(
      '--config <file>',
      'TOML config file (default: .ccproxy.toml, ccproxy.toml, git root, $XDG_CONFIG_HOME/ccproxy/config.toml)',
    )
    .option('--enable-plugin <name>', 'turn a plugin on (repeatable)', collect)
    .option('--disable-plugin <name>', 'turn a plugin off (repeatable)', collect)
    .option(
      '--auth-token <key>',
      'access key clients must send (authorization: Bearer or x-api-key)',
    )
    .option('--allow-unauthenticated', 'serve a non-loopback address without an access key')
    .option(
      '--allowed-origin <origin>',
      'a web origin whose pages may call the proxy, besides loopback ones (repeatable; * needs a key)',
      collect,
    )
    .option(
      '--allowed-host <name>',
      'a Host name accepted besides loopback ones, e.g. behind a reverse proxy (repeatable)',
      collect,
    )
    .option('--headers-timeout <seconds>', 'time to send request headers (default 30)')
    .option('--request-timeout <seconds>', 'time to send a whole request (default 300)')
    .option('--keep-alive-timeout <seconds>', 'idle keep-alive connection lifetime (default 5)')
    .option('--max-connections <n>', 'most client connections open at once (default 1024)')
    .option(
      '--demo',
      'serve every route from built-in canned transcripts, with no account (try it first)',
    )
    .addOption(new Option('--reload', 'accepted for ccproxy-api compatibility; ignored').hideHelp())
    .action(async (options: ServeOptions) => {
      result.code = await runServe(options, io);
    });

  program
    .command('replay')
    .description(
      'run a captured upstream stream through the converters and print what a client gets',
    )
    .argument('<file>', 'an upstream SSE transcript (a capture .sse file, or hand-written)')
    .requiredOption('--as <format>', 'the client format: chat, responses or messages')
    .option('--from <format>', 'the upstream format (default: from the capture, or detected)')
    .option('--stream', 'print the stream a streaming client gets instead of the final body')
    .option('--model <name>', 'the model name to show (default: the captured request’s)')
    .action(async (file: string, options: ReplayOptions) => {
      result.code = await runReplay(file, options, io);
    });

  registerAuthCommand(program, io);
  registerConfigCommand(program, io);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const result = { code: 0 };
  const program = buildProgram(io, result);
  if (argv.length === 0) {
    program.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CommanderError) {
      const shown = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
      return shown.includes(error.code) ? 0 : 2;
    }
    if (error instanceof UsageError || error instanceof CommandFailure) {
      io.stderr.write(`ccproxy: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}
