/** The local Lambda's error (tools/lambda/local-lambda.ts), in a file of its own so that each of its parts can throw it. */

/** The emulator or the runtime could not be started; the message names what is missing and the fix. */
export class LocalLambdaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LocalLambdaError";
  }
}
