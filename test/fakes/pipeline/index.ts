/**
 * Pipeline-level fakes: dispatch and reporting tested without Docker or a platform.
 * - scriptedImagePipeline: an ImagePipeline whose outcome per bundle is scripted, with a gate
 *   to hold a build open (supersede, shutdown, crash tests);
 * - recordingReporter / recordingPlatform: a JobPlatform whose reporter records every call;
 * - recordingPublisher: a Publisher that records requests and pushes nothing.
 */
export * from "./scripted-image-pipeline.js";
export * from "./recording-platform.js";
export * from "./recording-publisher.js";
