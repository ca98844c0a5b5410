import { defineConfig } from 'vitest/config';

// The Locker Room: built into dist/apps/web, which the api serves at `/`.
export default defineConfig({
  root: import.meta.dirname,
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: '../../dist/apps/web', emptyOutDir: true },
  test: { environment: 'happy-dom', include: ['src/**/*.test.tsx'] },
});
