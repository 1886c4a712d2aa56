import {
  buildErrorOwner,
  dockerErrorMessage,
  isDaemonUnreachable,
  isEngineFailure,
  rejectedBuildOwner,
  toInfrastructureError,
} from "../../src/docker/infrastructure.js";

/** Errors shaped as dockerode gives them (checked against Engine 20.10 on this machine). */
const httpError = (statusCode: number, message: string) =>
  Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), {
    statusCode,
    json: { message },
  });
const socketError = (code: string) =>
  Object.assign(new Error(`connect ${code} /var/run/docker.sock`), { code, errno: -2, syscall: "connect" });

test("a socket that refuses or does not exist means the engine is unreachable", () => {
  expect(isDaemonUnreachable(socketError("ECONNREFUSED"))).toBe(true);
  expect(isDaemonUnreachable(socketError("ENOENT"))).toBe(true);
  expect(isDaemonUnreachable(httpError(500, "boom"))).toBe(false);
  expect(toInfrastructureError(socketError("ENOENT"), "building").message).toMatch(
    /^the Docker engine could not be reached while building \(connect ENOENT .*\)\. This is a problem on hubgate's side, not in the bundle/,
  );
});

test("the engine's own message, without dockerode's prefix", () => {
  expect(dockerErrorMessage(httpError(400, "dockerfile parse error line 3: unknown instruction: FOO"))).toBe(
    "dockerfile parse error line 3: unknown instruction: FOO",
  );
  expect(dockerErrorMessage(new Error("(HTTP code 500) server error - disk gone "))).toBe("disk gone");
});

test("build errors: a failing step or a bad Dockerfile is the contributor's; disk, engine, registry are ours", () => {
  expect(buildErrorOwner("The command '/bin/sh -c make' returned a non-zero code: 2", [])).toBe(
    "contributor",
  );
  expect(buildErrorOwner("COPY failed: file not found in build context", [])).toBe("contributor");
  expect(
    buildErrorOwner("The command '/bin/sh -c pip install' returned a non-zero code: 1", [
      "OSError: [Errno 28] No space left on device",
    ]),
  ).toBe("infrastructure");
  expect(buildErrorOwner("failed to register layer: write /x: no space left on device", [])).toBe(
    "infrastructure",
  );
  expect(
    buildErrorOwner(
      'Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
      [],
    ),
  ).toBe("infrastructure");
  expect(buildErrorOwner("pull access denied for nosuchimage, repository does not exist", [])).toBe(
    "contributor",
  );
  expect(rejectedBuildOwner(httpError(500, "Cannot locate specified Dockerfile: Dockerfile"))).toBe(
    "contributor",
  );
  expect(rejectedBuildOwner(httpError(400, "dockerfile parse error line 3: unknown instruction: FOO"))).toBe(
    "contributor",
  );
  expect(rejectedBuildOwner(httpError(500, "something broke in the engine"))).toBe("infrastructure");
  // The engine's network set-up failing during a RUN is the engine's fault, not that line's.
  expect(
    buildErrorOwner(
      "failed to create endpoint stoic_bell on network bridge: adding interface veth0 to bridge docker0 failed: could not find bridge docker0: route ip+net: no such network interface",
      ["Step 3/4 : RUN pip install -r requirements.txt", " ---> Running in 1f2e3d"],
    ),
  ).toBe("infrastructure");
  expect(
    buildErrorOwner(
      "The command '/bin/sh -c x' returned a non-zero code: 1: could not find bridge docker0",
      [],
    ),
  ).toBe("infrastructure");
  expect(rejectedBuildOwner(socketError("ECONNREFUSED"))).toBe("infrastructure");
});

test("other engine calls: 5xx and connection errors are ours, an image that cannot start is not", () => {
  expect(isEngineFailure(httpError(500, "containerd: connection refused"))).toBe(true);
  expect(isEngineFailure(httpError(503, "try later"))).toBe(true);
  expect(
    isEngineFailure(httpError(400, 'OCI runtime create failed: exec: "/nope": no such file or directory')),
  ).toBe(false);
  expect(
    isEngineFailure(httpError(500, 'OCI runtime create failed: exec: "/nope": no such file or directory')),
  ).toBe(false);
  expect(isEngineFailure(socketError("EPIPE"))).toBe(true);
});
