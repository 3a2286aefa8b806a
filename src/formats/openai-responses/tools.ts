/**
 * Converts tools and `tool_choice` between Responses and the IR.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools
 */
import type { IrTool, IrToolChoice } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { getString, isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { readResponsesMeta, responsesMeta } from './meta.js';
import { customToolSchema, functionToolSchema, parseOrThrow } from './schema.js';
import { FORMAT_ID } from './types.js';

/** Keys the IR reads from a tool; their null values stay in the tool's extras. */
function extrasOf(tool: JsonObject, read: readonly string[]): JsonObject {
  const extras = omitKeys(tool, ['type']);
  for (const key of read) if (tool[key] !== null) delete extras[key];
  return extras;
}

/**
 * Decodes `tools` (validating the function and custom tools ccproxy reads); hosted tools
 * (`web_search`, `file_search`, `local_shell`, `mcp`, ...) ride as builtin tools of this format.
 */
export function decodeTools(tools: readonly JsonObject[]): IrTool[] {
  return tools.map((tool, index): IrTool => {
    const path = `tools[${index}]`;
    if (tool.type === 'function') {
      const parsed = parseOrThrow(functionToolSchema, tool, path);
      return {
        kind: 'function',
        name: parsed.name,
        ...(typeof parsed.description === 'string' ? { description: parsed.description } : {}),
        ...(parsed.parameters ? { parameters: parsed.parameters } : {}),
        ...(typeof parsed.strict === 'boolean' ? { strict: parsed.strict } : {}),
        meta: responsesMeta({
          item: extrasOf(tool, ['name', 'description', 'parameters', 'strict']),
        }),
      };
    }
    if (tool.type === 'custom') {
      const parsed = parseOrThrow(customToolSchema, tool, path);
      return {
        kind: 'custom',
        name: parsed.name,
        ...(typeof parsed.description === 'string' ? { description: parsed.description } : {}),
        ...('format' in tool && tool.format !== null ? { format: tool.format } : {}),
        meta: responsesMeta({ item: extrasOf(tool, ['name', 'description', 'format']) }),
      };
    }
    return { kind: 'builtin', format: FORMAT_ID, value: tool };
  });
}

/**
 * Encodes tools. A function tool from another format is sent with `strict: false` unless it
 * asked for strict: the Responses API (and the Codex backend) make an unspecified function tool
 * strict, which turns optional parameters into required ones (LESSONS.md).
 */
export function encodeTools(tools: readonly IrTool[], warnings: ConversionWarning[]): JsonObject[] {
  const out: JsonObject[] = [];
  tools.forEach((tool, index) => {
    if (tool.kind === 'builtin') {
      if (tool.format === FORMAT_ID && isRecord(tool.value)) out.push(tool.value);
      else {
        warnings.push({
          code: 'dropped',
          message: `Hosted tool from "${tool.format}" cannot be sent to Responses`,
          path: `tools[${index}]`,
        });
      }
      return;
    }
    const extras = readResponsesMeta(tool.meta)?.item;
    const native = isRecord(extras) ? extras : undefined;
    if (tool.kind === 'function') {
      out.push({
        type: 'function',
        ...native,
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        ...(tool.parameters !== undefined
          ? { parameters: tool.parameters }
          : native
            ? {}
            : { parameters: { type: 'object', properties: {} } }),
        ...(tool.strict !== undefined ? { strict: tool.strict } : native ? {} : { strict: false }),
      });
      return;
    }
    out.push({
      type: 'custom',
      ...native,
      name: tool.name,
      ...(tool.description !== undefined ? { description: tool.description } : {}),
      ...(tool.format !== undefined ? { format: tool.format } : {}),
    });
  });
  return out;
}

/** A decoded `tool_choice`: the IR choice, and the raw value when the IR cannot state it. */
export interface DecodedToolChoice {
  choice?: IrToolChoice;
  raw?: JsonObject;
  warning?: ConversionWarning;
}

/** Decodes `tool_choice`. */
export function decodeToolChoice(value: unknown): DecodedToolChoice {
  if (value === 'auto' || value === 'none' || value === 'required') {
    return { choice: { type: value } };
  }
  if (!isRecord(value)) return {};
  const name = getString(value, 'name');
  if ((value.type === 'function' || value.type === 'custom') && name !== undefined) {
    return {
      choice: { type: 'tool', name },
      ...(Object.keys(value).length > 2 ? { raw: value } : {}),
    };
  }
  if (value.type === 'allowed_tools') {
    return {
      choice: { type: value.mode === 'required' ? 'required' : 'auto' },
      raw: value,
      warning: {
        code: 'lossy',
        message: 'tool_choice "allowed_tools" is kept as its mode for other formats',
        path: 'tool_choice',
      },
    };
  }
  return {
    choice: { type: 'required' },
    raw: value,
    warning: {
      code: 'lossy',
      message: `tool_choice "${String(value.type)}" is kept as "required" for other formats`,
      path: 'tool_choice',
    },
  };
}

/** Encodes an IR tool choice; a named tool is a `custom` choice when that tool is custom. */
export function encodeToolChoice(choice: IrToolChoice, tools: readonly IrTool[]): unknown {
  if (choice.type !== 'tool') return choice.type;
  const tool = tools.find(
    (candidate) => candidate.kind !== 'builtin' && candidate.name === choice.name,
  );
  return { type: tool?.kind === 'custom' ? 'custom' : 'function', name: choice.name };
}
