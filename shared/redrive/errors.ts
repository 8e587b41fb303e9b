/** A request or continuation token that cannot be used; the message says which field and why. */
export class RedriveRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RedriveRequestError";
  }
}
