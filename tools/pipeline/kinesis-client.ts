/** The Kinesis client the tools (simulator, local event source mapping) use. */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";

export interface ClientOptions {
  readonly region: string;
  readonly endpoint?: string;
  readonly profile?: string;
}

/**
 * A Kinesis client. With an endpoint override it uses HTTP/1.1 (`NodeHttpHandler`): the client's
 * default HTTP/2 handler fails against a plain-http local endpoint.
 */
export function kinesisClient(options: ClientOptions): KinesisClient {
  return new KinesisClient({
    region: options.region,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          requestHandler: new NodeHttpHandler(),
          credentials: { accessKeyId: "test", secretAccessKey: "test" },
        }
      : {}),
  });
}
