/**
 * Copilot request details: which of its APIs a client uses, the editor identity headers, and
 * who initiated a request (observed 2025-10: Copilot bills premium requests per user turn, and
 * counts a request as the agent's when the last message is a tool result or the model's own).
 */
import type { WireBody, WireFormatId } from '../../formats/format.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord } from '../../util/json.js';

/** Editor identity Copilot expects (VS Code's Copilot Chat); `[plugins.copilot] api_headers` overrides it. */
export const DEFAULT_COPILOT_HEADERS: Readonly<Record<string, string>> = {
  'copilot-integration-id': 'vscode-chat',
  'editor-version': 'vscode/1.99.3',
  'editor-plugin-version': 'copilot-chat/0.26.7',
  'user-agent': 'GitHubCopilotChat/0.26.7',
  'x-github-api-version': '2025-04-01',
  'openai-intent': 'conversation-panel',
};

/** Copilot's path for each upstream format. */
export const COPILOT_PATHS: Readonly<Record<WireFormatId, string>> = {
  'openai-chat': '/chat/completions',
  'openai-responses': '/responses',
  'anthropic-messages': '/v1/messages',
};

/** Which of Copilot's APIs a model is served by (from `/models` `supported_endpoints`). */
export type EndpointSupport = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * The upstream format for a client and model: the client's own when Copilot serves that model
 * there (so nothing is translated twice), otherwise Chat Completions, which serves every model.
 * Without the model list: Claude models have `/v1/messages`, GPT-5 and Codex models `/responses`.
 */
export function selectCopilotFormat(
  clientFormat: WireFormatId,
  model: string,
  support: EndpointSupport,
): WireFormatId {
  if (clientFormat === 'openai-chat') return 'openai-chat';
  const path = COPILOT_PATHS[clientFormat];
  const known = support.get(model);
  if (known) return known.has(path) ? clientFormat : 'openai-chat';
  const lower = model.toLowerCase();
  if (clientFormat === 'anthropic-messages')
    return lower.startsWith('claude') ? clientFormat : 'openai-chat';
  return /^(gpt-5|o[134]|codex)/.test(lower) || lower.includes('codex')
    ? clientFormat
    : 'openai-chat';
}

function lastRole(body: WireBody, format: WireFormatId): string | undefined {
  const list = format === 'openai-responses' ? body.input : body.messages;
  if (!Array.isArray(list)) return 'user';
  const last = list.at(-1);
  if (!isRecord(last)) return undefined;
  if (
    format === 'openai-responses' &&
    typeof last.type === 'string' &&
    last.type.endsWith('_output')
  )
    return 'tool';
  if (format === 'anthropic-messages' && last.role === 'user' && Array.isArray(last.content)) {
    return last.content.some((block) => isRecord(block) && block.type === 'tool_result')
      ? 'tool'
      : 'user';
  }
  return typeof last.role === 'string' ? last.role : undefined;
}

/** `user` for a person's turn, `agent` for a follow-up after tool results. */
export function initiatorOf(body: WireBody, format: WireFormatId): 'user' | 'agent' {
  const role = lastRole(body, format);
  return role === 'tool' || role === 'assistant' ? 'agent' : 'user';
}

/** True when the request carries an image (Copilot wants `copilot-vision-request` then). */
export function hasImages(body: WireBody): boolean {
  return /"type":\s*"(image_url|input_image|image)"/.test(
    JSON.stringify(body.messages ?? body.input ?? []),
  );
}

/** Shapes the body: a streaming Chat request asks for usage, so the proxy can count tokens. */
export function prepareCopilotBody(body: WireBody, format: WireFormatId): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  if (format === 'openai-chat' && body.stream === true) {
    const options = isRecord(body.stream_options) ? body.stream_options : {};
    if (options.include_usage !== true) {
      return { value: { ...body, stream_options: { ...options, include_usage: true } }, warnings };
    }
  }
  return { value: body, warnings };
}
