package com.replaylake.jobs.cli;

import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.TableContract;
import com.replaylake.schemas.Tables;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code replaylake init}: create (or validate) every table of the lakehouse. */
@Command(name = "init", mixinStandardHelpOptions = true,
    description = "Create the lakehouse and every missing table; validate the existing ones against their contracts.")
public final class InitCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Lakehouse lakehouse = parent.global.lakehouse("init");
    var out = spec.commandLine().getOut();
    out.println("lakehouse " + lakehouse.base());
    for (TableContract contract : Tables.ALL) {
      out.printf("  %-16s ok  %s%n", contract.name(), lakehouse.location(contract));
    }
    return 0;
  }
}
