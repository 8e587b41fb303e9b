import { describe, expect, it } from "vitest";
import type { OnFailureRecord } from "../../tools/pipeline/event-source-mapping.ts";
import type { LedgerEntry } from "../../tools/pipeline/producer.ts";
import { reconcile } from "../../tools/pipeline/reconcile.ts";

const ledger: LedgerEntry[] = [
  {
    shardId: "s0",
    sequenceNumber: "1",
    aggregated: false,
    corrupt: false,
    readings: [{ vehicleId: "A", intent: "VALID" }],
  },
  {
    shardId: "s0",
    sequenceNumber: "2",
    aggregated: true,
    corrupt: false,
    readings: [
      { vehicleId: "B", intent: "VALID" },
      { vehicleId: "C", intent: "JSON_INVALID" },
    ],
  },
  {
    shardId: "s1",
    sequenceNumber: "7",
    aggregated: false,
    corrupt: false,
    readings: [{ vehicleId: "D", intent: "VALID" }],
  },
];

function failure(shardId: string, start: string, end: string): OnFailureRecord {
  return {
    requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 3 },
    responseContext: {},
    version: "1.0",
    timestamp: "",
    KinesisBatchInfo: {
      shardId,
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: "",
      approximateArrivalOfLastRecord: "",
      batchSize: 1,
      streamArn: "",
    },
  };
}

describe("reconcile", () => {
  it("accounts for every user record, expanding aggregates by sub-sequence number", () => {
    const r = reconcile(ledger, ["s0:1", "s0:2:0", "s1:7"], [{ recordId: "s0:2:1", reason: "JSON_INVALID" }], []);

    expect(r).toMatchObject({
      produced: 4,
      kinesisRecords: 3,
      delivered: 3,
      quarantined: { JSON_INVALID: 1 },
      duplicates: 0,
      missing: [],
      unexpected: [],
      misrouted: [],
    });
  });

  it("counts re-deliveries of the same recordId as duplicates, not as extra records", () => {
    const r = reconcile(
      ledger,
      ["s0:1", "s0:1", "s0:2:0", "s1:7"],
      [
        { recordId: "s0:2:1", reason: "JSON_INVALID" },
        { recordId: "s0:2:1", reason: "JSON_INVALID" },
      ],
      [],
    );

    expect(r).toMatchObject({ delivered: 3, duplicates: 2, missing: [] });
  });

  it("names what is missing, unexpected or routed against its intent", () => {
    const r = reconcile(ledger, ["s0:2:1", "s9:1"], [{ recordId: "s0:2:0", reason: "SCHEMA_INVALID" }], []);

    expect([...r.missing].sort()).toEqual(["s0:1", "s1:7"]);
    expect(r.unexpected).toEqual(["s9:1"]);
    expect([...r.misrouted].sort()).toEqual(["s0:2:0", "s0:2:1"]);
  });

  it("expects one quarantine line for a damaged aggregate, not one per user record", () => {
    const damaged: LedgerEntry = { ...(ledger[1] as LedgerEntry), corrupt: true };
    const r = reconcile([damaged], [], [{ recordId: "s0:2", reason: "AGGREGATE_CORRUPT" }], []);

    expect(r).toMatchObject({ produced: 1, quarantined: { AGGREGATE_CORRUPT: 1 }, missing: [], misrouted: [] });
  });

  it("counts records inside an on-failure batch range as sent there, not missing", () => {
    const r = reconcile(
      ledger,
      ["s0:1", "s0:2:0"],
      [{ recordId: "s0:2:1", reason: "JSON_INVALID" }],
      [failure("s1", "5", "9")],
    );

    expect(r).toMatchObject({ toOnFailure: 1, missing: [] });
  });
});
