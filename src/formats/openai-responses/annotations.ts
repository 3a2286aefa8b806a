/**
 * Converts `output_text` annotations between Responses and the IR, both directions.
 * @see https://platform.openai.com/docs/api-reference/responses/object#responses/object-output
 */
import type { IrAnnotation } from '../../ir/content.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { getNumber, getString, isRecord, omitKeys } from '../../util/json.js';
import { readResponsesMeta, responsesMeta } from './meta.js';
import { FORMAT_ID, type ResponsesAnnotation } from './types.js';

/** One wire annotation as an IR annotation (never fails: unknown kinds become opaque). */
export function decodeAnnotation(value: unknown): IrAnnotation {
  if (!isRecord(value) || value.type !== 'url_citation' || typeof value.url !== 'string') {
    return { type: 'opaque', format: FORMAT_ID, value };
  }
  const title = getString(value, 'title');
  const startIndex = getNumber(value, 'start_index');
  const endIndex = getNumber(value, 'end_index');
  // Fields read into the IR leave the extras; a present field of an unexpected type stays there.
  const extras = omitKeys(value, ['type', 'url']);
  if (title !== undefined) delete extras.title;
  if (startIndex !== undefined) delete extras.start_index;
  if (endIndex !== undefined) delete extras.end_index;
  return {
    type: 'url-citation',
    url: value.url,
    ...(title !== undefined ? { title } : {}),
    ...(startIndex !== undefined ? { startIndex } : {}),
    ...(endIndex !== undefined ? { endIndex } : {}),
    meta: responsesMeta({ part: extras }),
  };
}

/** Wire annotations (an absent or malformed list gives none). */
export function decodeAnnotations(value: unknown): IrAnnotation[] {
  return Array.isArray(value) ? value.map(decodeAnnotation) : [];
}

/**
 * An IR annotation as a wire annotation, or `undefined` (with a warning) for another format's
 * opaque annotation. A citation from another format gets the fields Responses requires.
 */
export function encodeAnnotation(
  annotation: IrAnnotation,
  warnings: ConversionWarning[],
  path: string,
): ResponsesAnnotation | undefined {
  if (annotation.type === 'opaque') {
    if (annotation.format === FORMAT_ID && isRecord(annotation.value)) {
      return annotation.value as ResponsesAnnotation;
    }
    warnings.push({
      code: 'dropped',
      message: `Annotation from "${annotation.format}" cannot be expressed in Responses`,
      path,
    });
    return undefined;
  }
  const extras = readResponsesMeta(annotation.meta)?.part;
  const native = isRecord(extras);
  return {
    type: 'url_citation',
    ...(native ? extras : {}),
    url: annotation.url,
    ...(annotation.title !== undefined ? { title: annotation.title } : native ? {} : { title: '' }),
    ...(annotation.startIndex !== undefined
      ? { start_index: annotation.startIndex }
      : native
        ? {}
        : { start_index: 0 }),
    ...(annotation.endIndex !== undefined
      ? { end_index: annotation.endIndex }
      : native
        ? {}
        : { end_index: 0 }),
  };
}

/** Encodes a list of IR annotations, dropping (with warnings) what Responses cannot hold. */
export function encodeAnnotations(
  annotations: readonly IrAnnotation[] | undefined,
  warnings: ConversionWarning[],
  path: string,
): ResponsesAnnotation[] {
  const out: ResponsesAnnotation[] = [];
  (annotations ?? []).forEach((annotation, index) => {
    const encoded = encodeAnnotation(annotation, warnings, `${path}.annotations[${index}]`);
    if (encoded) out.push(encoded);
  });
  return out;
}
