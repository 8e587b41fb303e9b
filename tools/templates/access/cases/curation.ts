/**
 * The curated layer's access (issue 21): EventBridge Scheduler, for this stack's two curation
 * schedules only, assumes CurationSchedulerRole, which may start the curation state machine and
 * nothing else; Step Functions, for that state machine only, assumes CurationRole, which runs
 * queries in the curation workgroup only, reads the catalog, raw's data/ and the curated table's
 * location, creates and updates exactly the curated table in Glue, writes that location and its
 * workgroup's results (curation/), and uses the data key through S3 only; CloudWatch publishes
 * CurationFailedAlarm to the alarm topic. Each grant has an allowed case, each edge a denied one;
 * the service-to-service paths each have breaks.
 */
import { CONSUMER_ACCOUNT as CONSUMER, type TwoAccounts } from "../../two-accounts.ts";
import { dropStatement } from "../breaks.ts";
import { asAnalyst, asStackRole } from "../principals.ts";
import { props, topicPolicy } from "../readers.ts";
import {
  type Bucket,
  database,
  dataKey,
  glue,
  inBucket,
  namedWorkgroup,
  otherKey,
  TLS_OFF,
  tableName,
  viaS3,
  workgroup,
} from "../resources.ts";
import type { AccessCase, Break, Decision } from "../types.ts";

/** The curated table's name: made by the state machine's DDL, so the template names it (tools/query/columns.ts). */
const CURATED = "telemetry_curated";
/**
 * Its location in DataBucket (CURATED_PREFIX, tools/query/curated.ts). Both are restated, not
 * imported: tools/templates/ imports nothing of the project (tests/unit/repo/layering.test.ts).
 */
const CURATED_PREFIX = `curated/${CURATED}/`;
const rawTable = (d: TwoAccounts) => glue(d, `table/${database(d)}/${tableName(d, "TelemetryRawTable")}`);
const curatedTable = (d: TwoAccounts) => glue(d, `table/${database(d)}/${CURATED}`);
const stateMachine = (d: TwoAccounts) => d.consumer.arnOf("CurationStateMachine");
/** The account's Glue catalog as Athena names it. */
const awsDataCatalog = (d: TwoAccounts) => `arn:aws:athena:${d.region}:${CONSUMER}:datacatalog/AwsDataCatalog`;
const schedule = (d: TwoAccounts, id: string) => d.consumer.arnOf(id);

const asCuration = (d: TwoAccounts) => asStackRole(d, "CurationRole");
const asScheduler = (d: TwoAccounts) => asStackRole(d, "CurationSchedulerRole");

const may = (expected: Decision) => (expected === "Allowed" ? "may" : "may not");
const drop = (resource: string, sid: string, property = "PolicyDocument"): Break => ({
  name: `${resource} loses ${sid}`,
  mutation: { mutateConsumer: (t) => dropStatement(t, resource, property, sid) },
});

/** A service assuming a role of the stack, under the role's trust policy, for `sourceArn`. */
const assume =
  (service: string, roleId: string, sourceArn: ((d: TwoAccounts) => string) | undefined, action = "sts:AssumeRole") =>
  (d: TwoAccounts) => ({
    principal: service,
    action,
    resource: d.consumer.arnOf(roleId),
    resourceAccount: CONSUMER,
    resourcePolicy: props(d.consumer, roleId).AssumeRolePolicyDocument,
    context: sourceArn
      ? { "aws:SourceArn": sourceArn(d), "aws:SourceAccount": CONSUMER }
      : ({} as Record<string, string>),
  });

const STATES = "states.amazonaws.com";
const SCHEDULER = "scheduler.amazonaws.com";
const otherStateMachine = (d: TwoAccounts) => `arn:aws:states:${d.region}:${CONSUMER}:stateMachine:payments-etl`;
const otherSchedule = (d: TwoAccounts) => `arn:aws:scheduler:${d.region}:${CONSUMER}:schedule/default/payments-nightly`;

const TRUST_CASES: readonly AccessCase[] = [
  {
    name: "Step Functions, for the curation state machine, may assume CurationRole",
    request: assume(STATES, "CurationRole", stateMachine),
    expected: "Allowed",
    breaks: [drop("CurationRole", "StepFunctionsForThisStacksCurationOnly", "AssumeRolePolicyDocument")],
  },
  {
    name: "Step Functions may not assume CurationRole for another state machine",
    request: assume(STATES, "CurationRole", otherStateMachine),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Step Functions may not assume CurationRole for no state machine at all",
    request: assume(STATES, "CurationRole", undefined),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Step Functions may not tag a CurationRole session, even for the curation state machine",
    request: assume(STATES, "CurationRole", stateMachine, "sts:TagSession"),
    expected: "ImplicitlyDenied",
  },
  {
    name: "EventBridge Scheduler may not assume CurationRole, even for a curation schedule",
    request: assume(SCHEDULER, "CurationRole", (d) => schedule(d, "CurationHourlySchedule")),
    expected: "ImplicitlyDenied",
  },
  ...["CurationHourlySchedule", "CurationMaintenanceSchedule"].map(
    (id): AccessCase => ({
      name: `EventBridge Scheduler, for ${id}, may assume CurationSchedulerRole`,
      request: assume(SCHEDULER, "CurationSchedulerRole", (d) => schedule(d, id)),
      expected: "Allowed",
      breaks: [
        drop("CurationSchedulerRole", "SchedulerForThisStacksCurationSchedulesOnly", "AssumeRolePolicyDocument"),
      ],
    }),
  ),
  {
    name: "EventBridge Scheduler may not assume CurationSchedulerRole for another schedule",
    request: assume(SCHEDULER, "CurationSchedulerRole", otherSchedule),
    expected: "ImplicitlyDenied",
  },
  {
    name: "EventBridge Scheduler may not tag a CurationSchedulerRole session, even for a curation schedule",
    request: assume(SCHEDULER, "CurationSchedulerRole", (d) => schedule(d, "CurationHourlySchedule"), "sts:TagSession"),
    expected: "ImplicitlyDenied",
  },
  {
    name: "Step Functions may not assume CurationSchedulerRole, even for the curation state machine",
    request: assume(STATES, "CurationSchedulerRole", stateMachine),
    expected: "ImplicitlyDenied",
  },
];

const SCHEDULER_CASES: readonly AccessCase[] = [
  {
    name: "the curation schedules' role may start the curation state machine",
    request: (d) => ({
      ...asScheduler(d),
      action: "states:StartExecution",
      resource: stateMachine(d),
      resourceAccount: CONSUMER,
    }),
    expected: "Allowed",
    breaks: [drop("CurationSchedulerPolicy", "StartTheCurationStateMachineOnly")],
  },
  ...(
    [
      ["states:StartExecution", otherStateMachine, "another state machine"],
      [
        "states:StopExecution",
        (d: TwoAccounts) => `${stateMachine(d).replace(":stateMachine:", ":execution:")}:x`,
        "an execution of the curation state machine",
      ],
      ["states:UpdateStateMachine", stateMachine, "the curation state machine"],
    ] as const
  ).map(
    ([action, resource, what]): AccessCase => ({
      name: `the curation schedules' role may not ${action} on ${what}`,
      request: (d) => ({ ...asScheduler(d), action, resource: resource(d), resourceAccount: CONSUMER }),
      expected: "ImplicitlyDenied",
    }),
  ),
];

const ATHENA_AND_GLUE: readonly (readonly [string, (d: TwoAccounts) => string, string, Decision, Break?])[] = [
  [
    "athena:StartQueryExecution",
    (d) => namedWorkgroup(d, "CurationWorkGroup"),
    "the curation workgroup",
    "Allowed",
    drop("CurationPolicy", "QueryInTheCurationWorkGroupOnly"),
  ],
  ["athena:GetQueryExecution", (d) => namedWorkgroup(d, "CurationWorkGroup"), "the curation workgroup", "Allowed"],
  ["athena:StopQueryExecution", (d) => namedWorkgroup(d, "CurationWorkGroup"), "the curation workgroup", "Allowed"],
  ["athena:GetQueryResults", (d) => namedWorkgroup(d, "CurationWorkGroup"), "the curation workgroup", "Allowed"],
  [
    "athena:StartQueryExecution",
    (d) => namedWorkgroup(d, "AnalystWorkGroup"),
    "the analysts' workgroup",
    "ImplicitlyDenied",
  ],
  ["athena:StartQueryExecution", (d) => workgroup(d, "primary"), "workgroup primary", "ImplicitlyDenied"],
  [
    "athena:UpdateWorkGroup",
    (d) => namedWorkgroup(d, "CurationWorkGroup"),
    "the curation workgroup",
    "ImplicitlyDenied",
  ],
  [
    "athena:GetDataCatalog",
    awsDataCatalog,
    "the data catalog AwsDataCatalog",
    "Allowed",
    drop("CurationPolicy", "UseTheGlueDataCatalogInAthena"),
  ],
  ["athena:UpdateDataCatalog", awsDataCatalog, "the data catalog AwsDataCatalog", "ImplicitlyDenied"],
  [
    "athena:GetDataCatalog",
    (d) => `arn:aws:athena:${d.region}:${CONSUMER}:datacatalog/federated-payments`,
    "another data catalog",
    "ImplicitlyDenied",
  ],
  [
    "glue:GetDatabase",
    (d) => glue(d, `database/${database(d)}`),
    "the telemetry database",
    "Allowed",
    drop("CurationPolicy", "ReadTheTelemetryCatalog"),
  ],
  ["glue:GetTable", rawTable, "table telemetry_raw", "Allowed"],
  ["glue:GetPartitions", rawTable, "table telemetry_raw", "Allowed"],
  ["glue:GetTable", curatedTable, "table telemetry_curated", "Allowed"],
  ["glue:GetTable", (d) => glue(d, "catalog"), "the catalog", "Allowed"],
  ["glue:GetTable", (d) => glue(d, "table/other_db/secrets"), "table other_db/secrets", "ImplicitlyDenied"],
  [
    "glue:CreateTable",
    curatedTable,
    "table telemetry_curated",
    "Allowed",
    drop("CurationPolicy", "CreateAndUpdateTheCuratedTableOnly"),
  ],
  ["glue:CreateTable", (d) => glue(d, `database/${database(d)}`), "the telemetry database", "Allowed"],
  ["glue:CreateTable", (d) => glue(d, "catalog"), "the catalog", "Allowed"],
  ["glue:UpdateTable", curatedTable, "table telemetry_curated", "Allowed"],
  [
    "glue:CreateTable",
    (d) => glue(d, `table/${database(d)}/another_table`),
    "another table of the telemetry database",
    "ImplicitlyDenied",
  ],
  ["glue:UpdateTable", rawTable, "table telemetry_raw", "ImplicitlyDenied"],
  ["glue:DeleteTable", curatedTable, "table telemetry_curated", "ImplicitlyDenied"],
  ["glue:DeleteTable", rawTable, "table telemetry_raw", "ImplicitlyDenied"],
  ["glue:DeleteDatabase", (d) => glue(d, `database/${database(d)}`), "the telemetry database", "ImplicitlyDenied"],
];

const OBJECTS: readonly (readonly [string, Bucket, string | undefined, Record<string, string>, Decision, Break?])[] = [
  [
    "s3:GetObject",
    "DataBucket",
    "data/year=2026/month=11/day=22/hour=21/x.gz",
    {},
    "Allowed",
    drop("CurationPolicy", "ReadRawObjects"),
  ],
  [
    "s3:GetObject",
    "DataBucket",
    `${CURATED_PREFIX}metadata/00001.metadata.json`,
    {},
    "Allowed",
    drop("CurationPolicy", "WriteTheCuratedTable"),
  ],
  ["s3:PutObject", "DataBucket", `${CURATED_PREFIX}data/x.parquet`, {}, "Allowed"],
  ["s3:DeleteObject", "DataBucket", `${CURATED_PREFIX}data/x.parquet`, {}, "Allowed"],
  ["s3:AbortMultipartUpload", "DataBucket", `${CURATED_PREFIX}data/x.parquet`, {}, "Allowed"],
  [
    "s3:ListBucket",
    "DataBucket",
    undefined,
    { "s3:prefix": "data/year=2026/month=11/day=22/hour=21/" },
    "Allowed",
    drop("CurationPolicy", "ListRawAndCuratedPrefixes"),
  ],
  ["s3:ListBucket", "DataBucket", undefined, { "s3:prefix": `${CURATED_PREFIX}data/` }, "Allowed"],
  ["s3:GetBucketLocation", "DataBucket", undefined, {}, "Allowed", drop("CurationPolicy", "LocateBuckets")],
  ["s3:GetBucketLocation", "QueryResultsBucket", undefined, {}, "Allowed"],
  [
    "s3:PutObject",
    "QueryResultsBucket",
    "curation/q.csv",
    {},
    "Allowed",
    drop("CurationPolicy", "ReadAndWriteItsQueryResults"),
  ],
  ["s3:GetObject", "QueryResultsBucket", "curation/q.csv", {}, "Allowed"],
  ["s3:AbortMultipartUpload", "QueryResultsBucket", "curation/q.csv", {}, "Allowed"],
  ["s3:ListMultipartUploadParts", "QueryResultsBucket", "curation/q.csv", {}, "Allowed"],
  [
    "s3:ListBucket",
    "QueryResultsBucket",
    undefined,
    { "s3:prefix": "curation/" },
    "Allowed",
    drop("CurationPolicy", "ListItsQueryResults"),
  ],
  ["s3:GetObject", "DataBucket", "data/year=2026/x.gz", TLS_OFF, "ExplicitlyDenied"],
  ["s3:PutObject", "DataBucket", `${CURATED_PREFIX}data/x.parquet`, TLS_OFF, "ExplicitlyDenied"],
  ["s3:PutObject", "DataBucket", "data/year=2026/x.gz", {}, "ImplicitlyDenied"],
  ["s3:DeleteObject", "DataBucket", "data/year=2026/x.gz", {}, "ImplicitlyDenied"],
  ["s3:GetObject", "DataBucket", "errors/processing-failed/x", {}, "ImplicitlyDenied"],
  ["s3:PutObject", "DataBucket", "curated/another_table/x.parquet", {}, "ImplicitlyDenied"],
  ["s3:DeleteObjectVersion", "DataBucket", `${CURATED_PREFIX}data/x.parquet`, {}, "ImplicitlyDenied"],
  ["s3:ListBucket", "DataBucket", undefined, { "s3:prefix": "errors/" }, "ImplicitlyDenied"],
  ["s3:ListBucket", "DataBucket", undefined, { "s3:prefix": "curated/another_table/" }, "ImplicitlyDenied"],
  ["s3:ListBucketVersions", "DataBucket", undefined, { "s3:prefix": "data/" }, "ImplicitlyDenied"],
  ["s3:PutBucketPolicy", "DataBucket", undefined, {}, "ImplicitlyDenied"],
  ["s3:GetBucketLocation", "QuarantineBucket", undefined, {}, "ImplicitlyDenied"],
  ["s3:GetObject", "QuarantineBucket", "quarantine/x", {}, "ImplicitlyDenied"],
  ["s3:ListBucket", "QuarantineBucket", undefined, { "s3:prefix": "data/" }, "ImplicitlyDenied"],
  ["s3:ListBucket", "QuarantineBucket", undefined, { "s3:prefix": "curation/" }, "ImplicitlyDenied"],
  ["s3:PutObject", "QueryResultsBucket", "results/q.csv", {}, "ImplicitlyDenied"],
  ["s3:DeleteObject", "QueryResultsBucket", "curation/q.csv", {}, "ImplicitlyDenied"],
  ["s3:ListBucket", "QueryResultsBucket", undefined, { "s3:prefix": "results/" }, "ImplicitlyDenied"],
  ["s3:ListBucketVersions", "QueryResultsBucket", undefined, { "s3:prefix": "curation/" }, "ImplicitlyDenied"],
];

const ROLE_CASES: readonly AccessCase[] = [
  ...ATHENA_AND_GLUE.map(
    ([action, resource, what, expected, broken]): AccessCase => ({
      name: `the curation role ${may(expected)} ${action} on ${what}`,
      request: (d) => ({ ...asCuration(d), action, resource: resource(d), resourceAccount: CONSUMER }),
      expected,
      ...(broken ? { breaks: [broken] } : {}),
    }),
  ),
  ...OBJECTS.map(
    ([action, bucket, key, context, expected, broken]): AccessCase => ({
      name: `the curation role ${may(expected)} ${action} on ${bucket}${key === undefined ? "" : ` ${key}`}${
        Object.keys(context).length ? ` with ${JSON.stringify(context)}` : ""
      }`,
      request: (d) => ({ ...asCuration(d), action, ...inBucket(d, bucket, key), context }),
      expected,
      ...(broken ? { breaks: [broken] } : {}),
    }),
  ),
  ...(
    [
      ["kms:Decrypt", true, "Allowed"],
      ["kms:GenerateDataKey", true, "Allowed"],
      ["kms:Decrypt", false, "ImplicitlyDenied"],
      ["kms:CreateGrant", true, "ImplicitlyDenied"],
    ] as const
  ).map(
    ([action, throughS3, expected]): AccessCase => ({
      name: `the curation role ${may(expected)} ${action} with the data key ${throughS3 ? "through S3" : "directly (no kms:ViaService)"}`,
      request: (d) => ({ ...asCuration(d), action, ...dataKey(d), context: throughS3 ? viaS3(d) : {} }),
      expected,
      ...(expected === "Allowed" ? { breaks: [drop("CurationPolicy", "UseTheDataKeyThroughS3Only")] } : {}),
    }),
  ),
  {
    name: "the curation role may not decrypt with another key of the account (whose policy lets IAM decide)",
    request: (d) => ({ ...asCuration(d), action: "kms:Decrypt", ...otherKey(CONSUMER, d.region), context: viaS3(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "the curation role may not start executions of the curation state machine (only the schedules' role may)",
    request: (d) => ({
      ...asCuration(d),
      action: "states:StartExecution",
      resource: stateMachine(d),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
];

const ALARM_CASES: readonly AccessCase[] = [
  {
    name: "CloudWatch may publish CurationFailedAlarm to the alarm topic",
    request: (d) => ({
      principal: "cloudwatch.amazonaws.com",
      action: "sns:Publish",
      resource: d.consumer.arnOf("AlarmTopic"),
      resourceAccount: CONSUMER,
      resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
      context: { "aws:SourceAccount": CONSUMER, "aws:SourceArn": d.consumer.arnOf("CurationFailedAlarm") },
    }),
    expected: "Allowed",
    breaks: [drop("AlarmTopicPolicy", "ThisStacksAlarmsPublish")],
  },
];

export const CURATION_CASES: readonly AccessCase[] = [
  ...TRUST_CASES,
  ...SCHEDULER_CASES,
  ...ROLE_CASES,
  ...ALARM_CASES,
];

/** The analysts read the curated table too (AnalystPolicy): its catalog entry and its files, nothing more. */
export const ANALYST_CURATED_CASES: readonly AccessCase[] = [
  {
    name: "an analyst may glue:GetTable on table telemetry_curated",
    request: (d) => ({
      ...asAnalyst(d),
      action: "glue:GetTable",
      resource: curatedTable(d),
      resourceAccount: CONSUMER,
    }),
    expected: "Allowed",
  },
  {
    name: "an analyst may not glue:UpdateTable on table telemetry_curated",
    request: (d) => ({
      ...asAnalyst(d),
      action: "glue:UpdateTable",
      resource: curatedTable(d),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "an analyst may not athena:StartQueryExecution on the curation workgroup",
    request: (d) => ({
      ...asAnalyst(d),
      action: "athena:StartQueryExecution",
      resource: namedWorkgroup(d, "CurationWorkGroup"),
      resourceAccount: CONSUMER,
    }),
    expected: "ImplicitlyDenied",
  },
  ...(
    [
      ["s3:GetObject", `${CURATED_PREFIX}data/x.parquet`, {}, "Allowed"],
      ["s3:ListBucket", undefined, { "s3:prefix": `${CURATED_PREFIX}metadata/` }, "Allowed"],
      ["s3:PutObject", `${CURATED_PREFIX}data/x.parquet`, {}, "ImplicitlyDenied"],
      ["s3:DeleteObject", `${CURATED_PREFIX}data/x.parquet`, {}, "ImplicitlyDenied"],
      ["s3:GetObject", "curated/another_table/x.parquet", {}, "ImplicitlyDenied"],
      ["s3:ListBucket", undefined, { "s3:prefix": "curated/another_table/" }, "ImplicitlyDenied"],
      ["s3:GetObject", `${CURATED_PREFIX}data/x.parquet`, TLS_OFF, "ExplicitlyDenied"],
    ] as const
  ).map(
    ([action, key, context, expected]): AccessCase => ({
      name: `an analyst ${may(expected)} ${action} on DataBucket${key === undefined ? "" : ` ${key}`}${
        Object.keys(context).length ? ` with ${JSON.stringify(context)}` : ""
      }`,
      request: (d) => ({
        ...asAnalyst(d),
        action,
        ...inBucket(d, "DataBucket", key),
        context,
      }),
      expected,
      ...(action === "s3:GetObject" && expected === "Allowed"
        ? { breaks: [drop("AnalystPolicy", "ReadTheCuratedTable")] }
        : {}),
    }),
  ),
];
