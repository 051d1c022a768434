package plaudit.cli;

import picocli.CommandLine;
import plaudit.UserError;
import picocli.CommandLine.Command;

/**
 * The {@code plaudit} command line. Each sub-command is one class; this class only lists them and turns
 * {@link UserError}s into one clear line on standard error (no stack trace) and exit status 2.
 */
@Command(name = "plaudit", mixinStandardHelpOptions = true, version = "plaudit 0.1.0",
        description = "RLHF from upvotes: comparisons from upvote data, reward models, PPO.",
        subcommands = {
                CommandLine.HelpCommand.class,
                TokenizeCommand.class,
                LogprobsCommand.class,
                TrainTokenizerCommand.class,
                TrainLmCommand.class,
                SampleCommand.class,
                ExportCommand.class,
                ForumCommand.class,
                PairsCommand.class,
                SftCommand.class,
                TrainRmCommand.class,
                PpoCommand.class,
                StudyCommand.class,
                DpoCommand.class, RlooCommand.class, MethodsCommand.class,
                BenchCommand.class,
                SteerCommand.class,
                WorkerCommand.class, SubmitCommand.class, JobsCommand.class, LogsCommand.class,
        })
public final class PlauditCli {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** The command line, unparsed: {@code commandLine().parseArgs(…)} reads options without running anything. */
    public static CommandLine commandLine() {
        return new CommandLine(new PlauditCli());
    }

    public static int run(String... args) {
        // DJL must never phone home or download; set before anything touches the Engine.
        System.setProperty("ai.djl.offline", "true");
        CommandLine cli = commandLine();
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            Throwable cause = ex;
            while (!(cause instanceof UserError) && cause.getCause() != null) cause = cause.getCause();
            if (cause instanceof UserError) {
                cmd.getErr().println("plaudit " + cmd.getCommandName() + ": " + cause.getMessage());
                return 2;
            }
            cmd.getErr().println("plaudit " + cmd.getCommandName() + ": internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli.execute(args);
    }
}
