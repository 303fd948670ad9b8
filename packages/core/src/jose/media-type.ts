// `typ` and `cty` values are media types: `at+jwt` and `application/at+jwt` are the same, in
// any letter case (RFC 7515 §4.1.9).

/** A media type in the short lower-case form the `typ` header is compared in. */
export function normalizeMediaType(value: string): string {
  const lower = value.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}
