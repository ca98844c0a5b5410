import { Injectable } from '@nestjs/common';

/** Time comes in from outside so that rules and tests never read the wall clock themselves. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
