import { randomUUID, sign } from "node:crypto";

/**
 * Registry tokens as Distribution's `auth: token` expects them (docs "Token Authentication
 * Implementation"): a JWT signed RS256 whose header carries the signing certificate (`x5c`,
 * trusted through the registry's `rootcertbundle`), with `iss` = the registry's `issuer`,
 * `aud` = its `service`, and `access` = what was granted — the intersection of what was
 * asked for and what the caller may do. Asking for more is never an error: the token simply
 * grants less, and the registry itself refuses the rest.
 */
export interface ResourceScope {
  type: string;
  name: string;
  actions: string[];
}

/** `repository:acme/tools:pull,push` (several per parameter, space separated, or repeated parameters). */
export function parseScopes(values: readonly string[]): ResourceScope[] {
  const scopes: ResourceScope[] = [];
  // A push asks for one or two scopes (a cross-repository mount two); anything far beyond is noise.
  for (const value of values.slice(0, 16))
    for (const scope of value.split(" ").filter(Boolean).slice(0, 16)) {
      const parts = scope.split(":");
      if (parts.length < 3) continue;
      // A type may carry a class (`repository(plugin)`); a name never holds ':' here (no ports in paths).
      const type = parts[0]!.replace(/\(.*\)$/, "");
      const name = parts.slice(1, -1).join(":");
      const actions = [...new Set(parts.at(-1)!.split(",").filter(Boolean))];
      if (type && name) scopes.push({ type, name, actions });
    }
  return scopes;
}

export interface Grantee {
  /** Subject of the token. */
  subject: string;
  /** Actions this caller may take on a repository, or none. */
  allowed(repository: string): readonly string[];
  /** Registry-wide catalogue listing (`registry:catalog:*`): only hubgate itself. */
  catalog: boolean;
}

export function grantAccess(requested: readonly ResourceScope[], grantee: Grantee): ResourceScope[] {
  const granted: ResourceScope[] = [];
  for (const scope of requested) {
    if (scope.type === "registry" && scope.name === "catalog" && grantee.catalog) {
      granted.push({ type: "registry", name: "catalog", actions: scope.actions.filter((a) => a === "*") });
      continue;
    }
    if (scope.type !== "repository") continue;
    const allowed = grantee.allowed(scope.name);
    const actions = scope.actions.filter((a) => allowed.includes(a));
    if (actions.length) granted.push({ type: "repository", name: scope.name, actions });
  }
  return granted;
}

export interface TokenSigner {
  privateKeyPem: string;
  x5c: string;
  issuer: string;
  service: string;
}

export function signRegistryToken(
  signer: TokenSigner,
  subject: string,
  access: readonly ResourceScope[],
  now: Date,
  lifetimeSeconds: number,
): string {
  const iat = Math.floor(now.getTime() / 1000);
  const header = { alg: "RS256", typ: "JWT", x5c: [signer.x5c] };
  const payload = {
    iss: signer.issuer,
    sub: subject,
    aud: signer.service,
    exp: iat + Math.max(1, Math.floor(lifetimeSeconds)),
    // A little slack for clocks: the registry may run on another host.
    nbf: iat - 10,
    iat,
    jti: randomUUID(),
    access,
  };
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString("base64url");
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${sign("sha256", Buffer.from(input), signer.privateKeyPem).toString("base64url")}`;
}
