import { defineConfig } from 'tsup'
import { packageConfig } from '../../tsup.base'

// The build resolves sibling packages through their built dist/ (turbo builds them first).
export default defineConfig({ ...packageConfig({ index: 'src/index.ts', memory: 'src/memory.ts', udx: 'src/udx.ts' }), tsconfig: 'tsconfig.build.json' })
