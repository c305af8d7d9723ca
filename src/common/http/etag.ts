// Versions as entity tags (RFC 9110 §8.8.3): a resource's integer `version` is its strong ETag
// `"<version>"`, and `If-Match` is compared strongly (a weak tag never matches).

export function etagOf(version: number): string {
  return `"${version}"`;
}

/** Whether an `If-Match` header value admits the resource at `version`. */
export function ifMatchAllows(header: string, version: number): boolean {
  const tag = etagOf(version);
  return header
    .split(',')
    .map((candidate) => candidate.trim())
    .some((candidate) => candidate === '*' || candidate === tag);
}
