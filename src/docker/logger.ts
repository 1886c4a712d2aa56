// The docker module logs through the same pino-compatible slice as the rest of hubgate.
export { silentLogger, type Logger } from "../pipeline/logger.js";
