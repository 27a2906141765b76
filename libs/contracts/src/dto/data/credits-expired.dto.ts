import { IsIdentifier, IsMoney } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class CreditsExpiredDto {
  @IsIdentifier()
  grantId!: string;

  @IsMoney()
  amount!: MoneyDto;
}
