// Free loopback ports for a `prm up` that the browser scripts start:
// the REST port, and a run of 8 gRPC ports for the services.

import { createServer } from "node:net";

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** A run of 8 free gRPC ports below 32768 (above it the kernel hands out ephemeral ports). */
export async function grpcBase() {
  for (let i = 0; i < 50; i++) {
    const base = 20000 + Math.floor(Math.random() * 1200) * 10;
    let ok = true;
    for (let p = base; p < base + 8 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error("no free run of 8 gRPC ports between 20000 and 32000");
}
