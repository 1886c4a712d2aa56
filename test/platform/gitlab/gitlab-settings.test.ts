import { readGitLabSettings } from "../../../src/platform/gitlab/gitlab-settings.js";
import { LruMap } from "../../../src/platform/shared/lru-map.js";

describe("readGitLabSettings", () => {
  it("is off, with the reason, while anything is missing", () => {
    expect(readGitLabSettings({})).toEqual({
      enabled: false,
      reason: "GitLab integration is off: set GITLAB_URL, GITLAB_TOKEN, GITLAB_WEBHOOK_SECRET",
    });
    expect(
      readGitLabSettings({ GITLAB_URL: "ftp://x", GITLAB_TOKEN: "t", GITLAB_WEBHOOK_SECRET: "s" }).enabled,
    ).toBe(false);
  });

  it("accepts the instance URL or the API URL", () => {
    const env = { GITLAB_TOKEN: "t", GITLAB_WEBHOOK_SECRET: "s" };
    expect(readGitLabSettings({ ...env, GITLAB_URL: "https://gitlab.example.com/api/v4/" })).toEqual({
      enabled: true,
      url: "https://gitlab.example.com",
      token: "t",
      webhookSecret: "s",
    });
  });
});

describe("LruMap", () => {
  it("forgets the least recently used entry beyond its capacity", () => {
    const m = new LruMap<string, number>(2);
    m.set("a", 1).set("b", 2);
    m.get("a");
    m.set("c", 3);
    expect([m.has("a"), m.has("b"), m.has("c")]).toEqual([true, false, true]);
  });
});
