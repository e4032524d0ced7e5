import { defineConfig } from 'vite';

// The console (web/) builds into dist/web, which the Nest app serves at / (src/console/).
// No @vitejs/plugin-react: Vite 8's own transform (oxc) compiles TSX with the automatic JSX
// runtime, and the plugin's optional Babel peer conflicts with jest's Babel 7 in one lockfile
// (docs/decisions.md). Fast refresh is the only thing lost; `npm run web:dev` still reloads.
export default defineConfig({
  root: 'web',
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    sourcemap: false,
    // The camera scanner (@zxing/browser) is loaded only when an operator opens the camera.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      // React Query marks its files "use client" for server-component bundlers; meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: {
    proxy: { '/api': 'http://localhost:3000' },
  },
});
