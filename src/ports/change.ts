/**
 * The neutral faces of a change, as the pipeline sees them. Defined beside the check itself
 * (src/pipeline/change-request.ts) and re-exported here, the ports' one obvious place.
 */
export type { ChangeReporter, ChangeSource } from "../pipeline/change-request.js";
