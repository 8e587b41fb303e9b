import { readFileSync } from "node:fs";
import { S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand } from "@aws-sdk/client-s3";
import { FirehoseClient, CreateDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { loadHandler, lambdaContext } from "/work/main/scripts/lib/invoke.ts";
const endpoint = "http://127.0.0.1:5055";
Object.assign(process.env, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", DELIVERY_STREAM_NAME: "telemetry", QUARANTINE_BUCKET: "quarantine-bucket", POWERTOOLS_SERVICE_NAME: "telemetry-consumer", POWERTOOLS_METRICS_NAMESPACE: "VehicleTelemetry" });
const s3 = new S3Client({ forcePathStyle: true });
for (const b of ["data-bucket", "quarantine-bucket"]) await s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })).catch(e => console.log(e.name));
await new FirehoseClient({}).send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "telemetry", DeliveryStreamType: "DirectPut", ExtendedS3DestinationConfiguration: { BucketARN: "arn:aws:s3:::data-bucket", RoleARN: "arn:aws:iam::123456789012:role/firehose", Prefix: "data/" } })).catch(e => console.log(e.name));
const handler = loadHandler();
for (const f of process.argv.slice(2)) {
  const t = performance.now();
  const res = await handler(JSON.parse(readFileSync(f, "utf8")), lambdaContext(60000));
  console.log(f, JSON.stringify(res), (performance.now() - t).toFixed(0), "ms");
}
for (const b of ["data-bucket", "quarantine-bucket"]) { const l = await s3.send(new ListObjectsV2Command({ Bucket: b })); console.log(b, l.Contents?.map(c => `${c.Key} ${c.Size}`)); }
