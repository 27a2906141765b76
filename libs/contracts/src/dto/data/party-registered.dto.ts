import { PARTY_KINDS, PartyKind } from '../../event-type';
import { IsIdentifier, IsOneOf, IsText, OptionalField } from '../../validation/decorators';

export class PartyRegisteredDto {
  @IsIdentifier()
  partyId!: string;

  @IsText(1, 200, { controlCharacters: 'allowed' })
  name!: string;

  @IsOneOf(PARTY_KINDS)
  kind!: PartyKind;

  @OptionalField()
  @IsIdentifier()
  parentId?: string;
}
