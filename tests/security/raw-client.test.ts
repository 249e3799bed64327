import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rawClient } from "./support.js";

// The fuzzers' client must not corrupt a kept-alive connection: a body the client leaves unframed
// is read by the server as the next request, and its 400 then answers a later, valid request.

let server: Server;
let url: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url} ${Buffer.concat(chunks).toString()}`);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("the fuzzers' raw client", () => {
  it("frames a body on every method, so the next request on the connection is read as sent", async () => {
    const client = rawClient(url, 1);
    const body = Buffer.from('{"a":1}');
    const answers = [];
    for (const method of ["OPTIONS", "DELETE", "POST"]) {
      answers.push(await client.send({ method, path: `/${method}`, headers: {}, body }));
    }
    client.close();
    expect(answers.map((a) => a.status)).toEqual([204, 204, 204]);
    expect(seen).toEqual([
      'OPTIONS /OPTIONS {"a":1}',
      'DELETE /DELETE {"a":1}',
      'POST /POST {"a":1}',
    ]);
    // The history a failure report prints: what went before on the same connection.
    expect(answers[2]?.earlier?.map((line) => line.split(" ")[0])).toEqual(["OPTIONS", "DELETE"]);
  });
});
