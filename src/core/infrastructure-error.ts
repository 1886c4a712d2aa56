/**
 * A failure on our side (Docker daemon down, full disk, registry unreachable, platform 5xx).
 * Never reported as the contributor's fault: the CLI exits 2, check runs end neutral.
 */
export class InfrastructureError extends Error {
  override readonly name = "InfrastructureError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function isInfrastructureError(error: unknown): error is InfrastructureError {
  return error instanceof Error && error.name === "InfrastructureError";
}
