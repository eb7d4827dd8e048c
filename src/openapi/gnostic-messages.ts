/** @module gnostic-messages: the protobuf messages of gnostic's openapi_v2 package (what /openapi/v2 sends as protobuf), described for protobufjs. */
import type { INamespace, IType } from 'protobufjs'

// Field facts of package openapi.v2 in google/gnostic-models (openapiv2/OpenAPIv2.proto, proto3),
// which kube-openapi's handler marshals (ToProtoBinary) and client-go's discovery unmarshals.
// Notation, one message per entry: `name:Type=N` is a field, a leading `*` makes it repeated, and
// `|` starts the members of the message's single oneof (gnostic names every oneof `oneof`).
// Names are the proto names in lowerCamelCase (`_ref` -> `ref`); only numbers go on the wire.
// Any.value (field 1, a google.protobuf.Any) is left out: gnostic fills only Any.yaml when it
// reads a JSON document, so the field never appears in what kube-apiserver serves.
const messages: Record<string, string> = {
  AdditionalPropertiesItem: '| schema:Schema=1 boolean:bool=2',
  Any: 'yaml:string=2',
  ApiKeySecurity: 'type:string=1 name:string=2 in:string=3 description:string=4 *vendorExtension:NamedAny=5',
  BasicAuthenticationSecurity: 'type:string=1 description:string=2 *vendorExtension:NamedAny=3',
  BodyParameter: 'description:string=1 name:string=2 in:string=3 required:bool=4 schema:Schema=5 *vendorExtension:NamedAny=6',
  Contact: 'name:string=1 url:string=2 email:string=3 *vendorExtension:NamedAny=4',
  Default: '*additionalProperties:NamedAny=1',
  Definitions: '*additionalProperties:NamedSchema=1',
  Document:
    'swagger:string=1 info:Info=2 host:string=3 basePath:string=4 *schemes:string=5 *consumes:string=6 *produces:string=7 ' +
    'paths:Paths=8 definitions:Definitions=9 parameters:ParameterDefinitions=10 responses:ResponseDefinitions=11 ' +
    '*security:SecurityRequirement=12 securityDefinitions:SecurityDefinitions=13 *tags:Tag=14 externalDocs:ExternalDocs=15 ' +
    '*vendorExtension:NamedAny=16',
  Examples: '*additionalProperties:NamedAny=1',
  ExternalDocs: 'description:string=1 url:string=2 *vendorExtension:NamedAny=3',
  FileSchema:
    'format:string=1 title:string=2 description:string=3 default:Any=4 *required:string=5 type:string=6 readOnly:bool=7 ' +
    'externalDocs:ExternalDocs=8 example:Any=9 *vendorExtension:NamedAny=10',
  FormDataParameterSubSchema:
    'required:bool=1 in:string=2 description:string=3 name:string=4 allowEmptyValue:bool=5 type:string=6 format:string=7 ' +
    'items:PrimitivesItems=8 collectionFormat:string=9 default:Any=10 maximum:double=11 exclusiveMaximum:bool=12 ' +
    'minimum:double=13 exclusiveMinimum:bool=14 maxLength:int64=15 minLength:int64=16 pattern:string=17 maxItems:int64=18 ' +
    'minItems:int64=19 uniqueItems:bool=20 *enum:Any=21 multipleOf:double=22 *vendorExtension:NamedAny=23',
  Header:
    'type:string=1 format:string=2 items:PrimitivesItems=3 collectionFormat:string=4 default:Any=5 maximum:double=6 ' +
    'exclusiveMaximum:bool=7 minimum:double=8 exclusiveMinimum:bool=9 maxLength:int64=10 minLength:int64=11 pattern:string=12 ' +
    'maxItems:int64=13 minItems:int64=14 uniqueItems:bool=15 *enum:Any=16 multipleOf:double=17 description:string=18 ' +
    '*vendorExtension:NamedAny=19',
  HeaderParameterSubSchema:
    'required:bool=1 in:string=2 description:string=3 name:string=4 type:string=5 format:string=6 items:PrimitivesItems=7 ' +
    'collectionFormat:string=8 default:Any=9 maximum:double=10 exclusiveMaximum:bool=11 minimum:double=12 exclusiveMinimum:bool=13 ' +
    'maxLength:int64=14 minLength:int64=15 pattern:string=16 maxItems:int64=17 minItems:int64=18 uniqueItems:bool=19 *enum:Any=20 ' +
    'multipleOf:double=21 *vendorExtension:NamedAny=22',
  Headers: '*additionalProperties:NamedHeader=1',
  Info: 'title:string=1 version:string=2 description:string=3 termsOfService:string=4 contact:Contact=5 license:License=6 ' + '*vendorExtension:NamedAny=7',
  ItemsItem: '*schema:Schema=1',
  JsonReference: 'ref:string=1 description:string=2',
  License: 'name:string=1 url:string=2 *vendorExtension:NamedAny=3',
  NamedAny: 'name:string=1 value:Any=2',
  NamedHeader: 'name:string=1 value:Header=2',
  NamedParameter: 'name:string=1 value:Parameter=2',
  NamedPathItem: 'name:string=1 value:PathItem=2',
  NamedResponse: 'name:string=1 value:Response=2',
  NamedResponseValue: 'name:string=1 value:ResponseValue=2',
  NamedSchema: 'name:string=1 value:Schema=2',
  NamedSecurityDefinitionsItem: 'name:string=1 value:SecurityDefinitionsItem=2',
  NamedString: 'name:string=1 value:string=2',
  NamedStringArray: 'name:string=1 value:StringArray=2',
  NonBodyParameter:
    '| headerParameterSubSchema:HeaderParameterSubSchema=1 formDataParameterSubSchema:FormDataParameterSubSchema=2 ' +
    'queryParameterSubSchema:QueryParameterSubSchema=3 pathParameterSubSchema:PathParameterSubSchema=4',
  Oauth2AccessCodeSecurity:
    'type:string=1 flow:string=2 scopes:Oauth2Scopes=3 authorizationUrl:string=4 tokenUrl:string=5 description:string=6 ' + '*vendorExtension:NamedAny=7',
  Oauth2ApplicationSecurity: 'type:string=1 flow:string=2 scopes:Oauth2Scopes=3 tokenUrl:string=4 description:string=5 *vendorExtension:NamedAny=6',
  Oauth2ImplicitSecurity: 'type:string=1 flow:string=2 scopes:Oauth2Scopes=3 authorizationUrl:string=4 description:string=5 *vendorExtension:NamedAny=6',
  Oauth2PasswordSecurity: 'type:string=1 flow:string=2 scopes:Oauth2Scopes=3 tokenUrl:string=4 description:string=5 *vendorExtension:NamedAny=6',
  Oauth2Scopes: '*additionalProperties:NamedString=1',
  Operation:
    '*tags:string=1 summary:string=2 description:string=3 externalDocs:ExternalDocs=4 operationId:string=5 *produces:string=6 ' +
    '*consumes:string=7 *parameters:ParametersItem=8 responses:Responses=9 *schemes:string=10 deprecated:bool=11 ' +
    '*security:SecurityRequirement=12 *vendorExtension:NamedAny=13',
  Parameter: '| bodyParameter:BodyParameter=1 nonBodyParameter:NonBodyParameter=2',
  ParameterDefinitions: '*additionalProperties:NamedParameter=1',
  ParametersItem: '| parameter:Parameter=1 jsonReference:JsonReference=2',
  PathItem:
    'ref:string=1 get:Operation=2 put:Operation=3 post:Operation=4 delete:Operation=5 options:Operation=6 head:Operation=7 ' +
    'patch:Operation=8 *parameters:ParametersItem=9 *vendorExtension:NamedAny=10',
  PathParameterSubSchema:
    'required:bool=1 in:string=2 description:string=3 name:string=4 type:string=5 format:string=6 items:PrimitivesItems=7 ' +
    'collectionFormat:string=8 default:Any=9 maximum:double=10 exclusiveMaximum:bool=11 minimum:double=12 exclusiveMinimum:bool=13 ' +
    'maxLength:int64=14 minLength:int64=15 pattern:string=16 maxItems:int64=17 minItems:int64=18 uniqueItems:bool=19 *enum:Any=20 ' +
    'multipleOf:double=21 *vendorExtension:NamedAny=22',
  Paths: '*vendorExtension:NamedAny=1 *path:NamedPathItem=2',
  PrimitivesItems:
    'type:string=1 format:string=2 items:PrimitivesItems=3 collectionFormat:string=4 default:Any=5 maximum:double=6 ' +
    'exclusiveMaximum:bool=7 minimum:double=8 exclusiveMinimum:bool=9 maxLength:int64=10 minLength:int64=11 pattern:string=12 ' +
    'maxItems:int64=13 minItems:int64=14 uniqueItems:bool=15 *enum:Any=16 multipleOf:double=17 *vendorExtension:NamedAny=18',
  Properties: '*additionalProperties:NamedSchema=1',
  QueryParameterSubSchema:
    'required:bool=1 in:string=2 description:string=3 name:string=4 allowEmptyValue:bool=5 type:string=6 format:string=7 ' +
    'items:PrimitivesItems=8 collectionFormat:string=9 default:Any=10 maximum:double=11 exclusiveMaximum:bool=12 ' +
    'minimum:double=13 exclusiveMinimum:bool=14 maxLength:int64=15 minLength:int64=16 pattern:string=17 maxItems:int64=18 ' +
    'minItems:int64=19 uniqueItems:bool=20 *enum:Any=21 multipleOf:double=22 *vendorExtension:NamedAny=23',
  Response: 'description:string=1 schema:SchemaItem=2 headers:Headers=3 examples:Examples=4 *vendorExtension:NamedAny=5',
  ResponseDefinitions: '*additionalProperties:NamedResponse=1',
  ResponseValue: '| response:Response=1 jsonReference:JsonReference=2',
  Responses: '*responseCode:NamedResponseValue=1 *vendorExtension:NamedAny=2',
  Schema:
    'ref:string=1 format:string=2 title:string=3 description:string=4 default:Any=5 multipleOf:double=6 maximum:double=7 ' +
    'exclusiveMaximum:bool=8 minimum:double=9 exclusiveMinimum:bool=10 maxLength:int64=11 minLength:int64=12 pattern:string=13 ' +
    'maxItems:int64=14 minItems:int64=15 uniqueItems:bool=16 maxProperties:int64=17 minProperties:int64=18 *required:string=19 ' +
    '*enum:Any=20 additionalProperties:AdditionalPropertiesItem=21 type:TypeItem=22 items:ItemsItem=23 *allOf:Schema=24 ' +
    'properties:Properties=25 discriminator:string=26 readOnly:bool=27 xml:Xml=28 externalDocs:ExternalDocs=29 example:Any=30 ' +
    '*vendorExtension:NamedAny=31',
  SchemaItem: '| schema:Schema=1 fileSchema:FileSchema=2',
  SecurityDefinitions: '*additionalProperties:NamedSecurityDefinitionsItem=1',
  SecurityDefinitionsItem:
    '| basicAuthenticationSecurity:BasicAuthenticationSecurity=1 apiKeySecurity:ApiKeySecurity=2 ' +
    'oauth2ImplicitSecurity:Oauth2ImplicitSecurity=3 oauth2PasswordSecurity:Oauth2PasswordSecurity=4 ' +
    'oauth2ApplicationSecurity:Oauth2ApplicationSecurity=5 oauth2AccessCodeSecurity:Oauth2AccessCodeSecurity=6',
  SecurityRequirement: '*additionalProperties:NamedStringArray=1',
  StringArray: '*value:string=1',
  Tag: 'name:string=1 description:string=2 externalDocs:ExternalDocs=3 *vendorExtension:NamedAny=4',
  TypeItem: '*value:string=1',
  VendorExtension: '*additionalProperties:NamedAny=1',
  Xml: 'name:string=1 namespace:string=2 prefix:string=3 attribute:bool=4 wrapped:bool=5 *vendorExtension:NamedAny=6',
}

/** Full name of the document message, as client-go's discovery decodes it. */
export const GNOSTIC_DOCUMENT_TYPE = 'openapi.v2.Document'

/**
 * The messages above as a protobufjs JSON descriptor (`Root.fromJSON(...)`), nested under
 * `openapi.v2`. A fresh object per call; pure.
 */
export function gnosticDescriptor(): INamespace {
  const nested: Record<string, IType> = {}
  for (const [name, spec] of Object.entries(messages)) {
    const [plain, oneofPart] = spec.split('|')
    const fields: IType['fields'] = {}
    const members: string[] = []
    const add = (token: string, inOneof: boolean): void => {
      const m = /^(\*?)(\w+):([\w.]+)=(\d+)$/.exec(token)
      if (!m) throw new Error(`gnostic-messages: bad field ${token} in ${name}`)
      fields[m[2]] = { id: Number(m[4]), type: m[3], ...(m[1] ? { rule: 'repeated' } : {}) }
      if (inOneof) members.push(m[2])
    }
    for (const t of plain.trim().split(/\s+/).filter(Boolean)) add(t, false)
    for (const t of (oneofPart ?? '').trim().split(/\s+/).filter(Boolean)) add(t, true)
    nested[name] = { fields, ...(members.length ? { oneofs: { oneof: { oneof: members } } } : {}) }
  }
  return { nested: { openapi: { nested: { v2: { nested } } } } }
}
