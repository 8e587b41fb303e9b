// The package's own index.d.ts imports aws-sdk v2 types; these declare the entry points used here
// (the tests check shared/decode.ts's reader against deaggregateSync; the fixtures build aggregates).
declare module "aws-kinesis-agg/lib/kpl-deagg.js" {
  export interface UserRecord {
    partitionKey?: string;
    explicitPartitionKey?: string;
    sequenceNumber: string;
    subSequenceNumber: number;
    data: string;
  }
  export function deaggregateSync(
    kinesisRecord: { data: string; partitionKey: string; sequenceNumber: string },
    computeChecksums: boolean,
    afterRecordCallback: (err?: Error, userRecords?: UserRecord[]) => void,
  ): void;
}

declare module "aws-kinesis-agg/lib/kpl-agg.js" {
  export class RecordAggregator {
    addUserRecord(record: { partitionKey: string; data: Buffer }): void;
    build(): { partitionKey: string; data: Buffer } | undefined;
  }
}
