/** The `ccproxy auth` command group: `login`, `status` and `logout` for Codex, Claude and Copilot. */
import { Argument, type Command, Option } from 'commander';
import { type CliIo, UsageError } from '../io.js';
import { AUTH_PROVIDERS, type AuthProvider, loadAuthContext, runGuarded } from './auth-context.js';
import { runAuthLogin } from './auth-login.js';
import { runAuthLogout } from './auth-logout.js';
import { runAuthStatus } from './auth-status.js';

function providerArgument(): Argument {
  return new Argument('<provider>', 'codex, claude or copilot').choices(AUTH_PROVIDERS);
}

/** Adds `auth login|status|logout` to the program; commands write to and read from `io`. */
export function registerAuthCommand(program: Command, io: CliIo): void {
  const auth = program
    .command('auth')
    .description('sign in to Codex, Claude and Copilot; show or remove credentials');

  auth
    .command('login')
    .description('sign in to a provider and save its credentials')
    .addArgument(providerArgument())
    .option('--no-browser', 'print the sign-in URL instead of opening a browser')
    .addOption(
      new Option(
        '--store <store>',
        "claude only: save to Claude Code's file or ccproxy's store",
      ).choices(['claude', 'ccproxy']),
    )
    .option('--account <name>', 'sign in as another account of this provider (an account pool)')
    .option('--config <file>', 'config file')
    .action(
      (
        provider: AuthProvider,
        options: {
          browser: boolean;
          store?: 'claude' | 'ccproxy';
          config?: string;
          account?: string;
        },
      ) =>
        runGuarded(async () => {
          if (options.store && options.account)
            throw new UsageError('--store and --account cannot be combined');
          await runAuthLogin(loadAuthContext(io, options.config, options.account), provider, {
            browser: options.browser,
            ...(options.store ? { store: options.store } : {}),
          });
        }),
    );

  auth
    .command('status')
    .description('show where credentials come from and their state (never a token)')
    .option('--json', 'print JSON')
    .option('--account <name>', 'only this account (default: every account)')
    .option('--config <file>', 'config file')
    .action((options: { json?: boolean; config?: string; account?: string }) =>
      runGuarded(() =>
        runAuthStatus(loadAuthContext(io, options.config), {
          json: options.json ?? false,
          ...(options.account ? { account: options.account } : {}),
        }),
      ),
    );

  auth
    .command('logout')
    .description('remove the credentials ccproxy stored')
    .addArgument(providerArgument())
    .option('--force', 'also remove credentials shared with the Codex CLI or Claude Code')
    .option('--account <name>', 'remove this account of the provider (default: `default`)')
    .option('--config <file>', 'config file')
    .action(
      (provider: AuthProvider, options: { force?: boolean; config?: string; account?: string }) =>
        runGuarded(() =>
          runAuthLogout(loadAuthContext(io, options.config, options.account), provider, {
            force: options.force ?? false,
          }),
        ),
    );
}
