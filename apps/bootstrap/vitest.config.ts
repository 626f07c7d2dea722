import { defineProject, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared'

export default mergeConfig(sharedConfig, defineProject({
  test: {
    name: 'bootstrap',
    // the integration tests run the built `hyperdht-bootstrap` binary: build it (and its dependencies) first
    globalSetup: ['../../scripts/build-for-tests.mjs'],
    testTimeout: 60_000,
    hookTimeout: 120_000
  }
}))
