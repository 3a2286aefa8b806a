/**
 * The library entry of ccproxy (`import … from 'ccproxy'`): convert requests, response bodies
 * and SSE streams between OpenAI Chat Completions, OpenAI Responses and Anthropic Messages, or
 * start the proxy from code. Importing it has no side effects: nothing listens, reads a file or
 * the environment until a function is called.
 *
 * @example
 * import { convertRequest } from 'ccproxy';
 * const { body, warnings } = convertRequest(
 *   { model: 'gpt-5.2', messages: [{ role: 'user', content: 'Hi' }] },
 *   { from: 'openai-chat', to: 'anthropic-messages' },
 * );
 */
export { ConfigError } from './config/resolve.js';
export type { ProxyErrorCode } from './errors.js';
export { isProxyError, ProxyError } from './errors.js';
export type { WireBody, WireFormatId } from './formats/format.js';
export { WIRE_FORMAT_IDS } from './ir/meta.js';
export type { ConversionWarning, WarningCode } from './ir/warnings.js';
export type {
  ConvertFormats,
  ConvertOutputOptions,
  ConvertResult,
  ConvertStreamResult,
  StreamInput,
} from './library/convert.js';
export { convertRequest, convertResponse, convertStream } from './library/convert.js';
export type { RunningProxy, StartProxyOptions } from './library/start-proxy.js';
export { startProxy } from './library/start-proxy.js';
export type { Logger } from './observability/logger.js';
export { createLogger } from './observability/logger.js';
export { VERSION } from './version.js';
