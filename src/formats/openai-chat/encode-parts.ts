/** Encodes neutral user and tool-result parts as Chat content parts. */
import type { IrFilePart, IrImagePart, IrTextPart, IrUserPart } from '../../ir/content.js';
import type { ConversionWarning } from '../../ir/warnings.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import { toDataUrl } from './data-url.js';
import { readChatMeta } from './meta.js';
import { type ChatContentPart, FORMAT_ID } from './types.js';

function record(value: unknown): JsonObject {
  return isRecord(value) ? value : {};
}

/** A text part with the extras it came with. */
export function encodeTextPart(part: IrTextPart): ChatContentPart {
  return { ...record(readChatMeta(part.meta).extra), type: 'text', text: part.text };
}

function encodeImagePart(
  part: IrImagePart,
  path: string,
  warnings: ConversionWarning[],
): ChatContentPart | undefined {
  const meta = readChatMeta(part.meta);
  let url: string;
  switch (part.source.kind) {
    case 'url':
      url = part.source.url;
      break;
    case 'base64':
      url = toDataUrl(part.source.mediaType, part.source.data);
      break;
    case 'file-id':
      warnings.push({
        code: 'dropped',
        message: 'An image given by file id cannot be sent in Chat (it needs a URL)',
        path,
      });
      return undefined;
    default:
      return assertNever(part.source, 'image source');
  }
  return {
    ...record(meta.extra),
    type: 'image_url',
    image_url: {
      ...record(meta.imageExtra),
      url,
      ...(part.detail !== undefined ? { detail: part.detail } : {}),
    },
  };
}

function encodeFilePart(
  part: IrFilePart,
  path: string,
  warnings: ConversionWarning[],
): ChatContentPart | undefined {
  const meta = readChatMeta(part.meta);
  const file: JsonObject = { ...record(meta.fileExtra) };
  switch (part.source.kind) {
    case 'base64':
      file.file_data =
        meta.rawData === true
          ? part.source.data
          : toDataUrl(part.source.mediaType, part.source.data);
      if (typeof meta.fileId === 'string') file.file_id = meta.fileId;
      break;
    case 'file-id':
      file.file_id = part.source.fileId;
      break;
    case 'url':
      warnings.push({
        code: 'dropped',
        message: 'A file given by URL cannot be sent in Chat (it needs inline data or a file id)',
        path,
      });
      return undefined;
    default:
      return assertNever(part.source, 'file source');
  }
  if (part.filename !== undefined) file.filename = part.filename;
  return { ...record(meta.extra), type: 'file', file };
}

/**
 * One user part as a Chat content part, or `undefined` (with a warning) when Chat cannot carry
 * it: images by file id, files by URL, opaque parts of other formats.
 */
export function encodeUserPart(
  part: IrUserPart,
  path: string,
  warnings: ConversionWarning[],
): ChatContentPart | undefined {
  switch (part.type) {
    case 'text':
      return encodeTextPart(part);
    case 'image':
      return encodeImagePart(part, path, warnings);
    case 'file':
      return encodeFilePart(part, path, warnings);
    case 'opaque':
      if (part.format === FORMAT_ID && isRecord(part.value)) return part.value as ChatContentPart;
      warnings.push({
        code: 'dropped',
        message: `A "${part.format}" content part cannot be sent in Chat`,
        path,
      });
      return undefined;
    default:
      return assertNever(part, 'user part');
  }
}

/** True when a text part carries no extras, so a lone one can be written as a plain string. */
export function isPlainText(part: ChatContentPart): boolean {
  return part.type === 'text' && Object.keys(part).length === 2;
}
