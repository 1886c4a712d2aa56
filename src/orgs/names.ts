/**
 * Names that end up in registry paths (`<org>/<repo>`), so they follow Docker's reference
 * grammar: each path component lower-case letters and digits, with `.`, `_`, `__` or runs of
 * `-` between. An organisation is one component (a GUID such as
 * `2ea25035-6aa4-42fb-9955-92288ea1b972` is fine); a repository may have several
 * (`catalog/extract-video`). User names are kept to the same alphabet so they can never
 * smuggle a `:` into Basic auth or a scope.
 */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const USER = /^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$/;
const MAX_PATH = 200;

export type NameCheck = { ok: true } | { ok: false; message: string };

export function checkOrganizationName(name: string): NameCheck {
  if (name.length > 64 || !COMPONENT.test(name))
    return {
      ok: false,
      message: `organization "${clip(name)}" must be one lower-case path component (letters, digits, and . _ - between them), at most 64 characters`,
    };
  return { ok: true };
}

export function checkRepositoryName(name: string): NameCheck {
  const parts = name.split("/");
  if (name.length > MAX_PATH || parts.some((part) => !COMPONENT.test(part)))
    return {
      ok: false,
      message: `repository "${clip(name)}" must be lower-case path components separated by / (letters, digits, and . _ - between them), at most ${MAX_PATH} characters, e.g. catalog/extract-video`,
    };
  return { ok: true };
}

export function checkUserName(name: string): NameCheck {
  if (!USER.test(name))
    return {
      ok: false,
      message: `user "${clip(name)}" must be 1-64 lower-case letters, digits, . _ or -, starting and ending with a letter or digit`,
    };
  return { ok: true };
}

/** Echo at most a little of a hostile name back. */
function clip(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 80 ? `${printable.slice(0, 80)}…` : printable;
}
