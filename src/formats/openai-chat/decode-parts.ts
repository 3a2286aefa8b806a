/** Decodes Chat request content parts (user, system and tool messages) into neutral parts. */
import type { IrFilePart, IrImagePart, IrOpaquePart, IrTextPart } from '../../ir/content.js';
import { getRecord, getString, type JsonObject } from '../../util/json.js';
import { parseDataUrl } from './data-url.js';
import { chatMeta, extraFields, metaField } from './meta.js';
import { FORMAT_ID } from './types.js';

/** A decoded content part; kinds the IR does not model stay opaque for this format. */
export type DecodedPart = IrTextPart | IrImagePart | IrFilePart | IrOpaquePart;

const DETAILS = new Set(['auto', 'low', 'high']);

/** A text part, keeping unknown fields (`cache_control`, ...) in meta. */
export function decodeTextPart(part: JsonObject): IrTextPart {
  return {
    type: 'text',
    text: getString(part, 'text') ?? '',
    ...metaField(chatMeta({ extra: extraFields(part, ['type', 'text']) })),
  };
}

function decodeImagePart(part: JsonObject): IrImagePart {
  const image = getRecord(part, 'image_url') ?? {};
  const url = getString(image, 'url') ?? '';
  const inline = parseDataUrl(url);
  const detail = getString(image, 'detail');
  const known = detail !== undefined && DETAILS.has(detail);
  return {
    type: 'image',
    source: inline
      ? { kind: 'base64', mediaType: inline.mediaType, data: inline.data }
      : { kind: 'url', url },
    ...(known ? { detail: detail as 'auto' | 'low' | 'high' } : {}),
    ...metaField(
      chatMeta({
        extra: extraFields(part, ['type', 'image_url']),
        imageExtra: extraFields(image, known ? ['url', 'detail'] : ['url']),
      }),
    ),
  };
}

/**
 * A file part. `file_data` is documented as base64 and sent as a `data:` URL by the SDKs'
 * examples; a bare base64 string is accepted too and comes back bare (`rawData`).
 */
function decodeFilePart(part: JsonObject): IrFilePart | IrOpaquePart {
  const file = getRecord(part, 'file') ?? {};
  const fileData = getString(file, 'file_data');
  const fileId = getString(file, 'file_id');
  const filename = getString(file, 'filename');
  const extra = {
    extra: extraFields(part, ['type', 'file']),
    fileExtra: extraFields(file, ['file_data', 'file_id', 'filename']),
  };
  if (fileData !== undefined) {
    const inline = parseDataUrl(fileData);
    return {
      type: 'file',
      source: inline
        ? { kind: 'base64', mediaType: inline.mediaType, data: inline.data }
        : { kind: 'base64', mediaType: 'application/pdf', data: fileData },
      ...(filename !== undefined ? { filename } : {}),
      ...metaField(chatMeta({ ...extra, rawData: inline ? undefined : true, fileId })),
    };
  }
  if (fileId !== undefined) {
    return {
      type: 'file',
      source: { kind: 'file-id', fileId },
      ...(filename !== undefined ? { filename } : {}),
      ...metaField(chatMeta(extra)),
    };
  }
  return { type: 'opaque', format: FORMAT_ID, value: part };
}

/**
 * One content part of a user or tool message: text, images (a `data:` URL becomes a base64
 * source), files; `input_audio` and unknown types become opaque parts of this format.
 */
export function decodeContentPart(part: JsonObject): DecodedPart {
  switch (part.type) {
    case 'text':
      return decodeTextPart(part);
    case 'image_url':
      return decodeImagePart(part);
    case 'file':
      return decodeFilePart(part);
    default:
      return { type: 'opaque', format: FORMAT_ID, value: part };
  }
}
