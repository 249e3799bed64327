/** A small client for the gateway's HTTP API, as a test or the load runner uses it. */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export function apiClient(baseUrl: string, apiKey?: string) {
  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    init: {
      json?: unknown;
      body?: string | Buffer;
      headers?: Record<string, string>;
      key?: string | null;
    } = {},
  ): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...init.headers };
    const key = init.key === undefined ? apiKey : init.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | Buffer | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers["content-type"] ??= "application/json";
    }
    const res = await fetch(new URL(path, baseUrl), {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
  return {
    call,
    get: <T = Record<string, unknown>>(path: string, key?: string | null) =>
      call<T>("GET", path, { key }),
    post: <T = Record<string, unknown>>(path: string, json: unknown, key?: string | null) =>
      call<T>("POST", path, { json, key }),
  };
}
