import { Injectable } from '@nestjs/common';

/** The wall clock, behind a provider so that tests can fix time. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
