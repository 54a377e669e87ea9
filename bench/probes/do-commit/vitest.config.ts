import { defineConfig } from "vitest/config";
import { workerdTests } from "../../../vitest.config.ts";

/** A Durable Object's write with and without a commit of its own (probe.ts); not part of `npm test`. */
export default defineConfig(() => workerdTests(["bench/probes/do-commit/probe.ts"]));
