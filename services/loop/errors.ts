/** Refusals of the loop that the HTTP layer maps to status codes (409, 503, 400). */
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
