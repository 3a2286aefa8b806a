/**
 * Encodes neutral user parts and tool results as Anthropic request blocks (text, image,
 * document, tool_result).
 *
 * @see https://docs.claude.com/en/docs/build-with-claude/vision
 * @see https://docs.claude.com/en/docs/build-with-claude/pdf-support
 */
import type {
  IrFilePart,
  IrImagePart,
  IrSource,
  IrToolResultPart,
  IrUserPart,
} from '../../ir/content.js';
import type { IrMeta } from '../../ir/meta.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { encodeOpaquePart, encodeTextPart } from './encode-assistant-part.js';
import { ownExtra, ownMeta } from './meta.js';

/** How user parts are encoded. */
export interface EncodeUserOptions {
  warn: (warning: ConversionWarning) => void;
  path: string;
  toolId(callId: string): string;
}

const DATA_URL = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

/** Splits a `data:<type>;base64,<data>` URL (OpenAI clients send images that way). */
function fromDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = DATA_URL.exec(url);
  return match ? { mediaType: match[1]!, data: match[2]! } : undefined;
}

function encodeSource(
  source: IrSource,
  native: boolean,
  options: EncodeUserOptions,
  what: string,
): { type: string; [key: string]: unknown } | undefined {
  switch (source.kind) {
    case 'url': {
      const inline = fromDataUrl(source.url);
      if (inline) return { type: 'base64', media_type: inline.mediaType, data: inline.data };
      return { type: 'url', url: source.url };
    }
    case 'base64':
      return { type: 'base64', media_type: source.mediaType, data: source.data };
    case 'file-id':
      // A file id only means something to the API that issued it.
      if (native) return { type: 'file', file_id: source.fileId };
      options.warn({
        code: 'dropped',
        message: `An ${what} given by another API's file id cannot be sent to the Anthropic API`,
        path: options.path,
      });
      return undefined;
    default:
      return assertNever(source, 'source');
  }
}

function sourceExtra(part: { meta?: IrMeta }): JsonObject {
  const extra = ownMeta(part.meta)?.sourceExtra;
  return isRecord(extra) ? extra : {};
}

function encodeImage(part: IrImagePart, options: EncodeUserOptions): JsonObject | undefined {
  const native = ownMeta(part.meta)?.nativeFile === true;
  const source = encodeSource(part.source, native, options, 'image');
  if (source === undefined) return undefined;
  if (part.detail !== undefined && part.detail !== 'auto') {
    options.warn({
      code: 'dropped',
      message: `Image detail "${part.detail}" has no Anthropic equivalent`,
      path: options.path,
    });
  }
  return { type: 'image', source: { ...source, ...sourceExtra(part) }, ...ownExtra(part.meta) };
}

/** Media types a document block accepts as base64 (PDF) or as plain text. */
const PLAIN_TEXT = 'text/plain';

function encodeFile(part: IrFilePart, options: EncodeUserOptions): JsonObject | undefined {
  const meta = ownMeta(part.meta);
  let source = encodeSource(part.source, meta?.nativeFile === true, options, 'file');
  if (source === undefined) return undefined;
  if (source.type === 'base64') {
    const mediaType = String(source.media_type);
    if (mediaType === PLAIN_TEXT || meta?.textSource === true) {
      source = {
        type: 'text',
        media_type: PLAIN_TEXT,
        data: Buffer.from(String(source.data), 'base64').toString('utf8'),
      };
    } else if (mediaType !== 'application/pdf') {
      options.warn({
        code: 'dropped',
        message: `A "${mediaType}" file cannot be sent as an Anthropic document (PDF or plain text only)`,
        path: options.path,
      });
      return undefined;
    }
  }
  return {
    type: 'document',
    source: { ...source, ...sourceExtra(part) },
    ...(part.filename !== undefined ? { title: part.filename } : {}),
    ...ownExtra(part.meta),
  };
}

/** A user part as a block, or `undefined` (with a warning) when it cannot be sent. */
export function encodeUserPart(
  part: IrUserPart,
  options: EncodeUserOptions,
): JsonObject | undefined {
  switch (part.type) {
    case 'text':
      // The API answers 400 "text content blocks must be non-empty" / "must contain
      // non-whitespace text" (anthropics/claude-code#59812, #23369, 2026).
      if (part.text.trim() === '') return undefined;
      return encodeTextPart(part, { ...options, target: 'request' });
    case 'image':
      return encodeImage(part, options);
    case 'file':
      return encodeFile(part, options);
    case 'opaque':
      return encodeOpaquePart(part, options);
    default:
      return assertNever(part, 'user part');
  }
}

/** A tool result as a `tool_result` block (its id sanitised like the matching `tool_use`). */
export function encodeToolResult(part: IrToolResultPart, options: EncodeUserOptions): JsonObject {
  const meta = ownMeta(part.meta);
  const block: JsonObject = { type: 'tool_result', tool_use_id: options.toolId(part.callId) };
  const only = part.content[0];
  if (Array.isArray(meta?.rawContent)) {
    block.content = meta.rawContent;
  } else if (meta?.contentString === true && part.content.length === 1 && only?.type === 'text') {
    block.content = only.text;
  } else if (!(meta?.noContent === true && part.content.length === 0)) {
    const content: JsonObject[] = [];
    part.content.forEach((item, index) => {
      const encoded = encodeUserPart(item, {
        ...options,
        path: `${options.path}.content[${index}]`,
      });
      if (encoded !== undefined) content.push(encoded);
    });
    block.content = content;
  }
  if (part.isError !== undefined) block.is_error = part.isError;
  return { ...block, ...ownExtra(part.meta) };
}
