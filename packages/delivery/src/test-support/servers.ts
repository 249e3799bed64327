import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";

/** A request as the test server saw it: the raw body bytes and lowercase headers. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A real HTTP server on 127.0.0.1, counting what reaches it. */
export interface TestServer {
  port: number;
  url: string;
  requests: Received[];
  /** TCP connections accepted, to see keep-alive reuse. */
  connections: number;
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1:0; `answer` gets each request once its body has arrived. */
export async function startServer(
  answer: (received: Received, res: ServerResponse) => void,
): Promise<TestServer> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const received = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(received);
      answer(received, res);
    });
  });
  const state = { connections: 0 };
  server.on("connection", () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get connections() {
      return state.connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A DNS stand-in answering every name with `addresses`, counting the names it was asked. */
export function fakeLookup(...addresses: string[]): LookupFunction & { asked: string[] } {
  const asked: string[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    asked.push(hostname);
    const all = addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
    const first = all[0];
    if (options.all) callback(null, all);
    else if (first) callback(null, first.address, first.family);
  };
  return Object.assign(lookup, { asked });
}
