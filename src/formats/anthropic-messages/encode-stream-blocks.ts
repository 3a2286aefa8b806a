/**
 * Writes neutral content-block events as Anthropic content blocks, strictly one after another:
 * Anthropic blocks cannot interleave, so an IR block that starts while another is open is
 * buffered and written, in order of start, once the open one ends.
 */
import type { IrMeta } from '../../ir/meta.js';
import type { SseMessage } from '../../sse/message.js';
import { assertNever } from '../../util/assert-never.js';
import { isRecord, type JsonObject } from '../../util/json.js';
import type { EncodeContext } from '../format.js';
import { type BlockEvent, type BlockKind, isStart, kindOf, syntheticEnd } from './block-event.js';
import { encodeAnnotation } from './citations.js';
import { signatureForClient } from './encode-assistant-part.js';
import { ownExtra } from './meta.js';
import { FORMAT_ID } from './types.js';

interface BlockRecord {
  kind: BlockKind;
  irIndex: number;
  /** Events received while the block waited its turn. */
  waiting: BlockEvent[];
  /** Wire index, set once `content_block_start` is written. */
  wireIndex: number | undefined;
  ended: boolean;
  startMeta: IrMeta | undefined;
  /** Reasoning item id given at the start (Responses `rs_…`), packed with encrypted content. */
  reasoningId: string | undefined;
  /** Raw input of a custom tool call, sent whole at its end. */
  rawInput: string[] | undefined;
}

/** Writes blocks; see the file comment. */
export interface BlockWriter {
  push(event: BlockEvent, out: SseMessage[]): void;
  /** Writes every buffered block and closes all of them (before `message_delta`). */
  finish(out: SseMessage[]): void;
  /** Closes the open block and forgets buffered ones (before an `error` event). */
  abort(out: SseMessage[]): void;
  hasToolCalls(): boolean;
  hasRefusal(): boolean;
}

function sse(type: string, payload: JsonObject): SseMessage {
  return { event: type, data: JSON.stringify({ type, ...payload }) };
}

/** Creates a block writer for one stream. */
export function createBlockWriter(context: EncodeContext): BlockWriter {
  const records = new Map<number, BlockRecord>();
  const queue: BlockRecord[] = [];
  let current: BlockRecord | undefined;
  let nextWireIndex = 0;
  let toolCalls = false;
  let refusal = false;

  function open(record: BlockRecord, block: JsonObject, out: SseMessage[]): number {
    const index = nextWireIndex++;
    record.wireIndex = index;
    out.push(sse('content_block_start', { index, content_block: block }));
    return index;
  }

  function delta(record: BlockRecord, payload: JsonObject, out: SseMessage[]): void {
    out.push(sse('content_block_delta', { index: record.wireIndex, delta: payload }));
  }

  function close(record: BlockRecord, out: SseMessage[]): void {
    if (record.wireIndex !== undefined) {
      out.push(sse('content_block_stop', { index: record.wireIndex }));
    }
    record.ended = true;
    if (current === record) current = undefined;
  }

  function endReasoning(
    record: BlockRecord,
    event: Extract<BlockEvent, { type: 'reasoning-end' }>,
    out: SseMessage[],
  ): void {
    const extra = ownExtra(record.startMeta);
    if (event.redactedData !== undefined && record.wireIndex === undefined) {
      open(record, { type: 'redacted_thinking', data: event.redactedData, ...extra }, out);
      close(record, out);
      return;
    }
    const signature = signatureForClient({ ...event, id: event.id ?? record.reasoningId });
    if (record.wireIndex === undefined) {
      // Nothing to show and nothing to give back next turn: no block at all.
      if (signature === '') {
        close(record, out);
        return;
      }
      open(record, { type: 'thinking', thinking: '', signature: '', ...extra }, out);
    } else if (event.redactedData !== undefined) {
      context.onWarning?.({
        code: 'dropped',
        message: 'Redacted reasoning data after readable reasoning text was left out',
      });
    }
    // One signature_delta right before the stop, as the API sends it.
    delta(record, { type: 'signature_delta', signature }, out);
    close(record, out);
  }

  function apply(record: BlockRecord, event: BlockEvent, out: SseMessage[]): void {
    switch (event.type) {
      case 'text-start':
      case 'refusal-start':
        open(record, { type: 'text', text: '', ...ownExtra(event.meta) }, out);
        return;
      case 'text-delta':
      case 'refusal-delta':
        if (event.delta !== '') delta(record, { type: 'text_delta', text: event.delta }, out);
        return;
      case 'text-annotation': {
        const citation = encodeAnnotation(
          event.annotation,
          'response',
          (warning) => context.onWarning?.(warning),
          `content[${record.wireIndex}]`,
        );
        if (citation !== undefined) delta(record, { type: 'citations_delta', citation }, out);
        return;
      }
      case 'text-end':
      case 'refusal-end':
      case 'tool-call-end':
        if (record.rawInput !== undefined) {
          context.onWarning?.({
            code: 'lossy',
            message: 'Custom tool call sent as a tool_use with its raw input in "input"',
          });
          const input = JSON.stringify({ input: record.rawInput.join('') });
          delta(record, { type: 'input_json_delta', partial_json: input }, out);
        }
        close(record, out);
        return;
      case 'reasoning-start':
        // Opened lazily: only the end tells whether it is thinking or redacted_thinking.
        record.startMeta = event.meta;
        record.reasoningId = event.id;
        return;
      case 'reasoning-delta':
        if (event.delta === '') return;
        if (record.wireIndex === undefined) {
          const extra = ownExtra(record.startMeta);
          open(record, { type: 'thinking', thinking: '', signature: '', ...extra }, out);
        }
        delta(record, { type: 'thinking_delta', thinking: event.delta }, out);
        return;
      case 'reasoning-end':
        endReasoning(record, event, out);
        return;
      case 'tool-call-start':
        toolCalls = true;
        if (event.kind === 'custom') record.rawInput = [];
        open(
          record,
          {
            type: 'tool_use',
            id: event.callId === '' ? context.createId('toolu_') : event.callId,
            name: event.name,
            input: {},
            ...ownExtra(event.meta),
          },
          out,
        );
        return;
      case 'tool-call-delta':
        if (record.rawInput !== undefined) record.rawInput.push(event.delta);
        else if (event.delta !== '') {
          delta(record, { type: 'input_json_delta', partial_json: event.delta }, out);
        }
        return;
      case 'opaque':
        if (isRecord(event.value)) open(record, event.value, out);
        close(record, out);
        return;
      default:
        assertNever(event, 'block event');
    }
  }

  /** Makes the next waiting blocks current, replaying what they buffered. */
  function drain(out: SseMessage[]): void {
    while (current === undefined) {
      const record = queue.shift();
      if (record === undefined) return;
      current = record;
      const waiting = record.waiting;
      record.waiting = [];
      for (const event of waiting) apply(record, event, out);
    }
  }

  function push(event: BlockEvent, out: SseMessage[]): void {
    if (isStart(event)) {
      if (records.has(event.index)) return;
      if (event.type === 'opaque' && event.format !== FORMAT_ID) {
        context.onWarning?.({
          code: 'dropped',
          message: `A "${event.format}" block has no Anthropic equivalent`,
        });
        return;
      }
      if (event.type === 'refusal-start') refusal = true;
      const record: BlockRecord = {
        kind: kindOf(event),
        irIndex: event.index,
        waiting: [],
        wireIndex: undefined,
        ended: false,
        startMeta: undefined,
        reasoningId: undefined,
        rawInput: undefined,
      };
      records.set(event.index, record);
      if (current === undefined && queue.length === 0) {
        current = record;
        apply(record, event, out);
        drain(out);
      } else {
        record.waiting.push(event);
        queue.push(record);
      }
      return;
    }
    const record = records.get(event.index);
    if (record === undefined || record.ended || kindOf(event) !== record.kind) return;
    if (record === current) {
      apply(record, event, out);
      drain(out);
    } else record.waiting.push(event);
  }

  function finish(out: SseMessage[]): void {
    drain(out);
    while (current !== undefined) {
      apply(current, syntheticEnd(current.kind, current.irIndex), out);
      drain(out);
    }
  }

  function abort(out: SseMessage[]): void {
    if (current !== undefined) close(current, out);
    queue.length = 0;
  }

  return { push, finish, abort, hasToolCalls: () => toolCalls, hasRefusal: () => refusal };
}
