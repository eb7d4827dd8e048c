/** @module swagger-column: Table columns whose description is a field's API doc (`X{}.SwaggerDoc()["field"]` in printers.go). */
import { loadDefinitions } from '../../openapi/definitions.js'
import type { ColumnDef } from '../resource-definition.js'

/**
 * A string column described by `property` of the OpenAPI definition `definition`. The description
 * is read on first use, so the (large) definitions file is never parsed at start-up.
 */
export function swaggerColumn(name: string, definition: string, property: string, priority?: number): ColumnDef {
  let description: string | undefined
  return {
    name,
    type: 'string',
    ...(priority ? { priority } : {}),
    get description() {
      description ??= (loadDefinitions()[definition]?.properties?.[property] as { description?: string } | undefined)?.description ?? ''
      return description
    },
  }
}
