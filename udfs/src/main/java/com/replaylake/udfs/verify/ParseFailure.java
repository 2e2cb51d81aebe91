package com.replaylake.udfs.verify;

/** An answer that the expression grammar does not accept. Control flow: no stack trace. */
final class ParseFailure extends Exception {
  private static final long serialVersionUID = 1L;

  ParseFailure(String message) {
    super(message, null, false, false);
  }
}
