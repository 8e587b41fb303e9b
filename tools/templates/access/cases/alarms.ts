/**
 * The alarms' way to people: CloudWatch, for this stack's alarms only, publishes to the alarm
 * topic and uses the topic's key; and the boundaries of both (another account's or another
 * stack's alarm, no alarm at all, any other action).
 */
import { CONSUMER_ACCOUNT as CONSUMER, PRODUCER_ACCOUNT as PRODUCER, type TwoAccounts } from "../../two-accounts.ts";
import { dropStatement } from "../breaks.ts";
import { topicKey, topicPolicy } from "../readers.ts";
import type { AccessCase } from "../types.ts";

/** The context CloudWatch gives a request it makes for one of this stack's alarms. */
const alarmContext = (d: TwoAccounts) => ({
  "aws:SourceAccount": CONSUMER,
  "aws:SourceArn": d.consumer.arnOf("IteratorAgeAlarm"),
});
const anotherStacksAlarm = (d: TwoAccounts) => `arn:aws:cloudwatch:${d.region}:${CONSUMER}:alarm:payments-ErrorsAlarm`;

/** CloudWatch asking about the alarm topic, under the topic policy. */
const cloudWatchOnTopic = (d: TwoAccounts) => ({
  principal: "cloudwatch.amazonaws.com",
  resource: d.consumer.arnOf("AlarmTopic"),
  resourceAccount: CONSUMER,
  resourcePolicy: topicPolicy(d.consumer, "AlarmTopic"),
});
/** CloudWatch asking about the alarm topic's key, under its key policy. */
const cloudWatchOnTopicKey = (d: TwoAccounts) => {
  const key = topicKey(d.consumer, "AlarmTopic", CONSUMER, d.region);
  return {
    principal: "cloudwatch.amazonaws.com",
    resource: key.arn,
    resourceAccount: CONSUMER,
    resourcePolicy: key.policy,
  };
};

export const ALARM_CASES: readonly AccessCase[] = [
  {
    name: "CloudWatch alarms of this stack publish to the alarm topic",
    request: (d) => ({ ...cloudWatchOnTopic(d), action: "sns:Publish", context: alarmContext(d) }),
    expected: "Allowed",
    breaks: [
      {
        name: "the topic policy loses its CloudWatch statement",
        mutation: {
          mutateConsumer: (t) => dropStatement(t, "AlarmTopicPolicy", "PolicyDocument", "ThisStacksAlarmsPublish"),
        },
      },
    ],
  },
  ...["kms:GenerateDataKey", "kms:Decrypt"].map(
    (action): AccessCase => ({
      name: `CloudWatch alarms of this stack may ${action} with the alarm topic's key (to publish to it)`,
      request: (d) => ({
        ...cloudWatchOnTopicKey(d),
        action,
        context: { ...alarmContext(d), "kms:ViaService": `sns.${d.region}.amazonaws.com` },
      }),
      expected: "Allowed",
      breaks: [
        {
          name: "the topic is encrypted with the AWS managed key alias/aws/sns",
          mutation: {
            mutateConsumer: (t) => {
              (t.Resources.AlarmTopic?.Properties as Record<string, unknown>).KmsMasterKeyId = "alias/aws/sns";
            },
          },
        },
        {
          name: "the key policy loses its CloudWatch statement",
          mutation: {
            mutateConsumer: (t) => dropStatement(t, "AlarmKey", "KeyPolicy", "ThisStacksAlarmsPublishToTheTopic"),
          },
        },
      ],
    }),
  ),
  {
    name: "CloudWatch may not publish to the alarm topic for another account's alarm",
    request: (d) => ({
      ...cloudWatchOnTopic(d),
      action: "sns:Publish",
      context: {
        "aws:SourceAccount": PRODUCER,
        "aws:SourceArn": `arn:aws:cloudwatch:${d.region}:${PRODUCER}:alarm:consumer-IteratorAgeAlarm`,
      },
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not publish to the alarm topic for another stack's alarm",
    request: (d) => ({
      ...cloudWatchOnTopic(d),
      action: "sns:Publish",
      context: { "aws:SourceAccount": CONSUMER, "aws:SourceArn": anotherStacksAlarm(d) },
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not publish to the alarm topic for no alarm at all",
    request: (d) => ({ ...cloudWatchOnTopic(d), action: "sns:Publish" }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not subscribe to the alarm topic, even for this stack's alarm",
    request: (d) => ({ ...cloudWatchOnTopic(d), action: "sns:Subscribe", context: alarmContext(d) }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not use the alarm key for another stack's alarm",
    request: (d) => ({
      ...cloudWatchOnTopicKey(d),
      action: "kms:GenerateDataKey",
      context: { "aws:SourceAccount": CONSUMER, "aws:SourceArn": anotherStacksAlarm(d) },
    }),
    expected: "ImplicitlyDenied",
  },
  {
    name: "CloudWatch may not schedule the alarm key's deletion, even for this stack's alarm",
    request: (d) => ({ ...cloudWatchOnTopicKey(d), action: "kms:ScheduleKeyDeletion", context: alarmContext(d) }),
    expected: "ImplicitlyDenied",
  },
];
