import { EVENT_TYPES, EventType } from '../event-type';
import { IsDateTime, IsEventId, IsOneOf, IsText, OptionalField, IsDataObject } from '../validation/decorators';

/** The envelope every fact travels in (EVENTS.md, "Envelope"). `data` is validated per type. */
export class EnvelopeDto {
  @IsEventId()
  eventId!: string;

  @IsOneOf(EVENT_TYPES)
  type!: EventType;

  @OptionalField()
  @IsOneOf([1])
  schemaVersion?: 1;

  @IsDateTime()
  occurredAt!: string;

  @IsText(1, 100, { controlCharacters: 'refused' })
  source!: string;

  @IsDataObject()
  data!: Record<string, unknown>;
}
