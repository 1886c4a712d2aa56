import { createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from "node:crypto";

/**
 * A self-signed X.509 certificate for the registry token signer, written in DER by hand:
 * Node can sign but not issue certificates, and the registry (Distribution's `auth: token`)
 * trusts token signatures only through a certificate in its `rootcertbundle`. RSA with
 * SHA-256, a CA basic constraint (as `openssl req -x509` sets it), one common name.
 */
const OID_SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const OID_COMMON_NAME = "2.5.4.3";
const OID_BASIC_CONSTRAINTS = "2.5.29.19";

export function selfSignedCertificate(
  privateKeyPem: string,
  commonName: string,
  notBefore: Date,
  notAfter: Date,
): string {
  const key: KeyObject = createPrivateKey(privateKeyPem);
  const spki = createPublicKey(key).export({ type: "spki", format: "der" });
  const algorithm = seq(oid(OID_SHA256_WITH_RSA), Buffer.from([0x05, 0x00]));
  const name = seq(set(seq(oid(OID_COMMON_NAME), tlv(0x0c, Buffer.from(commonName, "utf8")))));
  const serial = randomBytes(16);
  serial[0]! &= 0x7f; // positive
  serial[0]! |= 0x01; // and without a leading zero byte
  const basicConstraints = seq(
    oid(OID_BASIC_CONSTRAINTS),
    Buffer.from([0x01, 0x01, 0xff]), // critical
    tlv(0x04, seq(Buffer.from([0x01, 0x01, 0xff]))), // cA TRUE
  );
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([0x02]))), // version 3
    tlv(0x02, serial),
    algorithm,
    name,
    seq(time(notBefore), time(notAfter)),
    name,
    spki,
    tlv(0xa3, seq(basicConstraints)),
  );
  const signature = sign("sha256", tbs, key);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const base64 = der.toString("base64").replace(/.{64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${base64.replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const bytes = [a! * 40 + b!];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = value >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14); // YYYYMMDDHHMMSS
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`, "ascii"))
    : tlv(0x18, Buffer.from(`${iso}Z`, "ascii"));
}
