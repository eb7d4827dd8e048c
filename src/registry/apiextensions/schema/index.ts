/** @module schema: structural schemas of custom resources: CRD schema checks, validation, defaulting, pruning. */
export { validateCRDSchema, type CRDSchemaOptions } from './validate-crd-schema.js'
export { validateCustomObject } from './validate-custom-object.js'
export { applySchemaDefaults } from './apply-schema-defaults.js'
export { pruneUnknownFields } from './prune-unknown-fields.js'
export { compileSchema, type SchemaNode } from './schema-node.js'
