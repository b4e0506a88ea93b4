package io.potions.contract;

/** Which side of an exchange a JSON value is on, which decides the readOnly/writeOnly rule applied. */
public enum Direction {
  /** A request body, parameter or webhook payload: {@code readOnly} properties are refused. */
  REQUEST,
  /** A response body: {@code writeOnly} properties are refused. */
  RESPONSE
}
