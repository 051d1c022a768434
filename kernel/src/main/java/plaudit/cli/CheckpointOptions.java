package plaudit.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The checkpoint that {@code plaudit sample} and {@code plaudit steer} load their model from (a picocli mixin). */
public final class CheckpointOptions {
    @Option(names = "--checkpoint", required = true, paramLabel = "<checkpoint>", description = "Checkpoint directory: "
            + "a Hugging Face GPT-2 folder such as OUT/checkpoint of train-lm or OUT/sft/checkpoint of study (sample and"
            + " logprobs also read a llama, qwen2 or qwen3 folder; sample needs its tokenizer.json).")
    Path dir;
}
