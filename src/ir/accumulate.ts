/** Folds a neutral event stream into one neutral response: the cross-format reassembly step. */
import { assertNever } from '../util/assert-never.js';
import type { IrAnnotation, IrAssistantPart } from './content.js';
import type { IrEvent } from './events.js';
import { statusForFinishReason } from './finish.js';
import type { IrMeta } from './meta.js';
import {
  type IrError,
  type IrFinishReason,
  type IrResponse,
  type IrStatus,
  TRUNCATED_STREAM_ERROR,
} from './response.js';
import { type IrUsage, mergeUsage } from './usage.js';

/** Pushes events in; `result()` gives the response built so far (callable at any time). */
export interface IrAccumulator {
  push(event: IrEvent): void;
  /** Whether a `message-end` or `error` event has been seen. */
  readonly finished: boolean;
  result(): IrResponse;
}

type BlockState =
  | { kind: 'text'; text: string; annotations: IrAnnotation[]; meta?: IrMeta }
  | { kind: 'refusal'; text: string; meta?: IrMeta }
  | {
      kind: 'reasoning';
      text: string;
      id?: string;
      signature?: string;
      redactedData?: string;
      encryptedContent?: string;
      meta?: IrMeta;
    }
  | {
      kind: 'tool-call';
      callId: string;
      name: string;
      toolKind: 'function' | 'custom';
      arguments: string;
      meta?: IrMeta;
    }
  | { kind: 'opaque'; part: IrAssistantPart };

function mergeMeta(base: IrMeta | undefined, update: IrMeta | undefined): IrMeta | undefined {
  if (update === undefined) return base;
  if (base === undefined) return update;
  const merged: IrMeta = { ...base };
  for (const [format, extras] of Object.entries(update) as Array<
    [keyof IrMeta, IrMeta[keyof IrMeta]]
  >) {
    merged[format] = { ...base[format], ...extras };
  }
  return merged;
}

function blockToPart(block: BlockState): IrAssistantPart {
  switch (block.kind) {
    case 'text':
      return {
        type: 'text',
        text: block.text,
        ...(block.annotations.length > 0 ? { annotations: block.annotations } : {}),
        ...(block.meta ? { meta: block.meta } : {}),
      };
    case 'refusal':
      return { type: 'refusal', text: block.text, ...(block.meta ? { meta: block.meta } : {}) };
    case 'reasoning':
      return {
        type: 'reasoning',
        text: block.text,
        ...(block.id !== undefined ? { id: block.id } : {}),
        ...(block.signature !== undefined ? { signature: block.signature } : {}),
        ...(block.redactedData !== undefined ? { redactedData: block.redactedData } : {}),
        ...(block.encryptedContent !== undefined
          ? { encryptedContent: block.encryptedContent }
          : {}),
        ...(block.meta ? { meta: block.meta } : {}),
      };
    case 'tool-call':
      return {
        type: 'tool-call',
        callId: block.callId,
        name: block.name,
        arguments: block.arguments,
        kind: block.toolKind,
        ...(block.meta ? { meta: block.meta } : {}),
      };
    case 'opaque':
      return block.part;
    default:
      return assertNever(block, 'block');
  }
}

/**
 * Creates an accumulator. It is lenient: a delta for a block that never started opens one, a
 * block of the wrong kind is replaced, events after the end are still folded in.
 */
export function createIrAccumulator(): IrAccumulator {
  const blocks: BlockState[] = [];
  let id = '';
  let model = '';
  let createdAt: number | undefined;
  let meta: IrMeta | undefined;
  let usage: IrUsage = {};
  let finishReason: IrFinishReason | undefined;
  let status: IrStatus | undefined;
  let stopSequence: string | undefined;
  let error: IrError | undefined;
  let finished = false;

  function textBlock(index: number, kind: 'text' | 'refusal'): { text: string } {
    const block = blocks[index];
    if (block?.kind === kind) return block;
    const created: BlockState =
      kind === 'text' ? { kind, text: '', annotations: [] } : { kind, text: '' };
    blocks[index] = created;
    return created;
  }

  function reasoningBlock(index: number): Extract<BlockState, { kind: 'reasoning' }> {
    const block = blocks[index];
    if (block?.kind === 'reasoning') return block;
    const created: Extract<BlockState, { kind: 'reasoning' }> = { kind: 'reasoning', text: '' };
    blocks[index] = created;
    return created;
  }

  function toolBlock(index: number): Extract<BlockState, { kind: 'tool-call' }> {
    const block = blocks[index];
    if (block?.kind === 'tool-call') return block;
    const created: Extract<BlockState, { kind: 'tool-call' }> = {
      kind: 'tool-call',
      callId: '',
      name: '',
      toolKind: 'function',
      arguments: '',
    };
    blocks[index] = created;
    return created;
  }

  function push(event: IrEvent): void {
    switch (event.type) {
      case 'message-start':
        if (event.id !== undefined) id = event.id;
        if (event.model !== undefined) model = event.model;
        if (event.createdAt !== undefined) createdAt = event.createdAt;
        meta = mergeMeta(meta, event.meta);
        return;
      case 'text-start':
      case 'refusal-start': {
        const kind = event.type === 'text-start' ? 'text' : 'refusal';
        blocks[event.index] =
          kind === 'text'
            ? { kind, text: '', annotations: [], ...(event.meta ? { meta: event.meta } : {}) }
            : { kind, text: '', ...(event.meta ? { meta: event.meta } : {}) };
        return;
      }
      case 'text-delta':
        textBlock(event.index, 'text').text += event.delta;
        return;
      case 'refusal-delta':
        textBlock(event.index, 'refusal').text += event.delta;
        return;
      case 'text-annotation': {
        const block = textBlock(event.index, 'text') as Extract<BlockState, { kind: 'text' }>;
        block.annotations.push(event.annotation);
        return;
      }
      case 'text-end':
      case 'refusal-end': {
        const block = textBlock(event.index, event.type === 'text-end' ? 'text' : 'refusal') as {
          meta?: IrMeta;
        };
        block.meta = mergeMeta(block.meta, event.meta);
        return;
      }
      case 'reasoning-start': {
        blocks[event.index] = {
          kind: 'reasoning',
          text: '',
          ...(event.id !== undefined ? { id: event.id } : {}),
          ...(event.meta ? { meta: event.meta } : {}),
        };
        return;
      }
      case 'reasoning-delta':
        reasoningBlock(event.index).text += event.delta;
        return;
      case 'reasoning-end': {
        const block = reasoningBlock(event.index);
        if (event.id !== undefined) block.id = event.id;
        if (event.signature !== undefined) block.signature = event.signature;
        if (event.redactedData !== undefined) block.redactedData = event.redactedData;
        if (event.encryptedContent !== undefined) block.encryptedContent = event.encryptedContent;
        block.meta = mergeMeta(block.meta, event.meta);
        return;
      }
      case 'tool-call-start':
        blocks[event.index] = {
          kind: 'tool-call',
          callId: event.callId,
          name: event.name,
          toolKind: event.kind,
          arguments: '',
          ...(event.meta ? { meta: event.meta } : {}),
        };
        return;
      case 'tool-call-delta':
        toolBlock(event.index).arguments += event.delta;
        return;
      case 'tool-call-end': {
        const block = toolBlock(event.index);
        block.meta = mergeMeta(block.meta, event.meta);
        return;
      }
      case 'opaque':
        blocks[event.index] = {
          kind: 'opaque',
          part: { type: 'opaque', format: event.format, value: event.value },
        };
        return;
      case 'usage':
        usage = mergeUsage(usage, event.usage);
        return;
      case 'message-end':
        finishReason = event.finishReason;
        status = event.status ?? statusForFinishReason(event.finishReason);
        if (event.stopSequence !== undefined) stopSequence = event.stopSequence;
        meta = mergeMeta(meta, event.meta);
        finished = true;
        return;
      case 'error':
        error = event.error;
        finishReason = 'error';
        status = 'failed';
        finished = true;
        return;
      default:
        assertNever(event, 'IR event');
    }
  }

  function result(): IrResponse {
    const content: IrAssistantPart[] = [];
    for (const block of blocks) if (block !== undefined) content.push(blockToPart(block));
    const truncated = !finished;
    const finalReason: IrFinishReason =
      finishReason ?? (content.some((part) => part.type === 'tool-call') ? 'tool-calls' : 'other');
    const finalError = error ?? (truncated ? TRUNCATED_STREAM_ERROR : undefined);
    return {
      id,
      model,
      ...(createdAt !== undefined ? { createdAt } : {}),
      content,
      finishReason: finalReason,
      ...(stopSequence !== undefined ? { stopSequence } : {}),
      status: truncated ? 'incomplete' : (status ?? 'completed'),
      usage,
      ...(finalError ? { error: finalError } : {}),
      ...(meta ? { meta } : {}),
    };
  }

  return {
    push,
    get finished() {
      return finished;
    },
    result,
  };
}

/** Accumulates a whole list of events. */
export function accumulateEvents(events: Iterable<IrEvent>): IrResponse {
  const accumulator = createIrAccumulator();
  for (const event of events) accumulator.push(event);
  return accumulator.result();
}
