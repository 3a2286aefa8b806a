/**
 * What the pipeline answers: a whole answer held as text, a live stream, or (the Responses
 * store's tap of a stream) a web response. A server writes each the cheapest way it can: Node's
 * own response takes the text and the live stream as they are; a web `Response` is made only for
 * a server that needs one.
 */
import { LiveStream } from './stream-response.js';

/** A whole answer: its status, headers and text (a JSON body, or a fake stream's events). */
export class TextAnswer {
  constructor(
    readonly status: number,
    readonly headers: Record<string, string>,
    readonly body: string,
  ) {}

  toResponse(): Response {
    return new Response(this.body, { status: this.status, headers: this.headers });
  }
}

/** The pipeline's answer to one request. */
export type Answer = TextAnswer | LiveStream | Response;

/** The web response of an answer. */
export function answerResponse(answer: Answer): Response {
  return answer instanceof LiveStream || answer instanceof TextAnswer
    ? answer.toResponse()
    : answer;
}
