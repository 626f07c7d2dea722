// Types of scripts/proto-gen.mjs, for the tests that import it.
export interface SchemaField { name: string, id: number, type: string, required: boolean, comment: string | null }
export interface SchemaMessage { name: string, comment: string | null, fields: SchemaField[] }
export function parseSchema (source: string, file?: string): SchemaMessage[]
export function emit (messages: SchemaMessage[], sourceName: string): string
export function generateFile (file: string): string
export function findProtos (root?: string): string[]
export function outputOf (file: string): string
