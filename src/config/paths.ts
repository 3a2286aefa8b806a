/** Where ccproxy looks for its config file and keeps its own data (XDG directories). */
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The environment values path resolution reads. */
export interface PathEnv {
  HOME?: string;
  XDG_CONFIG_HOME?: string;
  XDG_DATA_HOME?: string;
}

/** `$XDG_CONFIG_HOME/ccproxy` (default `~/.config/ccproxy`). */
export function configDir(env: PathEnv): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config');
  return join(base, 'ccproxy');
}

/** `$XDG_DATA_HOME/ccproxy` (default `~/.local/share/ccproxy`): credentials ccproxy stores itself. */
export function dataDir(env: PathEnv): string {
  const base = env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share');
  return join(base, 'ccproxy');
}

/** The nearest directory at or above `start` that holds `.git`, if any. */
export function findGitRoot(start: string): string | undefined {
  let current = resolve(start);
  for (;;) {
    if (existsSync(join(current, '.git'))) return current;
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/**
 * The config file candidates in search order: `.ccproxy.toml` and `ccproxy.toml` in the working
 * directory, then in the git root, then `$XDG_CONFIG_HOME/ccproxy/config.toml`.
 */
export function configCandidates(cwd: string, env: PathEnv): string[] {
  const candidates = [join(cwd, '.ccproxy.toml'), join(cwd, 'ccproxy.toml')];
  const gitRoot = findGitRoot(cwd);
  if (gitRoot && resolve(gitRoot) !== resolve(cwd)) {
    candidates.push(join(gitRoot, '.ccproxy.toml'), join(gitRoot, 'ccproxy.toml'));
  }
  candidates.push(join(configDir(env), 'config.toml'));
  return candidates;
}

/** The first existing config file, if any. */
export function findConfigFile(cwd: string, env: PathEnv): string | undefined {
  return configCandidates(cwd, env).find((path) => existsSync(path) && statSync(path).isFile());
}
