import { IsIdentifier, IsMoney, OptionalField } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class UsageBilledDto {
  @IsIdentifier()
  invoiceId!: string;

  @IsIdentifier()
  providerId!: string;

  @IsIdentifier()
  customerId!: string;

  @IsMoney()
  amount!: MoneyDto;

  @OptionalField()
  @IsIdentifier()
  commitmentId?: string;
}
