/**
 * The vehicle fleet simulator: writes plausible telemetry (and a share of bad records) to a Kinesis
 * stream. By default it targets the local emulator (`node scripts/emulator.ts`); give a stream ARN
 * (and a profile) to write to a real stream.
 *   node scripts/simulator.ts [--vehicles 40] [--duration 600] …
 *     [--endpoint http://127.0.0.1:5000 | --stream-arn arn:aws:kinesis:…] [--region eu-west-1] [--profile p]
 *   (every option, its accepted values and default: --help)
 */

import { type ArgsOf, command, custom, integer, runCommand, text } from "../tools/cli/options.ts";
import { seededRandom } from "../tools/fixtures/fixtures.ts";
import { REGION, STREAM } from "../tools/pipeline/emulator.ts";
import { Fleet } from "../tools/pipeline/fleet.ts";
import { fleetOptions } from "../tools/pipeline/fleet-options.ts";
import { kinesisClient } from "../tools/pipeline/kinesis-client.ts";
import { type ProducerStats, type StreamTarget, simulate } from "../tools/pipeline/producer.ts";
import { DEFAULTS } from "../tools/pipeline/run.ts";

const COMMAND = command({
  name: "simulator",
  summary: "Writes a simulated fleet's telemetry to a Kinesis stream: the local emulator's, or a real one by ARN.",
  options: {
    ...fleetOptions(DEFAULTS),
    "kpl-size": integer({ min: 1, max: 1_000, default: DEFAULTS.kplSize, description: "user records a KPL aggregate" }),
    endpoint: custom({
      placeholder: "URL",
      expected: "an http:// or https:// URL",
      description: "the Kinesis endpoint (default http://127.0.0.1:5000 unless --stream-arn is given)",
      parse: (value) => (URL.canParse(value) && /^https?:\/\//.test(value) ? value : undefined),
    }),
    "stream-arn": text({
      placeholder: "ARN",
      pattern: /^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[\w.-]{1,128}$/,
      expected: "a Kinesis stream ARN (arn:aws:kinesis:<region>:<account>:stream/<name>)",
      description: "write to this stream instead of the emulator's",
    }),
    "stream-name": text({
      placeholder: "NAME",
      pattern: /^[\w.-]{1,128}$/,
      expected: "a stream name (1–128 of a-z A-Z 0-9 _ . -)",
      default: STREAM,
      description: "the stream, when no ARN is given",
    }),
    region: text({
      placeholder: "REGION",
      pattern: /^[a-z]{2}(-[a-z]+)+-\d+$/,
      expected: "an AWS region (eu-west-1)",
      description: "the region (default the ARN's, else AWS_REGION, else the emulator's)",
    }),
    profile: text({ placeholder: "NAME", description: "the AWS profile for a real stream" }),
  },
});

async function main({ values }: ArgsOf<typeof COMMAND>): Promise<void> {
  const streamArn = values["stream-arn"];
  const endpoint = streamArn ? values.endpoint : (values.endpoint ?? "http://127.0.0.1:5000");
  const region = values.region ?? streamArn?.split(":")[3] ?? process.env.AWS_REGION ?? REGION;
  const target: StreamTarget = streamArn ? { streamArn } : { streamName: values["stream-name"] };
  const kinesis = kinesisClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(values.profile ? { profile: values.profile } : {}),
  });
  const stats: ProducerStats = { calls: 0, retries: 0, kinesisRecords: 0, userRecords: 0, bytes: 0 };
  const { vehicles, duration: durationS, rate, speedup } = values;
  const total = vehicles * Math.round(durationS * rate);

  console.log(
    `Writing ${total.toLocaleString("en-US")} readings from ${vehicles} vehicles to ${streamArn ?? `${values["stream-name"]} at ${endpoint}`}`,
  );
  const started = performance.now();
  const ledger = await simulate(
    kinesis,
    target,
    {
      fleet: new Fleet({
        vehicles,
        random: seededRandom(values.seed),
        badFraction: values["bad-fraction"],
      }),
      durationS,
      rate,
      speedup,
      kplShare: values["kpl-share"],
      kplSize: values["kpl-size"],
      startMs: Date.now() - durationS * 1000 * (speedup > 0 ? Math.max(0, 1 - 1 / speedup) : 1),
      onProgress: (s) => {
        const text = `${s.userRecords.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} readings, ${s.calls} PutRecords calls`;
        if (process.stderr.isTTY) process.stderr.write(`\r${text}`);
      },
    },
    stats,
  );
  const seconds = (performance.now() - started) / 1000;
  const intents = new Map<string, number>();
  for (const entry of ledger) for (const r of entry.readings) intents.set(r.intent, (intents.get(r.intent) ?? 0) + 1);
  if (process.stderr.isTTY) process.stderr.write("\n");
  console.log(
    `user records      ${stats.userRecords.toLocaleString("en-US")} (${[...intents].map(([k, n]) => `${k} ${n}`).join(", ")})`,
  );
  console.log(
    `Kinesis records   ${stats.kinesisRecords.toLocaleString("en-US")} (${ledger.filter((e) => e.aggregated).length} KPL aggregates)`,
  );
  console.log(`bytes             ${stats.bytes.toLocaleString("en-US")}`);
  console.log(`PutRecords calls  ${stats.calls} (${stats.retries} resends of failed entries)`);
  console.log(
    `time              ${seconds.toFixed(1)} s (${Math.round(stats.userRecords / seconds).toLocaleString("en-US")} readings/s)`,
  );
}

await runCommand(COMMAND, main);
