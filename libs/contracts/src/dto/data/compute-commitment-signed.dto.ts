import { IsDateTime, IsIdentifier, IsMoney } from '../../validation/decorators';
import { MoneyDto } from '../money.dto';

/** Shape rule across fields: endsAt > startsAt (checked by the parser). */
export class ComputeCommitmentSignedDto {
  @IsIdentifier()
  commitmentId!: string;

  @IsIdentifier()
  customerId!: string;

  @IsIdentifier()
  providerId!: string;

  @IsMoney()
  amount!: MoneyDto;

  @IsDateTime()
  startsAt!: string;

  @IsDateTime()
  endsAt!: string;
}
