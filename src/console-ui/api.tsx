/** The console's one way to the daemon: same-origin fetch with the session cookie, and the CSRF header on changes. */

let csrfToken = '';

export function setCsrfToken(token: string): void {
  csrfToken = token;
}

/** A refused request: `code` is the daemon's stable error code (the UI branches on it, never on message text). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let code = `HTTP_${response.status}`;
    let message = response.statusText;
    try {
      const error = (await response.json()) as { code?: string; message?: string };
      code = error.code ?? code;
      message = error.message ?? message;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiError(response.status, code, message);
  }
  return response;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(method, path, body);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

/** For a streamed download (the zip): the whole answer as a Blob. */
export async function apiBlob(method: string, path: string, body?: unknown): Promise<Blob> {
  return (await send(method, path, body)).blob();
}

/** `?a=1&b=x` of the defined, non-empty values. */
export function query(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === '' || value === false) continue;
    params.set(key, value === true ? '1' : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
