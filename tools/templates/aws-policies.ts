/**
 * Documents that AWS owns and the templates only name: the AWS managed policies the roles attach by
 * ARN, and the key policy of an AWS managed key (alias/aws/<service>). Copied from AWS's references
 * (versions noted), so the access matrix evaluates what a role really holds. A policy the fixtures do
 * not know fails loudly: a new ARN in a template needs its document here before the matrix can pass.
 */

/** A managed policy ARN the fixtures hold no document for. */
export class UnknownManagedPolicyError extends Error {
  constructor(arn: string) {
    super(`no fixture document for managed policy ${arn}: add it to tools/templates/aws-policies.ts`);
    this.name = "UnknownManagedPolicyError";
  }
}

const MANAGED_POLICIES: Readonly<Record<string, unknown>> = {
  // AWS managed policy reference, version v2 (edited 2018-11-19).
  "service-role/AWSLambdaKinesisExecutionRole": {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "kinesis:DescribeStream",
          "kinesis:DescribeStreamSummary",
          "kinesis:GetRecords",
          "kinesis:GetShardIterator",
          "kinesis:ListShards",
          "kinesis:ListStreams",
          "kinesis:SubscribeToShard",
          "logs:CreateLogGroup",
          "logs:CreateLogStream",
          "logs:PutLogEvents",
        ],
        Resource: "*",
      },
    ],
  },
  // AWS managed policy reference, version v2 (edited 2024-02-13).
  AWSXRayDaemonWriteAccess: {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AWSXRayDaemonWriteAccess",
        Effect: "Allow",
        Action: [
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:GetSamplingStatisticSummaries",
        ],
        Resource: ["*"],
      },
    ],
  },
};

/**
 * The document of an AWS managed policy, by its ARN (`arn:<partition>:iam::aws:policy/<path and name>`).
 * Throws UnknownManagedPolicyError for any ARN it holds no document for, customer managed ones included.
 */
export function awsManagedPolicy(arn: string): unknown {
  const name = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn)?.[1];
  const document = name === undefined ? undefined : MANAGED_POLICIES[name];
  if (document === undefined) throw new UnknownManagedPolicyError(arn);
  return structuredClone(document);
}

/**
 * The key policy AWS gives an AWS managed key such as alias/aws/sns: any principal of the account,
 * through that service only (kms:CallerAccount and kms:ViaService). Its policy cannot be changed, so
 * a service principal (which has no caller account), such as CloudWatch publishing an alarm, is
 * never admitted.
 */
export function awsManagedKeyPolicy(service: string, accountId: string, region: string): unknown {
  return {
    Version: "2012-10-17",
    Id: `auto-${service}`,
    Statement: [
      {
        Sid: `Allow access through ${service} for all principals in the account that are authorized to use it`,
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:ListGrants", "kms:DescribeKey"],
        Resource: "*",
        Condition: {
          StringEquals: { "kms:CallerAccount": accountId, "kms:ViaService": `${service}.${region}.amazonaws.com` },
        },
      },
      {
        Sid: "Allow direct access to key metadata to the account",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${accountId}:root` },
        Action: ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
        Resource: "*",
      },
    ],
  };
}
