import { defineConfig } from "vitest/config";
import { workerdTests } from "../../../vitest.config.ts";

/** The D1 copy's transactions timed in workerd's D1 (probe.ts, parts.ts); not part of `npm test`. */
export default defineConfig(() => workerdTests(["bench/probes/d1-copy/probe.ts", "bench/probes/d1-copy/parts.ts"]));
