/**
 * Firehose as the in-process transport sees it: the calls, records and billed bytes of one
 * invocation; and the codec's own time, compressing the records ours sent uncompressed.
 */
import { compressRecord, type DeliveryCompression, parseDeliveryCompression } from "../../shared/firehose/index.ts";
import type { EmfCapture } from "../lambda/emf.ts";
import { type Handler, lambdaContext } from "../lambda/invoke.ts";
import { median } from "./bundling.ts";
import { COMPRESSIONS, type Compression } from "./contenders.ts";
import { billedBytes } from "./cost.ts";
import type { Meter } from "./stub-transport.ts";

/** What one invocation sent Firehose. */
export interface Metered {
  readonly calls: number;
  /** The lines' bytes before any compression. */
  readonly payload: number;
  readonly billed: number;
  /** Billed bytes per payload byte. */
  readonly ratio: number;
  readonly records: number;
}

/**
 * One metered invocation: Firehose calls and billed bytes from what was sent; the payload (the
 * lines' bytes before any compression) from the function's own DeliveredBytes metric.
 */
export async function meterRun(handler: Handler, eventText: string, meter: Meter, emf: EmfCapture): Promise<Metered> {
  meter.metering = true;
  meter.firehoseCalls = 0;
  meter.firehoseRecordBytes = [];
  const deliveredBefore = emf.totals.get("DeliveredBytes") ?? 0;
  await handler(JSON.parse(eventText), lambdaContext(60_000));
  meter.metering = false;
  const sent = meter.firehoseRecordBytes.reduce((a, b) => a + b, 0);
  // Peer A emits no such metric: its records are sent uncompressed, so what was sent is the payload.
  const payload = (emf.totals.get("DeliveredBytes") ?? 0) - deliveredBefore || sent;
  const billed = billedBytes(meter.firehoseRecordBytes);
  return {
    calls: meter.firehoseCalls,
    payload,
    billed,
    ratio: billed / payload,
    records: meter.firehoseRecordBytes.length,
  };
}

/**
 * Compression alone, on the records `uncompressed` (ours without compression) sends for the event:
 * each setting's median milliseconds over `rounds` after two warm-up rounds. The codec's share of
 * the event's time, steadier than the difference of two noisy whole-event medians.
 */
export async function codecMsPerEvent(
  uncompressed: Handler,
  eventText: string,
  meter: Meter,
  emf: EmfCapture,
  rounds: number,
): Promise<Record<Compression, number>> {
  meter.keepData = true;
  meter.firehoseRecords = [];
  await meterRun(uncompressed, eventText, meter, emf);
  meter.keepData = false;
  const records = meter.firehoseRecords;
  const codecMs = {} as Record<Compression, number>;
  for (const c of COMPRESSIONS) {
    const setting = parseDeliveryCompression(c) as DeliveryCompression;
    const times = Array.from({ length: 2 + rounds }, () => {
      const started = performance.now();
      for (const record of records) compressRecord(record, setting);
      return performance.now() - started;
    });
    codecMs[c] = Math.round(median(times.slice(2)) * 10) / 10;
  }
  return codecMs;
}
