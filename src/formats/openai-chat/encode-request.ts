/**
 * Encodes a neutral request as a Chat Completions request body for a Chat upstream.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { WireBody } from '../format.js';
import { encodeMessages } from './encode-messages.js';
import { readChatMeta } from './meta.js';
import { FORMAT_ID } from './types.js';

function record(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

function encodeTool(tool: IrTool, warnings: ConversionWarning[]): JsonObject | undefined {
  switch (tool.kind) {
    case 'function': {
      const meta = readChatMeta(tool.meta);
      return {
        ...record(meta.extra),
        type: 'function',
        function: {
          ...record(meta.functionExtra),
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
          ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
        },
      };
    }
    case 'custom': {
      const meta = readChatMeta(tool.meta);
      return {
        ...record(meta.extra),
        type: 'custom',
        custom: {
          ...record(meta.customExtra),
          name: tool.name,
          ...(tool.description !== undefined ? { description: tool.description } : {}),
          ...(tool.format !== undefined ? { format: tool.format } : {}),
        },
      };
    }
    case 'builtin':
      if (tool.format === FORMAT_ID && isRecord(tool.value)) return tool.value;
      warnings.push({
        code: 'dropped',
        message: `A "${tool.format}" hosted tool cannot be offered to a Chat upstream`,
        path: 'tools',
      });
      return undefined;
    default:
      return assertNever(tool, 'tool');
  }
}

/** Legacy `functions` entries, for requests that came with them. */
function encodeLegacyFunction(tool: IrTool): JsonObject | undefined {
  if (tool.kind !== 'function') return undefined;
  return {
    ...record(readChatMeta(tool.meta).functionExtra),
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    ...(tool.parameters !== undefined ? { parameters: tool.parameters } : {}),
  };
}

function encodeToolChoice(request: IrRequest, choice: IrToolChoice, meta: JsonObject): unknown {
  const raw = record(meta.toolChoice);
  if (raw.type === 'allowed_tools') {
    // Re-send the client's own allowed_tools when the neutral choice still matches its mode.
    const mode = record(raw.allowed_tools).mode === 'required' ? 'required' : 'auto';
    if (choice.type === mode) return raw;
  }
  switch (choice.type) {
    case 'auto':
    case 'none':
    case 'required':
      return choice.type;
    case 'tool': {
      const tool = request.tools.find(
        (candidate) => 'name' in candidate && candidate.name === choice.name,
      );
      const custom =
        tool?.kind === 'custom' || (tool === undefined && meta.toolChoiceCustom === true);
      return custom
        ? { type: 'custom', custom: { name: choice.name } }
        : { type: 'function', function: { name: choice.name } };
    }
    default:
      return assertNever(choice, 'tool choice');
  }
}

function encodeResponseFormat(format: IrResponseFormat, meta: JsonObject): JsonObject {
  const extra = record(meta.responseFormatExtra);
  switch (format.type) {
    case 'text':
      return { ...extra, type: 'text' };
    case 'json-object':
      return { ...extra, type: 'json_object' };
    case 'json-schema':
      return {
        ...extra,
        type: 'json_schema',
        json_schema: {
          ...record(meta.jsonSchemaExtra),
          name: format.name,
          ...(meta.schemaAbsent === true ? {} : { schema: format.schema }),
          ...(format.strict !== undefined ? { strict: format.strict } : {}),
          ...(format.description !== undefined ? { description: format.description } : {}),
        },
      };
    default:
      return assertNever(format, 'response format');
  }
}

/** A token budget as an effort level (Chat has no budgets); thresholds follow common practice. */
function effortForBudget(budget: number): string {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

function encodeReasoning(request: IrRequest, body: JsonObject, warnings: ConversionWarning[]) {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return;
  if (reasoning.effort !== undefined) body.reasoning_effort = reasoning.effort;
  else if (reasoning.budgetTokens !== undefined) {
    body.reasoning_effort = effortForBudget(reasoning.budgetTokens);
    warnings.push({
      code: 'lossy',
      message: `A reasoning budget of ${reasoning.budgetTokens} tokens is sent as effort "${String(body.reasoning_effort)}"`,
      path: 'reasoning_effort',
    });
  } else if (reasoning.enabled === false) {
    warnings.push({
      code: 'dropped',
      message: 'Chat has no switch to turn reasoning off; the model default applies',
      path: 'reasoning_effort',
    });
  }
  if (reasoning.summary !== undefined) {
    warnings.push({
      code: 'dropped',
      message: 'Chat cannot ask for a reasoning summary',
      path: 'reasoning.summary',
    });
  }
}

/**
 * Encodes a neutral request. Fields decoded from a Chat client come back as they were (see
 * `ChatRequestMeta`), with one normalisation: a streaming request always asks for
 * `stream_options.include_usage`, so the proxy learns the usage even when the client did not ask.
 * The output limit is written as `max_completion_tokens` unless the meta names `max_tokens`.
 */
export function encodeChatRequest(request: IrRequest): Converted<WireBody> {
  const warnings: ConversionWarning[] = [];
  const meta = readChatMeta(request.meta);
  const body: WireBody = { ...record(meta.extra), model: request.model };
  body.messages = encodeMessages(request, warnings);
  if (meta.legacyFunctions === true) {
    body.functions = request.tools.flatMap((tool) => encodeLegacyFunction(tool) ?? []);
    if (request.toolChoice !== undefined) {
      const choice = request.toolChoice;
      body.function_call =
        choice.type === 'tool' ? { name: choice.name } : choice.type === 'none' ? 'none' : 'auto';
    }
  } else {
    if (request.tools.length > 0) {
      body.tools = request.tools.flatMap((tool) => encodeTool(tool, warnings) ?? []);
    }
    if (request.toolChoice !== undefined) {
      body.tool_choice = encodeToolChoice(request, request.toolChoice, meta);
    } else if (meta.toolChoice !== undefined) body.tool_choice = meta.toolChoice;
  }
  if (request.parallelToolCalls !== undefined) body.parallel_tool_calls = request.parallelToolCalls;
  if (request.maxOutputTokens !== undefined) {
    const field = meta.maxTokensField === 'max_tokens' ? 'max_tokens' : 'max_completion_tokens';
    body[field] = request.maxOutputTokens;
  }
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) {
    body.stop =
      meta.stopIsString === true && request.stop.length === 1 ? request.stop[0] : request.stop;
  }
  if (request.responseFormat !== undefined) {
    body.response_format = encodeResponseFormat(request.responseFormat, meta);
  }
  encodeReasoning(request, body, warnings);
  if (request.user !== undefined) body.user = request.user;
  if (request.stream) {
    body.stream = true;
    body.stream_options = { ...record(meta.streamOptions), include_usage: true };
  } else {
    if (meta.streamFalse === true) body.stream = false;
    if (meta.streamOptions !== undefined) body.stream_options = meta.streamOptions;
  }
  return { value: body, warnings };
}
