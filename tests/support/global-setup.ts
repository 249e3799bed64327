import { connect } from "node:net";

// Integration and end-to-end tests talk to the machine's real NATS and Postgres. Fail the run
// at once, with the fix, when one is not there, rather than with a timeout in every test.
const required = [
  { name: "NATS (JetStream)", host: "127.0.0.1", port: 4222 },
  { name: "PostgreSQL", host: "127.0.0.1", port: 5432 },
];

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export default async function setup(): Promise<void> {
  const missing: string[] = [];
  for (const r of required)
    if (!(await reachable(r.host, r.port))) missing.push(`${r.name} on ${r.host}:${r.port}`);
  if (missing.length > 0) {
    throw new Error(`tests need ${missing.join(" and ")}; start them (see .ci/run) and rerun`);
  }
}
