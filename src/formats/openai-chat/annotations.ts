/**
 * Maps Chat message `annotations` (`url_citation`) to neutral text annotations and back.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
import type { IrAnnotation } from '../../ir/content.js';
import { getNumber, getRecord, getString, isRecord } from '../../util/json.js';
import { chatMeta, extraFields, metaField } from './meta.js';
import { FORMAT_ID } from './types.js';

/**
 * A wire annotation as a neutral one; kinds other than `url_citation` stay opaque. `offset` is
 * where the text part it belongs to starts in the message content (its indices are shifted back).
 */
export function decodeAnnotation(value: unknown, offset = 0): IrAnnotation {
  const citation = isRecord(value) ? getRecord(value, 'url_citation') : undefined;
  if (!isRecord(value) || value.type !== 'url_citation' || citation === undefined) {
    return { type: 'opaque', format: FORMAT_ID, value };
  }
  const title = getString(citation, 'title');
  const start = getNumber(citation, 'start_index');
  const end = getNumber(citation, 'end_index');
  return {
    type: 'url-citation',
    url: getString(citation, 'url') ?? '',
    ...(title !== undefined ? { title } : {}),
    ...(start !== undefined ? { startIndex: start - offset } : {}),
    ...(end !== undefined ? { endIndex: end - offset } : {}),
    ...metaField(
      chatMeta({
        extra: extraFields(value, ['type', 'url_citation']),
        citationExtra: extraFields(citation, ['url', 'title', 'start_index', 'end_index']),
      }),
    ),
  };
}

/**
 * A neutral annotation as a wire one, its indices shifted by `offset` (where its text part
 * starts in the joined message content). A citation without indices (Anthropic's) covers its
 * whole text part, `[offset, offset + length)`; one without a title gets `""`, as the API
 * requires both. Returns `undefined` for opaque annotations of other formats.
 */
export function encodeAnnotation(
  annotation: IrAnnotation,
  offset: number,
  length: number,
): unknown | undefined {
  if (annotation.type === 'opaque') {
    return annotation.format === FORMAT_ID ? annotation.value : undefined;
  }
  const meta = annotation.meta?.[FORMAT_ID];
  const extra = isRecord(meta?.extra) ? meta.extra : {};
  const citationExtra = isRecord(meta?.citationExtra) ? meta.citationExtra : {};
  return {
    ...extra,
    type: 'url_citation',
    url_citation: {
      ...citationExtra,
      url: annotation.url,
      title: annotation.title ?? '',
      start_index: offset + (annotation.startIndex ?? 0),
      end_index: offset + (annotation.endIndex ?? length),
    },
  };
}
