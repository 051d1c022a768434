package plaudit.experiment;

import ai.djl.Device;
import plaudit.model.CausalLm;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.report.MetricsLog;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
import plaudit.train.Sequences;
import plaudit.train.SftTrainer;
import plaudit.train.SupervisedLoop;
import tech.tablesaw.api.Table;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Supervised fine-tuning on (post → top-voted reply), after the tokenizer and pretraining ({@link PretrainStage}).
 * Writes {@code sft/metrics.csv} and {@code sft/checkpoint} (model and tokenizer), records {@code sft_val_loss}; a
 * resumable run that finds the checkpoint skips tokenizer, pretraining and SFT. {@code plaudit sft} runs
 * {@link #train} with the same recipe.
 */
public final class SftStage {
    /** The SFT model and its tokenizer. */
    record Result(ByteLevelBpe tokenizer, Gpt model) {
    }

    private SftStage() {
    }

    static Result run(Experiment e, RunState s, DataStage.Result data, Device device) throws IOException {
        if (s.completed("sft")) {
            Checkpoint c = Checkpoint.read(s.out.resolve("sft/checkpoint"));
            ByteLevelBpe tok = ByteLevelBpe.fromTokenizerJson(c.tokenizerFiles().tokenizerJson());
            Gpt sft = c.model(device);
            s.resumed("sft", "tokenizer, pretraining and sft", List.of("pretrain", "sft"));
            return new Result(tok, sft);
        }
        PretrainStage.Result pre = PretrainStage.run(e, s, data, device);
        Gpt sft = pre.model();
        ByteLevelBpe tok = pre.tokenizer();
        try {
            s.stage("sft");
            Trained t = train(sft, tok, data.splits(), e.sft(), e.ppo().responseLength(), e.seed(),
                    s.out.resolve("sft/metrics.csv"), s.control("sft", e.sft().steps()));
            s.summary.put("sft_val_loss", t.valLoss());
            s.metrics.put("sft", t.metrics());
            s.checkpoint("sft", dir -> write(sft, tok, dir));
            s.dropProgress("pretrain", "sft");
            return new Result(tok, sft);
        } catch (IOException | RuntimeException | Error ex) {
            sft.close();
            throw ex;
        }
    }

    /**
     * Fine-tunes {@code model} in place on the top-voted replies of {@code splits}' training comparisons, validated on
     * its validation comparisons, keeping {@code responseLength} reply tokens; writes {@code metricsCsv}.
     *
     * @return the metrics by step
     */
    public static Table train(CausalLm model, Tokenizer tok, Splits splits, Experiment.Training st, int responseLength,
                              long seed, Path metricsCsv) {
        return train(model, tok, splits, st, responseLength, seed, metricsCsv, SupervisedLoop.Control.NONE).metrics();
    }

    /**
     * @param valLoss the final held-out loss, as the trainer computed it (rows a resumed stage read back from
     *                metrics.csv are rounded)
     */
    record Trained(double valLoss, Table metrics) {
    }

    /** As {@link #train(CausalLm, Tokenizer, Splits, Experiment.Training, int, long, Path)}, under {@code control}. */
    static Trained train(CausalLm model, Tokenizer tok, Splits splits, Experiment.Training st, int responseLength,
                         long seed, Path metricsCsv, SupervisedLoop.Control control) {
        return train(model, Sequences.plain(tok), splits, st, responseLength, seed, metricsCsv, control);
    }

    /** As {@link #train(CausalLm, Tokenizer, Splits, Experiment.Training, int, long, Path)}, ids made by {@code turns}. */
    public static Table train(CausalLm model, Turns turns, Splits splits, Experiment.Training st, int responseLength,
                              long seed, Path metricsCsv) {
        return train(model, turns, splits, st, responseLength, seed, metricsCsv, SupervisedLoop.Control.NONE).metrics();
    }

    private static Trained train(CausalLm model, Turns turns, Splits splits, Experiment.Training st, int responseLength,
                                 long seed, Path metricsCsv, SupervisedLoop.Control control) {
        try (MetricsLog log = RunState.metricsLog("sft", metricsCsv, control)) {
            double valLoss = SftTrainer.train(model, turns, SftTrainer.topReplies(splits.train()),
                    SftTrainer.topReplies(splits.validation()), Recipe.sft(st, responseLength, seed), log, control);
            return new Trained(valLoss, log.table());
        }
    }

    /** The SFT checkpoint: model and tokenizer, a Hugging Face folder of the model's family. */
    public static void write(CausalLm model, Tokenizer tok, Path dir) {
        Checkpoint.writer().model(model).tokenizer(tok).write(dir);
    }
}
