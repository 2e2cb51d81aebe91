package com.replaylake.jobs.cli;

/** How commands print result rows. */
public enum OutputFormat {
  table, csv, json
}
