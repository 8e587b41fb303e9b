import { describe, expect, it } from "vitest";
import { ConfigError } from "../../../shared/config.ts";
import type { OnFailureRecord } from "../../../tools/pipeline/event-source-mapping.ts";
import type { LedgerEntry } from "../../../tools/pipeline/producer.ts";
import { heldBackOf, ledgerRecordId, reconcile } from "../../../tools/pipeline/reconcile.ts";

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

describe("reconcile with a held-back version and a redrive", () => {
  const v2: LedgerEntry[] = [
    {
      shardId: "s0",
      sequenceNumber: "1",
      aggregated: true,
      corrupt: false,
      readings: [
        { vehicleId: "A", intent: "VALID" },
        { vehicleId: "E", intent: "VALID", schemaVersion: 2 },
        { vehicleId: "F", intent: "SCHEMA_INVALID", schemaVersion: 2 },
      ],
    },
  ];
  const heldBackVersions = new Set([2]);

  it("a v2 reading quarantined as SCHEMA_UNSUPPORTED while v2 is held back is routed right; delivered, it is misrouted", () => {
    const held = [
      { recordId: "s0:1:1", reason: "SCHEMA_UNSUPPORTED" },
      { recordId: "s0:1:2", reason: "SCHEMA_UNSUPPORTED" },
    ];
    const r = reconcile(v2, ["s0:1:0"], held, [], { heldBackVersions });
    expect(r).toMatchObject({ missing: [], misrouted: [], unexpected: [], duplicates: 0 });
    expect(r.quarantined).toEqual({ SCHEMA_UNSUPPORTED: 2 });
    expect(reconcile(v2, ["s0:1:0", "s0:1:1"], held.slice(1), [], { heldBackVersions }).misrouted).toEqual(["s0:1:1"]);
    // Without the held-back version, the same quarantine is wrong.
    expect(reconcile(v2, ["s0:1:0"], held, []).misrouted).toEqual(["s0:1:1", "s0:1:2"]);
  });

  it("after a redrive: delivered and re-quarantined copies are judged as accepted, the source lines are no duplicates", () => {
    const lines = [
      { recordId: "s0:1:1", reason: "SCHEMA_UNSUPPORTED" },
      { recordId: "s0:1:2", reason: "SCHEMA_UNSUPPORTED" },
      { recordId: "s0:1:2", reason: "SCHEMA_INVALID", redrive: { source: "quarantine" } },
    ];
    const redriven = new Set(["s0:1:1", "s0:1:2"]);
    const r = reconcile(v2, ["s0:1:0", "s0:1:1"], lines, [], { heldBackVersions, redriven });
    expect(r).toMatchObject({ missing: [], misrouted: [], unexpected: [], duplicates: 0, delivered: 2 });
    expect(r.quarantined).toEqual({ SCHEMA_INVALID: 1 });
    // Re-quarantined for the wrong reason: misrouted.
    const wrong = [...lines.slice(0, 2), { ...lines[2], reason: "JSON_INVALID" } as (typeof lines)[number]];
    expect(reconcile(v2, ["s0:1:0", "s0:1:1"], wrong, [], { heldBackVersions, redriven }).misrouted).toEqual([
      "s0:1:2",
    ]);
  });
});

describe("heldBackOf: the versions a run's ACCEPTED_SCHEMA_VERSIONS holds back, as the function reads it", () => {
  it.each([
    [undefined, []],
    ["", []],
    ["1,2", []],
    ["2,1", []],
    ["1", [2]],
    ["2", [1]],
  ])("%j holds back %j", (accepted, held) => {
    expect([...heldBackOf(accepted)]).toEqual(held);
  });

  it("refuses what the function refuses, naming the variable", () => {
    expect(() => heldBackOf("1, 2")).toThrow(ConfigError);
    expect(() => heldBackOf("3")).toThrow(/ACCEPTED_SCHEMA_VERSIONS/);
  });
});

describe("ledgerRecordId", () => {
  it("is shard:sequence for a plain record, with the reading's index inside an aggregate", () => {
    expect(ledgerRecordId(ledger[0] as LedgerEntry, 0)).toBe("s0:1");
    expect(ledgerRecordId(ledger[1] as LedgerEntry, 1)).toBe("s0:2:1");
  });
});
