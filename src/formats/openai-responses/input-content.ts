/**
 * Converts request content parts (`input_text`, `input_image`, `input_file`) between Responses and the IR.
 * @see https://platform.openai.com/docs/api-reference/responses/create#responses-create-input
 */
import { invalidField } from '../../errors.js';
import type { IrFilePart, IrImagePart, IrSource, IrTextPart } from '../../ir/content.js';
import { assertNever } from '../../util/assert-never.js';
import { getString, isRecord, type JsonObject, omitKeys } from '../../util/json.js';
import { readResponsesMeta, responsesMeta } from './meta.js';
import { filePartSchema, imagePartSchema, parseOrThrow, textPartSchema } from './schema.js';

const DATA_URL = /^data:([a-zA-Z0-9!#$&^_.+-]+\/[a-zA-Z0-9!#$&^_.+-]+);base64,(.*)$/s;
const IR_DETAILS = new Set(['auto', 'low', 'high']);

/** A part decoded from a request, or `undefined` when its type is not one the IR models. */
export type DecodedInputPart = IrTextPart | IrImagePart | IrFilePart;

/** `data:<type>;base64,<data>` as a base64 source; any other URL as a URL source. */
export function decodeUrlSource(url: string): IrSource {
  const match = DATA_URL.exec(url);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    return { kind: 'base64', mediaType: match[1], data: match[2] };
  }
  return { kind: 'url', url };
}

/** A base64 source as a data URL, or a URL source as itself. */
export function encodeSourceUrl(source: IrSource): string | undefined {
  if (source.kind === 'url') return source.url;
  if (source.kind === 'base64') return `data:${source.mediaType};base64,${source.data}`;
  return undefined;
}

/** Fields the IR read, removed from the extras; nulls and unreadable values stay in them. */
function extrasWithout(part: JsonObject, read: string[]): JsonObject {
  const extras = omitKeys(part, ['type']);
  for (const key of read) delete extras[key];
  return extras;
}

function decodeImage(part: JsonObject, path: string): IrImagePart {
  parseOrThrow(imagePartSchema, part, path);
  const imageUrl = getString(part, 'image_url');
  const fileId = getString(part, 'file_id');
  const detail = getString(part, 'detail');
  let source: IrSource;
  const read: string[] = [];
  if (imageUrl !== undefined) {
    source = decodeUrlSource(imageUrl);
    read.push('image_url');
  } else if (fileId !== undefined) {
    source = { kind: 'file-id', fileId };
    read.push('file_id');
  } else {
    throw invalidField(path, 'needs "image_url" or "file_id"');
  }
  const irDetail = detail !== undefined && IR_DETAILS.has(detail) ? detail : undefined;
  if (irDetail !== undefined) read.push('detail');
  return {
    type: 'image',
    source,
    ...(irDetail !== undefined ? { detail: irDetail as IrImagePart['detail'] } : {}),
    meta: responsesMeta({ part: extrasWithout(part, read) }),
  };
}

function mediaTypeOf(filename: string | undefined): string {
  return filename?.toLowerCase().endsWith('.pdf') ? 'application/pdf' : 'application/octet-stream';
}

function decodeFile(part: JsonObject, path: string): IrFilePart {
  parseOrThrow(filePartSchema, part, path);
  const fileData = getString(part, 'file_data');
  const fileUrl = getString(part, 'file_url');
  const fileId = getString(part, 'file_id');
  const filename = getString(part, 'filename');
  const read: string[] = filename !== undefined ? ['filename'] : [];
  let source: IrSource;
  let rawData = false;
  if (fileData !== undefined) {
    const decoded = decodeUrlSource(fileData);
    // `file_data` may also be bare base64 (the API takes both); remember which to write back.
    rawData = decoded.kind !== 'base64';
    source = rawData
      ? { kind: 'base64', mediaType: mediaTypeOf(filename), data: fileData }
      : decoded;
    read.push('file_data');
  } else if (fileUrl !== undefined) {
    source = { kind: 'url', url: fileUrl };
    read.push('file_url');
  } else if (fileId !== undefined) {
    source = { kind: 'file-id', fileId };
    read.push('file_id');
  } else {
    throw invalidField(path, 'needs "file_data", "file_url" or "file_id"');
  }
  return {
    type: 'file',
    source,
    ...(filename !== undefined ? { filename } : {}),
    meta: responsesMeta({ part: extrasWithout(part, read), ...(rawData ? { rawData } : {}) }),
  };
}

/**
 * One input content part as an IR part; `undefined` for a type the IR does not model (the
 * caller keeps the whole item opaque). Throws `invalid_request` for a malformed known part.
 */
export function decodeInputPart(part: JsonObject, path: string): DecodedInputPart | undefined {
  switch (part.type) {
    case 'input_text':
    case 'output_text': {
      const { text } = parseOrThrow(textPartSchema, part, path);
      return {
        type: 'text',
        text,
        meta: responsesMeta({ part: omitKeys(part, ['text']) }),
      };
    }
    case 'input_image':
      return decodeImage(part, path);
    case 'input_file':
      return decodeFile(part, path);
    default:
      return undefined;
  }
}

/** An IR text, image or file part as an input content part. */
export function encodeInputPart(part: DecodedInputPart): JsonObject {
  const extras = readResponsesMeta(part.meta)?.part;
  const native = isRecord(extras) ? extras : undefined;
  switch (part.type) {
    case 'text':
      return { type: 'input_text', ...native, text: part.text };
    case 'image': {
      const url = encodeSourceUrl(part.source);
      return {
        type: 'input_image',
        ...(native ? {} : { detail: part.detail ?? 'auto' }),
        ...native,
        ...(url !== undefined ? { image_url: url } : {}),
        ...(part.source.kind === 'file-id' ? { file_id: part.source.fileId } : {}),
        ...(native && part.detail !== undefined ? { detail: part.detail } : {}),
      };
    }
    case 'file': {
      const source = part.source;
      const rawData = readResponsesMeta(part.meta)?.rawData === true;
      // The API rejects `file_data` without a name; other formats may not have one.
      const filename =
        part.filename ??
        (native || source.kind !== 'base64'
          ? undefined
          : source.mediaType === 'application/pdf'
            ? 'document.pdf'
            : 'file');
      return {
        type: 'input_file',
        ...native,
        ...(source.kind === 'base64'
          ? { file_data: rawData ? source.data : encodeSourceUrl(source) }
          : source.kind === 'url'
            ? { file_url: source.url }
            : { file_id: source.fileId }),
        ...(filename !== undefined ? { filename } : {}),
      };
    }
    default:
      return assertNever(part, 'input part');
  }
}
