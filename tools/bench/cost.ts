/** The cost model: us-east-1 prices, Firehose billing each record rounded up to 5 KB, one vCPU of Lambda. */

/** Firehose Direct PUT bills each record rounded up to this many bytes. */
const FIREHOSE_INCREMENT = 5 * 1024;

/** Prices (us-east-1, 2026): Lambda arm64 per GB-s and per request; Firehose Direct PUT per GB ingested (5 KB increments). */
const PRICE = { lambdaGbSecond: 0.0000133334, lambdaRequest: 0.2 / 1e6, firehoseGb: 0.029 } as const;
/** The memory the cost model assumes: 1,769 MB is one full vCPU, the speed measured here on one core. */
const MODEL_MEMORY_GB = 1769 / 1024;

/** The bytes Firehose bills for records of these sizes. */
export function billedBytes(recordBytes: readonly number[]): number {
  return recordBytes.reduce((a, b) => a + Math.ceil(b / FIREHOSE_INCREMENT) * FIREHOSE_INCREMENT, 0);
}

/** Dollars per million records, Lambda's and Firehose's, at the measured speed and billed bytes. */
export function costPerMillion(msPerRecord: number, billedBytesPerRecord: number, recordsPerInvocation: number) {
  const lambda =
    (msPerRecord / 1000) * MODEL_MEMORY_GB * PRICE.lambdaGbSecond * 1e6 +
    (PRICE.lambdaRequest * 1e6) / recordsPerInvocation;
  const firehose = ((billedBytesPerRecord * 1e6) / 2 ** 30) * PRICE.firehoseGb;
  return { lambda, firehose, total: lambda + firehose };
}
