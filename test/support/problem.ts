import type { ApiResponse } from './api-client.js';

/** Asserts an RFC 9457 problem response with the given status; returns its body. */
export function expectProblem(res: ApiResponse, status: number): any {
  expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
  });
  expect(res.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    instance: expect.stringMatching(/^\//),
  });
  expect(JSON.stringify(res.body)).not.toMatch(
    /\bat .+\.(ts|js):\d+|SELECT |INSERT |QueryFailedError/,
  );
  return res.body;
}

/** The set of field names a validation problem names. */
export function problemFields(res: ApiResponse): string[] {
  return [
    ...new Set<string>((res.body.errors ?? []).map((e: { field: string }) => e.field)),
  ].sort();
}
