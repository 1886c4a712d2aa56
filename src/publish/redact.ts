/**
 * Registry and engine messages are passed on to contributors and logs; a password must
 * never travel with them, whatever the remote side chose to echo back.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    // Very short secrets would blank out ordinary words; they are still never logged by us.
    if (secret.length >= 4) out = out.split(secret).join("***");
  }
  return out;
}
