/** Which wire format a route speaks, so every answer (errors included) is in the client's dialect. */
import type { WireFormatId } from '../formats/format.js';

/** The client format of a request path; OpenAI Chat for paths that name none. */
export function clientFormatForPath(path: string): WireFormatId {
  const clean = path.replace(/\/+$/, '');
  if (/\/messages(\/count_tokens)?$/.test(clean)) return 'anthropic-messages';
  if (/\/responses(\/[^/]+(\/input_items)?)?$/.test(clean)) return 'openai-responses';
  return 'openai-chat';
}
