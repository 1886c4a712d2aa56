import fc from "fast-check";
import semver from "semver";
import { compareSemVer, nextPatch, parseSemVer } from "../../src/core/semver-order.js";

const identifier = fc.oneof(
  fc.nat({ max: 30 }).map(String),
  fc.stringMatching(/^[0-9a-zA-Z-]{1,6}$/).filter((s) => !/^0\d/.test(s) && s !== ""),
);
const version = fc
  .record({
    core: fc.tuple(fc.nat({ max: 12 }), fc.nat({ max: 12 }), fc.nat({ max: 12 })),
    pre: fc.array(identifier, { maxLength: 3 }),
    build: fc.array(fc.stringMatching(/^[0-9a-zA-Z-]{1,5}$/), { maxLength: 2 }),
  })
  .map(
    ({ core, pre, build }) =>
      `${core.join(".")}${pre.length ? `-${pre.join(".")}` : ""}${build.length ? `+${build.join(".")}` : ""}`,
  );

describe("SemVer precedence, written out, agrees with the semver package", () => {
  it("on validity, order and the next patch", () => {
    fc.assert(
      fc.property(version, version, (a, b) => {
        const pa = parseSemVer(a);
        const pb = parseSemVer(b);
        expect(pa !== undefined).toBe(semver.valid(a) !== null);
        if (!pa || !pb || !semver.valid(a) || !semver.valid(b)) return;
        expect(Math.sign(compareSemVer(pa, pb))).toBe(semver.compare(a, b));
        expect(nextPatch(pa)).toBe(semver.inc(a, "patch"));
      }),
      { numRuns: 2000 },
    );
  });

  // semver.valid also takes "v1.0.0"; the manifest schema does not, so neither does hubgate.
  it.each(["1.0", "01.0.0", "1.0.0-01", "1.0.0+", "1.0.0-", `1.0.${"9".repeat(20)}`])(
    "refuses %s as semver does",
    (text) => {
      expect(parseSemVer(text)).toBeUndefined();
      expect(semver.valid(text)).toBeNull();
    },
  );
});
