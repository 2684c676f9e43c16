/**
 * Arrow column buffers laid out by hand: apache-arrow's generic builders take about a microsecond a
 * value and compile their null check with `new Function` (which workerd refuses inside a request), so
 * the lake's Parquet writer and the query API's Arrow answers build their buffers here.
 *
 * @module
 */

/** A validity bitmap and null count: `nullBitmap` is left out when no value is null. */
export interface Validity {
  nullBitmap: Uint8Array | undefined;
  nullCount: number;
}

/**
 * The validity of `values` (a bit set per value that is neither null nor undefined).
 *
 * @example
 * ```ts
 * import { validityOf } from './arrow-buffers.ts';
 * validityOf(['a', null, 'c']).nullCount; // 1
 * ```
 */
export function validityOf(values: readonly unknown[]): Validity {
  const bitmap = new Uint8Array((values.length + 7) >> 3);
  let nullCount = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null || values[i] === undefined) nullCount++;
    else bitmap[i >> 3]! |= 1 << (i & 7);
  }
  return { nullBitmap: nullCount ? bitmap : undefined, nullCount };
}

/** The offsets and bytes of a Utf8 column. */
export interface Utf8Buffers {
  valueOffsets: Int32Array;
  data: Uint8Array;
}

const encoder = new TextEncoder();
/** Arrow Utf8 offsets are 32-bit: a column's strings take 2 GiB at most. */
const MAX_UTF8_BYTES = 0x7fffffff;

/**
 * A Utf8 column's offsets and one byte buffer, for strings (null and undefined are empty and null in
 * the validity). ASCII is copied a code unit at a time, the rest of a string once it meets a wider
 * character is encoded by TextEncoder straight into the buffer: no array per value.
 *
 * @example
 * ```ts
 * import { utf8Buffers } from './arrow-buffers.ts';
 * const { valueOffsets, data } = utf8Buffers(['ab', null, 'é']);
 * [...valueOffsets]; // [0, 2, 2, 4]
 * ```
 */
export function utf8Buffers(values: readonly (string | null | undefined)[]): Utf8Buffers {
  const valueOffsets = new Int32Array(values.length + 1);
  let bytes = new Uint8Array(Math.max(1024, values.length * 32));
  let end = 0;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (typeof value === 'string') {
      const length = value.length;
      // A UTF-16 code unit takes at most three bytes in UTF-8.
      if (end + length * 3 > bytes.length) {
        if (end + length * 3 > MAX_UTF8_BYTES && end + encoder.encode(value).length > MAX_UTF8_BYTES)
          throw new RangeError(
            `a string column holds over ${MAX_UTF8_BYTES} bytes; Arrow Utf8 takes 2 GiB at most, so write fewer rows per file`,
          );
        const grown = new Uint8Array(Math.min(MAX_UTF8_BYTES, Math.max(bytes.length * 2, end + length * 3)));
        grown.set(bytes.subarray(0, end));
        bytes = grown;
      }
      let k = 0;
      for (; k < length; k++) {
        const code = value.charCodeAt(k);
        if (code >= 0x80) break;
        bytes[end++] = code;
      }
      if (k < length) end += encoder.encodeInto(value.slice(k), bytes.subarray(end)).written;
    }
    valueOffsets[i + 1] = end;
  }
  return { valueOffsets, data: bytes.subarray(0, end) };
}
