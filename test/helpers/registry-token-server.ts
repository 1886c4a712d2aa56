import { execFileSync } from "node:child_process";
import { randomUUID, sign, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TokenAuthConfig } from "./registry-server.js";

/**
 * A token service for the real registry's Bearer auth (the flow Docker Hub, GHCR and Harbor
 * use): checks Basic credentials, then signs a JWT (RS256, x5c = a throwaway self-signed
 * certificate the registry trusts through `rootcertbundle`) granting the scope asked for.
 */
export interface TokenServer extends TokenAuthConfig {
  /** Token requests answered so far, for asserting the flow ran. */
  issued: number;
  stop(): Promise<void>;
}

export async function startTokenServer(credentials: {
  username: string;
  password: string;
}): Promise<TokenServer> {
  const dir = mkdtempSync(join(tmpdir(), "hubgate-token-"));
  const key = join(dir, "key.pem");
  const cert = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "2",
      "-subj",
      "/CN=hubgate-test-token",
    ],
    { stdio: "ignore" },
  );
  const privateKey = readFileSync(key, "utf8");
  const x5c = new X509Certificate(readFileSync(cert)).raw.toString("base64");
  const service = "hubgate-test-registry";
  const issuer = "hubgate-test-issuer";
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;

  const state = { issued: 0 };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://token.invalid");
    if (url.pathname !== "/token" || req.headers.authorization !== expected) {
      res.writeHead(401, { "content-type": "application/json" }).end('{"details":"unauthorized"}');
      return;
    }
    const access = url.searchParams.getAll("scope").flatMap((scope) => {
      const parts = scope.split(":");
      if (parts.length < 3) return [];
      return [{ type: parts[0], name: parts.slice(1, -1).join(":"), actions: parts.at(-1)!.split(",") }];
    });
    const now = Math.floor(Date.now() / 1000);
    const token = jwt(
      { alg: "RS256", typ: "JWT", x5c: [x5c] },
      {
        iss: issuer,
        sub: credentials.username,
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomUUID(),
        access,
      },
      privateKey,
    );
    state.issued++;
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(
        JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }),
      );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: cert,
    get issued() {
      return state.issued;
    },
    stop: async () => {
      // fetch keeps connections alive; close them or close() waits for their timeout.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function jwt(header: object, payload: object, privateKey: string): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), privateKey).toString("base64url")}`;
}
