import { ServerConnection } from '@jupyterlab/services';

import {
  APIError,
  fileNameFromDisposition,
  requestAPI,
  requestBlob
} from '../src/handler';

/** Settings whose fetch answers from `respond` and records the URLs asked. */
function fakeServer(respond: (url: string) => Response): {
  settings: ServerConnection.ISettings;
  urls: string[];
} {
  const urls: string[] = [];
  const settings = ServerConnection.makeSettings({
    baseUrl: 'http://localhost:8888/lab-base/',
    token: 'secret',
    fetch: (async (input: RequestInfo) => {
      const url = typeof input === 'string' ? input : input.url;
      urls.push(url);
      return respond(url);
    }) as typeof fetch
  });
  return { settings, urls };
}

describe('requestAPI', () => {
  it('calls <base_url>/jupyterlab-vmprof/<path> and parses JSON', async () => {
    const { settings, urls } = fakeServer(
      () => new Response('{"profiles": [], "total": 0}', { status: 200 })
    );
    const data = await requestAPI<{ total: number }>('profiles?page=1', {}, settings);
    expect(data.total).toBe(0);
    // ServerConnection appends a cache buster after the query.
    expect(urls[0]).toMatch(/^http:\/\/localhost:8888\/lab-base\/jupyterlab-vmprof\/profiles\?page=1(&\d+)?$/);
  });

  it('returns undefined for 204', async () => {
    const { settings } = fakeServer(() => new Response(null, { status: 204 }));
    await expect(requestAPI('profiles/x', { method: 'DELETE' }, settings)).resolves.toBeUndefined();
  });

  it("surfaces the server's JSON error message", async () => {
    const { settings } = fakeServer(
      () =>
        new Response(
          '{"error": {"code": "not_found", "message": "no profile 20250101T000000-deadbeef"}}',
          { status: 404, statusText: 'Not Found' }
        )
    );
    const error = (await requestAPI('profiles/x/graph', {}, settings).catch(e => e)) as APIError;
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(404);
    expect(error.code).toBe('not_found');
    expect(error.message).toBe('no profile 20250101T000000-deadbeef');
  });

  it("surfaces jupyter_server's own errors and non-JSON bodies", async () => {
    const jupyter = fakeServer(
      () => new Response('{"message": "Forbidden", "reason": null}', { status: 403 })
    );
    await expect(requestAPI('profiles', {}, jupyter.settings)).rejects.toThrow('Forbidden');
    const html = fakeServer(
      () => new Response('', { status: 502, statusText: 'Bad Gateway' })
    );
    await expect(requestAPI('profiles', {}, html.settings)).rejects.toThrow('502 Bad Gateway');
  });

  it('downloads blobs with the file name the server gave', async () => {
    const { settings } = fakeServer(
      () =>
        new Response('# callgrind format\n', {
          status: 200,
          headers: { 'Content-Disposition': 'attachment; filename="callgrind.out.x"' }
        })
    );
    const download = await requestBlob('profiles/x/export/callgrind', {}, settings);
    expect(download.fileName).toBe('callgrind.out.x');
    expect(await download.blob.text()).toBe('# callgrind format\n');
  });
});

describe('fileNameFromDisposition', () => {
  it('reads the plain and the extended forms', () => {
    expect(fileNameFromDisposition(null)).toBe('');
    expect(fileNameFromDisposition('attachment; filename=a.txt')).toBe('a.txt');
    expect(fileNameFromDisposition("attachment; filename*=UTF-8''caf%C3%A9.out")).toBe('café.out');
  });
});
