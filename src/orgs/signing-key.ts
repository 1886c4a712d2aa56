import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { selfSignedCertificate } from "./self-signed-certificate.js";

/**
 * The key hubgate signs registry tokens with, and the certificate the registry trusts them
 * by (`rootcertbundle`). Both live in the data directory and are made on first use; the
 * key file is readable by its owner only. Two processes starting at once both end up with
 * the first one's pair (exclusive create, then read back).
 */
export const SIGNING_KEY_FILE = "registry-token-key.pem";
export const CERTIFICATE_FILE = "registry-token-cert.pem";
const VALID_YEARS = 10;

export interface SigningKey {
  privateKeyPem: string;
  /** Base64 DER of the certificate, for the token header's `x5c`. */
  x5c: string;
  certificatePath: string;
}

export function loadOrCreateSigningKey(dataDir: string, now = new Date()): SigningKey {
  mkdirSync(dataDir, { recursive: true });
  const keyPath = join(dataDir, SIGNING_KEY_FILE);
  const certificatePath = join(dataDir, CERTIFICATE_FILE);
  createKeyIfMissing(keyPath);
  const privateKeyPem = readFileSync(keyPath, "utf8");
  if (!existsSync(certificatePath)) writeFileSync(certificatePath, certificateFor(privateKeyPem, now));
  const certificate = readFileSync(certificatePath, "utf8");
  return { privateKeyPem, x5c: new X509Certificate(certificate).raw.toString("base64"), certificatePath };
}

function createKeyIfMissing(keyPath: string): void {
  if (existsSync(keyPath)) return;
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const key = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  try {
    writeFileSync(keyPath, key, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

function certificateFor(key: string, now: Date): string {
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALID_YEARS);
  return selfSignedCertificate(
    key,
    "hubgate registry token signer",
    new Date(now.getTime() - 60_000),
    notAfter,
  );
}
