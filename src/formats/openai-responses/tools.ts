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

/** The namespace whose tools the Codex CLI runs when a call names no namespace. */
const DEFAULT_NAMESPACE = 'functions';

/**
 * The tools the Codex CLI (0.147+, with its newest models such as gpt-6.1-sol) declares in
 * `additional_tools` input items instead of `tools`, so that converting routes can offer them to
 * the upstream (without them the model has no tools at all). Tools outside a namespace and in the
 * default `functions` namespace keep their names: the CLI runs a call without a namespace from
 * there. A call to another namespace must name it, which no other format can: those tools are
 * dropped with a warning. The item itself stays in `input` (an opaque item), so a Responses
 * upstream gets it unchanged and `encodeTools` leaves these hoisted copies out.
 */
export function decodeAdditionalTools(input: unknown, warnings: ConversionWarning[]): IrTool[] {
  if (!Array.isArray(input)) return [];
  const hoisted: IrTool[] = [];
  input.forEach((item, index) => {
    if (!isRecord(item) || item.type !== 'additional_tools' || !Array.isArray(item.tools)) return;
    const plain: JsonObject[] = [];
    item.tools.forEach((tool, toolIndex) => {
      if (!isRecord(tool)) return;
      if (tool.type !== 'namespace') {
        plain.push(tool);
        return;
      }
      const nested = Array.isArray(tool.tools) ? tool.tools.filter(isRecord) : [];
      if (tool.name === DEFAULT_NAMESPACE) {
        plain.push(...nested);
        return;
      }
      warnings.push({
        code: 'dropped',
        message: `Tools of namespace "${String(tool.name)}" cannot be offered to this upstream (a call to them must name the namespace)`,
        path: `input[${index}].tools[${toolIndex}]`,
      });
    });
    for (const tool of decodeTools(plain)) {
      // Hosted tools only a Responses upstream runs; it gets them in the item itself.
      if (tool.kind === 'builtin') continue;
      const own = readResponsesMeta(tool.meta) ?? {};
      hoisted.push({ ...tool, meta: responsesMeta({ ...own, additionalTools: true }) });
    }
  });
  return hoisted;
}

/**
 * Encodes tools. A function tool from another format is sent with `strict: false` unless it
 * asked for strict: the Responses API (and the Codex backend) make an unspecified function tool
 * strict, which turns optional parameters into required ones (LESSONS.md).
 */
export function encodeTools(tools: readonly IrTool[], warnings: ConversionWarning[]): JsonObject[] {
  const out: JsonObject[] = [];
  tools.forEach((tool, index) => {
    // Hoisted from an `additional_tools` item, which the request still carries.
    if (tool.kind !== 'builtin' && readResponsesMeta(tool.meta)?.additionalTools === true) return;
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
