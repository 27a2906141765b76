import { CURRENCY_CODES, CurrencyCode } from '../currency';
import { IsAmount, IsOneOf } from '../validation/decorators';

/** `{ "amount": "<decimal string>", "currency": "<ISO 4217>" }`: never a number. */
export class MoneyDto {
  @IsAmount()
  amount!: string;

  @IsOneOf(CURRENCY_CODES)
  currency!: CurrencyCode;
}
