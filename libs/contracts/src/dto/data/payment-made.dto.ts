import { PAYMENT_PURPOSES, PaymentPurpose } from '../../event-type';
import { IsIdentifier, IsMoney, IsOneOf } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class PaymentMadeDto {
  @IsIdentifier()
  paymentId!: string;

  @IsIdentifier()
  payerId!: string;

  @IsIdentifier()
  payeeId!: string;

  @IsMoney()
  amount!: MoneyDto;

  @IsOneOf(PAYMENT_PURPOSES)
  purpose!: PaymentPurpose;
}
