/**
 * Decodes the blocks a client sends in a user turn (text, image, document, tool_result and every
 * other type) into neutral parts.
 *
 * @see https://docs.claude.com/en/api/messages#body-messages-content
 */
import { invalidField } from '../../errors.js';
import type {
  IrFilePart,
  IrImagePart,
  IrSource,
  IrTextPart,
  IrToolResultPart,
  IrUserPart,
} from '../../ir/content.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { getRecord, getString, isRecord, type JsonObject } from '../../util/json.js';
import { decodeTextBlock } from './decode-assistant-block.js';
import { extrasOf, makeMeta, metaField } from './meta.js';
import { FORMAT_ID } from './types.js';

/** A decoded source plus what the IR cannot hold about it. */
interface DecodedSource {
  source: IrSource;
  /** Unknown keys of the source object. */
  sourceExtra: JsonObject | undefined;
  /** The document had a plain-text source (its text is carried as base64 `text/plain`). */
  textSource?: boolean;
  /** The source is an Anthropic Files API id (only the Anthropic API can resolve it). */
  nativeFile?: boolean;
}

function decodeSource(source: JsonObject, allowText: boolean): DecodedSource | undefined {
  const type = source.type;
  const mediaType = getString(source, 'media_type');
  const data = getString(source, 'data');
  if (type === 'base64' && mediaType !== undefined && data !== undefined) {
    return {
      source: { kind: 'base64', mediaType, data },
      sourceExtra: extrasOf(source, ['type', 'media_type', 'data']),
    };
  }
  const url = getString(source, 'url');
  if (type === 'url' && url !== undefined) {
    return { source: { kind: 'url', url }, sourceExtra: extrasOf(source, ['type', 'url']) };
  }
  const fileId = getString(source, 'file_id');
  if (type === 'file' && fileId !== undefined) {
    return {
      source: { kind: 'file-id', fileId },
      sourceExtra: extrasOf(source, ['type', 'file_id']),
      nativeFile: true,
    };
  }
  if (allowText && type === 'text' && data !== undefined) {
    return {
      source: {
        kind: 'base64',
        mediaType: mediaType ?? 'text/plain',
        data: Buffer.from(data, 'utf8').toString('base64'),
      },
      sourceExtra: extrasOf(source, ['type', 'media_type', 'data']),
      textSource: true,
    };
  }
  return undefined;
}

function requireSource(block: JsonObject, path: string): JsonObject {
  const source = getRecord(block, 'source');
  if (source === undefined) throw invalidField(`${path}.source`, 'must be an object');
  return source;
}

function decodeImageBlock(block: JsonObject, path: string): IrImagePart | undefined {
  const decoded = decodeSource(requireSource(block, path), false);
  if (decoded === undefined) return undefined;
  return {
    type: 'image',
    source: decoded.source,
    ...metaField(
      makeMeta({
        extra: extrasOf(block, ['type', 'source']),
        sourceExtra: decoded.sourceExtra,
        nativeFile: decoded.nativeFile,
      }),
    ),
  };
}

function decodeDocumentBlock(block: JsonObject, path: string): IrFilePart | undefined {
  const decoded = decodeSource(requireSource(block, path), true);
  if (decoded === undefined) return undefined;
  const title = getString(block, 'title');
  return {
    type: 'file',
    source: decoded.source,
    ...(title !== undefined ? { filename: title } : {}),
    ...metaField(
      makeMeta({
        extra: extrasOf(
          block,
          title !== undefined ? ['type', 'source', 'title'] : ['type', 'source'],
        ),
        sourceExtra: decoded.sourceExtra,
        textSource: decoded.textSource,
        nativeFile: decoded.nativeFile,
      }),
    ),
  };
}

/**
 * A user block as a neutral part. Text, image and document blocks with a source the IR models
 * become their parts; everything else (search_result, container_upload, documents with
 * `content` sources, block types added later) is an opaque part.
 */
export function decodeUserBlock(block: JsonObject, path: string): IrUserPart {
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') throw invalidField(`${path}.text`, 'must be a string');
      return decodeTextBlock(block);
    case 'image':
      return decodeImageBlock(block, path) ?? { type: 'opaque', format: FORMAT_ID, value: block };
    case 'document':
      return (
        decodeDocumentBlock(block, path) ?? { type: 'opaque', format: FORMAT_ID, value: block }
      );
    default:
      return { type: 'opaque', format: FORMAT_ID, value: block };
  }
}

/**
 * A `tool_result` block as a neutral tool result. Content blocks the IR cannot hold inside a
 * tool result (search results, tool references) keep the whole original content in meta
 * (`rawContent`) for this format, with a warning for the others.
 */
export function decodeToolResultBlock(
  block: JsonObject,
  path: string,
  warn: (warning: ConversionWarning) => void,
): IrToolResultPart {
  const callId = getString(block, 'tool_use_id');
  if (callId === undefined) throw invalidField(`${path}.tool_use_id`, 'must be a string');
  const raw = block.content;
  const content: Array<IrTextPart | IrImagePart | IrFilePart> = [];
  let contentString: boolean | undefined;
  let noContent: boolean | undefined;
  let rawContent: unknown[] | undefined;
  if (typeof raw === 'string') {
    content.push({ type: 'text', text: raw });
    contentString = true;
  } else if (Array.isArray(raw)) {
    raw.forEach((item, index) => {
      const itemPath = `${path}.content[${index}]`;
      const part = isRecord(item) ? decodeUserBlock(item, itemPath) : undefined;
      if (part !== undefined && part.type !== 'opaque') content.push(part);
      else rawContent = raw;
    });
    if (rawContent !== undefined) {
      warn({
        code: 'lossy',
        message:
          'Tool result content of a type only Anthropic understands is kept for Anthropic only',
        path: `${path}.content`,
      });
    }
  } else if (raw === undefined) {
    noContent = true;
  } else {
    throw invalidField(`${path}.content`, 'must be a string or an array of blocks');
  }
  const isError = typeof block.is_error === 'boolean' ? block.is_error : undefined;
  return {
    type: 'tool-result',
    callId,
    content,
    ...(isError !== undefined ? { isError } : {}),
    ...metaField(
      makeMeta({
        extra: extrasOf(block, ['type', 'tool_use_id', 'content', 'is_error']),
        contentString,
        noContent,
        rawContent,
      }),
    ),
  };
}
