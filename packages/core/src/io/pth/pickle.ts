/**
 * A restricted pickle reader: the data opcodes of protocols 2 to 4 (what torch.save writes) and
 * nothing that can run code. Classes and callables exist only as what the caller's `hooks`
 * return for a GLOBAL it allows; REDUCE, BUILD and persistent ids go to those hooks too, so the
 * caller decides what each may do (./torch-pickle.ts allows state dicts and nothing else). The
 * opcodes that build arbitrary objects (INST, OBJ, NEWOBJ, NEWOBJ_EX, EXT*) and the text
 * opcodes of protocol 0 are refused.
 *
 * Safe on hostile input: every length is checked against the bytes left before anything is
 * read or allocated; integers are capped in size; the stack machine does O(1) work per byte
 * except to pop a marked run of items, each of which was pushed by its own byte. Errors are
 * WeightsFormatError naming the source, the byte and the opcode.
 */

import { WeightsFormatError } from '../../errors.js';

/** A Python tuple (lists are JS arrays; tuples stay apart so arguments can be told from data). */
export class PickleTuple {
  constructor(readonly items: readonly unknown[]) {}
}

/** Keys a dict may have here: Python's str, int, float, bool and None. */
export type PickleKey = string | number | bigint | boolean | null;

/** A Python dict (or OrderedDict), in insertion order, with attributes a BUILD set on it. */
export class PickleDict {
  readonly entries = new Map<PickleKey, unknown>();
  /** Instance attributes (e.g. a state dict's `_metadata`), or undefined when none were set. */
  attributes: PickleDict | undefined;
  constructor(readonly kind: 'dict' | 'OrderedDict' = 'dict') {}
}

/**
 * What a hook throws to refuse or reject something: the reader turns it into a
 * WeightsFormatError that also names the pickle, the byte and the opcode.
 */
export class PickleRefusal extends Error {}

export interface PickleHooks {
  /** The object a GLOBAL names; throw PickleRefusal to refuse it. */
  global(module: string, name: string): unknown;
  /** `callable(*args)` for REDUCE; throw PickleRefusal to refuse. */
  reduce(callable: unknown, args: PickleTuple): unknown;
  /** The object a persistent id stands for (BINPERSID). */
  persistentLoad(pid: unknown): unknown;
  /** BUILD: sets `state` on `target`; throw PickleRefusal to refuse. */
  build(target: unknown, state: unknown): void;
}

export interface UnpickleResult {
  value: unknown;
  /** The byte after the STOP opcode (the next pickle of a legacy torch file starts there). */
  end: number;
}

/** Integers longer than this (LONG1/LONG4) are refused: no state dict needs them, and parsing huge ones is slow. */
const MAX_LONG_BYTES = 64;
/** GLOBAL's module and name lines are short; a longer line is not a pickle torch wrote. */
const MAX_GLOBAL_LINE = 256;

const OPCODE_NAMES: Record<number, string> = {
  0x80: 'PROTO', 0x95: 'FRAME', 0x2e: 'STOP', 0x28: 'MARK', 0x29: 'EMPTY_TUPLE', 0x74: 'TUPLE',
  0x85: 'TUPLE1', 0x86: 'TUPLE2', 0x87: 'TUPLE3', 0x5d: 'EMPTY_LIST', 0x6c: 'LIST', 0x61: 'APPEND',
  0x65: 'APPENDS', 0x7d: 'EMPTY_DICT', 0x64: 'DICT', 0x73: 'SETITEM', 0x75: 'SETITEMS', 0x4e: 'NONE',
  0x88: 'NEWTRUE', 0x89: 'NEWFALSE', 0x4a: 'BININT', 0x4b: 'BININT1', 0x4d: 'BININT2', 0x8a: 'LONG1',
  0x8b: 'LONG4', 0x47: 'BINFLOAT', 0x58: 'BINUNICODE', 0x8c: 'SHORT_BINUNICODE', 0x8d: 'BINUNICODE8',
  0x54: 'BINSTRING', 0x55: 'SHORT_BINSTRING', 0x42: 'BINBYTES', 0x43: 'SHORT_BINBYTES', 0x8e: 'BINBYTES8',
  0x71: 'BINPUT', 0x72: 'LONG_BINPUT', 0x94: 'MEMOIZE', 0x68: 'BINGET', 0x6a: 'LONG_BINGET',
  0x63: 'GLOBAL', 0x93: 'STACK_GLOBAL', 0x52: 'REDUCE', 0x62: 'BUILD', 0x51: 'BINPERSID', 0x30: 'POP',
  0x31: 'POP_MARK', 0x32: 'DUP',
  // refused (they build arbitrary objects or are protocol 0's text forms):
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4',
  0x50: 'PERSID', 0x49: 'INT', 0x4c: 'LONG', 0x46: 'FLOAT', 0x53: 'STRING', 0x56: 'UNICODE', 0x70: 'PUT',
  0x67: 'GET', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER', 0x8f: 'EMPTY_SET',
  0x90: 'ADDITEMS', 0x91: 'FROZENSET',
};

/** What a value is, in Python's words, for messages. */
export function describePickleValue(value: unknown): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number' || typeof value === 'bigint') return 'int or float';
  if (typeof value === 'string') return 'str';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'list';
  if (value instanceof PickleTuple) return 'tuple';
  if (value instanceof PickleDict) return value.kind;
  return (value as object)?.constructor?.name ?? typeof value;
}

function isKey(value: unknown): value is PickleKey {
  const t = typeof value;
  return value === null || t === 'string' || t === 'number' || t === 'bigint' || t === 'boolean';
}

/**
 * Reads one pickle from `bytes` starting at `start`, up to its STOP.
 *
 * @param where how errors name the pickle, e.g. "model.pth: archive/data.pkl".
 */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, where: string, start = 0): UnpickleResult {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.byteLength;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const latin1 = new TextDecoder('latin1');
  let stack: unknown[] = [];
  const marks: unknown[][] = [];
  const memo = new Map<number, unknown>();
  let pos = start;
  let opStart = start;
  let op = 0;

  const fail = (message: string): never => {
    const name = OPCODE_NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`;
    throw new WeightsFormatError(`${where}: byte ${opStart - start} (${name}): ${message}`);
  };
  const need = (n: number) => {
    if (n > length - pos) fail(`needs ${n} bytes but only ${length - pos} are left (truncated?)`);
  };
  const take = (n: number) => {
    need(n);
    const out = bytes.subarray(pos, pos + n);
    pos += n;
    return out;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('the stack is empty');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('the stack is empty');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const previous = marks.pop();
    if (previous === undefined) fail('no MARK to pop to');
    stack = previous!;
    return items;
  };
  const text = (raw: Uint8Array): string => {
    try {
      return utf8.decode(raw);
    } catch {
      return fail('string is not valid UTF-8');
    }
  };
  const line = (): string => {
    const limit = Math.min(length, pos + MAX_GLOBAL_LINE);
    for (let i = pos; i < limit; i++) {
      if (bytes[i] === 0x0a) {
        const out = latin1.decode(bytes.subarray(pos, i));
        pos = i + 1;
        return out;
      }
    }
    return fail(`no end of line within ${MAX_GLOBAL_LINE} bytes`);
  };
  const signedLittleEndian = (raw: Uint8Array): number | bigint => {
    if (raw.length > MAX_LONG_BYTES) fail(`an integer of ${raw.length} bytes is too large`);
    let value = 0n;
    for (let i = raw.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(raw[i]!);
    if (raw.length > 0 && raw[raw.length - 1]! >= 0x80) value -= 1n << BigInt(8 * raw.length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  };
  const dictOf = (target: unknown): PickleDict => {
    if (!(target instanceof PickleDict)) fail(`expected a dict to set items on, found a ${describePickleValue(target)}`);
    return target as PickleDict;
  };
  const setItem = (dict: PickleDict, key: unknown, value: unknown) => {
    if (!isKey(key)) fail(`a dict key must be a str, int, float, bool or None, not a ${describePickleValue(key)}`);
    dict.entries.set(key as PickleKey, value);
  };
  const listOf = (target: unknown): unknown[] => {
    if (!Array.isArray(target)) fail(`expected a list to append to, found a ${describePickleValue(target)}`);
    return target as unknown[];
  };
  const viaHook = <T>(call: () => T): T => {
    try {
      return call();
    } catch (error) {
      if (error instanceof PickleRefusal) fail(error.message);
      throw error;
    }
  };
  const memoGet = (index: number) => {
    if (!memo.has(index)) fail(`memo ${index} was never stored`);
    return memo.get(index);
  };

  for (;;) {
    opStart = pos;
    if (pos >= length) {
      op = 0;
      fail('the pickle ends without a STOP opcode (truncated?)');
    }
    op = bytes[pos++]!;
    switch (op) {
      case 0x80: { // PROTO
        const protocol = take(1)[0]!;
        if (protocol > 5) fail(`pickle protocol ${protocol} is newer than any Python writes`);
        break;
      }
      case 0x95: // FRAME: a length hint for buffered reading; the data follows inline
        take(8);
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        marks.push(stack);
        stack = [];
        break;
      case 0x29: stack.push(new PickleTuple([])); break; // EMPTY_TUPLE
      case 0x74: { // TUPLE (popMark replaces `stack`: take the items before naming it)
        const tuple = new PickleTuple(popMark());
        stack.push(tuple);
        break;
      }
      case 0x85: stack.push(new PickleTuple([pop()])); break; // TUPLE1
      case 0x86: { // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PickleTuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PickleTuple([a, b, c]));
        break;
      }
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: { // LIST
        const list = popMark();
        stack.push(list);
        break;
      }
      case 0x61: { // APPEND
        const value = pop();
        listOf(top()).push(value);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = listOf(top());
        for (const item of items) list.push(item);
        break;
      }
      case 0x7d: stack.push(new PickleDict()); break; // EMPTY_DICT
      case 0x64: { // DICT
        const items = popMark();
        if (items.length % 2 !== 0) fail(`${items.length} items is not a list of key/value pairs`);
        const dict = new PickleDict();
        for (let i = 0; i < items.length; i += 2) setItem(dict, items[i], items[i + 1]);
        stack.push(dict);
        break;
      }
      case 0x73: { // SETITEM
        const value = pop();
        const key = pop();
        setItem(dictOf(top()), key, value);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        if (items.length % 2 !== 0) fail(`${items.length} items is not a list of key/value pairs`);
        const dict = dictOf(top());
        for (let i = 0; i < items.length; i += 2) setItem(dict, items[i], items[i + 1]);
        break;
      }
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: need(4); stack.push(view.getInt32(pos, true)); pos += 4; break; // BININT
      case 0x4b: stack.push(take(1)[0]!); break; // BININT1
      case 0x4d: need(2); stack.push(view.getUint16(pos, true)); pos += 2; break; // BININT2
      case 0x8a: stack.push(signedLittleEndian(take(take(1)[0]!))); break; // LONG1
      case 0x8b: { // LONG4
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail(`negative length ${n}`);
        if (n > MAX_LONG_BYTES) fail(`an integer of ${n} bytes is too large`);
        stack.push(signedLittleEndian(take(n)));
        break;
      }
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT (big-endian)
      case 0x58: { // BINUNICODE
        need(4);
        const n = view.getUint32(pos, true);
        pos += 4;
        stack.push(text(take(n)));
        break;
      }
      case 0x8c: stack.push(text(take(take(1)[0]!))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(take(readLength64()))); break; // BINUNICODE8
      case 0x54: { // BINSTRING (Python 2 str: bytes, read as latin-1)
        need(4);
        const n = view.getInt32(pos, true);
        pos += 4;
        if (n < 0) fail(`negative length ${n}`);
        stack.push(latin1.decode(take(n)));
        break;
      }
      case 0x55: stack.push(latin1.decode(take(take(1)[0]!))); break; // SHORT_BINSTRING
      case 0x42: { // BINBYTES
        need(4);
        const n = view.getUint32(pos, true);
        pos += 4;
        stack.push(take(n));
        break;
      }
      case 0x43: stack.push(take(take(1)[0]!)); break; // SHORT_BINBYTES
      case 0x8e: stack.push(take(readLength64())); break; // BINBYTES8
      case 0x71: memo.set(take(1)[0]!, top()); break; // BINPUT
      case 0x72: need(4); memo.set(view.getUint32(pos, true), top()); pos += 4; break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: stack.push(memoGet(take(1)[0]!)); break; // BINGET
      case 0x6a: need(4); stack.push(memoGet(view.getUint32(pos, true))); pos += 4; break; // LONG_BINGET
      case 0x63: { // GLOBAL
        const module = line();
        const name = line();
        stack.push(viaHook(() => hooks.global(module, name)));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('module and name must be strings');
        stack.push(viaHook(() => hooks.global(module as string, name as string)));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        const callable = pop();
        if (!(args instanceof PickleTuple)) fail(`the arguments must be a tuple, not a ${describePickleValue(args)}`);
        stack.push(viaHook(() => hooks.reduce(callable, args as PickleTuple)));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = top();
        viaHook(() => hooks.build(target, state));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        stack.push(viaHook(() => hooks.persistentLoad(pid)));
        break;
      }
      case 0x30: // POP
        if (stack.length > 0) stack.pop();
        else popMark(); // Python's POP discards a MARK when the stack above it is empty
        break;
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        fail(OPCODE_NAMES[op] !== undefined ? 'this opcode is refused: a weight file has no need of it' : 'not a pickle opcode');
    }
  }

  function readLength64(): number {
    need(8);
    const n = view.getBigUint64(pos, true);
    pos += 8;
    if (n > BigInt(length - pos)) fail(`length ${n} runs past the end (${length - pos} bytes left)`);
    return Number(n);
  }
}
