package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import plaudit.experiment.Experiment;
import plaudit.experiment.SftStage;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.report.MetricsLog;
import plaudit.report.Tables;
import plaudit.text.Tokenizer;
import tech.tablesaw.api.Table;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code plaudit sft}: supervised fine-tuning on (post → top-voted reply). */
@Command(name = "sft", mixinStandardHelpOptions = true,
        description = {"Supervised fine-tuning: the top-voted reply of each thread in the comparisons is the "
                + "demonstration; loss on the reply tokens only.",
                "Writes OUT/checkpoint/ and OUT/metrics.csv."})
public final class SftCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;
    @Mixin
    StageOptions stage;
    @Option(names = "--init", required = true, description = "Checkpoint to start from (e.g. train-lm's OUT/checkpoint).")
    Path init;
    private final SettingOptions<Experiment.Sft> settings = new SettingOptions<>(Experiment.Sft.SETTINGS);
    /** --steps, --batch and --lr: the settings of the experiment's SFT stage, with their defaults. */
    @Mixin
    CommandSpec sftOptions = settings.spec();
    @Option(names = "--max-response", defaultValue = "64", description = "Reply tokens kept (default: ${DEFAULT-VALUE}).")
    int maxResponse;

    @Override
    public Integer call() {
        PairsInput data = stage.read();
        Checkpoint ckpt = Checkpoint.read(init);
        Tokenizer tok = ckpt.tokenizer();
        try (Gpt model = ckpt.model(run.device())) {
            // the experiment's SFT stage and recipe: the same pairs, init and seed train the same model
            Table metrics = SftStage.train(model, tok, data.splits(), config(),
                    maxResponse, run.seed(), stage.out("metrics.csv"));
            SftStage.write(model, tok, stage.out("checkpoint"));
            System.out.println(Tables.readable(MetricsLog.summary(metrics)).print());
        }
        System.out.println("checkpoint: " + stage.out("checkpoint"));
        return 0;
    }

    /** The SFT stage's settings the options give. */
    public Experiment.Sft config() {
        return settings.config(Experiment.Sft.SETTINGS.builder());
    }
}
