import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Symmetric encryption for the secrets the catalogue keeps (registry passwords): AES-256-GCM
 * with a random 96-bit nonce per value, so equal passwords never look equal at rest and any
 * tampering fails authentication. Stored as `v1:<nonce>:<tag>:<ciphertext>` (base64url).
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /**
   * The key from the environment: 32 bytes as 64 hex digits or base64. Anything else is
   * refused rather than stretched, so a short, guessable key never protects a password.
   */
  static fromKey(raw: string): SecretBox {
    const text = raw.trim();
    let key: Buffer | undefined;
    if (/^[0-9a-fA-F]{64}$/.test(text)) key = Buffer.from(text, "hex");
    else {
      const decoded = Buffer.from(text, "base64");
      if (decoded.length === 32 && /^[A-Za-z0-9+/_-]+=*$/.test(text)) key = decoded;
    }
    if (!key)
      throw new Error(
        "HUBGATE_CATALOGUE_KEY must be 32 random bytes, written as 64 hex digits or base64 (e.g. `openssl rand -hex 32`)",
      );
    return new SecretBox(key);
  }

  /** Which key sealed a value, without revealing the key: a short fingerprint for logs. */
  get fingerprint(): string {
    return createHash("sha256").update(this.key).digest("hex").slice(0, 12);
  }

  seal(plain: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, nonce);
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return ["v1", nonce, cipher.getAuthTag(), body]
      .map((p) => (typeof p === "string" ? p : p.toString("base64url")))
      .join(":");
  }

  open(sealed: string): string {
    const [version, nonce, tag, body] = sealed.split(":");
    if (version !== "v1" || nonce === undefined || tag === undefined || body === undefined)
      throw new Error("not a sealed value");
    const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(nonce, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  }
}
