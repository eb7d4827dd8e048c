/** @module json-body: reads a fetch Response's JSON body as a loosely typed record, for assertions. */

/** A decoded JSON body; tests index into it freely (the assertions check the shape). */
export type JsonBody = Record<string, any>

/** Awaits `res` (a Response or a promise of one) and decodes its body as JSON. */
export async function jsonOf(res: Response | Promise<Response>): Promise<JsonBody> {
  return (await (await res).json()) as JsonBody
}
