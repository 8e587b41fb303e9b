/** The benchmark's figures as the table `npm run bench` prints: one line a figure, with its target or note. */
import type { BenchResult } from "./harness.ts";
import type { Accounting } from "./memory.ts";

function accountingText(a: Accounting): string {
  const quarantined = Object.entries(a.quarantined ?? {})
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${count} ${reason}`)
    .join(", ");
  return `${a.received} Kinesis records, ${a.userRecords} user records: ${a.delivered} delivered, quarantined ${quarantined || "none"}, ${a.failed} failed, ${a.retryRecords} reported for retry`;
}

/** The report's lines: the event and the medians, then one aligned row a figure. */
export function formatReport(r: BenchResult): string[] {
  const n = (x: number) => x.toLocaleString("en-US");
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  const lines: [string, string, string][] = [
    ["records/s: floor (base64 + parse + stringify)", n(r.floorRps), ""],
    [
      "records/s: same-output floor, lines only (old)",
      n(r.sameOutputFloorRps),
      "+ build our line, encode: produces our lines, sends nothing",
    ],
    [
      "records/s: same-output floor + PutRecordBatch (new)",
      n(r.sendFloorRps),
      `+ the requests any sender makes, built, serialised, signed: ${r.sendFloorCalls} call(s)`,
    ],
    [
      "records/s: ours (built bundle)",
      n(r.oursRps),
      `${x(r.oursRps, r.sendFloorRps)} same-output floor + PutRecordBatch (target ≥ 0.6); ${x(r.oursRps, r.sameOutputFloorRps)} lines only (old); ${x(r.oursRps, r.floorRps)} floor`,
    ],
    [
      "ms per 6 MB event: ours in-process / under the runtime",
      `${(r.msPerEvent.ours ?? Number.NaN).toFixed(1)} / ${r.runtime.medianMs.toFixed(1)}`,
      `the runtime's own REPORT Duration, median of ${r.runtime.invocations} raced with the others (the first: ${r.runtime.firstMs.toFixed(1)} ms, init included), ${r.runtime.memorySizeMb} MB; its Max Memory Used repeats that size: peak RSS below is in-process`,
    ],
    [
      "records/s: peer B (BatchProcessor, Zod in handler)",
      n(r.peerBRps),
      `ours ${x(r.oursRps, r.peerBRps)} (target ≥ 1.5)`,
    ],
    ["records/s: peer A (Powertools parser idiom)", n(r.peerARps), `ours ${x(r.oursRps, r.peerARps)} (target ≥ 50)`],
    [
      "peak RSS, ours on the 6 MB event (MB)",
      String(r.peakRssMb),
      `target ≤ 112 at Lambda's heap flags for 128 MB; before the event is read ${r.baselineRssMb}`,
    ],
    ["heap used after an invocation, at most (MB)", String(r.heapMb), "Lambda's heap flags for 128 MB"],
    [
      `peak RSS, ours ${r.defaultCompression} on the 6 MB event (MB)`,
      String(r.compressedPeakRssMb),
      "target ≤ 112 at Lambda's heap flags for 128 MB",
    ],
    [
      "peak RSS, ours on worst-case aggregates (MB)",
      String(r.worstCase.peakRssMb),
      `target ≤ 256 at Lambda's heap flags for 512 MB; ${r.worstCase.records} aggregates of ${n(r.worstCase.entries / r.worstCase.records)} one-byte rejects, ${n(r.worstCase.eventBytes)} bytes`,
    ],
    [
      "  accounting of the worst-case aggregates",
      r.worstCase.accountedFor ? "all" : "NOT ALL",
      accountingText(r.worstCase.accounting),
    ],
    ["Firehose billed / payload bytes: ours", String(r.billedBytesRatio), "target ≤ 1.02"],
    ["Firehose billed / payload bytes: peer A", String(r.peerABilledBytesRatio), ""],
    ["PutRecordBatch calls: ours (minimum)", `${r.firehoseCalls} (${r.firehoseCallsMin})`, "target ≤ minimum + 1"],
    ["Firehose calls: peer A", n(r.peerAFirehoseCalls), ""],
    [
      "unhandled promise rejections (peer A, invalid base64)",
      n(r.peerAUnhandledRejections),
      "each would end a Lambda process",
    ],
    ["bundle bytes: ours / peer A", `${n(r.bundleBytes)} / ${n(r.peerABundleBytes)}`, "target ≤ 400,000"],
    ["cold init ms: ours / peer A", `${r.initMs} / ${r.peerAInitMs}`, "target ours ≤ peer A"],
  ];
  for (const [c, v] of Object.entries(r.compression)) {
    const name = c === "none" ? "ours, none" : `ours, ${c}`;
    lines.push([
      `DELIVERY_COMPRESSION ${c}: records/s`,
      n(v.rps),
      `${name}: ${x(v.rps, r.peerBRps)} peer B (target ≥ 1.5); ${x(v.rps, r.sendFloorRps)} same-output floor + PutRecordBatch`,
    ]);
    lines.push([
      `DELIVERY_COMPRESSION ${c}: Lambda ms per 6 MB event`,
      v.msPerEvent.toFixed(1),
      `of which compressing, measured alone: ${v.codecMsPerEvent.toFixed(1)} ms`,
    ]);
    lines.push([
      `DELIVERY_COMPRESSION ${c}: Firehose billed / payload bytes`,
      String(v.billedPerPayload),
      `1-KB readings ${v.billedPerPayloadKb}; ${v.firehoseRecords} records in ${v.firehoseCalls} calls`,
    ]);
  }
  const none = r.costPerMillionRecords["270 B"]?.ours?.total ?? Number.NaN;
  for (const [size, c] of Object.entries(r.costPerMillionRecords)) {
    for (const [who, v] of Object.entries(c)) {
      lines.push([
        `$ per million ${size} records: ${who}`,
        `$${v.total.toFixed(4)}`,
        `Lambda $${v.lambda.toFixed(4)} + Firehose $${v.firehose.toFixed(4)}${size === "270 B" && who.startsWith("ours ") ? `; ${x(none, v.total)} cheaper than none (target ≥ 5)` : ""}`,
      ]);
    }
  }
  const w = Math.max(...lines.map(([a]) => a.length));
  const v = Math.max(...lines.map(([, b]) => b.length));
  return [
    `${r.records} Kinesis records, ${n(r.eventBytes)} bytes; Node ${r.node}; medians in ms per event: ${JSON.stringify(r.msPerEvent)}`,
    ...lines.map(([a, b, c]) => `${a.padEnd(w)}  ${b.padStart(v)}  ${c}`),
  ];
}
