// The OpenAPI security schemes, by name: declared once in openapi.ts, required by the access
// decorators (src/auth/access.decorators.ts). Both are `Authorization: Bearer`; the credential's
// form tells them apart (an API key starts with `vgk_`).

/** A user's access token (JWT), from POST /api/auth/token. */
export const JWT_SCHEME = 'bearer';
/** An API key (service account), from POST /api/api-keys. */
export const API_KEY_SCHEME = 'apiKey';
