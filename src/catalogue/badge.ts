import { escapeHtml } from "./html.js";

/**
 * A status badge for READMEs (`/badge/{kind}/{name}.svg`), drawn like the usual
 * two-part badges: label on grey, status on a colour. Text is escaped; widths are estimated
 * from the character count (Verdana 11px averages ~7px a character).
 */
export type BadgeState = "current" | "deprecated" | "unknown";

const COLOURS: Record<BadgeState, string> = { current: "#2e7d32", deprecated: "#b35900", unknown: "#6b6b6b" };

export function badgeSvg(label: string, status: string, state: BadgeState): string {
  const width = (text: string) => Math.round(text.length * 7 + 12);
  const left = width(label);
  const right = width(status);
  const total = left + right;
  const l = escapeHtml(label);
  const s = escapeHtml(status);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${total}" height="20" role="img" aria-label="${l}: ${s}">
<title>${l}: ${s}</title>
<rect width="${left}" height="20" fill="#555"/>
<rect x="${left}" width="${right}" height="20" fill="${COLOURS[state]}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="${left / 2}" y="14">${l}</text>
<text x="${left + right / 2}" y="14">${s}</text>
</g>
</svg>
`;
}
