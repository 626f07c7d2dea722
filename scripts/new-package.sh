#!/usr/bin/env bash
# Scaffolds packages/<name> with the shared build, test and publish setup.
set -euo pipefail
name=$1; desc=$2
dir=packages/$name
mkdir -p "$dir/src" "$dir/test"
cat > "$dir/package.json" <<JSON
{
  "name": "@hyperdht-ts/$name",
  "version": "0.0.0",
  "description": "$desc",
  "license": "MIT",
  "type": "module",
  "sideEffects": false,
  "engines": { "node": ">=20" },
  "main": "./dist/index.cjs",
  "module": "./dist/index.js",
  "types": "./dist/index.d.cts",
  "exports": {
    ".": {
      "import": { "types": "./dist/index.d.ts", "default": "./dist/index.js" },
      "require": { "types": "./dist/index.d.cts", "default": "./dist/index.cjs" }
    },
    "./package.json": "./package.json"
  },
  "files": ["dist", "README.md"],
  "scripts": {
    "build": "tsup",
    "typecheck": "tsc --noEmit -p .",
    "lint": "eslint . --max-warnings=0 && publint --strict",
    "test": "vitest run",
    "bench": "echo no benchmark"
  },
  "publishConfig": { "access": "public" }
}
JSON
cat > "$dir/tsconfig.json" <<JSON
{
  "extends": "../../tsconfig.base.json",
  "include": ["src", "test", "bench"]
}
JSON
cat > "$dir/tsup.config.ts" <<TS
import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.base'

export default defineConfig(packageConfig())
TS
cat > "$dir/vitest.config.ts" <<TS
import { defineProject, mergeConfig } from 'vitest/config'
import { sharedConfig } from '../../vitest.shared'

export default mergeConfig(sharedConfig, defineProject({ test: { name: '$name' } }))
TS
[ -f "$dir/src/index.ts" ] || echo "export {}" > "$dir/src/index.ts"
[ -f "$dir/README.md" ] || printf '# @hyperdht-ts/%s\n\n%s\n' "$name" "$desc" > "$dir/README.md"
