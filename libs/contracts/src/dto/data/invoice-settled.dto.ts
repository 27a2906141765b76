import { SETTLEMENT_METHODS, SettlementMethod } from '../../event-type';
import { IsIdentifier, IsMoney, IsOneOf, OptionalField } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

/** Shape rule across fields: `credits` needs a grantId, `cash` takes none (checked by the parser). */
export class InvoiceSettledDto {
  @IsIdentifier()
  invoiceId!: string;

  @IsIdentifier()
  settlementId!: string;

  @IsMoney()
  amount!: MoneyDto;

  @IsOneOf(SETTLEMENT_METHODS)
  method!: SettlementMethod;

  @OptionalField()
  @IsIdentifier()
  grantId?: string;
}
