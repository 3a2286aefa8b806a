/** The provider contract: an account to reach, how to authenticate to it, and its quirks. */
import type { ModelCard, ModelMappingRule } from '../config/schema.js';
import type { WireBody, WireFormatId } from '../formats/format.js';
import type { UpstreamResponse } from '../http/upstream-fetch.js';
import type { ConversionWarning, Converted } from '../ir/warnings.js';
import type { Logger } from '../observability/logger.js';
import type { RequestSignal } from '../util/request-signal.js';

/** What a provider's body shaping may know about the request. */
export interface PrepareContext {
  /** The format the client spoke. */
  clientFormat: WireFormatId;
  /** The format the upstream is asked in (see `Provider.selectFormat`). */
  upstreamFormat: WireFormatId;
  /** The client's request headers (betas, session ids); never forwarded wholesale. */
  clientHeaders: Headers;
  /** Whether the client asked for a stream. */
  clientStream: boolean;
  /** A session id from the route (`/codex/{session_id}/v1/messages`), when there is one. */
  routeSessionId?: string;
}

/** An upstream request, ready to send except for credentials. */
export interface UpstreamCall {
  /** The body in the provider's format, already shaped by `prepareBody`. */
  body: WireBody;
  /** Whether the upstream is asked to stream. */
  stream: boolean;
  context: PrepareContext;
  signal: RequestSignal;
  /** The request's logger (debug lines about the upstream call). */
  logger?: Logger;
}

/** Credential state for `/health` and `auth status`, without secrets. */
export interface CredentialStatus {
  state: 'present' | 'missing' | 'expired' | 'invalid';
  /** Where the credentials come from (a file path or an environment variable name). */
  source?: string;
  /** Whether an expired token can be refreshed without the user. */
  refreshable?: boolean;
  /** Expiry as an ISO date, when known. */
  expiresAt?: string;
  account?: string;
  plan?: string;
  detail?: string;
  /** When the account rests after hitting its limit (ISO date), in a pool. */
  restingUntil?: string;
  /** Every account of a pool by name, when the provider has several. */
  accounts?: Record<string, CredentialStatus>;
}

/** One upstream account. */
export interface Provider {
  /** Route prefix and plugin name: `codex`, `claude`, `copilot`, or a configured name. */
  id: string;
  /** The format the upstream speaks (its default one, when it speaks several). */
  format: WireFormatId;
  /**
   * For an upstream that speaks several formats (Copilot): the one to use for this client and
   * model, so that nothing is translated twice. Absent: always `format`.
   */
  selectFormat?(clientFormat: WireFormatId, model: string): WireFormatId;
  /** True when the upstream only answers with streams (non-streaming clients get reassembly). */
  streamingOnly: boolean;
  /**
   * True when the upstream keeps Responses itself (an OpenAI Responses API): a response or item
   * id the proxy's store does not know is left for the upstream to resolve instead of a 400.
   */
  keepsResponses?: boolean;
  /** Ordered model renaming rules. */
  modelMappings: readonly ModelMappingRule[];
  /** Routes beyond `/v1/chat/completions`, `/v1/responses` and `/v1/messages` (path after the prefix). */
  extraRoutes?: ReadonlyArray<{ suffix: string; format: WireFormatId }>;
  /** Shapes an upstream-format body to what this upstream accepts (pure); reports what it drops. */
  prepareBody(body: WireBody, context: PrepareContext): Converted<WireBody>;
  /** Sends the request with credentials (refreshing and retrying once on 401). */
  send(call: UpstreamCall): Promise<UpstreamResponse>;
  /**
   * Counts a Messages body's input tokens with the upstream's own counter, when it has one
   * (`/v1/messages/count_tokens` answers with an estimate otherwise).
   */
  countTokens?(
    body: WireBody,
    context: { clientHeaders: Headers; signal: RequestSignal },
  ): Promise<UpstreamResponse>;
  /** Model cards for `/v1/models`. */
  listModels(): Promise<ModelCard[]>;
  /** Credential state, without secrets. */
  credentialStatus(): Promise<CredentialStatus>;
  /**
   * When a rate-limited account may be used again (Unix ms), from the upstream's own reset
   * headers; absent or `undefined`: `retry-after` or the body decides.
   */
  limitResetAt?(status: number, headers: Headers, nowMs: number): number | undefined;
}

/** Converts warnings of a body shaping into a `Converted`. */
export function shaped(body: WireBody, warnings: ConversionWarning[]): Converted<WireBody> {
  return { value: body, warnings };
}
