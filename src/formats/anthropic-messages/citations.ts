/**
 * Maps text-block citations to neutral annotations and back.
 *
 * Web search citations become `url-citation`s (their `encrypted_index` rides in meta, because
 * the API needs it back verbatim); every other citation kind (document char/page/block
 * locations, search results) is an opaque annotation only this format can send back.
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/citations
 */
import type { IrAnnotation } from '../../ir/content.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { getString, isRecord, type JsonObject } from '../../util/json.js';
import { extrasOf, makeMeta, metaField, ownExtra } from './meta.js';
import { FORMAT_ID } from './types.js';

const WEB_SEARCH_KEYS = ['type', 'url', 'title', 'cited_text'];

/** A wire citation as a neutral annotation. */
export function decodeCitation(citation: unknown): IrAnnotation {
  if (isRecord(citation) && citation.type === 'web_search_result_location') {
    const url = getString(citation, 'url');
    if (url !== undefined) {
      const title = getString(citation, 'title');
      const citedText = getString(citation, 'cited_text');
      return {
        type: 'url-citation',
        url,
        ...(title !== undefined ? { title } : {}),
        ...(citedText !== undefined ? { citedText } : {}),
        ...metaField(makeMeta({ extra: extrasOf(citation, WEB_SEARCH_KEYS) })),
      };
    }
  }
  return { type: 'opaque', format: FORMAT_ID, value: citation };
}

/** Where an encoded citation goes: a request to the API, or a response to a client. */
export type CitationTarget = 'request' | 'response';

/**
 * A neutral annotation as a wire citation, or `undefined` (with a warning) when this format
 * cannot carry it. A request may only cite what the API produced (it checks `encrypted_index`),
 * so foreign url citations are dropped there; a client response gets them with an empty index.
 */
export function encodeAnnotation(
  annotation: IrAnnotation,
  target: CitationTarget,
  warn: (warning: ConversionWarning) => void,
  path: string,
): JsonObject | undefined {
  switch (annotation.type) {
    case 'url-citation': {
      const extra = ownExtra(annotation.meta);
      if (target === 'request' && typeof extra.encrypted_index !== 'string') {
        warn({
          code: 'dropped',
          message: 'A URL citation from another format cannot be sent to the Anthropic API',
          path,
        });
        return undefined;
      }
      return {
        type: 'web_search_result_location',
        cited_text: annotation.citedText ?? '',
        url: annotation.url,
        title: annotation.title ?? null,
        encrypted_index: '',
        ...extra,
      };
    }
    case 'opaque':
      if (annotation.format === FORMAT_ID && isRecord(annotation.value)) return annotation.value;
      warn({
        code: 'dropped',
        message: `A "${annotation.format}" annotation has no Anthropic equivalent`,
        path,
      });
      return undefined;
    default:
      return assertNever(annotation, 'annotation');
  }
}
