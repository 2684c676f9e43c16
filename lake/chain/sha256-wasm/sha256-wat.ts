/**
 * The WebAssembly text of SHA-256 (FIPS 180-4) used for the audit chain inside workerd, generated with
 * the 64 rounds and the message schedule unrolled: each round renames its eight working variables
 * instead of shifting them, and the schedule lives in sixteen locals, so a block never touches memory
 * beyond its own 64 bytes. `npm run build:wasm` compiles it to `sha256.wasm`; a test checks that the
 * committed binary is what this text compiles to.
 *
 * Memory: the digest as 64 hex characters at {@link SHA256_OUT}, hex digits at 576, the message at
 * {@link SHA256_INPUT}. `digest(len)` pads in place, so the caller keeps `len + 72` bytes free there.
 *
 * @module
 */

/** Where the caller writes the message. */
export const SHA256_INPUT = 1024;
/** Where `digest` leaves the 64 hex characters. */
export const SHA256_OUT = 512;

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
];
const H0 = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const VARS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

const get = (name: string) => `(local.get $${name})`;
const set = (name: string, value: string) => `(local.set $${name} ${value})`;
const i32 = (n: number) => `(i32.const ${n | 0})`;
const add = (x: string, y: string) => `(i32.add ${x} ${y})`;
const xor = (x: string, y: string) => `(i32.xor ${x} ${y})`;
const and = (x: string, y: string) => `(i32.and ${x} ${y})`;
const or = (x: string, y: string) => `(i32.or ${x} ${y})`;
const rotr = (x: string, n: number) => `(i32.rotr ${x} ${i32(n)})`;
const shr = (x: string, n: number) => `(i32.shr_u ${x} ${i32(n)})`;
const sigma = (x: string, r1: number, r2: number, last: string) => xor(xor(rotr(x, r1), rotr(x, r2)), last);

function block(): string[] {
  const lines: string[] = [];
  for (let t = 0; t < 16; t++) lines.push(set(`w${t}`, `(call $be (i32.load offset=${4 * t} ${get('p')}))`));
  for (const [i, v] of VARS.entries()) lines.push(set(v, get(`h${i}`)));
  for (let t = 0; t < 64; t++) {
    if (t >= 16) {
      const x = get(`w${(t - 15) % 16}`);
      const y = get(`w${(t - 2) % 16}`);
      const s0 = sigma(x, 7, 18, shr(x, 3));
      const s1 = sigma(y, 17, 19, shr(y, 10));
      lines.push(set(`w${t % 16}`, add(add(get(`w${t % 16}`), s0), add(get(`w${(t - 7) % 16}`), s1))));
    }
    // Round t sees the working variables rotated by t: what was `h` is now `a`, and so on.
    const [a, b, c, d, e, f, g, h] = VARS.map((_, k) => VARS[(k - t + 64) % 8]!) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const ch = xor(get(g), and(get(e), xor(get(f), get(g))));
    const t1 = add(
      add(add(get(h), sigma(get(e), 6, 11, rotr(get(e), 25))), ch),
      add(i32(K[t]!), get(`w${t % 16}`)),
    );
    const maj = or(and(get(a), get(b)), and(get(c), or(get(a), get(b))));
    lines.push(set('t', t1));
    lines.push(set(d, add(get(d), get('t'))));
    lines.push(set(h, add(get('t'), add(sigma(get(a), 2, 13, rotr(get(a), 22)), maj))));
  }
  for (const [i, v] of VARS.entries()) lines.push(set(`h${i}`, add(get(`h${i}`), get(v))));
  return lines;
}

/**
 * The module's WebAssembly text.
 *
 * @example
 * ```ts
 * import { sha256Wat } from './sha256-wat.ts';
 * sha256Wat().startsWith('(module'); // true
 * ```
 */
export function sha256Wat(): string {
  const locals = [
    'p',
    'end',
    't',
    ...VARS,
    ...H0.map((_, i) => `h${i}`),
    ...K.slice(0, 16).map((_, i) => `w${i}`),
  ]
    .map((name) => `(local $${name} i32)`)
    .join(' ');
  const input = SHA256_INPUT;
  return `(module
  (memory (export "memory") 1)
  (data (i32.const 576) "0123456789abcdef")
  ;; A little-endian load read as the big-endian word SHA-256 means.
  (func $be (param $x i32) (result i32)
    ${or(and(`(i32.rotl ${get('x')} ${i32(8)})`, i32(0x00ff00ff)), and(rotr(get('x'), 8), i32(0xff00ff00)))})
  ;; The word as 8 hex characters at $at.
  (func $hex (param $at i32) (param $w i32)
    (local $k i32)
    (loop $nibble
      (i32.store8 ${add(get('at'), get('k'))}
        (i32.load8_u offset=576 ${and(`(i32.shr_u ${get('w')} (i32.sub ${i32(28)} (i32.shl ${get('k')} ${i32(2)})))`, i32(15))}))
      ${set('k', add(get('k'), i32(1)))}
      (br_if $nibble (i32.lt_u ${get('k')} ${i32(8)}))))
  (func (export "digest") (param $len i32)
    ${locals}
    ;; Padding: 0x80, zeros, then the length in bits as a 64-bit big-endian integer.
    ${set('end', add(i32(input), and(add(get('len'), i32(72)), i32(-64))))}
    (i32.store8 ${add(i32(input), get('len'))} ${i32(0x80)})
    (memory.fill ${add(i32(input + 1), get('len'))} ${i32(0)} (i32.sub (i32.sub ${get('end')} ${i32(input + 9)}) ${get('len')}))
    (i32.store (i32.sub ${get('end')} ${i32(8)}) (call $be ${shr(get('len'), 29)}))
    (i32.store (i32.sub ${get('end')} ${i32(4)}) (call $be (i32.shl ${get('len')} ${i32(3)})))
    ${H0.map((h, i) => set(`h${i}`, i32(h))).join('\n    ')}
    ${set('p', i32(input))}
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u ${get('p')} ${get('end')}))
        ${block().join('\n        ')}
        ${set('p', add(get('p'), i32(64)))}
        (br $blocks)))
    ${H0.map((_, i) => `(call $hex ${i32(SHA256_OUT + 8 * i)} ${get(`h${i}`)})`).join('\n    ')}))
`;
}
