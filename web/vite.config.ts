import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vitest/config";
import preact from "@preact/preset-vite";

// Every text file of the build also as .br and .gz beside it, compressed once
// at build time at the highest levels, so the gateway sends the smallest
// form a browser accepts without compressing per request. Both encoders are
// deterministic: a rebuild is byte-identical.
function precompress(outDir: string): Plugin {
  const compressible = /\.(js|css|html|svg|json|txt)$/;
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
    );
  return {
    name: "prm-precompress",
    apply: "build",
    closeBundle() {
      for (const file of walk(outDir).filter((f) => compressible.test(f))) {
        const raw = readFileSync(file);
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(raw, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
            },
          }),
        );
        writeFileSync(`${file}.gz`, gzipSync(raw, { level: 9 }));
      }
    },
  };
}

// The gateway serves dist/ under a strict CSP (script-src 'self'): no inline
// scripts, so no module-preload polyfill. Output is content-hashed and carries
// no timestamps, so a rebuild from the lockfile is byte-identical.
export default defineConfig({
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false }), precompress("dist")],
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
