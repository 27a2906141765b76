import { IsIdentifier, IsMoney } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class InvestmentFundedDto {
  @IsIdentifier()
  investmentId!: string;

  @IsIdentifier()
  trancheId!: string;

  @IsMoney()
  amount!: MoneyDto;
}
