import { IsEventId, IsText } from '../../validation/decorators';

export class EventReversedDto {
  @IsEventId()
  reversedEventId!: string;

  @IsText(1, 500, { controlCharacters: 'allowed' })
  reason!: string;
}
