package io.dti.jobs.prepare;

/** A row that cannot be used; its message is the reason stored in the rejected table. */
public final class Reject extends Exception {
  public Reject(String reason) {
    super(reason, null, false, false);
  }
}
