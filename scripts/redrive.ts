/**
 * Redrive with the operator's credentials: records back from the quarantine bucket or from the
 * trigger's on-failure bucket, through the function's own path, chunk after chunk until done
 * (shared/redrive/; RedriveFunction runs the same chunks in the stack).
 *   node scripts/redrive.ts --source quarantine --quarantine-bucket B --delivery-stream S --reason SCHEMA_UNSUPPORTED [--dry-run]
 *   node scripts/redrive.ts --source on-failure --bucket F --quarantine-bucket B --delivery-stream S [--role-arn R]
 *   (every option, its accepted values and default: --help)
 * Exits 1 if a record could neither be delivered nor quarantined again, or a manifest was not written.
 */
import { randomUUID } from "node:crypto";
import { createClients, runtimeBatchDeps } from "../shared/aws.ts";
import { ConfigError, loadConfig } from "../shared/config.ts";
import {
  addSummary,
  createKinesisClient,
  emptySummary,
  kinesisStreamReader,
  parseRedriveRequest,
  RedriveRequestError,
  type RedriveSummary,
  redriveChunk,
  s3ObjectStore,
} from "../shared/redrive/index.ts";
import { REJECTION_REASONS } from "../shared/rejection.ts";
import {
  type ArgsOf,
  choice,
  command,
  custom,
  flag,
  integer,
  list,
  runCommand,
  text,
  UsageError,
} from "../tools/cli/options.ts";
import { summaryRows } from "../tools/redrive/summary-rows.ts";

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
const commaList = (what: string) =>
  custom({
    placeholder: "A,B,…",
    expected: `a comma-separated list of ${what}`,
    description: `only records with these ${what} (comma-separated)`,
    parse: (value) => {
      const items = value.split(",");
      return items.every((item) => item !== "") ? items : undefined;
    },
  });

const COMMAND = command({
  name: "redrive",
  summary:
    "Brings quarantined or on-failure records back through the function's path, once (a manifest per source object).",
  options: {
    source: choice({ choices: ["quarantine", "on-failure"], default: "quarantine", description: "where to read from" }),
    bucket: text({
      pattern: BUCKET,
      expected: "an S3 bucket name",
      placeholder: "NAME",
      description: "the source bucket (default: --quarantine-bucket for the quarantine source)",
    }),
    prefix: text({
      placeholder: "PREFIX",
      description:
        "key prefix to read under (default: QUARANTINE_PREFIX, quarantine/, for the quarantine source; none for on-failure)",
    }),
    from: text({
      pattern: HOUR,
      expected: "an hour as YYYY-MM-DDTHH (UTC)",
      placeholder: "HOUR",
      description: "first hour of quarantine keys",
    }),
    to: text({
      pattern: HOUR,
      expected: "an hour as YYYY-MM-DDTHH (UTC)",
      placeholder: "HOUR",
      description: "last hour of quarantine keys",
    }),
    reason: list({ choices: REJECTION_REASONS, default: [], description: "only quarantine lines with these reasons" }),
    "partition-key": commaList("partition keys"),
    "record-id": commaList("recordIds"),
    "dry-run": flag({ description: "print what would be redriven, by reason; write nothing" }),
    force: flag({ description: "redrive records the manifest lists as already redriven" }),
    "max-records": integer({ min: 1, max: 10_000, default: 1_000, description: "records per chunk" }),
    "quarantine-bucket": text({
      pattern: BUCKET,
      expected: "an S3 bucket name",
      placeholder: "NAME",
      description: "the stack's quarantine bucket (QUARANTINE_BUCKET): re-quarantine and manifests",
    }),
    "delivery-stream": text({
      placeholder: "NAME",
      description: "the stack's Firehose delivery stream (DELIVERY_STREAM_NAME)",
    }),
    "accepted-versions": text({
      placeholder: "1,2",
      description: "ACCEPTED_SCHEMA_VERSIONS to redrive with (default: every known version)",
    }),
    "role-arn": text({
      pattern: /^arn:[\w-]+:iam::\d{12}:role\/[\w+=,.@/-]+$/,
      expected: "an IAM role ARN",
      placeholder: "ARN",
      description: "assume this role (the consumer role) for the stream reads of the on-failure source",
    }),
    region: text({
      pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
      expected: "an AWS region",
      placeholder: "REGION",
      description: "AWS region",
    }),
    endpoint: text({
      pattern: /^https?:\/\/\S+$/,
      expected: "an http(s) URL",
      placeholder: "URL",
      description: "an emulator's URL for every client (local pipeline)",
    }),
    json: flag({ description: "print the summary as JSON" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<number> {
  if (values.region) process.env.AWS_REGION = values.region;
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({
      ...process.env,
      DELIVERY_STREAM_NAME: values["delivery-stream"] ?? process.env.DELIVERY_STREAM_NAME,
      QUARANTINE_BUCKET: values["quarantine-bucket"] ?? process.env.QUARANTINE_BUCKET,
      ACCEPTED_SCHEMA_VERSIONS: values["accepted-versions"] ?? process.env.ACCEPTED_SCHEMA_VERSIONS,
    });
  } catch (err) {
    if (err instanceof ConfigError) throw new UsageError(`${err.message} (or pass the matching option)`);
    throw err;
  }
  let request: ReturnType<typeof parseRedriveRequest>;
  try {
    request = parseRedriveRequest(
      {
        source: values.source,
        bucket: values.bucket ?? (values.source === "quarantine" ? config.quarantineBucket : undefined),
        ...(values.prefix ? { prefix: values.prefix } : {}),
        ...(values.from ? { fromHour: values.from } : {}),
        ...(values.to ? { toHour: values.to } : {}),
        ...(values.reason.length > 0 ? { reasons: values.reason } : {}),
        ...(values["partition-key"] ? { partitionKeys: values["partition-key"] } : {}),
        ...(values["record-id"] ? { recordIds: values["record-id"] } : {}),
        dryRun: values["dry-run"],
        force: values.force,
        maxRecords: values["max-records"],
      },
      config.quarantinePrefix,
    );
  } catch (err) {
    if (err instanceof RedriveRequestError) throw new UsageError(err.message);
    throw err;
  }

  const endpoint = values.endpoint;
  const clients = createClients({ firehose: endpoint, s3: endpoint });
  const kinesis =
    request.source === "on-failure"
      ? await createKinesisClient({
          ...(values.region ? { region: values.region } : {}),
          ...(endpoint ? { endpoint } : {}),
          ...(values["role-arn"] ? { roleArn: values["role-arn"] } : {}),
        })
      : undefined;
  const deps = {
    ...runtimeBatchDeps(config, clients),
    store: s3ObjectStore(clients.s3),
    ...(kinesis ? { stream: kinesisStreamReader(kinesis) } : {}),
  };
  const runId = randomUUID();
  const total = emptySummary();
  let token: string | undefined;
  let chunk = 0;
  do {
    // A chunk gets the same budget it would have in RedriveFunction (its 15-minute ceiling is far off).
    const deadlineMs = Date.now() + 5 * 60_000;
    const result = await redriveChunk(request, token, deps, deadlineMs, `${runId}-${chunk++}`);
    addSummary(total, result.summary);
    token = result.continuation;
    progressLine(total, request.dryRun);
  } while (token !== undefined);
  if (process.stderr.isTTY) process.stderr.write("\n");
  printSummary(total, request.dryRun, values.json);
  return total.failed > 0 || total.manifestErrors.length > 0 ? 1 : 0;
}

function printSummary(summary: RedriveSummary, dryRun: boolean, json: boolean): void {
  if (json) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  const rows = summaryRows(summary, dryRun);
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(dryRun ? "\nDry run: nothing was written." : "");
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v.padStart(10)}`);
  for (const m of summary.malformed) console.log(`malformed: ${m.object} line ${m.line}: ${m.error}`);
  // Ranges of the payload are not listed, nor ranges read whole from the stream unless there is something to say.
  const listed = summary.ranges.filter(
    (r) => r.status !== "payload" && (r.status !== "stream" || r.detail !== undefined),
  );
  for (const r of listed)
    console.log(
      `${r.status}: ${r.object} ${r.shardId} ${r.startSequenceNumber}…${r.endSequenceNumber}: ${r.found} of ${r.batchSize} ${r.status === "incomplete" || r.status === "stream" ? "read" : "left"} (${r.detail ?? ""})`,
    );
  for (const e of summary.manifestErrors) console.log(`manifest not written (its records may be redriven again): ${e}`);
}

let lastLineAt = 0;
function progressLine(summary: RedriveSummary, dryRun: boolean): void {
  const n = (x: number) => x.toLocaleString("en-US");
  const text = `${n(summary.objects)} objects · ${n(summary.read)} records read · ${dryRun ? "dry run" : `${n(summary.delivered)} delivered`}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
  else if (Date.now() - lastLineAt >= 5_000) {
    lastLineAt = Date.now();
    process.stderr.write(`${text}\n`);
  }
}

if (import.meta.main) await runCommand(COMMAND, main);
