import { INSTRUMENTS, Instrument } from '../../event-type';
import { IsIdentifier, IsMoney, IsOneOf } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class InvestmentCommittedDto {
  @IsIdentifier()
  investmentId!: string;

  @IsIdentifier()
  investorId!: string;

  @IsIdentifier()
  investeeId!: string;

  @IsMoney()
  amount!: MoneyDto;

  @IsOneOf(INSTRUMENTS)
  instrument!: Instrument;
}
