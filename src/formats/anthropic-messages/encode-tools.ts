/**
 * Encodes neutral tools and tool choice as Anthropic `tools` and `tool_choice`.
 *
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use#specifying-client-tools
 */
import type { IrRequest, IrTool } from '../../ir/request.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { ownExtra, ownMeta } from './meta.js';
import { FORMAT_ID } from './types.js';

/** The schema a free-form (custom) tool gets: one string property holding the raw input. */
export const CUSTOM_TOOL_SCHEMA: JsonObject = {
  type: 'object',
  properties: { input: { type: 'string' } },
  required: ['input'],
};

function encodeTool(
  tool: IrTool,
  index: number,
  warn: (warning: ConversionWarning) => void,
): JsonObject | undefined {
  switch (tool.kind) {
    case 'function': {
      let schema = tool.parameters ?? { type: 'object', properties: {} };
      // OpenAI clients may omit the root type; Anthropic requires an object schema.
      if (ownMeta(tool.meta) === undefined && schema.type === undefined) {
        schema = { type: 'object', ...schema };
      }
      return {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        input_schema: schema,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
        ...ownExtra(tool.meta),
      };
    }
    case 'custom':
      warn({
        code: 'lossy',
        message: `Custom tool "${tool.name}" sent as a tool taking its raw input in "input"`,
        path: `tools[${index}]`,
      });
      return {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        input_schema: CUSTOM_TOOL_SCHEMA,
      };
    case 'builtin':
      if (tool.format === FORMAT_ID && isRecord(tool.value)) return tool.value;
      warn({
        code: 'dropped',
        message: `A "${tool.format}" built-in tool has no Anthropic equivalent`,
        path: `tools[${index}]`,
      });
      return undefined;
    default:
      return assertNever(tool, 'tool');
  }
}

/** Encodes the tool list; tools Anthropic cannot run are dropped with a warning. */
export function encodeTools(
  tools: readonly IrTool[],
  warn: (warning: ConversionWarning) => void,
): JsonObject[] {
  const encoded: JsonObject[] = [];
  tools.forEach((tool, index) => {
    const wire = encodeTool(tool, index, warn);
    if (wire !== undefined) encoded.push(wire);
  });
  return encoded;
}

/**
 * Encodes `tool_choice`. The API rejects a `tool_choice` without tools (gateways work around it,
 * e.g. dphnAI/sonar#1143, 2025), so it is left out then
 * (with a warning unless it was `auto`/`none`, which mean the same as no choice).
 */
export function encodeToolChoice(
  request: IrRequest,
  hasTools: boolean,
  warn: (warning: ConversionWarning) => void,
): JsonObject | undefined {
  const meta = ownMeta(request.meta);
  const choice = request.toolChoice;
  if (isRecord(meta?.toolChoice)) return meta.toolChoice;
  if (choice === undefined && request.parallelToolCalls !== false) return undefined;
  if (!hasTools) {
    if (choice !== undefined && choice.type !== 'auto' && choice.type !== 'none') {
      warn({
        code: 'dropped',
        message: `Tool choice "${choice.type}" without tools cannot be sent to Anthropic`,
        path: 'tool_choice',
      });
    }
    return undefined;
  }
  let wire: JsonObject;
  switch (choice?.type) {
    case undefined:
    case 'auto':
      wire = { type: 'auto' };
      break;
    case 'none':
      wire = { type: 'none' };
      break;
    case 'required':
      wire = { type: 'any' };
      break;
    case 'tool':
      wire = { type: 'tool', name: choice.name };
      break;
    default:
      return assertNever(choice, 'tool choice');
  }
  if (request.parallelToolCalls !== undefined && choice?.type !== 'none') {
    wire.disable_parallel_tool_use = !request.parallelToolCalls;
  }
  const extra = meta?.toolChoiceExtra;
  return isRecord(extra) ? { ...wire, ...extra } : wire;
}
