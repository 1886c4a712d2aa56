import type { Catalogue, CatalogueImage, SearchQuery, SeriesSummary } from "./catalogue-store.js";
import { escapeHtml as e, safeHref } from "./html.js";
import { pullReference } from "./search-api.js";

/**
 * The catalogue's web page: plain server-rendered HTML and a little CSS. No script at all,
 * so it works without JavaScript; forms are GET forms, so every search is a shareable URL.
 * Landmarks, labels, a caption on the table and visible focus keep it accessible. Every value
 * that came from a manifest or the API is escaped (html.ts); links only when http(s).
 */
const STYLE = `
:root { color-scheme: light; --fg:#1b1b1b; --muted:#555; --line:#d0d0d0; --accent:#0b57d0; --warn:#8a3b00; }
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); margin: 0; background: #fafafa; }
header, main, footer { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem; }
footer { color: var(--muted); font-size: .9rem; }
header { border-bottom: 1px solid var(--line); }
header a { color: var(--fg); text-decoration: none; font-weight: 700; font-size: 1.25rem; }
a { color: var(--accent); }
a:focus, input:focus, select:focus, button:focus { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; }
form.search { display: flex; flex-wrap: wrap; gap: .75rem; align-items: end; margin: 1rem 0; }
form.search div { display: flex; flex-direction: column; }
label { font-weight: 600; font-size: .9rem; }
input, select, button { font: inherit; padding: .4rem .6rem; border: 1px solid #767676; border-radius: 4px; background: #fff; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
ul.results { list-style: none; padding: 0; }
ul.results li { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .75rem 1rem; margin-bottom: .75rem; }
ul.results h3 { margin: 0; font-size: 1.1rem; }
.meta { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.deprecated { color: var(--warn); font-weight: 600; }
pre { background: #1e1e1e; color: #f5f5f5; padding: .75rem 1rem; border-radius: 6px; overflow-x: auto; }
table { border-collapse: collapse; width: 100%; background: #fff; font-size: .9rem; }
caption { text-align: left; font-weight: 700; padding: .5rem 0; font-size: 1.1rem; }
th, td { border: 1px solid var(--line); padding: .4rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; word-break: break-all; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; }
dt { font-weight: 600; }
dd { margin: 0; }
nav.pages { display: flex; gap: 1rem; }
`;

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a href="/catalogue">hubgate catalogue</a></header>
<main id="main">
${body}
</main>
<footer>Published by hubgate. Data: <a href="/api/v1/images">/api/v1/images</a></footer>
</body>
</html>
`;
}

export function searchPage(
  catalogue: Catalogue,
  query: SearchQuery,
  result: { total: number; items: SeriesSummary[] },
): string {
  const { kinds, domains } = catalogue.facets();
  const option = (value: string, selected: string | undefined) =>
    `<option value="${e(value)}"${value === (selected ?? "") ? " selected" : ""}>${e(value || "All")}</option>`;
  const items = result.items
    .map(
      (s) => `<li>
<h3><a href="${seriesPath(s.kind, s.name)}">${e(s.name)}</a>${s.deprecated ? ' <span class="deprecated">(deprecated)</span>' : ""}</h3>
<p class="meta">${e(s.kind || "no kind")} · ${e(s.domain || "no domain")} · version ${e(s.latestVersion)} · ${e(s.licence || "no licence")} · ${s.versions} version${s.versions === 1 ? "" : "s"}</p>
${s.description ? `<p>${e(s.description)}</p>` : ""}
</li>`,
    )
    .join("\n");
  const pages = Math.max(1, Math.ceil(result.total / query.perPage));
  const pageLink = (page: number, label: string, rel: string) => {
    const params = new URLSearchParams();
    if (query.q) params.set("q", query.q);
    if (query.kind) params.set("kind", query.kind);
    if (query.domain) params.set("domain", query.domain);
    params.set("page", String(page));
    return `<a rel="${rel}" href="/catalogue?${e(params.toString())}">${label}</a>`;
  };
  const nav =
    pages > 1
      ? `<nav class="pages" aria-label="Pages">${query.page > 1 ? pageLink(query.page - 1, "Previous page", "prev") : ""}<span>Page ${query.page} of ${pages}</span>${query.page < pages ? pageLink(query.page + 1, "Next page", "next") : ""}</nav>`
      : "";
  const heading = query.q || query.kind || query.domain ? "Search results" : "All images";
  return layout(
    "hubgate catalogue",
    `<h1>Published images</h1>
<form class="search" role="search" method="get" action="/catalogue">
<div><label for="q">Search</label><input id="q" name="q" type="search" value="${e(query.q ?? "")}" placeholder="name, description or task"></div>
<div><label for="kind">Kind</label><select id="kind" name="kind">${["", ...kinds].map((k) => option(k, query.kind)).join("")}</select></div>
<div><label for="domain">Domain</label><select id="domain" name="domain">${["", ...domains].map((d) => option(d, query.domain)).join("")}</select></div>
<button type="submit">Search</button>
</form>
<section aria-labelledby="results-heading">
<h2 id="results-heading">${heading}</h2>
<p role="status">${result.total} image${result.total === 1 ? "" : "s"} found</p>
${result.items.length ? `<ul class="results">\n${items}\n</ul>` : "<p>No image matches. Try another search or fewer filters.</p>"}
${nav}
</section>`,
  );
}

export function seriesPage(catalogue: Catalogue, versions: CatalogueImage[], baseUrl: string): string {
  const newest = versions[0]!;
  const latestPk = catalogue.tagsOfSeries(newest.kind, newest.name).find((t) => t.tag === "latest")?.imagePk;
  const latest = versions.find((v) => v.pk === latestPk) ?? newest;
  const badge = `${baseUrl}/badge/${encodeURIComponent(latest.kind || "-")}/${encodeURIComponent(latest.name)}.svg`;
  const page = `${baseUrl}${seriesPath(latest.kind, latest.name)}`;
  const rows = versions
    .map((v) => {
      const commitHref = commitLink(v.revision.repository_url, v.revision.commit);
      const commit = v.revision.commit
        ? commitHref
          ? `<a href="${e(commitHref)}"><code>${e(v.revision.commit.slice(0, 12))}</code></a>`
          : `<code>${e(v.revision.commit.slice(0, 12))}</code>`
        : "—";
      const status = v.deprecated
        ? `<span class="deprecated">Deprecated</span>${v.deprecationReason ? `: ${e(v.deprecationReason)}` : ""}`
        : "Current";
      return `<tr>
<th scope="row">${e(v.version)}</th>
<td>${v.digest ? `<code>${e(v.digest)}</code>` : "—"}</td>
<td>${v.tags.map((t) => e(t.tag)).join(", ") || "—"}</td>
<td>${commit}</td>
<td>${e(v.revision.branch ?? "—")}</td>
<td>${e(v.revision.tag ?? "—")}</td>
<td><time datetime="${e(v.publishedAt ?? v.createdAt)}">${e((v.publishedAt ?? v.createdAt).replace("T", " ").replace(/\.\d+Z$/, " UTC"))}</time></td>
<td>${status}</td>
</tr>`;
    })
    .join("\n");
  const sourceHref = safeHref(latest.revision.repository_url);
  const facts: Array<[string, string]> = [
    ["Kind", e(latest.kind || "—")],
    ["Domain", e(latest.domain || "—")],
    ["Licence", e(latest.licence || "—")],
    ["Latest version", e(latest.version)],
    ["Tasks", e(latest.tasks.join(", ") || "—")],
    [
      "Framework",
      e(
        latest.framework
          ? `${latest.framework.name}${latest.framework.version ? ` ${latest.framework.version}` : ""}`
          : "—",
      ),
    ],
    ["CUDA", e(latest.cudaVersion?.version ?? "—")],
    ["Minimum hardware", e(latest.minHardwareGeneration?.name ?? "—")],
    ["CPU only", latest.cpu ? "yes" : "no"],
    [
      "Source",
      sourceHref
        ? `<a href="${e(sourceHref)}">${e(latest.revision.repository_url)}</a>`
        : e(latest.revision.repository_url ?? "—"),
    ],
  ];
  return layout(
    `${latest.name} — hubgate catalogue`,
    `<p><a href="/catalogue">← All images</a></p>
<h1>${e(latest.name)}${latest.deprecated ? ' <span class="deprecated">(deprecated)</span>' : ""}</h1>
<p><img src="${e(badge)}" alt="hubgate status of ${e(latest.name)}: ${latest.deprecated ? "deprecated" : `version ${e(latest.version)}`}"></p>
${latest.description ? `<p>${e(latest.description)}</p>` : ""}
${latest.deprecated ? `<p class="deprecated" role="note">Version ${e(latest.version)} is deprecated${latest.deprecationReason ? `: ${e(latest.deprecationReason)}` : ""}.</p>` : ""}
<h2>Pull</h2>
<pre><code>docker pull ${e(pullReference(latest))}</code></pre>
<h2>About</h2>
<dl>
${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("\n")}
</dl>
<table>
<caption>Versions</caption>
<thead><tr><th scope="col">Version</th><th scope="col">Digest</th><th scope="col">Tags</th><th scope="col">Source commit</th><th scope="col">Branch</th><th scope="col">Git tag</th><th scope="col">Published</th><th scope="col">Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<h2>Badge</h2>
<p>For a README (Markdown):</p>
<pre><code>[![${e(latest.name)}](${e(badge)})](${e(page)})</code></pre>`,
  );
}

export function notFoundPage(message: string): string {
  return layout(
    "Not found — hubgate catalogue",
    `<h1>Not found</h1><p>${e(message)}</p><p><a href="/catalogue">All images</a></p>`,
  );
}

export function seriesPath(kind: string, name: string): string {
  return `/catalogue/${encodeURIComponent(kind || "-")}/${encodeURIComponent(name)}`;
}

/**
 * A link to the commit on its forge. GitHub and GitLab both answer `<repo>/commit/<sha>`
 * (GitLab redirects it to `/-/commit/`); a sha that is not hex is not linked.
 */
export function commitLink(repository: string | null, commit: string | null): string | undefined {
  const base = safeHref(repository);
  if (!base || !commit || !/^[0-9a-f]{7,64}$/i.test(commit)) return undefined;
  return `${base.replace(/\.git$/, "").replace(/\/+$/, "")}/commit/${commit}`;
}
