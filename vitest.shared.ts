// Tests run against sources: `@hyperdht-ts/<pkg>` and `@hyperdht-ts/<pkg>/<subpath>` resolve to
// `packages/<pkg>/src/index.ts` and `packages/<pkg>/src/<subpath>.ts`, so no build is needed first.
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

export const sharedConfig = defineConfig({
  resolve: {
    alias: [
      { find: /^@hyperdht-ts\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/index.ts` },
      { find: /^@hyperdht-ts\/([a-z0-9-]+)\/([a-z0-9-]+)$/, replacement: `${root}packages/$1/src/$2.ts` }
    ]
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000
  }
})
