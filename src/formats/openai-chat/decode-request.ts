/**
 * Decodes a client's Chat Completions request into the neutral request, after lenient
 * validation; fields the IR does not model ride in `meta['openai-chat']`.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import { ProxyError } from '../../errors.js';
import type { IrRequest, IrResponseFormat, IrTool, IrToolChoice } from '../../ir/request.js';
import type { ConversionWarning, Converted } from '../../ir/warnings.js';
import { getRecord, getString, isRecord, type JsonObject } from '../../util/json.js';
import { decodeMessages } from './decode-messages.js';
import { chatMeta, extraFields, metaField } from './meta.js';
import { validateChatRequest } from './schema.js';
import { type ChatRequest, type ChatRequestMeta, FORMAT_ID } from './types.js';

/** Top-level fields mapped to the IR; a `null` in one of them is kept verbatim in meta instead. */
const READ = [
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_completion_tokens',
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'response_format',
  'reasoning_effort',
  'user',
  'stream',
  'stream_options',
  'functions',
  'function_call',
] as const;

function decodeFunctionTool(tool: JsonObject, legacy: boolean): IrTool {
  const fn = legacy ? tool : (getRecord(tool, 'function') ?? {});
  const description = getString(fn, 'description');
  const parameters = getRecord(fn, 'parameters');
  const strict = typeof fn.strict === 'boolean' ? fn.strict : undefined;
  const read = ['name'];
  if (description !== undefined) read.push('description');
  if (parameters !== undefined) read.push('parameters');
  if (strict !== undefined) read.push('strict');
  return {
    kind: 'function',
    name: getString(fn, 'name') ?? '',
    ...(description !== undefined ? { description } : {}),
    ...(parameters !== undefined ? { parameters } : {}),
    ...(strict !== undefined ? { strict } : {}),
    ...metaField(
      chatMeta(
        legacy
          ? { legacy: true, functionExtra: extraFields(fn, read) }
          : {
              extra: extraFields(tool, ['type', 'function']),
              functionExtra: extraFields(fn, read),
            },
      ),
    ),
  };
}

function decodeTool(tool: JsonObject): IrTool {
  if (tool.type === 'function') return decodeFunctionTool(tool, false);
  if (tool.type === 'custom') {
    const custom = getRecord(tool, 'custom') ?? {};
    const description = getString(custom, 'description');
    const read = description !== undefined ? ['name', 'description', 'format'] : ['name', 'format'];
    return {
      kind: 'custom',
      name: getString(custom, 'name') ?? '',
      ...(description !== undefined ? { description } : {}),
      ...(custom.format !== undefined ? { format: custom.format } : {}),
      ...metaField(
        chatMeta({
          extra: extraFields(tool, ['type', 'custom']),
          customExtra: extraFields(custom, read),
        }),
      ),
    };
  }
  return { kind: 'builtin', format: FORMAT_ID, value: tool };
}

function decodeToolChoice(
  choice: unknown,
  meta: ChatRequestMeta,
  warnings: ConversionWarning[],
): IrToolChoice | undefined {
  if (choice === 'auto' || choice === 'none' || choice === 'required') return { type: choice };
  if (!isRecord(choice)) return undefined;
  if (choice.type === 'function' || choice.type === 'custom') {
    const named = getRecord(choice, choice.type) ?? {};
    if (choice.type === 'custom') meta.toolChoiceCustom = true;
    return { type: 'tool', name: getString(named, 'name') ?? '' };
  }
  meta.toolChoice = choice;
  if (choice.type === 'allowed_tools') {
    const allowed = getRecord(choice, 'allowed_tools') ?? {};
    warnings.push({
      code: 'lossy',
      message:
        'An "allowed_tools" tool choice is kept only for Chat upstreams; others see its mode',
      path: 'tool_choice',
    });
    return { type: allowed.mode === 'required' ? 'required' : 'auto' };
  }
  warnings.push({
    code: 'unexpected',
    message: `Tool choice type "${String(choice.type)}" is kept only for Chat upstreams`,
    path: 'tool_choice',
  });
  return undefined;
}

/** Legacy `function_call` (`"auto"`, `"none"`, `{name}`) as a tool choice. */
function decodeLegacyChoice(choice: unknown): IrToolChoice | undefined {
  if (choice === 'auto' || choice === 'none') return { type: choice };
  if (isRecord(choice)) return { type: 'tool', name: getString(choice, 'name') ?? '' };
  return undefined;
}

function decodeResponseFormat(format: JsonObject, meta: JsonObject): IrResponseFormat | undefined {
  if (format.type === 'text' || format.type === 'json_object') {
    meta.responseFormatExtra = extraFields(format, ['type']);
    return { type: format.type === 'text' ? 'text' : 'json-object' };
  }
  if (format.type !== 'json_schema') return undefined;
  const spec = getRecord(format, 'json_schema') ?? {};
  const schema = getRecord(spec, 'schema');
  const description = getString(spec, 'description');
  const strict = typeof spec.strict === 'boolean' ? spec.strict : undefined;
  const read = ['name'];
  if (schema !== undefined) read.push('schema');
  if (description !== undefined) read.push('description');
  if (strict !== undefined) read.push('strict');
  meta.responseFormatExtra = extraFields(format, ['type', 'json_schema']);
  meta.jsonSchemaExtra = extraFields(spec, read);
  if (schema === undefined) meta.schemaAbsent = true;
  return {
    type: 'json-schema',
    name: getString(spec, 'name') ?? '',
    schema: schema ?? {},
    ...(strict !== undefined ? { strict } : {}),
    ...(description !== undefined ? { description } : {}),
  };
}

function rejectMultipleChoices(request: ChatRequest): void {
  if (typeof request.n === 'number' && request.n > 1) {
    throw new ProxyError(
      'unsupported_feature',
      `Cannot serve "n" = ${request.n}: ccproxy answers with exactly one choice`,
      { param: 'n' },
    );
  }
}

/**
 * Decodes a client's Chat request. Throws `invalid_request` naming the bad field, and
 * `unsupported_feature` for `n` > 1. Everything it does not map (`seed`, `logprobs`, `metadata`,
 * `service_tier`, `n: 1`, explicit nulls, ...) is kept verbatim in `meta['openai-chat'].extra`.
 */
export function decodeChatRequest(body: unknown): Converted<IrRequest> {
  const request = validateChatRequest(body);
  rejectMultipleChoices(request);
  const warnings: ConversionWarning[] = [];
  const meta: ChatRequestMeta & JsonObject = {};
  const extra: JsonObject = extraFields(request, READ) ?? {};
  for (const key of READ) if (request[key] === null) extra[key] = null;

  const customTools = new Set(
    (request.tools ?? []).flatMap((tool) =>
      isRecord(tool) && tool.type === 'custom'
        ? [getString(getRecord(tool, 'custom') ?? {}, 'name') ?? '']
        : [],
    ),
  );
  const { system, messages } = decodeMessages(request.messages, warnings, customTools);
  const ir: IrRequest = { model: request.model, system, messages, tools: [], stream: false };

  const legacy = request.tools == null && Array.isArray(request.functions);
  if (legacy) meta.legacyFunctions = true;
  else if (request.functions != null) extra.functions = request.functions;
  if (request.tools != null) ir.tools = request.tools.map((tool) => decodeTool(tool));
  if (legacy) ir.tools = (request.functions ?? []).map((fn) => decodeFunctionTool(fn, true));

  const toolChoice =
    request.tool_choice != null
      ? decodeToolChoice(request.tool_choice, meta, warnings)
      : legacy
        ? decodeLegacyChoice(request.function_call)
        : undefined;
  if (!legacy && request.function_call != null) extra.function_call = request.function_call;
  if (toolChoice !== undefined) ir.toolChoice = toolChoice;

  if (typeof request.parallel_tool_calls === 'boolean') {
    ir.parallelToolCalls = request.parallel_tool_calls;
  }
  if (typeof request.max_completion_tokens === 'number') {
    ir.maxOutputTokens = request.max_completion_tokens;
    if (typeof request.max_tokens === 'number') extra.max_tokens = request.max_tokens;
  } else if (typeof request.max_tokens === 'number') {
    ir.maxOutputTokens = request.max_tokens;
    meta.maxTokensField = 'max_tokens';
  }
  if (typeof request.temperature === 'number') ir.temperature = request.temperature;
  if (typeof request.top_p === 'number') ir.topP = request.top_p;
  if (typeof request.stop === 'string') {
    ir.stop = [request.stop];
    meta.stopIsString = true;
  } else if (Array.isArray(request.stop)) ir.stop = request.stop;
  if (isRecord(request.response_format)) {
    const format = decodeResponseFormat(request.response_format, meta);
    if (format !== undefined) ir.responseFormat = format;
    else extra.response_format = request.response_format;
  }
  if (typeof request.reasoning_effort === 'string') {
    ir.reasoning = { effort: request.reasoning_effort };
  }
  if (typeof request.user === 'string') ir.user = request.user;
  if (request.stream === true) ir.stream = true;
  if (request.stream === false) meta.streamFalse = true;
  if (isRecord(request.stream_options)) meta.streamOptions = request.stream_options;

  if (Object.keys(extra).length > 0) meta.extra = extra;
  const irMeta = chatMeta(meta);
  return { value: { ...ir, ...metaField(irMeta) }, warnings };
}
