/** The ccproxy command line: parses arguments and dispatches to a command. */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { registerAuthCommand } from './commands/auth.js';
import { type CliIo, CommandFailure, processIo, UsageError } from './io.js';

/** Runs the CLI with `argv` (without node and script) and resolves to the exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number | undefined> {
  const program = new Command('ccproxy')
    .description(
      'Local proxy between OpenAI/Anthropic clients and your Codex, Claude and Copilot accounts',
    )
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });
  registerAuthCommand(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') return 0;
      return 2;
    }
    if (error instanceof UsageError || error instanceof CommandFailure) {
      io.stderr.write(`ccproxy: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}
