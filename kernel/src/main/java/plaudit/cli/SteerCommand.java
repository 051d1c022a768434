package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.report.Tables;
import plaudit.data.RewardFunction;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.train.steer.SoftPrefix;
import plaudit.train.steer.SteerConfig;
import plaudit.train.steer.SteerPrompts;
import plaudit.train.steer.SteerResult;
import plaudit.train.steer.Steering;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code plaudit steer}: make a target continuation likelier by optimising the input, with the weights frozen. */
@Command(name = "steer", mixinStandardHelpOptions = true,
        description = {"Goal steering with frozen weights: learn a soft prompt (trained vectors) and/or a readable token "
                + "prefix (greedy coordinate gradient) that make --target likelier after the prompts.",
                "Writes OUT/steer.csv, one row per method: p_target_before/after on the training prompts, transfer to "
                        + "held-out prompts, perplexity, KL from the unsteered model and gold reward of steered samples."})
public final class SteerCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Option(names = "--checkpoint", required = true, description = "Checkpoint directory (a Hugging Face GPT-2 folder, e.g. OUT/sft/checkpoint of study).")
    Path checkpoint;
    @Option(names = "--target", required = true, description = "Text to make likelier right after each prompt, e.g. \" in my experience\".")
    String target;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--method", defaultValue = "both", description = "soft, discrete or both (default: ${DEFAULT-VALUE}).")
    String method;
    @Option(names = "--position", defaultValue = "after", description = "Where the prefix goes: after the prompt (right "
            + "before the reply), or before it (default: ${DEFAULT-VALUE}; small models barely attend to a prefix in front of the prompt).")
    String position;
    @Option(names = "--pairs", description = "Output directory of `plaudit pairs`: train prompts from train.jsonl, held-out "
            + "from val/test (default: the pairs/ folder of the run the checkpoint belongs to).")
    Path pairs;
    @Option(names = "--prompts", description = "Text file, one prompt per line (\\n for a line break); the last quarter is held out.")
    Path prompts;
    @Option(names = "--max-prompts", defaultValue = "48", description = "Most training and most held-out prompts (default: ${DEFAULT-VALUE}).")
    int maxPrompts;
    @Option(names = "--soft-tokens", defaultValue = "8", description = "Soft prompt vectors (default: ${DEFAULT-VALUE}).")
    int softTokens;
    @Option(names = "--steps", defaultValue = "100", description = "Adam steps on the soft prompt (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate of the soft prompt (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--prefix-tokens", defaultValue = "8", description = "Tokens of the discrete prefix (default: ${DEFAULT-VALUE}).")
    int prefixTokens;
    @Option(names = "--gcg-steps", defaultValue = "30", description = "Greedy coordinate gradient iterations (default: ${DEFAULT-VALUE}).")
    int gcgSteps;
    @Option(names = "--batch", defaultValue = "16", description = "Training prompts per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--samples", defaultValue = "2", description = "Samples per held-out prompt for perplexity, KL and gold (default: ${DEFAULT-VALUE}).")
    int samples;
    @Option(names = "--max-tokens", defaultValue = "24", description = "Most tokens per sample (default: ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--gold", description = "Score samples with the synthetic forum's gold preference (default: on when the "
            + "prompts come from a run on the synthetic forum, i.e. a forum/ folder beside pairs/).")
    Boolean gold;

    @Override
    public Integer call() throws IOException {
        if (target == null || target.isEmpty()) throw new UserError("--target is empty; give the text to make likelier");
        if (maxPrompts < 1) throw new UserError("--max-prompts = " + maxPrompts + " is invalid; expected at least 1");
        SteerConfig cfg = new SteerConfig(softTokens, steps, lr, prefixTokens, gcgSteps, SteerConfig.defaults().gcgTopK(),
                SteerConfig.defaults().gcgCandidates(), batch, samples, maxTokens, run.seed(), position());
        List<Steering.Method> methods = Steering.Method.parse(method);
        Checkpoint ckpt = Checkpoint.read(checkpoint);
        Tokenizer tok = ckpt.tokenizer();
        Steering.encodeTarget(tok, target); // fail on a target that tokenizes to nothing before any work
        SteerPrompts sets = promptSets();
        RewardFunction goldFn = (gold != null ? gold : sets.synthetic()) ? new GoldPreference() : null;

        List<SteerResult> results;
        try (Gpt model = ckpt.model(run.device())) {
            results = Steering.run(model, tok, sets.train(), sets.heldOut(), target, cfg, methods, goldFn);
        }
        Files.createDirectories(out);
        Table t = Steering.table(target, results);
        Steering.writeCsv(t, out.resolve("steer.csv"));
        System.out.println(Tables.readable(t).print());
        System.out.println("wrote " + out.resolve("steer.csv"));
        return 0;
    }

    private SoftPrefix.Position position() {
        return switch (position.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "before" -> SoftPrefix.Position.BEFORE;
            case "after" -> SoftPrefix.Position.AFTER;
            default -> throw new UserError("--position '" + position + "' is unknown; use before or after");
        };
    }

    private SteerPrompts promptSets() {
        if (prompts != null && pairs != null) throw new UserError("give either --prompts or --pairs, not both");
        if (prompts != null) return SteerPrompts.ofTextFile(prompts, maxPrompts, run.seed());
        return pairs != null ? SteerPrompts.ofPairs(pairs, maxPrompts) : SteerPrompts.ofRun(checkpoint, maxPrompts);
    }
}
