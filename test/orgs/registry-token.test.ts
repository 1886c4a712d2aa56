import { execFileSync } from "node:child_process";
import { generateKeyPairSync, verify, X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { grantAccess, parseScopes, signRegistryToken } from "../../src/orgs/registry-token.js";
import { selfSignedCertificate } from "../../src/orgs/self-signed-certificate.js";

const key = generateKeyPairSync("rsa", { modulusLength: 2048 })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

describe("registry token signing", () => {
  it("writes a self-signed certificate that openssl verifies against itself", () => {
    const pem = selfSignedCertificate(key, "hubgate test", new Date("2026-01-01"), new Date("2060-01-01"));
    const cert = new X509Certificate(pem);
    expect(cert.subject).toBe("CN=hubgate test");
    expect(cert.ca).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2060);
    const dir = mkdtempSync(join(tmpdir(), "hubgate-cert-"));
    try {
      writeFileSync(join(dir, "cert.pem"), pem);
      const out = execFileSync(
        "openssl",
        ["verify", "-CAfile", join(dir, "cert.pem"), join(dir, "cert.pem")],
        {
          encoding: "utf8",
        },
      );
      expect(out).toContain("OK");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("signs a JWT the certificate's key verifies, with the registry's claims", () => {
    const pem = selfSignedCertificate(key, "t", new Date("2026-01-01"), new Date("2030-01-01"));
    const x5c = new X509Certificate(pem).raw.toString("base64");
    const access = [{ type: "repository", name: "acme/tools", actions: ["pull"] }];
    const now = new Date("2026-06-01T00:00:00Z");
    const jwt = signRegistryToken(
      { privateKeyPem: key, x5c, issuer: "iss", service: "svc" },
      "alice",
      access,
      now,
      60,
    );
    const [header, payload, signature] = jwt.split(".");
    const decode = (part: string) =>
      JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;
    expect(decode(header!)).toEqual({ alg: "RS256", typ: "JWT", x5c: [x5c] });
    expect(decode(payload!)).toMatchObject({ iss: "iss", aud: "svc", sub: "alice", access, exp: 1780272060 });
    const ok = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      new X509Certificate(pem).publicKey,
      Buffer.from(signature!, "base64url"),
    );
    expect(ok).toBe(true);
  });

  it("grants only the intersection of what is asked and what is allowed", () => {
    const scopes = parseScopes([
      "repository:acme/tools:pull,push repository:other/x:pull",
      "registry:catalog:*",
      "garbage",
      "repository(plugin):acme/tools:pull",
    ]);
    const grantee = {
      subject: "alice",
      allowed: (name: string) => (name === "acme/tools" ? ["pull", "push"] : []),
      catalog: false,
    };
    expect(grantAccess(scopes, grantee)).toEqual([
      { type: "repository", name: "acme/tools", actions: ["pull", "push"] },
      { type: "repository", name: "acme/tools", actions: ["pull"] },
    ]);
  });
});
