package plaudit.experiment;

import ai.djl.Device;
import plaudit.data.Comparison;
import plaudit.model.CausalLm;
import plaudit.model.FolderTokenizer;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.model.ModelFolder;
import plaudit.report.MetricsLog;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.train.LmTrainer;
import plaudit.train.SupervisedLoop;
import plaudit.train.TokenCorpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The tokenizer (trained on the corpus, or read from a file) and pretraining on the corpus: the forum's text, or the
 * comparisons' texts for real data. Writes {@code pretrain/metrics.csv} and records {@code pretrain_val_loss}. Its
 * result lives on in SFT's checkpoint (model and tokenizer), from which {@link SftStage} resumes both. A run from a
 * Hugging Face folder skips it ({@link #fromFolder}).
 */
final class PretrainStage {
    record Result(Tokenizer tokenizer, CausalLm model) {
    }

    private PretrainStage() {
    }

    static Result run(Experiment e, RunState s, DataStage.Result data, Device device) throws IOException {
        s.stage("tokenizer + pretraining");
        List<String> docs = data.corpus() != null ? TokenCorpus.documents(Files.readString(data.corpus()))
                : texts(data.splits().train());
        ByteLevelBpe tok = e.tokenizer().file() != null ? ByteLevelBpe.load(Path.of(e.tokenizer().file()))
                : BpeTrainer.train(docs, BpeTrainer.Config.of(e.tokenizer().vocabSize()));
        GptConfig cfg = e.model().gpt().withVocabSize(tok.vocabSize());
        Gpt model = Gpt.init(cfg, device, e.seed());
        Experiment.Training pt = e.pretrain();
        if (pt.steps() > 0) {
            SupervisedLoop.Control control = s.control("pretrain", pt.steps());
            try (MetricsLog log = RunState.metricsLog("pretrain", s.out.resolve("pretrain/metrics.csv"), control)) {
                // the trainer's value, not the log's: rows a resumed stage read back from metrics.csv are rounded
                double valLoss = LmTrainer.train(model, TokenCorpus.of(docs, tok, Recipe.PRETRAIN_VAL_EVERY),
                        Recipe.pretrain(pt, cfg.blockSize(), e.seed()), log, control);
                s.summary.put("pretrain_val_loss", valLoss);
                s.metrics.put("pretrain", log.table());
            }
        }
        return new Result(tok, model);
    }

    /**
     * A run from a Hugging Face folder ({@code model.from}), in place of the above: the folder's tokenizer and weights
     * as they are. Pretraining is skipped, and says so: on standard error and as {@code pretrain_skipped} = 1.
     */
    static Result fromFolder(Experiment e, RunState s, Device device) {
        Path dir = Path.of(e.model().from());
        s.stage("tokenizer + pretraining: skipped, tokenizer and weights from " + dir);
        s.summary.put("pretrain_skipped", 1.0);
        Tokenizer tok = ModelFolder.tokenizer(dir);
        try {
            return new Result(tok, ModelFolder.open(dir, device));
        } catch (RuntimeException | Error ex) {
            if (tok instanceof FolderTokenizer f) f.close();
            throw ex;
        }
    }

    /** The distinct texts of the comparisons: the pretraining corpus when the data has no corpus of its own. */
    private static List<String> texts(List<Comparison> pairs) {
        LinkedHashSet<String> set = new LinkedHashSet<>();
        for (Comparison c : pairs) {
            set.add(c.prompt());
            set.add(c.chosen());
            set.add(c.rejected());
        }
        return new ArrayList<>(set);
    }
}
