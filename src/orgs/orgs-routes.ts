import type { IncomingMessage, ServerResponse } from "node:http";
import { silentLogger, type Logger } from "../pipeline/logger.js";
import { bearerToken, sameSecret } from "../http/bearer.js";
import { HttpError, sendError } from "../http/json-body.js";
import { sendJson, type Route } from "../http/route.js";
import { basicCredentials, readJsonBody, stringField } from "./http-json.js";
import { checkOrganizationName, checkRepositoryName, checkUserName, type NameCheck } from "./names.js";
import type { OrgStore } from "./org-store.js";
import { TOKEN_LIFETIME_SECONDS, type OrgsSettings } from "./orgs-settings.js";
import { grantAccess, parseScopes, signRegistryToken, type Grantee } from "./registry-token.js";
import type { SigningKey } from "./signing-key.js";

/**
 * The organisations HTTP surface, as one route handler for the hubgate server:
 *
 * - `GET /registry/token` — the registry's token realm (Distribution `auth: token`). Basic
 *   credentials are a user name and a short-lived password from `repos login` (or the admin
 *   token, for hubgate's own publisher); the JWT grants `pull,push` on the login's
 *   repository, and only while its owner is still a member of the organisation.
 * - `GET|POST /api/repos`, `POST /api/repos/login` — a user's API token (Bearer).
 * - `GET|POST /api/orgs`, `PUT|DELETE /api/orgs/ORG/members/USER`,
 *   `POST /api/users/USER/tokens` — the admin token (Bearer HUBGATE_ADMIN_TOKEN).
 */
export const TOKEN_PATH = "/registry/token";

export interface OrgsRouteDeps {
  settings: OrgsSettings;
  store: OrgStore;
  signingKey: SigningKey;
  logger?: Logger;
  now?: () => Date;
}

type Principal = { kind: "admin" } | { kind: "user"; username: string };

export function createOrgsRoute(deps: OrgsRouteDeps): Route {
  const logger = deps.logger ?? silentLogger;
  const now = deps.now ?? (() => new Date());
  const isAdminToken = adminTokenMatcher(deps.settings.adminToken);

  const principal = (req: IncomingMessage): Principal => {
    const token = bearerToken(req);
    if (!token)
      throw new HttpError(401, "send your API token as Authorization: Bearer TOKEN (HUBGATE_TOKEN)");
    if (isAdminToken(token)) return { kind: "admin" };
    const username = deps.store.userOfApiToken(token);
    if (!username) throw new HttpError(401, "the API token is not valid");
    return { kind: "user", username };
  };
  const user = (req: IncomingMessage) => {
    const who = principal(req);
    if (who.kind !== "user") throw new HttpError(403, "this needs a user's API token, not the admin token");
    return who.username;
  };
  const admin = (req: IncomingMessage) => {
    if (principal(req).kind !== "admin") throw new HttpError(403, "this needs the admin token");
  };
  const url = (org: string, repo: string) =>
    deps.settings.registry ? `${deps.settings.registry}/${org}/${repo}` : `${org}/${repo}`;
  const memberOf = (username: string, org: string) => {
    // One answer for "no such organisation" and "not a member": outsiders learn nothing.
    if (!deps.store.isMember(org, username))
      throw new HttpError(403, `you are not a member of organization "${org}"`);
  };

  const token = (req: IncomingMessage, res: ServerResponse) => {
    const credentials = basicCredentials(req);
    const challenge = { "www-authenticate": `Basic realm="hubgate registry login"` };
    if (!credentials)
      throw new HttpError(401, "registry login needs a user name and password", {}, challenge);
    let grantee: Grantee;
    let expiresAt = Infinity;
    if (isAdminToken(credentials.password)) {
      grantee = { subject: "hubgate", allowed: () => ["pull", "push", "delete"], catalog: true };
    } else {
      const login = deps.store.registryLogin(credentials.username, credentials.password);
      if (!login) {
        logger.info({ user: credentials.username.slice(0, 64) }, "registry login refused");
        throw new HttpError(
          401,
          "the user name or password is wrong, or the password has expired: get a new one with hubgate repos login",
          challenge,
        );
      }
      const repository = `${login.organization}/${login.repository}`;
      grantee = {
        subject: login.username,
        allowed: (name) => (name === repository ? ["pull", "push"] : []),
        catalog: false,
      };
      expiresAt = login.expiresAt;
    }
    const query = new URL(req.url ?? "/", "http://hubgate.invalid").searchParams;
    const service = query.get("service");
    if (service && service !== deps.settings.service)
      throw new HttpError(400, `this token server serves "${deps.settings.service}", not "${service}"`);
    const access = grantAccess(parseScopes(query.getAll("scope")), grantee);
    const at = now();
    const lifetime = Math.min(TOKEN_LIFETIME_SECONDS, Math.floor((expiresAt - at.getTime()) / 1000));
    const jwt = signRegistryToken(
      { ...deps.signingKey, issuer: deps.settings.issuer, service: deps.settings.service },
      grantee.subject,
      access,
      at,
      lifetime,
    );
    logger.info({ user: grantee.subject, access }, "registry token issued");
    sendJson(res, 200, {
      token: jwt,
      access_token: jwt,
      expires_in: Math.max(1, lifetime),
      issued_at: at.toISOString(),
    });
  };

  const listRepos = (req: IncomingMessage, res: ServerResponse) => {
    const username = user(req);
    sendJson(res, 200, {
      repositories: deps.store.repositoriesOf(username).map((r) => ({
        organization: r.organization,
        name: r.name,
        url: url(r.organization, r.name),
      })),
    });
  };

  /** A user's request about one repository of an organization they belong to: who, which, and the body. */
  const repositoryRequest = async (req: IncomingMessage) => {
    const username = user(req);
    const body = await readJsonBody(req);
    const org = stringField(body, "organization");
    const name = stringField(body, "name");
    valid(checkOrganizationName(org));
    valid(checkRepositoryName(name));
    memberOf(username, org);
    return { username, body, org, name };
  };

  const createRepo = async (req: IncomingMessage, res: ServerResponse) => {
    const { username, org, name } = await repositoryRequest(req);
    const created = deps.store.createRepository(org, name, username);
    if (created) logger.info({ org, repository: name, user: username }, "repository created");
    sendJson(res, created ? 201 : 200, { organization: org, name, url: url(org, name), created });
  };

  const login = async (req: IncomingMessage, res: ServerResponse) => {
    const { username, body, org, name } = await repositoryRequest(req);
    if (!deps.store.hasRepository(org, name))
      throw new HttpError(
        404,
        `organization "${org}" has no repository "${name}"; create it with hubgate repos create ${name} --organization ${org}`,
      );
    let ttl = deps.settings.loginTtlSeconds;
    if (body.expiresIn !== undefined) {
      const asked = body.expiresIn;
      if (typeof asked !== "number" || !Number.isInteger(asked) || asked < 1)
        throw new HttpError(400, '"expiresIn" must be a positive whole number of seconds');
      ttl = Math.min(ttl, asked);
    }
    const issued = deps.store.createRegistryLogin(username, org, name, ttl);
    logger.info({ org, repository: name, user: username, ttl }, "registry password issued");
    sendJson(res, 200, {
      username,
      password: issued.password,
      registry: deps.settings.registry ?? null,
      url: url(org, name),
      expiresAt: new Date(issued.expiresAt).toISOString(),
    });
  };

  const listOrgs = (req: IncomingMessage, res: ServerResponse) => {
    admin(req);
    sendJson(res, 200, { organizations: deps.store.organizations() });
  };

  const createOrg = async (req: IncomingMessage, res: ServerResponse) => {
    admin(req);
    const name = stringField(await readJsonBody(req), "name");
    valid(checkOrganizationName(name));
    const created = deps.store.createOrganization(name);
    sendJson(res, created ? 201 : 200, { name, created });
  };

  const member = (req: IncomingMessage, res: ServerResponse, org: string, username: string) => {
    admin(req);
    valid(checkOrganizationName(org));
    valid(checkUserName(username));
    if (!deps.store.hasOrganization(org)) throw new HttpError(404, `no organization "${org}"`);
    if (req.method === "DELETE") {
      const removed = deps.store.removeMember(org, username);
      sendJson(res, 200, { organization: org, username, removed });
    } else {
      const added = deps.store.addMember(org, username);
      sendJson(res, added ? 201 : 200, { organization: org, username, added });
    }
  };

  const userToken = (req: IncomingMessage, res: ServerResponse, username: string) => {
    admin(req);
    valid(checkUserName(username));
    sendJson(res, 201, { username, token: deps.store.createApiToken(username) });
  };

  return async (req, res) => {
    const path = new URL(req.url ?? "/", "http://hubgate.invalid").pathname;
    const method = req.method ?? "GET";
    const members = /^\/api\/orgs\/([^/]+)\/members\/([^/]+)$/.exec(path);
    const tokens = /^\/api\/users\/([^/]+)\/tokens$/.exec(path);
    let handler: (() => void | Promise<void>) | undefined;
    if (path === TOKEN_PATH && method === "GET") handler = () => token(req, res);
    else if (path === "/api/repos" && method === "GET") handler = () => listRepos(req, res);
    else if (path === "/api/repos" && method === "POST") handler = () => createRepo(req, res);
    else if (path === "/api/repos/login" && method === "POST") handler = () => login(req, res);
    else if (path === "/api/orgs" && method === "GET") handler = () => listOrgs(req, res);
    else if (path === "/api/orgs" && method === "POST") handler = () => createOrg(req, res);
    else if (members && (method === "PUT" || method === "DELETE"))
      handler = () => member(req, res, decode(members[1]!), decode(members[2]!));
    else if (tokens && method === "POST") handler = () => userToken(req, res, decode(tokens[1]!));
    else if (
      path === TOKEN_PATH ||
      path.startsWith("/api/repos") ||
      path.startsWith("/api/orgs") ||
      path.startsWith("/api/users/")
    ) {
      sendJson(res, 405, { error: `${method} is not supported on ${path}` });
      return true;
    } else return false;
    try {
      await handler();
    } catch (error) {
      if (error instanceof HttpError) sendError(res, error);
      else {
        logger.error({ err: String(error), path }, "organisations API failed");
        sendJson(res, 500, { error: "internal error" });
      }
    }
    return true;
  };
}

function valid(check: NameCheck): void {
  if (!check.ok) throw new HttpError(400, check.message);
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, "badly encoded path");
  }
}

/** No admin token configured = never matches. */
function adminTokenMatcher(adminToken: string | undefined): (candidate: string) => boolean {
  if (!adminToken) return () => false;
  return (candidate) => sameSecret(candidate, adminToken);
}
