import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The API's description, as served at /docs and checked in at apps/audit-api/openapi.json. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('capflow audit API')
    .setDescription(
      'Every figure of the capital-flow ledger with its provenance, as of any business time (asOf) and as known at any ledger time (knownAt). ' +
        'Reports return exactly the JSON of the command line (`capflow … --json`); tabular ones also as CSV. ' +
        'Send an API key as `Authorization: Bearer <key>`; roles: auditor (read), ingest (POST /api/events: the only role that appends), admin (read, rebuild, access log). ' +
        'Errors: `{statusCode, code, detail, requestId}`.',
    )
    .setVersion('1')
    // an opaque API key (cfk_…), not a JWT as the default scheme says
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key (cfk_…)', description: 'an API key given by an admin: `Authorization: Bearer cfk_…`' })
    .build();
  return SwaggerModule.createDocument(app, config);
}
