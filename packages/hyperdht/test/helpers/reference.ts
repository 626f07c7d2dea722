// Loads the reference implementation (hyperdht@1.3.0, CommonJS) and its nested dependencies.
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)

export const referencePath = require.resolve('hyperdht')
const refRequire = createRequire(referencePath)

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Any = any

export function loadReference (): Any {
  return require('hyperdht')
}

export function loadReferenceDependency (name: string): Any {
  return refRequire(name)
}
