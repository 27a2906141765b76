import { IsIdentifier, IsMoney } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class OpeningBalanceRecordedDto {
  @IsIdentifier()
  partyId!: string;

  @IsMoney()
  amount!: MoneyDto;
}
