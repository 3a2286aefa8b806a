/**
 * Converts `text.format` (structured output) between Responses and the IR response format.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-text
 */
import type { IrResponseFormat } from '../../ir/request.js';
import { assertNever } from '../../util/assert-never.js';
import { getString, isRecord, type JsonObject, omitKeys } from '../../util/json.js';

/** A decoded `text.format`: the IR format, plus what it cannot hold (for the same format). */
export interface DecodedTextFormat {
  format?: IrResponseFormat;
  /** Fields of the format the IR does not model. */
  extras?: JsonObject;
  /** A format of a type the IR does not model, kept whole. */
  raw?: JsonObject;
}

/** Decodes `text.format`. */
export function decodeTextFormat(value: unknown): DecodedTextFormat {
  if (!isRecord(value)) return {};
  if (value.type === 'text') return { format: { type: 'text' }, extras: omitKeys(value, ['type']) };
  if (value.type === 'json_object') {
    return { format: { type: 'json-object' }, extras: omitKeys(value, ['type']) };
  }
  const name = getString(value, 'name');
  if (value.type === 'json_schema' && name !== undefined && isRecord(value.schema)) {
    const description = getString(value, 'description');
    const strict = typeof value.strict === 'boolean' ? value.strict : undefined;
    const extras = omitKeys(value, ['type', 'name', 'schema']);
    if (description !== undefined) delete extras.description;
    if (strict !== undefined) delete extras.strict;
    return {
      format: {
        type: 'json-schema',
        name,
        schema: value.schema,
        ...(strict !== undefined ? { strict } : {}),
        ...(description !== undefined ? { description } : {}),
      },
      extras,
    };
  }
  return { raw: value };
}

/** Encodes an IR response format as `text.format`. */
export function encodeTextFormat(format: IrResponseFormat, extras?: JsonObject): JsonObject {
  switch (format.type) {
    case 'text':
      return { ...extras, type: 'text' };
    case 'json-object':
      return { ...extras, type: 'json_object' };
    case 'json-schema':
      return {
        ...extras,
        type: 'json_schema',
        name: format.name,
        schema: format.schema,
        ...(format.strict !== undefined ? { strict: format.strict } : {}),
        ...(format.description !== undefined ? { description: format.description } : {}),
      };
    default:
      return assertNever(format, 'response format');
  }
}
