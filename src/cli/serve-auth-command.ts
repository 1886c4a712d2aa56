// `hubgate serve-auth`: the registry token server and organisations API on their own HTTP
// port, for hubs that run the GitHub App elsewhere or not at all. The same route is mounted
// in the main server. `hubgate registry-auth-config` prints the registry's `auth:` section.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { openOrgsRoute, registryAuthConfig } from "../orgs/open-orgs-route.js";
import { OrgsSettingsError, readOrgsSettings } from "../orgs/orgs-settings.js";
import { loadOrCreateSigningKey } from "../orgs/signing-key.js";
import type { RegistryAuthConfigArgs, ServeAuthArgs } from "./args.js";

export async function runServeAuth(args: ServeAuthArgs, env: NodeJS.ProcessEnv): Promise<number> {
  let opened;
  try {
    opened = openOrgsRoute(env);
  } catch (error) {
    if (error instanceof OrgsSettingsError) return fail(error.message);
    throw error;
  }
  const { route } = opened;
  const server = createServer((req, res) => {
    route(req, res)
      .then((handled) => {
        if (!handled) res.writeHead(404, { "content-type": "application/json" }).end('{"error":"not found"}');
      })
      .catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(args.port, args.host, resolve);
  }).catch((error: Error) => {
    opened.close();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`hubgate auth server listening on http://${args.host}:${port}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      server.close(() => resolve());
      server.closeAllConnections();
    };
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
  opened.close();
  return 0;
}

export function runRegistryAuthConfig(args: RegistryAuthConfigArgs, env: NodeJS.ProcessEnv): number {
  try {
    const settings = readOrgsSettings(env);
    const key = loadOrCreateSigningKey(settings.dataDir);
    process.stdout.write(registryAuthConfig(settings, key.certificatePath, args.publicUrl));
    return 0;
  } catch (error) {
    if (error instanceof OrgsSettingsError) return fail(error.message);
    throw error;
  }
}

function fail(message: string): number {
  process.stderr.write(`hubgate: ${message}\n`);
  return 2;
}
