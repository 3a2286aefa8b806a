/**
 * What the demo upstream calls: a tool the request declared (with arguments valid for its
 * schema), and only while the conversation does not already end in a tool result, so that an
 * agent's tool loop ends after one round instead of running for ever.
 */

/** The tool call the demo answers with. */
export interface DemoToolCall {
  name: string;
  /** Arguments as a JSON object, valid for the tool's schema. */
  input: Record<string, unknown>;
}

/** The upstream API a request body is written for. */
export type DemoApi = 'responses' | 'messages' | 'chat';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value valid for a (simple) JSON schema: enums, types, required properties, array bounds. */
export function sampleForSchema(schema: unknown, depth = 0): unknown {
  if (!isObject(schema) || depth > 8) return {};
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) return sampleForSchema(options[0], depth + 1);
  }
  const declared = Array.isArray(schema.type)
    ? (schema.type.find((type) => type !== 'null') ?? 'null')
    : schema.type;
  const type = declared ?? (isObject(schema.properties) ? 'object' : undefined);
  switch (type) {
    case 'object': {
      const properties = isObject(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required : [];
      const out: Json = {};
      for (const name of required) {
        if (typeof name === 'string') out[name] = sampleForSchema(properties[name], depth + 1);
      }
      return out;
    }
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 1);
      const count = Math.min(Math.max(min, 1), max);
      return Array.from({ length: count }, () => sampleForSchema(schema.items, depth + 1));
    }
    case 'string': {
      const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
      return 'demo'.padEnd(min, 'o');
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return 'demo';
  }
}

function firstTool(api: DemoApi, tools: unknown): { name: string; schema: unknown } | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const tool of tools) {
    if (!isObject(tool)) continue;
    if (api === 'chat') {
      const fn = tool.function;
      if (tool.type === 'function' && isObject(fn) && typeof fn.name === 'string')
        return { name: fn.name, schema: fn.parameters };
    } else if (api === 'responses') {
      if (tool.type === 'function' && typeof tool.name === 'string')
        return { name: tool.name, schema: tool.parameters };
    } else if (
      (tool.type === undefined || tool.type === 'custom') &&
      typeof tool.name === 'string'
    ) {
      return { name: tool.name, schema: tool.input_schema };
    }
  }
  return undefined;
}

/** True when the conversation's last turn is a tool's result. */
function endsInToolResult(api: DemoApi, body: Json): boolean {
  if (api === 'responses') {
    const input = body.input;
    if (!Array.isArray(input)) return false;
    const last = input.at(-1);
    return isObject(last) && /_call_output$/.test(String(last.type));
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) return false;
  const last = messages.at(-1);
  if (!isObject(last)) return false;
  if (api === 'chat') return last.role === 'tool' || last.role === 'function';
  return (
    last.role === 'user' &&
    Array.isArray(last.content) &&
    last.content.some((block) => isObject(block) && block.type === 'tool_result')
  );
}

/** The tool call to answer with, or `undefined` for a text answer. */
export function chooseToolCall(api: DemoApi, body: Json): DemoToolCall | undefined {
  if (body.tool_choice === 'none') return undefined;
  const tool = firstTool(api, body.tools);
  if (!tool || endsInToolResult(api, body)) return undefined;
  const input = sampleForSchema(tool.schema ?? { type: 'object' });
  return { name: tool.name, input: isObject(input) ? input : {} };
}

/**
 * Rewrites a recorded tool-call transcript (SSE or JSON) to call `call` instead: its name and
 * its arguments (sent as one argument delta).
 */
export function rewriteToolCall(
  api: DemoApi,
  kind: 'sse' | 'json',
  text: string,
  call: DemoToolCall,
): string {
  const args = JSON.stringify(call.input);
  if (kind === 'json') {
    const body = JSON.parse(text) as Json;
    if (api === 'messages' && Array.isArray(body.content)) {
      for (const block of body.content)
        if (isObject(block) && block.type === 'tool_use') {
          block.name = call.name;
          block.input = call.input;
        }
    }
    if (api === 'chat' && Array.isArray(body.choices)) {
      for (const choice of body.choices) {
        const toolCalls =
          isObject(choice) && isObject(choice.message) ? choice.message.tool_calls : [];
        for (const toolCall of Array.isArray(toolCalls) ? toolCalls : [])
          if (isObject(toolCall) && isObject(toolCall.function)) {
            toolCall.function.name = call.name;
            toolCall.function.arguments = args;
          }
      }
    }
    return JSON.stringify(body);
  }
  let argumentsSent = false;
  const events: string[] = [];
  for (const block of text.split(/\n\n+/)) {
    if (block.trim() === '') continue;
    const dataLine = block.split('\n').find((line) => line.startsWith('data: '));
    const data = dataLine?.slice(6);
    let parsed: unknown;
    try {
      parsed = data === undefined ? undefined : JSON.parse(data);
    } catch {
      parsed = undefined;
    }
    if (!isObject(parsed)) {
      events.push(block);
      continue;
    }
    const kept = rewriteEvent(api, parsed, call, args, () => {
      const first = !argumentsSent;
      argumentsSent = true;
      return first;
    });
    if (kept) events.push(block.replace(dataLine!, `data: ${JSON.stringify(kept)}`));
  }
  return `${events.join('\n\n')}\n\n`;
}

/** One event rewritten, or `undefined` to drop it (argument deltas after the first). */
function rewriteEvent(
  api: DemoApi,
  event: Json,
  call: DemoToolCall,
  args: string,
  firstArguments: () => boolean,
): Json | undefined {
  if (api === 'responses') {
    const item = event.item;
    if (isObject(item) && item.type === 'function_call') {
      item.name = call.name;
      item.arguments = event.type === 'response.output_item.added' ? '' : args;
    }
    if (event.type === 'response.function_call_arguments.delta') {
      if (!firstArguments()) return undefined;
      event.delta = args;
    }
    if (event.type === 'response.function_call_arguments.done') {
      event.name = call.name;
      event.arguments = args;
    }
    return event;
  }
  if (api === 'messages') {
    const block = event.content_block;
    if (isObject(block) && block.type === 'tool_use') {
      block.name = call.name;
      block.input = {};
    }
    const delta = event.delta;
    if (isObject(delta) && delta.type === 'input_json_delta') {
      if (!firstArguments()) return undefined;
      delta.partial_json = args;
    }
    return event;
  }
  const choices = Array.isArray(event.choices) ? event.choices : [];
  for (const choice of choices) {
    const delta = isObject(choice) ? choice.delta : undefined;
    const toolCalls = isObject(delta) && Array.isArray(delta.tool_calls) ? delta.tool_calls : [];
    for (const toolCall of toolCalls) {
      if (!isObject(toolCall) || !isObject(toolCall.function)) continue;
      if (typeof toolCall.function.name === 'string') {
        toolCall.function.name = call.name;
        toolCall.function.arguments = args;
        firstArguments();
      } else {
        // Later argument fragments: the whole arguments went with the name.
        return undefined;
      }
    }
  }
  return event;
}
