import { IsDateTime, IsIdentifier, IsMoney, OptionalField } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

export class ComputeCreditsGrantedDto {
  @IsIdentifier()
  grantId!: string;

  @IsIdentifier()
  providerId!: string;

  @IsIdentifier()
  recipientId!: string;

  @IsMoney()
  amount!: MoneyDto;

  @OptionalField()
  @IsIdentifier()
  investmentId?: string;

  /** Informational: credits expire only by a CreditsExpired event. */
  @OptionalField()
  @IsDateTime()
  expiresAt?: string;
}
