import { KinesisClient, PutRecordsCommand, type PutRecordsCommandInput } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { isKplAggregate } from "../../../shared/decode.ts";
import type { Reading } from "../../../tools/pipeline/fleet.ts";
import { type LedgerEntry, type ProducerStats, putEntries, toEntries } from "../../../tools/pipeline/producer.ts";

const kinesisMock = mockClient(KinesisClient);
const reading = (vehicleId: string, i: number): Reading => ({
  vehicleId,
  intent: "VALID",
  data: Buffer.from(`{"n":${i}}`),
});
const noSleep = async () => {};
let stats: ProducerStats;

beforeEach(() => {
  kinesisMock.reset();
  stats = { calls: 0, retries: 0, kinesisRecords: 0, userRecords: 0, bytes: 0 };
});

describe("toEntries", () => {
  it("aggregates KPL vehicles' readings in groups of the given size and keeps others plain", () => {
    const readings = ["VIN-1", "VIN-2", "VIN-1", "VIN-3", "VIN-1"].map(reading);

    const entries = toEntries(readings, (v) => v === "VIN-1" || v === "VIN-3", 2);

    expect(entries.map((e) => [e.aggregated, e.readings.length, e.partitionKey])).toEqual([
      [false, 1, "VIN-2"],
      [true, 2, "VIN-1"],
      [true, 2, "VIN-3"],
    ]);
    expect(entries.filter((e) => e.aggregated).every((e) => isKplAggregate(e.data))).toBe(true);
  });
});

describe("putEntries", () => {
  it("resends exactly the entries PutRecords reports failed and records where each landed", async () => {
    const entries = toEntries(
      [0, 1, 2].map((i) => reading(`VIN-${i}`, i)),
      () => false,
      10,
    );
    kinesisMock
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [
          { ShardId: "shardId-0", SequenceNumber: "1" },
          { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" },
          { ShardId: "shardId-0", SequenceNumber: "2" },
        ],
      })
      .resolvesOnce({ FailedRecordCount: 0, Records: [{ ShardId: "shardId-1", SequenceNumber: "3" }] });
    const ledger: LedgerEntry[] = [];

    await putEntries(new KinesisClient({ region: "eu-west-1" }), { streamName: "s" }, entries, ledger, stats, noSleep);

    const sent = kinesisMock
      .commandCalls(PutRecordsCommand)
      .map((c) => c.args[0].input.Records?.map((r) => r.PartitionKey));
    expect(sent).toEqual([["VIN-0", "VIN-1", "VIN-2"], ["VIN-1"]]);
    expect(ledger.map((e) => [e.shardId, e.sequenceNumber, e.readings[0]?.vehicleId])).toEqual([
      ["shardId-0", "1", "VIN-0"],
      ["shardId-0", "2", "VIN-2"],
      ["shardId-1", "3", "VIN-1"],
    ]);
    expect(stats).toMatchObject({ calls: 2, retries: 1, kinesisRecords: 3, userRecords: 3 });
  });

  it("writes at most 500 entries a call, by name or by ARN", async () => {
    const entries = toEntries(
      Array.from({ length: 501 }, (_, i) => reading(`VIN-${i}`, i)),
      () => false,
      10,
    );
    kinesisMock.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => ({
      FailedRecordCount: 0,
      Records: (input.Records ?? []).map((_, i) => ({ ShardId: "shardId-0", SequenceNumber: String(i) })),
    }));

    await putEntries(
      new KinesisClient({ region: "eu-west-1" }),
      { streamArn: "arn:aws:kinesis:eu-west-1:1:stream/s" },
      entries,
      [],
      stats,
      noSleep,
    );

    const calls = kinesisMock.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => c.Records?.length)).toEqual([500, 1]);
    expect(calls[0]?.StreamARN).toBe("arn:aws:kinesis:eu-west-1:1:stream/s");
  });

  it("throws when an entry keeps failing", async () => {
    kinesisMock.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: "InternalFailure" }] });

    await expect(
      putEntries(
        new KinesisClient({ region: "eu-west-1" }),
        { streamName: "s" },
        toEntries([reading("V", 1)], () => false, 1),
        [],
        stats,
        noSleep,
      ),
    ).rejects.toThrow(/still failing/);
  });
});
