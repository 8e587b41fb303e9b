import {
  FirehoseClient,
  LimitExceededException,
  PutRecordBatchCommand,
  ServiceUnavailableException,
} from "@aws-sdk/client-firehose";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type DeliveryDeps,
  deliverRecords,
  FIREHOSE_LIMITS,
  type FirehoseSender,
  type PackedRecord,
  packBatches,
  packLines,
  RETRY_POLICY,
  RecordPacker,
} from "../../../shared/firehose/index.ts";

const firehoseMock = mockClient(FirehoseClient);

/** A line whose encoding plus newline is exactly `bytes` long. */
function lineOf(bytes: number): string {
  return "a".repeat(bytes - 1);
}

describe("packLines", () => {
  it("joins lines into one record, each ending in a newline", () => {
    const records = packLines(['{"a":1}', '{"b":"é"}']);
    expect(records).toHaveLength(1);
    expect(Buffer.from(records[0]?.data ?? []).toString("utf8")).toBe('{"a":1}\n{"b":"é"}\n');
    expect(records[0]).toMatchObject({ firstTag: 0, lineCount: 2 });
  });

  it("fills a record to exactly 1,000 KiB and starts the next one a byte later", () => {
    const half = FIREHOSE_LIMITS.recordBytes / 2;
    const exact = packLines([lineOf(half), lineOf(half)]);
    const over = packLines([lineOf(half), lineOf(half + 1)]);

    expect(exact.map((r) => r.data.byteLength)).toEqual([FIREHOSE_LIMITS.recordBytes]);
    expect(over.map((r) => r.data.byteLength)).toEqual([half, half + 1]);
    expect(over.map((r) => r.firstTag)).toEqual([0, 1]);
  });

  it("accepts one line of exactly the record limit and throws for one a byte longer", () => {
    expect(packLines([lineOf(FIREHOSE_LIMITS.recordBytes)])[0]?.data.byteLength).toBe(FIREHOSE_LIMITS.recordBytes);
    expect(() => packLines([lineOf(FIREHOSE_LIMITS.recordBytes + 1)])).toThrow(
      new RangeError("a line of 1024001 bytes is over the 1024000-byte record limit"),
    );
  });

  it("counts multi-byte characters in bytes, not UTF-16 units", () => {
    const limits = { ...FIREHOSE_LIMITS, recordBytes: 10 };
    const records = packLines(["€€€", "é"], limits); // 9 + 1 bytes, then 2 + 1
    expect(records.map((r) => Buffer.from(r.data).toString("utf8"))).toEqual(["€€€\n", "é\n"]);
  });

  it("measures a line exactly when its UTF-16 length alone cannot show it fits the room left", () => {
    // After "\n", 9 bytes are left; "€€€" is 3 units (at most 9 bytes, so 10 with its newline) and
    // exactly 10 bytes: it must move to a record of its own, whole.
    const limits = { ...FIREHOSE_LIMITS, recordBytes: 10 };
    const records = packLines(["", "€€€"], limits);
    expect(records.map((r) => Buffer.from(r.data).toString("utf8"))).toEqual(["\n", "€€€\n"]);
  });

  it("returns no records for no lines", () => {
    expect(packLines([])).toEqual([]);
  });
});

describe("RecordPacker rollback", () => {
  const limits = { ...FIREHOSE_LIMITS, recordBytes: 10 };

  it("leaves no empty record when it takes back every line, even those of a record closed since the mark", () => {
    const packer = new RecordPacker(limits);
    const mark = packer.mark();
    packer.add("aaaa", 0); // 5 bytes
    packer.add("bbbbbbb", 1); // 8 bytes: closes the first record
    packer.rollback(mark);

    expect(packer.finish()).toEqual([]);
  });

  it("refills the reopened record from the mark on", () => {
    const packer = new RecordPacker(limits);
    packer.add("x", 0);
    const mark = packer.mark();
    packer.add("aaaa", 1);
    packer.add("bbbbbbb", 2); // closes "x\naaaa\n"
    packer.rollback(mark);
    packer.add("cc", 3);

    const records = packer.finish();
    expect(records.map((r) => Buffer.from(r.data).toString("utf8"))).toEqual(["x\ncc\n"]);
    expect(records[0]).toMatchObject({ firstTag: 0, lineCount: 2, payloadBytes: 5 });
  });
});

describe("packBatches", () => {
  const record = (bytes: number) => ({ data: new Uint8Array(bytes) });

  it("puts exactly 500 records in one call and the 501st in the next", () => {
    expect(packBatches(Array.from({ length: 500 }, () => record(1))).map((b) => b.length)).toEqual([500]);
    expect(packBatches(Array.from({ length: 501 }, () => record(1))).map((b) => b.length)).toEqual([500, 1]);
  });

  it("fills a call to exactly 4,000,000 data bytes and moves a record that would pass it by a byte", () => {
    // 4 MB, the API reference's reading, not 4 MiB (4,194,304), the quota page's.
    expect(FIREHOSE_LIMITS.batchBytes).toBe(4_000_000);
    const quarter = 1_000_000;
    expect(packBatches([1, 2, 3, 4].map(() => record(quarter))).map((b) => b.length)).toEqual([4]);
    expect(
      packBatches([record(quarter), record(quarter), record(quarter), record(quarter + 1)]).map((b) => b.length),
    ).toEqual([3, 1]);
  });

  it("never makes an empty batch: a record over the byte limit goes alone", () => {
    const limits = { ...FIREHOSE_LIMITS, batchBytes: 10 };
    expect(packBatches([record(20), record(20)], limits).map((b) => b.length)).toEqual([1, 1]);
  });

  it("puts three full 1,000-KiB records in a call, since a fourth would pass 4,000,000 bytes", () => {
    const full = FIREHOSE_LIMITS.recordBytes;
    expect(packBatches([1, 2, 3, 4, 5, 6].map(() => record(full))).map((b) => b.length)).toEqual([3, 3]);
  });
});

describe("deliverRecords", () => {
  let clock = 0;
  const sleeps: number[] = [];

  function deps(overrides: Partial<DeliveryDeps> = {}): DeliveryDeps {
    return {
      firehose: new FirehoseClient({ region: "eu-west-1" }),
      deliveryStreamName: "telemetry",
      deadlineMs: 60_000,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      random: () => 0.5,
      attemptTimeoutMs: 10_000,
      ...overrides,
    };
  }

  function records(count: number): PackedRecord[] {
    return Array.from({ length: count }, (_, i) => ({
      data: Buffer.from(`line-${i}\n`),
      payloadBytes: `line-${i}\n`.length,
      firstTag: i,
      lineCount: 1,
    }));
  }

  const ok = (n: number) => ({
    FailedPutCount: 0,
    RequestResponses: Array.from({ length: n }, (_, i) => ({ RecordId: `r${i}` })),
  });
  const sentData = () =>
    firehoseMock.commandCalls(PutRecordBatchCommand).map((call) =>
      (call.args[0].input.Records ?? []).map((r) =>
        Buffer.from(r.Data as Uint8Array)
          .toString("utf8")
          .trim(),
      ),
    );

  beforeEach(() => {
    firehoseMock.reset();
    clock = 0;
    sleeps.length = 0;
  });

  it("sends every record as a Uint8Array in one call and confirms them all", async () => {
    firehoseMock.on(PutRecordBatchCommand).resolves(ok(3));

    const result = await deliverRecords(records(3), deps());

    expect(result).toMatchObject({ undelivered: [], calls: 1, retries: 0, failedPuts: 0 });
    const input = firehoseMock.commandCalls(PutRecordBatchCommand)[0]?.args[0].input;
    expect(input?.DeliveryStreamName).toBe("telemetry");
    expect(input?.Records?.every((r) => r.Data instanceof Uint8Array)).toBe(true);
  });

  it("resends exactly the entries a 200 response reports failed", async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 2,
        RequestResponses: [
          { RecordId: "r0" },
          { ErrorCode: "ServiceUnavailableException", ErrorMessage: "slow down" },
          { RecordId: "r2" },
          { ErrorCode: "InternalFailure", ErrorMessage: "oops" },
        ],
      })
      .resolvesOnce(ok(2));

    const result = await deliverRecords(records(4), deps());

    expect(sentData()).toEqual([
      ["line-0", "line-1", "line-2", "line-3"],
      ["line-1", "line-3"],
    ]);
    expect(result).toMatchObject({ undelivered: [], calls: 2, retries: 1, failedPuts: 2 });
  });

  it("retries a throttled call with full-jitter backoff, then succeeds", async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .rejectsOnce(
        new ServiceUnavailableException({
          message: "Slow down.",
          $metadata: { httpStatusCode: 503 },
        }),
      )
      .rejectsOnce(
        new ServiceUnavailableException({
          message: "Slow down.",
          $metadata: { httpStatusCode: 503 },
        }),
      )
      .resolvesOnce(ok(2));

    const result = await deliverRecords(records(2), deps());

    expect(result).toMatchObject({ undelivered: [], calls: 3, retries: 2, failedPuts: 4 });
    // random() = 0.5 of min(cap, base · 2^attempt) for attempts 1 and 2.
    expect(sleeps).toEqual([RETRY_POLICY.baseMs, RETRY_POLICY.baseMs * 2]);
  });

  it("retries a connection reset", async () => {
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    firehoseMock.on(PutRecordBatchCommand).rejectsOnce(reset).resolvesOnce(ok(1));

    expect(await deliverRecords(records(1), deps())).toMatchObject({ undelivered: [], calls: 2 });
  });

  it("abandons a call that hangs past the attempt timeout and retries it", async () => {
    // The SDK rejects with AbortError when the signal fires; this sender does only that.
    const sent: number[] = [];
    const hangingThenOk: FirehoseSender = {
      send: (command, options) => {
        sent.push(command.input.Records?.length ?? 0);
        if (sent.length > 1) return Promise.resolve(ok(command.input.Records?.length ?? 0) as never);
        return new Promise((_, reject) =>
          options?.abortSignal?.addEventListener("abort", () =>
            reject(Object.assign(new Error("aborted"), { name: "AbortError" })),
          ),
        );
      },
    };

    const result = await deliverRecords(records(2), deps({ firehose: hangingThenOk, attemptTimeoutMs: 20 }));

    expect(sent).toEqual([2, 2]);
    expect(result).toMatchObject({ undelivered: [], calls: 2, retries: 1 });
  });

  it("does not retry an error that is not transient and reports every record undelivered", async () => {
    const denied = Object.assign(new Error("not authorized"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    firehoseMock.on(PutRecordBatchCommand).rejects(denied);

    const result = await deliverRecords(records(2), deps());

    expect(result).toMatchObject({
      undelivered: [0, 1],
      calls: 1,
      stopReason: expect.stringContaining("AccessDenied"),
    });
  });

  it("stops when the time budget runs out and reports what was not confirmed", async () => {
    firehoseMock.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 1,
      RequestResponses: [{ RecordId: "r0" }, { ErrorCode: "ServiceUnavailableException" }],
    });

    const result = await deliverRecords(records(2), deps({ deadlineMs: 120 }));

    expect(result.undelivered).toEqual([1]);
    expect(result.stopReason).toMatch(/time/);
    expect(clock).toBeLessThan(120);
  });

  it("gives up after the maximum number of attempts", async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolves({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: "InternalFailure" }] });

    const result = await deliverRecords(records(1), deps({ deadlineMs: Number.MAX_SAFE_INTEGER }));

    expect(result).toMatchObject({
      undelivered: [0],
      calls: RETRY_POLICY.maxAttempts,
      retries: RETRY_POLICY.maxAttempts - 1,
      stopReason: "1 of 1 entries failed (FailedPutCount), after 8 attempts",
    });
    // random() = 0.5 of min(2,000, 50 · 2^attempt) before each of attempts 2 to 8.
    expect(sleeps).toEqual([50, 100, 200, 400, 800, 1_000, 1_000]);
  });

  it("does not call Firehose at all once the deadline is reached", async () => {
    const result = await deliverRecords(records(2), deps({ deadlineMs: clock }));

    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(0);
    expect(result).toMatchObject({
      undelivered: [0, 1],
      calls: 0,
      stopReason: "time budget exhausted before Firehose confirmed the batch",
    });
  });

  it("does not retry when the backoff would end exactly at the deadline", async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolves({ FailedPutCount: 1, RequestResponses: [{ RecordId: "r0" }, { ErrorCode: "InternalFailure" }] });

    // Attempt 1 failed: the backoff is 0.5 · 100 ms, and the deadline is 50 ms away.
    const result = await deliverRecords(records(2), deps({ deadlineMs: 50 }));

    expect(sleeps).toEqual([]);
    expect(result).toMatchObject({
      undelivered: [1],
      calls: 1,
      stopReason: "1 of 2 entries failed (FailedPutCount); no time left to retry",
    });
  });

  it("names the retryable error in the reason it stops for", async () => {
    const throttled = new ServiceUnavailableException({ message: "Slow down.", $metadata: { httpStatusCode: 503 } });
    firehoseMock.on(PutRecordBatchCommand).rejects(throttled);

    const result = await deliverRecords(records(1), deps({ deadlineMs: 50 }));

    expect(result.stopReason).toBe("Firehose error: ServiceUnavailableException: Slow down.; no time left to retry");
  });

  it("names the attempt timeout in the reason it stops for", async () => {
    const hanging: FirehoseSender = {
      send: (_, options) =>
        new Promise((_, reject) =>
          options?.abortSignal?.addEventListener("abort", () =>
            reject(Object.assign(new Error("aborted"), { name: "AbortError" })),
          ),
        ),
    };

    // The 20-ms attempt timeout fires before the deadline (50 ms away on the fake clock as in real time).
    const result = await deliverRecords(records(1), deps({ firehose: hanging, attemptTimeoutMs: 20, deadlineMs: 50 }));

    expect(result).toMatchObject({
      undelivered: [0],
      calls: 1,
      stopReason: "Firehose call timed out after 20 ms; no time left to retry",
    });
  });

  describe("judges only error objects retryable", () => {
    const rejecting = (reason: unknown): FirehoseSender => ({ send: () => Promise.reject(reason) });

    it.each([
      ["null", null, "Firehose error: null"],
      ["a string", "boom", "Firehose error: boom"],
    ])("stops, without throwing, on a rejection with %s", async (_, reason, stopReason) => {
      const result = await deliverRecords(records(1), deps({ firehose: rejecting(reason) }));

      expect(result).toMatchObject({ undelivered: [0], calls: 1, retries: 0, failedPuts: 1, stopReason });
    });

    it("stops on a rejection with an error class instead of an instance, whatever the class's name", async () => {
      // LimitExceededException is a throttling error's name; the class itself is a function, not an error.
      const result = await deliverRecords(records(1), deps({ firehose: rejecting(LimitExceededException) }));

      expect(result).toMatchObject({ undelivered: [0], calls: 1, retries: 0 });
    });
  });

  it("treats a response whose entries do not line up with the request as all failed", async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: "r0" }] })
      .resolvesOnce(ok(2));

    const result = await deliverRecords(records(2), deps());

    expect(sentData()).toEqual([
      ["line-0", "line-1"],
      ["line-0", "line-1"],
    ]);
    expect(result.undelivered).toEqual([]);
  });

  describe("counts bytes per accepted entry and failed puts per attempt", () => {
    // Each test record is 7 bytes ("line-N\n"), billed as 5 KB.
    const billed = 5 * 1024;
    const hangingSender = (onAbort: () => void, thenOk: boolean): FirehoseSender => {
      let calls = 0;
      return {
        send: (command, options) => {
          calls++;
          if (calls > 1 && thenOk) return Promise.resolve(ok(command.input.Records?.length ?? 0) as never);
          return new Promise((_, reject) =>
            options?.abortSignal?.addEventListener("abort", () => {
              onAbort();
              reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
            }),
          );
        },
      };
    };

    it("partial FailedPutCount: bills each entry once, when accepted, and counts the entry failures", async () => {
      firehoseMock
        .on(PutRecordBatchCommand)
        .resolvesOnce({
          FailedPutCount: 2,
          RequestResponses: [
            { RecordId: "r0" },
            { ErrorCode: "ServiceUnavailableException" },
            { RecordId: "r2" },
            { ErrorCode: "InternalFailure" },
          ],
        })
        .resolvesOnce({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: "InternalFailure" }, { RecordId: "r1" }] })
        .resolvesOnce(ok(1));

      const result = await deliverRecords(records(4), deps());

      expect(result).toMatchObject({ undelivered: [], failedPuts: 3, deliveredBytes: 28, billedBytes: 4 * billed });
    });

    it("partial FailedPutCount until the attempts run out: counts only what was accepted", async () => {
      firehoseMock
        .on(PutRecordBatchCommand)
        .resolvesOnce({
          FailedPutCount: 1,
          RequestResponses: [{ RecordId: "r0" }, { ErrorCode: "ServiceUnavailableException" }],
        })
        .resolves({ FailedPutCount: 1, RequestResponses: [{ ErrorCode: "ServiceUnavailableException" }] });

      const result = await deliverRecords(records(2), deps({ deadlineMs: Number.MAX_SAFE_INTEGER }));

      expect(result).toMatchObject({
        undelivered: [1],
        failedPuts: RETRY_POLICY.maxAttempts,
        deliveredBytes: 7,
        billedBytes: billed,
      });
    });

    it("throttled then OK: counts each throttled call's entries failed and bills the accepted ones once", async () => {
      const throttled = new ServiceUnavailableException({ message: "Slow down.", $metadata: { httpStatusCode: 503 } });
      firehoseMock.on(PutRecordBatchCommand).rejectsOnce(throttled).resolvesOnce(ok(3));

      const result = await deliverRecords(records(3), deps());

      expect(result).toMatchObject({
        undelivered: [],
        calls: 2,
        failedPuts: 3,
        deliveredBytes: 21,
        billedBytes: 3 * billed,
      });
    });

    it("a non-retryable error: every entry of the call failed, nothing delivered or billed", async () => {
      const denied = Object.assign(new Error("not authorized"), {
        name: "AccessDeniedException",
        $metadata: { httpStatusCode: 400 },
      });
      firehoseMock.on(PutRecordBatchCommand).rejects(denied);

      const result = await deliverRecords(records(2), deps());

      expect(result).toMatchObject({ undelivered: [0, 1], failedPuts: 2, deliveredBytes: 0, billedBytes: 0 });
    });

    it("the deadline reached during a call: every entry of the call failed, nothing delivered or billed", async () => {
      const deadlineMs = 30;
      const result = await deliverRecords(
        records(2),
        deps({
          deadlineMs,
          firehose: hangingSender(() => {
            clock = deadlineMs;
          }, false),
        }),
      );

      expect(result).toMatchObject({ undelivered: [0, 1], calls: 1, failedPuts: 2, deliveredBytes: 0, billedBytes: 0 });
      expect(result.stopReason).toMatch(/time budget exhausted while waiting/);
    });

    it("a per-attempt timeout then OK: the timed-out call's entries failed, the resend billed once", async () => {
      const result = await deliverRecords(
        records(2),
        deps({ attemptTimeoutMs: 20, firehose: hangingSender(() => undefined, true) }),
      );

      expect(result).toMatchObject({
        undelivered: [],
        calls: 2,
        failedPuts: 2,
        deliveredBytes: 14,
        billedBytes: 2 * billed,
      });
    });

    it("an entry with both a RecordId and an ErrorCode, with neither, or missing: failed, resent, not billed", async () => {
      firehoseMock
        .on(PutRecordBatchCommand)
        .resolvesOnce({
          FailedPutCount: 2,
          RequestResponses: [
            { RecordId: "r0", ErrorCode: "InternalFailure" },
            {},
            undefined as never,
            { RecordId: "r3" },
          ],
        })
        .resolvesOnce(ok(3));

      const result = await deliverRecords(records(4), deps());

      expect(sentData()).toEqual([
        ["line-0", "line-1", "line-2", "line-3"],
        ["line-0", "line-1", "line-2"],
      ]);
      expect(result).toMatchObject({ undelivered: [], failedPuts: 3, deliveredBytes: 28, billedBytes: 4 * billed });
    });

    it("a response that does not line up: all its entries failed and none billed; the resend billed", async () => {
      firehoseMock
        .on(PutRecordBatchCommand)
        .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: "r0" }] })
        .resolvesOnce(ok(2));

      const result = await deliverRecords(records(2), deps());

      expect(result).toMatchObject({ undelivered: [], failedPuts: 2, deliveredBytes: 14, billedBytes: 2 * billed });
    });
  });

  it("stops at the first batch it cannot complete and does not send the later ones", async () => {
    const big = Array.from({ length: 501 }, (_, i) => ({
      data: Buffer.from(`${i}\n`),
      payloadBytes: `${i}\n`.length,
      firstTag: i,
      lineCount: 1,
    }));
    firehoseMock
      .on(PutRecordBatchCommand)
      .rejects(Object.assign(new Error("gone"), { name: "ResourceNotFoundException" }));

    const result = await deliverRecords(big, deps());

    expect(firehoseMock.commandCalls(PutRecordBatchCommand)).toHaveLength(1);
    expect(result.undelivered).toHaveLength(501);
  });
});
