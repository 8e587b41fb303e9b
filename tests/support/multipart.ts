/** The mocked S3 of a test, taking a multipart upload (a quarantine object over 8 MiB). */

import type { S3Client } from "@aws-sdk/client-s3";
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import type { AwsClientStub } from "aws-sdk-client-mock";

/** Has the mocked S3 accept a multipart upload: its creation, each part and its completion. */
export function acceptMultipart(s3: AwsClientStub<S3Client>): void {
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: "u" });
  s3.on(UploadPartCommand).resolves({ ETag: "e" });
  s3.on(CompleteMultipartUploadCommand).resolves({});
}
