/** The checks every client body passes before anything reads it, shared by every route. */
import { ProxyError } from '../errors.js';
import type { WireBody } from '../formats/format.js';
import { isRecord } from '../util/json.js';

/** The client's body as a JSON object; a 400 for anything else. */
export function requireObjectBody(body: unknown): WireBody {
  if (!isRecord(body))
    throw new ProxyError('invalid_request', 'Request body must be a JSON object');
  return body;
}
