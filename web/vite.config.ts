import { defineConfig } from "vitest/config";
import preact from "@preact/preset-vite";

// The gateway serves dist/ under a strict CSP (script-src 'self'): no inline
// scripts, so no module-preload polyfill. Output is content-hashed and carries
// no timestamps, so a rebuild from the lockfile is byte-identical.
export default defineConfig({
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      "/api": process.env.PRM_GATEWAY ?? "http://127.0.0.1:18080",
    },
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
