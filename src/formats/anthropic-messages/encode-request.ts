/**
 * Encodes a neutral request as an Anthropic `POST /v1/messages` body. For a request this format
 * decoded itself, the result equals the client's body (see `decodeAnthropicRequest` for the markers);
 * for other formats' requests, whatever Anthropic cannot express is dropped with a warning.
 *
 * @see https://docs.claude.com/en/api/messages
 */
import type { IrRequest } from '../../ir/request.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { WireBody } from '../format.js';
import { encodeTextPart } from './encode-assistant-part.js';
import { encodeMessages } from './encode-messages.js';
import { encodeThinkingAndSampling } from './encode-thinking.js';
import { encodeToolChoice, encodeTools } from './encode-tools.js';
import { ownExtra, ownMeta } from './meta.js';
import { createToolIdSanitizer } from './tool-id.js';

function encodeSystem(
  request: IrRequest,
  warn: (warning: ConversionWarning) => void,
): string | JsonObject[] | undefined {
  const only = request.system[0];
  if (
    ownMeta(request.meta)?.systemString === true &&
    request.system.length === 1 &&
    only !== undefined &&
    only.meta === undefined &&
    only.annotations === undefined
  ) {
    return only.text;
  }
  const blocks = request.system
    .filter((part) => part.text.trim() !== '')
    .map((part, index) =>
      encodeTextPart(part, { target: 'request', warn, path: `system[${index}]`, toolId: String }),
    );
  // Claude Code's billing block goes back first, where the client put it.
  const billing = ownMeta(request.meta)?.billingBlock;
  if (isRecord(billing)) blocks.unshift(billing);
  return blocks.length > 0 ? blocks : undefined;
}

function encodeMetadata(request: IrRequest): JsonObject | undefined {
  const kept = ownMeta(request.meta)?.metadata;
  if (request.user === undefined && !isRecord(kept)) return undefined;
  return {
    ...(isRecord(kept) ? kept : {}),
    ...(request.user !== undefined ? { user_id: request.user } : {}),
  };
}

/** Encodes a request body for the Anthropic API. */
export function encodeAnthropicRequest(request: IrRequest): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  const warn = (warning: ConversionWarning): void => {
    warnings.push(warning);
  };
  const meta = ownMeta(request.meta);
  const toolId = createToolIdSanitizer();
  const body: JsonObject = { model: request.model };
  const sampling = encodeThinkingAndSampling(request, warn);
  body.max_tokens = sampling.max_tokens;
  const system = encodeSystem(request, warn);
  if (system !== undefined) body.system = system;
  body.messages = encodeMessages(request.messages, { warn, toolId });
  const tools = encodeTools(request.tools, warn);
  if (tools.length > 0) body.tools = tools;
  const toolChoice = encodeToolChoice(request, tools.length > 0, warn);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  Object.assign(body, { ...sampling, max_tokens: body.max_tokens });
  if (request.stop !== undefined) body.stop_sequences = request.stop;
  const metadata = encodeMetadata(request);
  if (metadata !== undefined) body.metadata = metadata;
  const extra = ownExtra(request.meta);
  if (request.responseFormat?.type === 'json-schema' && extra.output_config === undefined) {
    // Structured outputs: the API constrains the answer to the schema.
    // @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs
    body.output_config = {
      ...(isRecord(body.output_config) ? body.output_config : {}),
      format: { type: 'json_schema', schema: request.responseFormat.schema },
    };
  } else if (request.responseFormat?.type === 'json-object') {
    warn({
      code: 'dropped',
      message: 'Response format "json-object" (JSON without a schema) is not sent to Anthropic',
      path: 'response_format',
    });
  }
  if (request.stream || meta?.streamAbsent !== true) body.stream = request.stream;
  return { value: { ...body, ...extra }, warnings };
}
