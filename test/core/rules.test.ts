import { loadSchema } from "../../src/config/schemas.js";
import {
  allRules,
  CHECKLIST_ORDER,
  isRuleId,
  manifestFieldRule,
  rule,
  RULE_IDS,
} from "../../src/core/rules.js";

describe("the rule catalogue", () => {
  it("gives every field of the manifest schema its own rule", () => {
    const fields = Object.keys(loadSchema("manifest").properties ?? {});
    const shared = fields.filter((f) => manifestFieldRule(f) === "manifest/schema");
    expect(shared).toEqual([]);
    expect(manifestFieldRule("no-such-field")).toBe("manifest/schema");
  });

  it("describes every rule: title, help and fix as sentences, ids as area/name", () => {
    for (const r of allRules()) {
      expect(r.id).toMatch(/^[a-z]+\/[a-z_-]+$/);
      expect(r.title.length).toBeGreaterThan(3);
      expect(r.help).toMatch(/[.)]$/);
      expect(r.fix).toMatch(/[.)]$/);
    }
  });

  it("has rules for every checklist item, and distinct titles", () => {
    for (const key of CHECKLIST_ORDER) expect(allRules().some((r) => r.checklist === key)).toBe(true);
    const titles = allRules().map((r) => r.title);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("knows its ids and nothing else", () => {
    expect(RULE_IDS.every(isRuleId)).toBe(true);
    expect(isRuleId("manifest/hint")).toBe(false);
    expect(isRuleId("toString")).toBe(false);
    expect(rule("manifest/version-bump")).toMatchObject({ id: "manifest/version-bump", level: "error" });
  });
});
