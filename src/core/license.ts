import { closest } from "./did-you-mean.js";

/**
 * "Did you mean" for license keys: the schema's enum is lower-case OSI keys; contributors
 * often write SPDX spellings (`Apache-2.0`, `MIT`, `GPL-3.0-only`, `BSD-3-Clause`).
 */
const SPDX_ALIASES: Record<string, string> = {
  "apache-2": "apache-2.0",
  apache: "apache-2.0",
  apache2: "apache-2.0",
  "apache-license-2.0": "apache-2.0",
  "gpl-2.0-only": "gpl-2.0",
  "gpl-2.0-or-later": "gpl-2.0",
  "gpl-3.0-only": "gpl-3.0",
  "gpl-3.0-or-later": "gpl-3.0",
  "lgpl-2.1-only": "lgpl-2.1",
  "lgpl-2.1-or-later": "lgpl-2.1",
  "lgpl-3.0-only": "lgpl-3.0",
  "lgpl-3.0-or-later": "lgpl-3.0",
  "agpl-3.0-only": "agpl-3.0",
  "agpl-3.0-or-later": "agpl-3.0",
  "bsd-2": "bsd-2-clause",
  "bsd-3": "bsd-3-clause",
  "mpl-2": "mpl-2.0",
  "0bsd": "bsd-2-clause",
  cc0: "cc0-1.0",
  bsl: "bsl-1.0",
};

export function suggestLicense(value: string, allowed: readonly string[]): string | undefined {
  const normalised = value
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, "-");
  if (allowed.includes(normalised)) return normalised;
  const alias = SPDX_ALIASES[normalised];
  if (alias && allowed.includes(alias)) return alias;
  const withoutSuffix = normalised.replace(/-(only|or-later)$/, "");
  if (allowed.includes(withoutSuffix)) return withoutSuffix;
  return closest(normalised, allowed);
}
