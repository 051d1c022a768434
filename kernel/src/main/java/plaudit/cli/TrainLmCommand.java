package plaudit.cli;

import plaudit.report.Progress;

import ai.djl.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.experiment.Experiment;
import plaudit.experiment.Recipe;
import plaudit.model.Checkpoint;
import plaudit.model.Gpt;
import plaudit.model.GptConfig;
import plaudit.report.MetricsLog;
import plaudit.report.Tables;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;
import plaudit.text.Tokenizer;
import plaudit.train.LmTrainer;
import plaudit.train.LrSchedule;
import plaudit.train.TokenCorpus;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code plaudit train-lm}: pretrain a small GPT on a text corpus, with checkpoints and a metrics table. */
@Command(name = "train-lm", mixinStandardHelpOptions = true,
        description = {"Train a GPT language model from scratch on a text corpus (documents separated by <|endoftext|>).",
                "Writes OUT/checkpoint/ (a Hugging Face GPT-2 folder plus optimizer state), OUT/metrics.csv and "
                        + "OUT/tokenizer.json; prints a summary table at the end."})
public final class TrainLmCommand extends ModelCommand<Experiment.Pretrain> {
    @Option(names = "--corpus", required = true, description = "UTF-8 text file, documents separated by <|endoftext|>.")
    Path corpus;

    @Option(names = "--out", required = true, description = "Output directory.")
    Path out;

    @Option(names = "--tokenizer", description = "Existing tokenizer.json (or encoder.json) to use; default: train a "
            + "byte-level BPE of --vocab-size on the corpus.")
    Path tokenizer;

    @Option(names = "--vocab-size", defaultValue = "2048", description = "Vocabulary of the BPE trained when no "
            + "--tokenizer is given (default: ${DEFAULT-VALUE}).")
    int vocabSize;

    @Option(names = "--n-layer", defaultValue = "4", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int nLayer;
    @Option(names = "--n-head", defaultValue = "4", description = "Attention heads (default: ${DEFAULT-VALUE}).")
    int nHead;
    @Option(names = "--n-embd", defaultValue = "128", description = "Model width (default: ${DEFAULT-VALUE}).")
    int nEmbd;
    @Option(names = "--block-size", defaultValue = "128", description = "Context length in tokens (default: ${DEFAULT-VALUE}).")
    int blockSize;
    @Option(names = "--dropout", defaultValue = "0.0", description = "Dropout while training (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--grad-accum", defaultValue = "" + Recipe.PRETRAIN_GRAD_ACCUM, description = "Micro-batches per step (default: ${DEFAULT-VALUE}).")
    int gradAccum;
    @Option(names = "--min-lr", defaultValue = "1e-4", description = "Learning rate at the end of the cosine (default: ${DEFAULT-VALUE}).")
    double minLr;
    @Option(names = "--warmup", defaultValue = "20", description = "Warmup steps (default: ${DEFAULT-VALUE}).")
    int warmup;
    @Option(names = "--weight-decay", defaultValue = "" + Recipe.PRETRAIN_WEIGHT_DECAY, description = "AdamW weight decay (default: ${DEFAULT-VALUE}).")
    double weightDecay;
    @Option(names = "--grad-clip", defaultValue = "" + Recipe.GRAD_CLIP, description = "Max gradient norm; 0 = off (default: ${DEFAULT-VALUE}).")
    double gradClip;
    @Option(names = "--eval-every", defaultValue = "50", description = "Held-out evaluation interval in steps (default: ${DEFAULT-VALUE}).")
    int evalEvery;
    @Option(names = "--eval-batches", defaultValue = "" + Recipe.PRETRAIN_EVAL_BATCHES, description = "Batches per evaluation (default: ${DEFAULT-VALUE}).")
    int evalBatches;
    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Checkpoint interval in steps; the last step is always saved (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    public TrainLmCommand() {
        super(Experiment.Pretrain.SETTINGS, null);
    }

    @Override
    public Integer call() throws Exception {
        Device dev = run.device();
        Files.createDirectories(out);
        Tokenizer tok = tokenizer != null ? ByteLevelBpe.load(tokenizer) : trainTokenizer();
        TokenCorpus data = TokenCorpus.load(corpus, tok, 20);
        GptConfig cfg = new GptConfig(nLayer, nHead, nEmbd, blockSize, tok.vocabSize(), dropout);
        System.err.printf("train-lm: %d documents, %,d train / %,d held-out tokens; model %,d parameters (%s) on %s%n",
                data.documents(), data.train().length, data.val().length, cfg.parameterCount(), cfg, dev);
        Experiment.Pretrain stage = config();
        int steps = stage.steps();
        LmTrainer.Config tc = new LmTrainer.Config(steps, stage.batchSize(), gradAccum, blockSize,
                new LrSchedule(stage.lr(), minLr, warmup, steps), weightDecay, gradClip, evalEvery, evalBatches, run.seed());
        Path ckptDir = out.resolve("checkpoint");
        try (Gpt model = Gpt.init(cfg, dev, run.seed());
             MetricsLog log = new MetricsLog("train-lm", out.resolve("metrics.csv"))) {
            LmTrainer.train(model, data, tc, log, checkpointEvery, (step, opt) -> Checkpoint.writer()
                    .config(cfg).parameters(model.parameters()).tokenizer(tok)
                    .tensors("optimizer", opt.state())
                    .json("trainer_state", Map.of("step", step, "optimizer_step", opt.step(), "seed", run.seed()))
                    .write(ckptDir));
            int every = evalEvery > 0 && steps / evalEvery <= 20 ? evalEvery : Math.max(1, steps / 10);
            System.out.println(Tables.every(log.table(), every, "step", "loss", "val_loss", "lr",
                    "tokens_per_s").print());
            System.out.println(Tables.readable(log.summary()).print());
        }
        System.out.println("checkpoint: " + ckptDir + "\nmetrics:    " + out.resolve("metrics.csv"));
        return 0;
    }

    private Tokenizer trainTokenizer() {
        if (!Files.isRegularFile(corpus)) {
            throw new UserError("corpus file " + corpus + " does not exist; pass --corpus with a UTF-8 text file");
        }
        BpeTrainer trainer = new BpeTrainer(BpeTrainer.Config.of(vocabSize));
        try (Progress p = new Progress("tokenizer: reading", -1)) {
            trainer.addFile(corpus, p::advance);
        }
        ByteLevelBpe tok;
        try (Progress p = new Progress("tokenizer: merges", trainer.tokensToLearn())) {
            tok = trainer.train(n -> p.step());
        }
        tok.save(out.resolve("tokenizer.json"));
        return tok;
    }
}
