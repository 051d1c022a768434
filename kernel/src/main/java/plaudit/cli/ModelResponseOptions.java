package plaudit.cli;

import picocli.CommandLine.Option;

/** How much of each reply {@code plaudit sft} and {@code plaudit train-rm} train on (a picocli mixin). */
public final class ModelResponseOptions {
    @Option(names = "--max-response", defaultValue = "64", description = "Reply tokens kept (default: ${DEFAULT-VALUE}).")
    int maxResponse;
}
