/**
 * The slice of a pino logger the docker module uses; any pino instance (or child) fits.
 * Always called with a bindings object first, as pino prefers.
 */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

const noop = () => undefined;

/** Used when the caller gives no logger: library code never writes to the console. */
export const silentLogger: Logger = {
  info: noop,
  warn: noop,
  error: noop,
  debug: noop,
  child: () => silentLogger,
};
