package plaudit.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * The SFT checkpoint that the stages after {@code plaudit sft} start from (a picocli mixin of {@code train-rm},
 * {@code dpo}, {@code ppo} and {@code rloo}).
 */
public final class CheckpointSftOptions {
    @Option(names = "--sft", required = true, paramLabel = "<sft>", description = "SFT checkpoint, or a Hugging Face folder of a gpt2, "
            + "llama, qwen2 or qwen3 model with its tokenizer.json: the initial policy and the frozen reference "
            + "(train-rm: the trunk's initialisation and the re-centring policy).")
    Path dir;
}
