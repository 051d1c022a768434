package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.data.RewardFunction;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.ModelFolder;
import plaudit.report.Tables;
import plaudit.sim.GoldPreference;
import plaudit.text.Tokenizer;
import plaudit.train.steer.SteerConfig;
import plaudit.train.steer.SteerPrompts;
import plaudit.train.steer.SteerResult;
import plaudit.train.steer.SteerRun;
import plaudit.train.steer.Steering;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code plaudit steer}: make a target continuation likelier by optimising the input, with the weights frozen. */
@Command(name = "steer", mixinStandardHelpOptions = true,
        description = {"Goal steering with frozen weights: learn a soft prompt (trained vectors) and/or a readable token "
                + "prefix (greedy coordinate gradient) that make --target likelier after the prompts.",
                "Writes OUT/steer.csv, one row per method: p_target_before/after on the training prompts, transfer to "
                        + "held-out prompts, perplexity, KL from the unsteered model and gold reward of steered samples."})
public final class SteerCommand extends ModelCommand<SteerConfig> {
    @Mixin
    CheckpointOptions checkpoint;
    @Option(names = "--target", required = true, description = "Text to make likelier right after each prompt, e.g. \" in my experience\".")
    String target;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--pairs", description = "Output directory of `plaudit pairs`: train prompts from train.jsonl, held-out "
            + "from val/test (default: the pairs/ folder of the run the checkpoint belongs to).")
    Path pairs;
    @Option(names = "--prompts", description = "Text file, one prompt per line (\\n for a line break); the last quarter is held out.")
    Path prompts;
    private final SettingOptions<SteerRun> runSettings = new SettingOptions<>(SteerRun.SETTINGS);
    /** --method and --max-prompts, defaults from SteerRun. */
    @Mixin
    CommandSpec runOptions = runSettings.spec();
    @Option(names = "--gold", description = "Score samples with the synthetic forum's gold preference (default: on when the "
            + "prompts come from a run on the synthetic forum, i.e. a forum/ folder beside pairs/).")
    Boolean gold;

    public SteerCommand() {
        super(SteerConfig.SETTINGS, SteerConfig.SEED);
    }

    @Override
    public Integer call() throws IOException {
        SteerConfig cfg = config();
        SteerRun what = steerRun();
        List<Steering.Method> methods = what.methods();
        String type = ModelFolder.modelType(checkpoint.dir);
        if (!type.equals("gpt2")) {
            throw new UserError(checkpoint.dir + ": model_type " + type + "; plaudit steer works on gpt2 checkpoints only"
                    + " (soft prompts and GCG use GPT-2's embeddings); give a gpt2 checkpoint");
        }
        Checkpoint ckpt = Checkpoint.read(checkpoint.dir);
        Tokenizer tok = ckpt.tokenizer();
        Steering.encodeTarget(tok, target); // fail on a target that tokenizes to nothing before any work
        SteerPrompts sets = promptSets(what.maxPrompts());
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

    /** The methods and the prompt limit the options give. */
    public SteerRun steerRun() {
        return runSettings.config(SteerRun.SETTINGS.builder());
    }

    private SteerPrompts promptSets(int maxPrompts) {
        if (prompts != null && pairs != null) throw new UserError("give either --prompts or --pairs, not both");
        if (prompts != null) return SteerPrompts.ofTextFile(prompts, maxPrompts, run.seed());
        return pairs != null ? SteerPrompts.ofPairs(pairs, maxPrompts) : SteerPrompts.ofRun(checkpoint.dir, maxPrompts);
    }
}
