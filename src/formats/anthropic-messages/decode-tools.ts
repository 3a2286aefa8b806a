/**
 * Decodes `tools` and `tool_choice` into neutral tools and tool choice.
 *
 * @see https://docs.claude.com/en/docs/agents-and-tools/tool-use/implement-tool-use
 */
import { invalidField } from '../../errors.js';
import type { IrTool, IrToolChoice } from '../../ir/request.js';
import { getRecord, getString, type JsonObject } from '../../util/json.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { FORMAT_ID } from './types.js';

/** True for a custom (client-side) tool: no `type`, or `type: "custom"`. */
export function isCustomToolDefinition(tool: JsonObject): boolean {
  return tool.type === undefined || tool.type === null || tool.type === 'custom';
}

/**
 * Custom tools become function tools (`input_schema` is their parameters); server tools with a
 * versioned `type` (`web_search_20250305`, `bash_20250124`, `text_editor_*`, `code_execution_*`
 * and types added later) become builtin tools only this format can send.
 */
export function decodeTools(tools: ReadonlyArray<JsonObject>): IrTool[] {
  return tools.map((tool, index): IrTool => {
    if (!isCustomToolDefinition(tool)) return { kind: 'builtin', format: FORMAT_ID, value: tool };
    const name = getString(tool, 'name');
    if (name === undefined) throw invalidField(`tools[${index}].name`, 'must be a string');
    const parameters = getRecord(tool, 'input_schema');
    if (parameters === undefined) {
      throw invalidField(`tools[${index}].input_schema`, 'must be an object');
    }
    const description = getString(tool, 'description');
    const strict = typeof tool.strict === 'boolean' ? tool.strict : undefined;
    const known = ['name', 'input_schema', 'strict'];
    if (description !== undefined) known.push('description');
    return {
      kind: 'function',
      name,
      ...(description !== undefined ? { description } : {}),
      parameters,
      ...(strict !== undefined ? { strict } : {}),
      ...metaField(makeMeta({ extra: extrasOf(tool, known) })),
    };
  });
}

/** A decoded `tool_choice`: the neutral choice, parallel-call flag and what only we can carry. */
export interface DecodedToolChoice {
  toolChoice?: IrToolChoice;
  parallelToolCalls?: boolean;
  /** The whole `tool_choice` when its type is unknown; kept verbatim in meta. */
  raw?: JsonObject;
  /** Unknown keys of a known `tool_choice`. */
  extra?: JsonObject;
}

/** `auto`/`any`/`tool`/`none`; `disable_parallel_tool_use: true` means no parallel calls. */
export function decodeToolChoice(choice: JsonObject): DecodedToolChoice {
  const decoded: DecodedToolChoice = {};
  const disable = choice.disable_parallel_tool_use;
  if (typeof disable === 'boolean') decoded.parallelToolCalls = !disable;
  const name = getString(choice, 'name');
  switch (choice.type) {
    case 'auto':
      decoded.toolChoice = { type: 'auto' };
      break;
    case 'any':
      decoded.toolChoice = { type: 'required' };
      break;
    case 'none':
      decoded.toolChoice = { type: 'none' };
      break;
    case 'tool':
      if (name === undefined) throw invalidField('tool_choice.name', 'must be a string');
      decoded.toolChoice = { type: 'tool', name };
      break;
    default:
      decoded.raw = choice;
      return decoded;
  }
  const known = ['type', 'disable_parallel_tool_use'];
  if (choice.type === 'tool') known.push('name');
  const extra = extrasOf(choice, known);
  if (extra !== undefined) decoded.extra = extra;
  return decoded;
}
