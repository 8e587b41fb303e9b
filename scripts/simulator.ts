/**
 * The vehicle fleet simulator: writes plausible telemetry (and a share of bad records) to a Kinesis
 * stream. By default it targets the local emulator (`node scripts/emulator.ts`); give a stream ARN
 * (and a profile) to write to a real stream.
 *   node scripts/simulator.ts [--vehicles 40] [--duration 600] [--rate 1] [--speedup 0]
 *     [--bad-fraction 0.02] [--kpl-share 0.25] [--kpl-size 10] [--seed 42]
 *     [--endpoint http://127.0.0.1:5000 | --stream-arn arn:aws:kinesis:…] [--region eu-west-1] [--profile p]
 */
import { parseArgs } from "node:util";
import { seededRandom } from "../tools/fixtures/fixtures.ts";
import { REGION, STREAM } from "../tools/pipeline/emulator.ts";
import { Fleet } from "../tools/pipeline/fleet.ts";
import { kinesisClient } from "../tools/pipeline/kinesis-client.ts";
import { type ProducerStats, type StreamTarget, simulate } from "../tools/pipeline/producer.ts";

const { values } = parseArgs({
  options: {
    vehicles: { type: "string", default: "40" },
    duration: { type: "string", default: "600" },
    rate: { type: "string", default: "1" },
    speedup: { type: "string", default: "0" },
    "bad-fraction": { type: "string", default: "0.02" },
    "kpl-share": { type: "string", default: "0.25" },
    "kpl-size": { type: "string", default: "10" },
    seed: { type: "string", default: "42" },
    endpoint: { type: "string" },
    "stream-arn": { type: "string" },
    "stream-name": { type: "string", default: STREAM },
    region: { type: "string" },
    profile: { type: "string" },
  },
});

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
const vehicles = Number(values.vehicles);
const durationS = Number(values.duration);
const rate = Number(values.rate);
const speedup = Number(values.speedup);
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
      random: seededRandom(Number(values.seed)),
      badFraction: Number(values["bad-fraction"]),
    }),
    durationS,
    rate,
    speedup,
    kplShare: Number(values["kpl-share"]),
    kplSize: Number(values["kpl-size"]),
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
