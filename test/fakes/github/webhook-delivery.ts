/**
 * Real webhook payloads (`@octokit/webhooks-examples`) and real HTTP delivery, signed like GitHub signs.
 *
 * The package's main file (`api.github.com/index.json`) is an array of
 * `{ name, actions, description, properties, examples }`, one entry per event; `examples` are full
 * payloads, several per action for some events (pull_request "opened" has three).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { sign } from "@octokit/webhooks-methods";

export type WebhookEventName = WebhookDefinition["name"];
export type ExamplePayload<E extends WebhookEventName> = WebhookDefinition<E>["examples"][number];

let definitions: WebhookDefinition[] | undefined;

function loadDefinitions(): WebhookDefinition[] {
  if (!definitions) {
    const file = createRequire(import.meta.url).resolve("@octokit/webhooks-examples");
    definitions = JSON.parse(readFileSync(file, "utf8")) as WebhookDefinition[];
  }
  return definitions;
}

/** Actions that have at least one example, per event (e.g. to see what `loadExamplePayload` can give). */
export function exampleActions(event: WebhookEventName): Array<string | undefined> {
  const def = loadDefinitions().find((d) => d.name === event);
  return [...new Set((def?.examples ?? []).map((e) => (e as { action?: string }).action))];
}

/**
 * A deep copy of GitHub's example payload for `event` (and `action`, for events that have actions),
 * the `index`-th one when there are several. Throws when there is none.
 * Note: most examples have no `installation`; Probot needs `payload.installation.id` to authenticate.
 */
export function loadExamplePayload<E extends WebhookEventName>(
  event: E,
  action?: string,
  index = 0,
): ExamplePayload<E> {
  const def = loadDefinitions().find((d) => d.name === event);
  if (!def) throw new Error(`no webhook examples for event ${event}`);
  const matching = def.examples.filter((e) => (e as { action?: string }).action === action);
  const example = matching[index];
  if (!example) {
    throw new Error(
      `no example #${index} for ${event}${action ? `.${action}` : ""}; actions with examples: ${exampleActions(event).join(", ")}`,
    );
  }
  return structuredClone(example) as ExamplePayload<E>;
}

export interface DeliverWebhookOptions {
  /** Full URL of the webhook endpoint, e.g. `http://127.0.0.1:3000/api/github/webhooks`. */
  url: string;
  secret: string;
  event: string;
  payload: unknown;
  /** x-github-delivery; a random UUID when omitted. */
  id?: string;
  /** Extra or overriding headers (e.g. a wrong signature for a negative test). */
  headers?: Record<string, string>;
}

/** POST `payload` as JSON, signed with `x-hub-signature-256` (HMAC-SHA256 of the exact body). */
export async function deliverWebhook(
  options: DeliverWebhookOptions,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify(options.payload);
  const signature = await sign(options.secret, body);
  const res = await fetch(options.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": options.event,
      "x-github-delivery": options.id ?? randomUUID(),
      "x-hub-signature-256": signature,
      ...options.headers,
    },
    body,
  });
  return { status: res.status, body: await res.text() };
}
