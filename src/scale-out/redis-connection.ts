import type { ConnectionOptions } from "bullmq";

/**
 * BullMQ connection options from HUBGATE_REDIS_URL (`redis://[user:password@]host[:port][/db]`,
 * `rediss://` for TLS). Workers block on Redis, so ioredis must never give up on a request
 * (`maxRetriesPerRequest: null`, as BullMQ requires).
 */
export function redisConnection(url: string): ConnectionOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`HUBGATE_REDIS_URL is not a URL: "${url.replace(/\/\/[^@/]*@/, "//***@")}"`);
  }
  if (parsed.protocol !== "redis:" && parsed.protocol !== "rediss:")
    throw new Error(`HUBGATE_REDIS_URL must start with redis:// or rediss://, not ${parsed.protocol}//`);
  const db = parsed.pathname.replace(/^\//, "");
  return {
    host: parsed.hostname || "127.0.0.1",
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(db ? { db: Number(db) } : {}),
    ...(parsed.protocol === "rediss:" ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}
