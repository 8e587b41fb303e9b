/**
 * Both stacks as the documented three deploy steps leave them, in two accounts of one region, from
 * the templates as the SAM translator makes them (scripts/check-templates.sh writes .tmp/cfn). A
 * mutation may change the raw templates first (on copies), so a test can show that one grant, and
 * not another, is what allows a request.
 */
import { type ResolvedTemplate, resolveTemplate, type Template } from "./cfn-resolve.ts";
import { translatedTemplates } from "./translated.ts";

export const CONSUMER_ACCOUNT = "222222222222";
export const PRODUCER_ACCOUNT = "111111111111";
export const REGION = "eu-west-1";

/**
 * A translated template, a fresh copy each time (callers mutate it). The translation is checked
 * against the templates once per process (tools/templates/translated.ts): a stale or missing one is
 * made anew when $SAM_PYTHON is set, else it throws StaleTranslationError.
 */
export function loadTranslated(name: "consumer" | "producer"): Template {
  return JSON.parse(translatedTemplates()[name]) as Template;
}

export interface TwoAccountOptions {
  readonly enhancedFanOut?: boolean;
  readonly region?: string;
  /** Changes to the raw consumer template before it is resolved. */
  readonly mutateConsumer?: (template: Template) => void;
  /** Changes to the raw producer template before it is resolved. */
  readonly mutateProducer?: (template: Template) => void;
}

export interface TwoAccounts {
  readonly producer: ResolvedTemplate;
  readonly consumer: ResolvedTemplate;
  /** The consumer stack as step 1 leaves it: no producer stream yet, so no trigger. */
  readonly firstStep: ResolvedTemplate;
  /** The consumer stack's parameters of step 3, taken from the producer stack's outputs. */
  readonly consumerParameters: Readonly<Record<string, string>>;
  readonly region: string;
}

/**
 * Step 1 (consumer without trigger) gives the role ARN to step 2 (producer), whose stream name, key
 * id and (with enhanced fan-out) stream consumer feed step 3 (consumer with an enabled trigger).
 * Throws as CloudFormation would refuse: an undeclared or malformed parameter.
 */
export function deployBoth(options: TwoAccountOptions = {}): TwoAccounts {
  const region = options.region ?? REGION;
  const producerRaw = loadTranslated("producer");
  const consumerRaw = loadTranslated("consumer");
  options.mutateProducer?.(producerRaw);
  options.mutateConsumer?.(consumerRaw);
  const at = (accountId: string, stackName: string, parameters: Record<string, string>) => ({
    accountId,
    region,
    stackName,
    parameters,
  });
  const bootstrap = resolveTemplate(consumerRaw, at(CONSUMER_ACCOUNT, "consumer", {}));
  const producer = resolveTemplate(
    producerRaw,
    at(PRODUCER_ACCOUNT, "producer", {
      ConsumerRoleArn: bootstrap.arnOf("TelemetryConsumerRole"),
      EnhancedFanOut: String(options.enhancedFanOut ?? false),
    }),
  );
  // The producer stack's outputs, as its Outputs section computes them.
  const streamConsumerArn = producer.resources.TelemetryStreamConsumerPolicy?.properties.ResourceArn;
  const consumerParameters: Record<string, string> = {
    ProducerAccountId: PRODUCER_ACCOUNT,
    ProducerStreamName: producer.arnOf("TelemetryStream").split(":stream/")[1] as string,
    ProducerStreamKeyId: producer.arnOf("StreamKey").split(":key/")[1] as string,
    ...(typeof streamConsumerArn === "string"
      ? { ProducerStreamConsumer: streamConsumerArn.split("/consumer/")[1] as string }
      : {}),
    TriggerEnabled: "true",
  };
  const consumer = resolveTemplate(consumerRaw, at(CONSUMER_ACCOUNT, "consumer", consumerParameters));
  return { producer, consumer, firstStep: bootstrap, consumerParameters, region };
}
