/** Refusals of the loop that the HTTP layer maps to status codes (400, 409, 422, 503). */
/** A campaign whose trigger does not fit the served images (a patch larger than the image). */
export class InvalidCampaignError extends Error {
  constructor(
    message: string,
    /** The offending request field, e.g. body.trigger.size. */
    readonly field: string,
  ) {
    super(message);
  }
}
export class BusyError extends Error {}
export class NotReadyError extends Error {}
export class RejectedVersionError extends Error {}
/** An admin change that could not be made durable (the registry write failed): 503, nothing changed. */
export class NotDurableError extends Error {}
/** The registry cannot be written (read-only mount, full disk): the service serves read-only. */
export class ReadOnlyError extends Error {}
/** A version whose files or manifest do not verify: 422 with the reason. */
export class CorruptVersionError extends Error {}
/** A campaign the batches cannot hold beside the active ones: 409 with the reason. */
export class AdmissionError extends Error {}
