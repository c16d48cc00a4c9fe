/** What tells the time. The domain never reads one; the layers above pass one down, and tests move their own. */
export interface Clock {
  now(): Date;
}
