/**
 * Whole answers written straight to Node's response: the head and the body arrive intact with
 * their length, over a kept-alive connection, whether the head is joined to the body (short
 * bodies) or sent first into the corked socket (long ones).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { writeWholeAnswer } from './send-stream.js';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** The raw bytes of the answers with `bodies`, asked for over one connection (`GET /N`). */
async function rawAnswers(bodies: string[]): Promise<string> {
  server = createServer((request, response) => {
    const body = bodies[Number(request.url?.slice(1))] ?? '';
    writeWholeAnswer(response, 200, { 'content-type': 'application/json' }, body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  // Every answer has come once the bytes read reach the bodies' length and end with the last.
  const last = Buffer.from(bodies.at(-1) ?? '');
  const expected = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0);
  const complete = new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks);
      if (text.length >= expected && text.subarray(text.length - last.length).equals(last)) {
        resolve();
      }
    });
  });
  socket.write(bodies.map((_, index) => `GET /${index} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  await complete;
  socket.destroy();
  return Buffer.concat(chunks).toString('utf8');
}

/** Splits raw HTTP/1.1 answers with a content-length into their heads and bodies. */
function split(raw: string): Array<{ head: string; body: string }> {
  const bytes = Buffer.from(raw);
  const answers: Array<{ head: string; body: string }> = [];
  let at = 0;
  while (at < bytes.length) {
    const headEnd = bytes.indexOf('\r\n\r\n', at);
    const head = bytes.subarray(at, headEnd).toString('latin1');
    const length = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    const body = bytes.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
    answers.push({ head, body });
    at = headEnd + 4 + length;
  }
  return answers;
}

describe('writeWholeAnswer', () => {
  it('writes short and long bodies (non-ASCII too) whole, with their byte length', async () => {
    const long = JSON.stringify({ text: 'héllo 🍞 '.repeat(2000) });
    const bodies = ['{"ok":true}', long, '{"é":1}', 'x'.repeat(5000), long];
    const answers = split(await rawAnswers(bodies));
    expect(answers.map((answer) => answer.body)).toEqual(bodies);
    for (const answer of answers) {
      expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(answer.head).toMatch(/content-type: application\/json/);
      expect(answer.head).not.toMatch(/transfer-encoding/i);
    }
  });
});
