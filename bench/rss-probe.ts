// Preloaded into a measured process (NODE_OPTIONS=--import=…): writes its peak resident set
// size in KB to $HUBGATE_BENCH_RSS_FILE when it exits.
import { writeFileSync } from "node:fs";

const out = process.env.HUBGATE_BENCH_RSS_FILE;
if (out) process.on("exit", () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
