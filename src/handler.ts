/**
 * The one way the frontend talks to the server extension: every REST call
 * goes through `requestAPI` (JSON) or `requestBlob` (downloads), which share
 * the authentication of JupyterLab's ServerConnection and turn the server's
 * JSON error body into an `APIError` carrying its message.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

/** Every route of the server extension lives under this path. */
export const API_NAMESPACE = 'jupyterlab-vmprof';

/** An HTTP error from the server, with the message the server gave. */
export class APIError extends Error {
  constructor(
    message: string,
    /** HTTP status, 0 for a network failure. */
    readonly status: number,
    /** The server's error code (`not_found`, `corrupt`, ...), or ''. */
    readonly code: string
  ) {
    super(message);
    this.name = 'APIError';
  }
}

/** Full URL of an API path, for links and logs. */
export function apiURL(
  path: string,
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): string {
  return URLExt.join(settings.baseUrl, API_NAMESPACE, path);
}

/**
 * Call the server extension and parse its JSON answer.
 *
 * @param path - path under `<base_url>/jupyterlab-vmprof/`, with any query.
 * @param init - fetch options (method, body...).
 * @returns the parsed body, or `undefined` for an empty answer (204).
 * @throws APIError with the server's message on any 4xx/5xx or network error.
 */
export async function requestAPI<T>(
  path = '',
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<T> {
  const response = await fetchChecked(path, init, settings);
  const text = await response.text();
  if (text.length === 0) {
    return undefined as T;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new APIError(
      `The server sent something that is not JSON for ${path}`,
      response.status,
      'bad_response'
    );
  }
}

/** A binary answer of the server extension (an export), with its file name. */
export interface IDownload {
  blob: Blob;
  /** From Content-Disposition when the server sent one, else ''. */
  fileName: string;
}

/** Call the server extension for a download; errors as for `requestAPI`. */
export async function requestBlob(
  path: string,
  init: RequestInit = {},
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<IDownload> {
  const response = await fetchChecked(path, init, settings);
  const blob = await response.blob();
  return {
    blob,
    fileName: fileNameFromDisposition(
      response.headers.get('Content-Disposition')
    )
  };
}

/** Parse `attachment; filename="x"` (or filename*=UTF-8''x); '' if absent. */
export function fileNameFromDisposition(header: string | null): string {
  if (!header) {
    return '';
  }
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1].trim());
    } catch {
      // fall through to the plain form
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(header);
  return plain ? plain[1].trim() : '';
}

/**
 * The message to show for an error body. The server extension answers
 * `{"error": {"code", "message"}}`; jupyter_server's own errors (e.g. 403
 * from the auth layer) answer `{"message", "reason"}`.
 */
export function errorFromBody(
  body: string,
  status: number,
  statusText: string
): APIError {
  let message = '';
  let code = '';
  try {
    const data = JSON.parse(body);
    if (data && typeof data.error === 'object' && data.error !== null) {
      message = String(data.error.message ?? '');
      code = String(data.error.code ?? '');
    } else if (data && typeof data.message === 'string') {
      message = data.message;
      code = typeof data.reason === 'string' ? data.reason : '';
    }
  } catch {
    // not JSON: keep the raw text below
    message = body.trim().slice(0, 500);
  }
  if (!message) {
    message = `${status} ${statusText}`.trim();
  }
  return new APIError(message, status, code);
}

async function fetchChecked(
  path: string,
  init: RequestInit,
  settings: ServerConnection.ISettings
): Promise<Response> {
  const url = apiURL(path, settings);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new APIError(
      `Cannot reach the Jupyter server: ${(error as Error).message ?? error}`,
      0,
      'network'
    );
  }
  if (!response.ok) {
    throw errorFromBody(
      await response.text(),
      response.status,
      response.statusText
    );
  }
  return response;
}
