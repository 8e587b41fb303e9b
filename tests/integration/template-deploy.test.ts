/**
 * What the templates promise someone deploying them, checked on the templates as the SAM translator
 * makes them (scripts/check-templates.sh writes .tmp/cfn): the deploy-time rules, the region the
 * producer's stream is looked for in, the alarms and where they go, the producer stream's retention,
 * and the samconfig.toml environments that drive the three deploy steps.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ParameterValueError, resolveTemplate } from "../../tools/templates/cfn-resolve.ts";
import {
  CONSUMER_ACCOUNT,
  deployBoth,
  loadTranslated,
  PRODUCER_ACCOUNT,
  REGION,
} from "../../tools/templates/two-accounts.ts";

const root = join(import.meta.dirname, "..", "..");

const consumerWith = (parameters: Record<string, string>, region = REGION) =>
  resolveTemplate(loadTranslated("consumer"), {
    accountId: CONSUMER_ACCOUNT,
    region,
    stackName: "consumer",
    parameters,
  });

describe("deploy-time rules of the consumer stack", () => {
  const { consumerParameters: complete } = deployBoth();
  const without = (name: string) => Object.fromEntries(Object.entries(complete).filter(([k]) => k !== name));

  it("accept the bootstrap step and the complete step 3", () => {
    expect(consumerWith({}).failedRules).toEqual([]);
    expect(consumerWith(complete).failedRules).toEqual([]);
  });

  it("refuse a stream without its key id", () => {
    expect(consumerWith(without("ProducerStreamKeyId")).failedRules).toEqual([
      expect.stringMatching(/^ProducerStreamName needs ProducerStreamKeyId/),
    ]);
  });

  it("refuse a stream without its account", () => {
    expect(consumerWith(without("ProducerAccountId")).failedRules).toEqual([
      expect.stringMatching(/^ProducerStreamName needs ProducerAccountId/),
    ]);
  });

  it("refuse a fan-out consumer without its stream", () => {
    expect(consumerWith({ ProducerStreamConsumer: "telemetry:1700000000" }).failedRules).toEqual([
      expect.stringMatching(/^ProducerStreamConsumer needs ProducerStreamName/),
    ]);
  });
});

describe("the producer's stream is in the consumer stack's region", () => {
  it("every ARN the consumer stack builds for the producer's stream, consumer and key is in its own region", () => {
    const region = "ap-southeast-2";
    const { consumer } = deployBoth({ enhancedFanOut: true, region });
    const trigger = consumer.resources.TelemetryStreamTrigger?.properties;
    const policy = JSON.stringify(consumer.resources.TelemetryConsumerPolicy?.properties);
    const producerArns = policy.match(new RegExp(`arn:aws:(kinesis|kms):[a-z0-9-]+:${PRODUCER_ACCOUNT}:[^"]+`, "g"));

    expect(trigger?.EventSourceArn).toMatch(
      new RegExp(`^arn:aws:kinesis:${region}:${PRODUCER_ACCOUNT}:stream/producer-TelemetryStream/consumer/`),
    );
    expect(producerArns?.length).toBeGreaterThanOrEqual(4);
    for (const arn of producerArns ?? []) expect(arn).toContain(`:${region}:${PRODUCER_ACCOUNT}:`);
  });

  it("takes no stream ARN, so none from another region can be given", () => {
    expect(() =>
      consumerWith({ ProducerStreamArn: `arn:aws:kinesis:us-east-1:${PRODUCER_ACCOUNT}:stream/telemetry` }),
    ).toThrow(ParameterValueError);
    expect(() =>
      consumerWith({ ProducerStreamName: `arn:aws:kinesis:us-east-1:${PRODUCER_ACCOUNT}:stream/telemetry` }),
    ).toThrow(ParameterValueError);
    expect(() => consumerWith({ ProducerStreamKeyId: `arn:aws:kms:us-east-1:${PRODUCER_ACCOUNT}:key/x` })).toThrow(
      ParameterValueError,
    );
  });
});

describe("alarms", () => {
  const alarmsOf = (t: ReturnType<typeof consumerWith>) =>
    Object.entries(t.resources).filter(([, r]) => r.type === "AWS::CloudWatch::Alarm");

  it.each([
    ["the bootstrap step", {}],
    ["step 3 with the trigger enabled", deployBoth().consumerParameters],
  ])("every alarm publishes to the alarm topic, with or without AlarmEmail (%s)", (_, parameters) => {
    const emails: Record<string, string>[] = [{}, { AlarmEmail: "ops@example.com" }];
    for (const email of emails) {
      const consumer = consumerWith({ ...parameters, ...email });
      const alarms = alarmsOf(consumer);
      expect(alarms.length).toBeGreaterThanOrEqual(7);
      for (const [, alarm] of alarms) expect(alarm.properties.AlarmActions).toEqual([consumer.arnOf("AlarmTopic")]);
    }
  });

  it("the topic is encrypted with a key of this stack, not an AWS managed key", () => {
    const consumer = consumerWith({});
    const keyId = String(consumer.resources.AlarmTopic?.properties.KmsMasterKeyId);
    expect(keyId).not.toMatch(/alias\/aws\//);
    expect(consumer.resources.AlarmKey?.type).toBe("AWS::KMS::Key");
    expect(keyId).toBe(consumer.arnOf("AlarmKey"));
  });

  it("the topic subscribes AlarmEmail only when given", () => {
    expect(consumerWith({}).resources.AlarmTopic?.properties.Subscription).toBeUndefined();
    expect(consumerWith({ AlarmEmail: "ops@example.com" }).resources.AlarmTopic?.properties.Subscription).toEqual([
      { Protocol: "email", Endpoint: "ops@example.com" },
    ]);
  });

  it("a trigger that reads nothing for NoRecordsAlarmMinutes alarms, only while it is enabled", () => {
    const { consumerParameters } = deployBoth();
    const enabled = consumerWith({ ...consumerParameters, NoRecordsAlarmMinutes: "30" });
    const alarm = enabled.resources.NoRecordsAlarm?.properties;

    expect(alarm).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Invocations",
      Dimensions: [{ Name: "FunctionName", Value: enabled.resources.TelemetryStreamTrigger?.properties.FunctionName }],
      Period: 60,
      EvaluationPeriods: "30",
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
    });
    expect(consumerWith({ ...consumerParameters, TriggerEnabled: "false" }).resources.NoRecordsAlarm).toBeUndefined();
    expect(consumerWith({}).resources.NoRecordsAlarm).toBeUndefined();
    expect(() => consumerWith({ NoRecordsAlarmMinutes: "1441" })).toThrow(ParameterValueError);
  });

  it("Firehose throttling of the delivery stream alarms", () => {
    const consumer = consumerWith({});
    expect(consumer.resources.FirehoseThrottledRecordsAlarm?.properties).toMatchObject({
      Namespace: "AWS/Firehose",
      MetricName: "ThrottledRecords",
      Dimensions: [{ Name: "DeliveryStreamName", Value: consumer.arnOf("TelemetryDeliveryStream").split("/")[1] }],
      ComparisonOperator: "GreaterThanThreshold",
      Threshold: 0,
    });
  });
});

describe("producer stack", () => {
  it("retains the stream as it retains its key, and orders the consumer's policy after the consumer", () => {
    const producer = loadTranslated("producer").Resources as Record<string, Record<string, unknown>>;
    for (const id of ["TelemetryStream", "StreamKey"]) {
      expect(producer[id]?.DeletionPolicy).toBe("Retain");
      expect(producer[id]?.UpdateReplacePolicy).toBe("Retain");
    }
    expect(producer.TelemetryStreamConsumerPolicy?.DependsOn).toBe("TelemetryStreamConsumer");
  });
});

describe("samconfig.toml", () => {
  /** `[env.command.parameters]` tables of samconfig.toml with their string values (the file is flat TOML). */
  function samconfig(): Map<string, Record<string, string>> {
    const tables = new Map<string, Record<string, string>>();
    let current: Record<string, string> | undefined;
    for (const line of readFileSync(join(root, "samconfig.toml"), "utf8").split("\n")) {
      const table = /^\[([\w.-]+)\]\s*$/.exec(line);
      if (table) {
        current = {};
        tables.set(table[1] as string, current);
      }
      const pair = /^(\w+)\s*=\s*"(.*)"\s*$/.exec(line);
      if (pair && current) current[pair[1] as string] = pair[2] as string;
    }
    return tables;
  }
  const deployEnvironments = () => [...samconfig()].filter(([name]) => name.endsWith(".deploy.parameters"));

  it("every deploy environment names the same region", () => {
    const environments = deployEnvironments();
    expect(environments.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "consumer-bootstrap.deploy.parameters",
        "producer.deploy.parameters",
        "consumer.deploy.parameters",
      ]),
    );
    const regions = new Set(environments.map(([, values]) => values.region));
    expect(regions.size).toBe(1);
    expect([...regions][0]).toMatch(/^[a-z]{2}(-[a-z]+)+-\d$/);
  });

  it("every parameter override is a parameter of the template the environment deploys", () => {
    for (const [name, values] of deployEnvironments()) {
      const template = loadTranslated(values.template_file === "producer/template.yaml" ? "producer" : "consumer");
      const overrides = (values.parameter_overrides ?? "").split(/\s+/).filter(Boolean);
      for (const override of overrides)
        expect(Object.keys(template.Parameters ?? {}), `${name}: ${override}`).toContain(override.split("=")[0]);
    }
  });
});

describe("contract versions", () => {
  const environmentOf = (parameters: Record<string, string>): Record<string, string> => {
    const properties = consumerWith(parameters).resources.TelemetryConsumerFunction?.properties;
    return (properties?.Environment as { Variables: Record<string, string> } | undefined)?.Variables ?? {};
  };

  it("the function delivers versions 1 and 2 unless AcceptedSchemaVersions holds one back", () => {
    expect(environmentOf({}).ACCEPTED_SCHEMA_VERSIONS).toBe("1,2");
    expect(environmentOf({ AcceptedSchemaVersions: "1" }).ACCEPTED_SCHEMA_VERSIONS).toBe("1");
  });

  it("refuses a version the contract does not have, and spaces", () => {
    expect(() => consumerWith({ AcceptedSchemaVersions: "1,3" })).toThrow(ParameterValueError);
    expect(() => consumerWith({ AcceptedSchemaVersions: "1, 2" })).toThrow(ParameterValueError);
  });
});

describe("the redrive function processes records as the consumer does", () => {
  const environmentOf = (parameters: Record<string, string>, functionId: string): Record<string, string> => {
    const properties = consumerWith(parameters).resources[functionId]?.properties;
    return (properties?.Environment as { Variables: Record<string, string> } | undefined)?.Variables ?? {};
  };

  it.each<Record<string, string>>([
    {},
    { DeliveryCompression: "zstd", AcceptedSchemaVersions: "1", SpeedLimitKmh: "90" },
  ])("with the same delivery, quarantine, contract and compression settings (%j)", (parameters) => {
    const consumer = environmentOf(parameters, "TelemetryConsumerFunction");
    const redrive = environmentOf(parameters, "RedriveFunction");

    for (const name of [
      "DELIVERY_STREAM_NAME",
      "QUARANTINE_BUCKET",
      "QUARANTINE_PREFIX",
      "SPEED_LIMIT_KMH",
      "ACCEPTED_SCHEMA_VERSIONS",
      "DELIVERY_COMPRESSION",
    ]) {
      expect(consumer[name], name).toBeDefined();
      expect(redrive[name], name).toBe(consumer[name]);
    }
  });
});

describe("the trigger's record age (issue 19)", () => {
  const ageOf = (value: string) =>
    consumerWith({ ...deployBoth().consumerParameters, MaximumRecordAgeInSeconds: value }).resources
      .TelemetryStreamTrigger?.properties.MaximumRecordAgeInSeconds;

  it.each(["-1", "60", "61", "99", "100", "3600", "86400", "599999", "600000", "603999", "604000", "604799", "604800"])(
    "accepts %s (-1, or 60 to 604800: what Lambda accepts) and hands it to the trigger",
    (value) => {
      expect(String(ageOf(value))).toBe(value);
    },
  );

  it.each(["0", "1", "59", "-2", "604801", "700000", "1000000", "060", "1e3", "86400.5", " 86400", ""])(
    "refuses %j before any resource changes (Lambda's API would refuse it at the trigger)",
    (value) => {
      expect(() => ageOf(value)).toThrow(ParameterValueError);
    },
  );
});

describe("outputs", () => {
  const dashboardUrl = (partition: string, region: string) =>
    resolveTemplate(loadTranslated("consumer"), {
      accountId: CONSUMER_ACCOUNT,
      region,
      stackName: "consumer",
      parameters: {},
      partition,
    }).output("DashboardUrl");

  it.each([
    ["aws", "eu-west-1", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1"],
    ["aws-cn", "cn-north-1", "https://console.amazonaws.cn/cloudwatch/home?region=cn-north-1"],
    ["aws-us-gov", "us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1"],
  ])("DashboardUrl opens the dashboard on the console of the %s partition", (partition, region, console) => {
    expect(dashboardUrl(partition, region)).toBe(`${console}#dashboards:name=consumer-TelemetryDashboard`);
  });

  it("the data key is said to encrypt every bucket and log group of the stack, and it does", () => {
    const template = loadTranslated("consumer");
    type Encryption = {
      ServerSideEncryptionConfiguration: { ServerSideEncryptionByDefault: { KMSMasterKeyID: unknown } }[];
    };
    const keyOf = (resource: { Type: string; Properties?: Record<string, unknown> }) =>
      resource.Type === "AWS::S3::Bucket"
        ? (resource.Properties?.BucketEncryption as Encryption | undefined)?.ServerSideEncryptionConfiguration[0]
            ?.ServerSideEncryptionByDefault.KMSMasterKeyID
        : resource.Properties?.KmsKeyId;
    const encrypted = Object.entries(template.Resources).filter(([, r]) =>
      ["AWS::S3::Bucket", "AWS::Logs::LogGroup"].includes(r.Type),
    );
    expect(encrypted.length).toBeGreaterThanOrEqual(7);
    for (const [id, resource] of encrypted) expect(keyOf(resource), id).toEqual({ "Fn::GetAtt": ["DataKey", "Arn"] });
    // Said without a count, which drifts ("three buckets" when there were four).
    for (const said of [
      String(template.Resources.DataKey?.Properties?.Description),
      String(template.Outputs?.DataKeyArn?.Description),
    ]) {
      expect(said).toMatch(/every bucket and log group of the stack/);
      expect(said).not.toMatch(/\b(one|two|three|four|five|six|seven|both|\d+) (buckets|log groups)\b/);
    }
  });
});

describe("a reserved concurrency is a documented prerequisite", () => {
  it("every function that reserves concurrency is named, with the reservation and the quota it needs, in docs/deploying.md", () => {
    const deploying = readFileSync(join(root, "docs", "deploying.md"), "utf8");
    const section = deploying.split(/^## /m).find((part) => part.startsWith("Before the first deploy")) ?? "";
    const reserving = Object.entries(loadTranslated("consumer").Resources).filter(
      ([, r]) => r.Type === "AWS::Lambda::Function" && r.Properties?.ReservedConcurrentExecutions !== undefined,
    );
    expect(reserving.map(([id]) => id)).toEqual(["RedriveFunction"]);
    for (const [id, resource] of reserving) {
      const reserved = Number(resource.Properties?.ReservedConcurrentExecutions);
      expect(section).toContain(`\`${id}\` reserves`);
      expect(section).toContain(`\`ReservedConcurrentExecutions: ${reserved}\``);
      // Lambda keeps 100 unreserved: the quota must be at least that plus every reservation.
      expect(section).toContain(`**${100 + reserved}**`);
    }
  });
});
