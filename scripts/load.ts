/**
 * `npm run load`: 1,000 concurrent streaming requests through ccproxy against a loopback fake
 * upstream, three rounds. Every request must complete with its stream's terminal event; the
 * proxy's memory and open file descriptors must not grow from round to round. Exits non-zero
 * otherwise. Not part of `npm test`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessToken, createCodexHome } from '../test/helpers/codex-home.js';
import { startChild } from './lib/child.js';

const CONCURRENCY = Number(process.env.LOAD_CONCURRENCY ?? 1000);
const ROUNDS = 3;

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0) / 1024;
}

function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
const body = JSON.stringify({
  model: 'gpt-5.1-codex',
  max_tokens: 256,
  stream: true,
  messages: [{ role: 'user', content: 'hi' }],
});

function streamOnce(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/codex/v1/messages',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        let tail = '';
        response.on('data', (chunk: Buffer) => {
          tail = (tail + chunk.toString()).slice(-200);
        });
        response.on('end', () =>
          resolve(response.statusCode === 200 && tail.includes('event: message_stop')),
        );
        response.on('error', () => resolve(false));
      },
    );
    req.on('error', () => resolve(false));
    req.end(body);
  });
}

async function main(): Promise<void> {
  const children: ChildProcess[] = [];
  let failed = false;
  try {
    const upstream = await startChild(['--import', 'tsx', 'scripts/bench/upstream.ts']);
    children.push(upstream.child);
    const home = mkdtempSync(join(tmpdir(), 'ccproxy-load-'));
    const proxy = await startChild(
      ['bin/ccproxy.js', 'serve', '--port', '0', '--log-level', 'warn'],
      {
        HOME: home,
        XDG_CONFIG_HOME: join(home, 'c'),
        XDG_DATA_HOME: join(home, 'd'),
        CODEX_HOME: createCodexHome({ accessToken: accessToken('load', 24 * 3600) }).dir,
        CCPROXY_CODEX_BASE_URL: `http://127.0.0.1:${upstream.port}/backend-api/codex`,
      },
    );
    children.push(proxy.child);
    const pid = proxy.child.pid!;
    const rows: string[] = [];
    const rss: number[] = [];
    const fds: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const before = { rss: rssMiB(pid), fds: openFds(pid) };
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: CONCURRENCY }, () => streamOnce(proxy.port)),
      );
      const seconds = (performance.now() - started) / 1000;
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const after = { rss: rssMiB(pid), fds: openFds(pid) };
      rss.push(after.rss);
      fds.push(after.fds);
      const ok = results.filter(Boolean).length;
      if (ok !== CONCURRENCY) failed = true;
      rows.push(
        `| ${round} | ${ok}/${CONCURRENCY} | ${seconds.toFixed(2)} | ${before.rss.toFixed(1)} | ${after.rss.toFixed(1)} | ${before.fds} | ${after.fds} |`,
      );
    }
    // Round 1 warms up (JIT, pools); later rounds must not keep growing.
    const rssGrowth = rss[ROUNDS - 1]! - rss[1]!;
    const fdGrowth = fds[ROUNDS - 1]! - fds[0]!;
    if (rssGrowth > 0.25 * rss[1]! || fdGrowth > 20) failed = true;
    process.stdout.write(
      [
        `# Load: ${CONCURRENCY} concurrent streaming requests (Anthropic client over a Codex stream), ${ROUNDS} rounds`,
        '',
        '| round | completed | seconds | RSS before MiB | RSS after MiB | fds before | fds after |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
        '',
        `RSS change from round 2 to round ${ROUNDS}: ${rssGrowth.toFixed(1)} MiB; fd change over all rounds: ${fdGrowth}`,
        failed ? 'FAILED' : 'OK',
        '',
      ].join('\n'),
    );
  } finally {
    for (const child of children) child.kill('SIGTERM');
    agent.destroy();
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
