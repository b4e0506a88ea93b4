package io.potions.app.domain;

import io.potions.InvalidInputException;

/** A domain does not resolve to the server; {@link #verdict()} holds the records to create. */
public final class DomainNotPointedException extends InvalidInputException {
  private static final long serialVersionUID = 1L;
  private final transient DomainCheck.Verdict verdict;

  /** @param verdict what the lookup found */
  public DomainNotPointedException(DomainCheck.Verdict verdict) {
    super(verdict.explain());
    this.verdict = verdict;
  }

  /** @return what the lookup found, and the records to create */
  public DomainCheck.Verdict verdict() {
    return verdict;
  }
}
