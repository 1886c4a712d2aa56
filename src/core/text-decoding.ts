/**
 * Bytes of a YAML file to text, as YAML 1.2 reads them: UTF-8, or UTF-16/32 announced by a
 * byte order mark. Pure; the readers hand over bytes, the checks get text or a problem.
 */
export type Decoded = { ok: true; text: string } | { ok: false; message: string };

export function decodeYamlBytes(bytes: Uint8Array): Decoded {
  const b = bytes;
  if (b[0] === 0x00 && b[1] === 0x00 && b[2] === 0xfe && b[3] === 0xff) return utf32(b.subarray(4), false);
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0x00 && b[3] === 0x00) return utf32(b.subarray(4), true);
  if (b[0] === 0xfe && b[1] === 0xff) return utf16(b.subarray(2), "utf-16be");
  if (b[0] === 0xff && b[1] === 0xfe) return utf16(b.subarray(2), "utf-16le");
  const start = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0;
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(start)) };
  } catch {
    return {
      ok: false,
      message: `is not valid UTF-8 (at byte ${firstInvalidUtf8(b.subarray(start)) + start + 1}); save it as UTF-8`,
    };
  }
}

function utf16(b: Uint8Array, label: "utf-16le" | "utf-16be"): Decoded {
  try {
    return { ok: true, text: new TextDecoder(label, { fatal: true }).decode(b) };
  } catch {
    return {
      ok: false,
      message: `starts with a ${label.toUpperCase()} byte order mark but is not valid ${label.toUpperCase()}`,
    };
  }
}

function utf32(b: Uint8Array, little: boolean): Decoded {
  const name = little ? "UTF-32LE" : "UTF-32BE";
  if (b.length % 4 !== 0)
    return {
      ok: false,
      message: `starts with a ${name} byte order mark but its length is not a multiple of 4`,
    };
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let text = "";
  for (let i = 0; i < b.length; i += 4) {
    const code = view.getUint32(i, little);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
      return {
        ok: false,
        message: `starts with a ${name} byte order mark but holds an invalid character at byte ${i + 5}`,
      };
    text += String.fromCodePoint(code);
  }
  return { ok: true, text };
}

function firstInvalidUtf8(b: Uint8Array): number {
  let low = 0;
  let high = b.length;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  // The longest valid prefix, found by halving (decoding is linear; this stays cheap).
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    try {
      decoder.decode(b.subarray(0, mid));
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

/**
 * The first character YAML 1.2 does not allow in a stream (c-printable: tab, LF, CR, the
 * printable ASCII range, NEL and the printable Unicode ranges), as an offset into `text`.
 */
export function firstForbiddenCharacter(text: string): { index: number; code: number } | undefined {
  const forbidden =
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ud800-\udfff\ufffe\uffff]/u;
  const match = forbidden.exec(text);
  if (!match) return undefined;
  return { index: match.index, code: match[0].codePointAt(0)! };
}
