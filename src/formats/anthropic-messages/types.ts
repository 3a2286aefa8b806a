/**
 * Hand-written Anthropic Messages wire types that code names; types nothing used were deleted
 * (the converters read bodies through narrow guards and keep fields they do not read in
 * `meta['anthropic-messages']`).
 *
 * @see https://docs.claude.com/en/api/messages
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 */

/** The format id, used as the key of this format's `IrMeta` extras. */
export const FORMAT_ID = 'anthropic-messages' as const;

/** The `error` object of an error body or stream `error` event. */
export interface AnthropicErrorObject {
  type: string;
  message: string;
}
