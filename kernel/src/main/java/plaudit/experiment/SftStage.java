package plaudit.experiment;

import ai.djl.Device;
import plaudit.model.CausalLm;
import plaudit.model.Checkpoint;
import plaudit.model.LoraLm;
import plaudit.model.ModelFolder;
import plaudit.report.MetricsLog;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.text.Turns;
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
 * {@link #train} with the same recipe. From a Hugging Face folder, SFT starts from its weights; with LoRA it trains
 * adapters on them (also written as a PEFT folder, {@code sft/adapter}), and the stages after it start from the
 * merged model its checkpoint holds.
 */
public final class SftStage {
    /** The SFT model and how the run turns text into ids ({@link RunState#turns}), which every later stage uses. */
    record Result(Turns turns, CausalLm model) {
    }

    private SftStage() {
    }

    static Result run(Experiment e, RunState s, DataStage.Result data, Device device) throws IOException {
        Path checkpoint = s.out.resolve("sft/checkpoint");
        if (s.completed("sft")) {
            Tokenizer tok = e.model().fromFolder() ? ModelFolder.tokenizer(checkpoint)
                    : ByteLevelBpe.fromTokenizerJson(Checkpoint.read(checkpoint).tokenizerFiles().tokenizerJson());
            CausalLm sft = ModelFolder.open(checkpoint, device);
            s.resumed("sft", "tokenizer, pretraining and sft", List.of("pretrain", "sft"));
            return new Result(RunState.turns(e, e.model().fromFolder() ? checkpoint : null, tok), sft);
        }
        PretrainStage.Result pre = e.model().fromFolder() ? PretrainStage.fromFolder(e, s, device)
                : PretrainStage.run(e, s, data, device);
        CausalLm base = pre.model();
        Turns turns = RunState.turns(e, e.model().fromFolder() ? Path.of(e.model().from()) : null, pre.tokenizer());
        // with LoRA, SFT trains adapters on the base; the stages after it start from the merged SFT model
        CausalLm sft = base;
        try {
            sft = e.lora().apply(base, e.seed() + Recipe.LORA_SFT_SEED);
            s.stage("sft" + (e.lora().enabled() ? " (LoRA r = " + e.lora().rank() + ")" : ""));
            Trained t = train(sft, turns, data.splits(), e.sft(), e.ppo().responseLength(), e.seed(),
                    s.out.resolve("sft/metrics.csv"), s.control("sft", e.sft().steps()));
            s.summary.put("sft_val_loss", t.valLoss());
            s.metrics.put("sft", t.metrics());
            CausalLm trained = sft;
            s.checkpoint("sft", dir -> write(trained, turns.tokenizer(), dir));
            s.dropProgress("pretrain", "sft");
            if (sft == base) return new Result(turns, sft);
            if (e.model().fromFolder()) ((LoraLm) sft).save(s.out.resolve("sft/adapter"), e.model().from());
        } catch (IOException | RuntimeException | Error ex) {
            if (sft != base) sft.close();
            base.close();
            throw ex;
        }
        sft.close();
        base.close();
        return new Result(turns, ModelFolder.open(checkpoint, device));
    }

    /**
     * Fine-tunes {@code model} in place on the top-voted replies of {@code splits}' training comparisons, validated on
     * its validation comparisons, keeping {@code responseLength} reply tokens, ids made by {@code turns}; writes
     * {@code metricsCsv}.
     *
     * @return the metrics by step
     */
    public static Table train(CausalLm model, Turns turns, Splits splits, Experiment.Training st, int responseLength,
                              long seed, Path metricsCsv) {
        return train(model, turns, splits, st, responseLength, seed, metricsCsv, SupervisedLoop.Control.NONE).metrics();
    }

    /**
     * @param valLoss the final held-out loss, as the trainer computed it (rows a resumed stage read back from
     *                metrics.csv are rounded)
     */
    record Trained(double valLoss, Table metrics) {
    }

    /** As {@link #train(CausalLm, Turns, Splits, Experiment.Training, int, long, Path)}, under {@code control}. */
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
