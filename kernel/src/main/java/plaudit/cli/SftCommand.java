package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
    @Option(names = "--pairs", required = true, description = "Output directory of `plaudit pairs`.")
    Path pairs;
    @Option(names = "--init", required = true, description = "Checkpoint to start from (e.g. train-lm's OUT/checkpoint).")
    Path init;
    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;
    @Option(names = "--steps", defaultValue = "200", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--batch", defaultValue = "16", description = "Examples per step (default: ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--lr", defaultValue = "3e-4", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
    double lr;
    @Option(names = "--max-response", defaultValue = "64", description = "Reply tokens kept (default: ${DEFAULT-VALUE}).")
    int maxResponse;

    @Override
    public Integer call() {
        PairsInput data = PairsInput.read(pairs);
        Checkpoint ckpt = Checkpoint.read(init);
        Tokenizer tok = ckpt.tokenizer();
        try (Gpt model = ckpt.model(run.device())) {
            // the experiment's SFT stage and recipe: the same pairs, init and seed train the same model
            Table metrics = SftStage.train(model, tok, data.splits(), new Experiment.Training(steps, batch, lr),
                    maxResponse, run.seed(), out.resolve("metrics.csv"));
            SftStage.write(model, tok, out.resolve("checkpoint"));
            System.out.println(Tables.readable(MetricsLog.summary(metrics)).print());
        }
        System.out.println("checkpoint: " + out.resolve("checkpoint"));
        return 0;
    }
}
