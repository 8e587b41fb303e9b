/**
 * The built bundle (`sam build` output) loaded into this process: `index.js` required, its `handler`
 * called with a hand-made Lambda-like context whose remaining time counts down from a timeout. For
 * the unit tests (`lambdaContext`) and the benchmark's in-process figures (the bundle beside its
 * peers, AWS answering in-process) only: everything else runs the function under Lambda's own
 * runtime interface (tools/lambda/local-lambda.ts).
 */
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { Context, KinesisStreamBatchResponse } from "aws-lambda";

export const BUILT_BUNDLE = join(
  import.meta.dirname,
  "..",
  "..",
  ".aws-sam",
  "build",
  "TelemetryConsumerFunction",
  "index.js",
);

/** RedriveFunction's built bundle (its handler answers a redrive chunk, not a batch response). */
export const BUILT_REDRIVE_BUNDLE = join(
  import.meta.dirname,
  "..",
  "..",
  ".aws-sam",
  "build",
  "RedriveFunction",
  "index.js",
);

const COMMONJS = '{ "type": "commonjs" }\n';

/**
 * Marks `dir` CommonJS for the bundles below it, as the Lambda runtime sees `index.js` (the artifact
 * has no package.json, and this project's own says "type": "module"). Several processes load bundles
 * at once (test files run in parallel), and Node fails on a package.json it reads half written: so a
 * marker already right is left alone, and a new one replaces the old by a rename, whole.
 */
export function markCommonJs(dir: string): void {
  const file = join(dir, "package.json");
  try {
    if (readFileSync(file, "utf8") === COMMONJS) return;
  } catch {
    // No marker yet: write it.
  }
  const temporary = `${file}.${process.pid}.${randomUUID()}`;
  writeFileSync(temporary, COMMONJS);
  renameSync(temporary, file);
}

/** Throws, naming the file and the fix, unless each bundle (default: the consumer's) has been built. */
export function requireBuilt(...bundles: string[]): void {
  for (const bundle of bundles.length > 0 ? bundles : [BUILT_BUNDLE])
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run sam build (scripts/build.sh) first`);
}

export type Handler = (event: unknown, context: Context) => Promise<KinesisStreamBatchResponse>;

/**
 * Loads the bundle's `handler`. The bundle reads its configuration from `process.env` when loaded,
 * so set the environment first; `fresh` drops a copy loaded earlier in this process, as a new
 * Lambda execution environment would (a cold start with the current environment).
 * Throws what the bundle's init throws (a ConfigError, say).
 */
export function loadHandler(bundle = BUILT_BUNDLE, options: { fresh?: boolean } = {}): Handler {
  markCommonJs(join(dirname(bundle), "..", ".."));
  const require = createRequire(import.meta.url);
  if (options.fresh) delete require.cache[require.resolve(bundle)];
  const mod = require(bundle) as { handler?: Handler };
  if (typeof mod.handler !== "function") throw new TypeError(`${bundle} does not export a handler function`);
  return mod.handler;
}

/** A context like Lambda's for TelemetryConsumerFunction: request id, function name and a remaining time that counts down. */
export function lambdaContext(timeoutMs: number): Context {
  const functionName = "TelemetryConsumerFunction";
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:444455556666:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
