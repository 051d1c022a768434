package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.UserError;
import plaudit.model.Checkpoint;
import plaudit.model.EndOfSequence;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.Llama;
import plaudit.model.LlamaCheckpoint;
import plaudit.model.ModelFolder;
import plaudit.model.SamplingConfig;
import plaudit.report.Progress;
import plaudit.text.Tokenizer;
import plaudit.text.TokenizerJson;
import plaudit.text.Turns;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/** {@code plaudit sample}: continue a prompt with a trained model. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = {"Sample continuations of a prompt from a checkpoint (KV-cache decoding).",
                "A GPT-2 checkpoint stops at <|endoftext|>; a llama, qwen2 or qwen3 folder (with its tokenizer.json) at any"
                        + " eos_token_id of its generation_config.json or config.json.",
                "Where the folder has a chat template, the prompt is asked as a user turn, sampling also stops at the"
                        + " end of the assistant's turn and only the reply is printed (--no-chat-template: plain text)."})
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Mixin
    CheckpointOptions checkpoint;
    @Mixin
    ChatTemplateOption chat;
    @Option(names = "--prompt", defaultValue = "", description = "Text to continue (default: empty = start of a document).")
    String prompt;
    @Option(names = "--max-tokens", defaultValue = "64", description = "Most new tokens (default: ${DEFAULT-VALUE}).")
    int maxTokens;
    @Option(names = "--temperature", defaultValue = "0.8", description = "Softmax temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "Sample among the k likeliest tokens; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass; 1 = off (default: ${DEFAULT-VALUE}).")
    double topP;
    @Option(names = "--num", defaultValue = "1", description = "Number of samples, drawn in batches, each written"
            + " before the next is drawn (default: ${DEFAULT-VALUE}).")
    int num;
    /** KV cache and logits of one batch: memory follows this, not --num. */
    private static final long BATCH_BYTES = 256L << 20;

    @Override
    public Integer call() {
        if (!ModelFolder.modelType(checkpoint.dir).equals("gpt2")) return sampleLlama();
        Checkpoint ckpt = Checkpoint.read(checkpoint.dir);
        Tokenizer tok = ckpt.tokenizer();
        Turns turns = chat.turns(checkpoint.dir, tok);
        try (Gpt model = ckpt.model(run.device())) {
            int[] ids = turns.promptIds(prompt);
            if (ids.length == 0 && tok.eosId() >= 0) ids = new int[] {tok.eosId()}; // a document starts after EOS
            int batch = Generator.batchRows(model.config(), ids.length, maxTokens, BATCH_BYTES);
            int[] prompt = ids;
            draw(turns, batch, (cfg, sink) -> Generator.generateInBatches(model, prompt, count(), batch, cfg,
                    turns.stopIds(), sink));
        }
        return 0;
    }

    /** A Llama-family folder: its own tokenizer.json, its end-of-sequence ids, and BOS to start an empty prompt. */
    private int sampleLlama() {
        LlamaCheckpoint ckpt = LlamaCheckpoint.read(checkpoint.dir);
        Path tokenizerJson = checkpoint.dir.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new UserError(tokenizerJson + ": not found; plaudit sample needs the model's tokenizer.json beside its"
                    + " config.json (copy it from the model's Hugging Face folder)");
        }
        int vocab = ckpt.config().vocabSize();
        int[] eosIds = EndOfSequence.ids(checkpoint.dir, vocab);
        Tokenizer tok = TokenizerJson.open(tokenizerJson);
        try (Llama model = ckpt.model(run.device())) {
            Turns turns = chat.turns(checkpoint.dir, tok, eosIds);
            int[] ids = turns.promptIds(prompt);
            if (ids.length == 0) ids = new int[] {EndOfSequence.bosId(checkpoint.dir, vocab)};
            int batch = Generator.batchRows(ckpt.config(), ids.length, maxTokens, BATCH_BYTES);
            int[] prompt = ids;
            draw(turns, batch, (cfg, sink) -> Generator.generateInBatches(model, prompt, count(), batch, cfg,
                    turns.stopIds(), sink));
        } finally {
            if (tok instanceof AutoCloseable c) close(c);
        }
        return 0;
    }

    private static void close(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private int count() {
        return Math.max(1, num);
    }

    /** How one family draws its batches, each handed to the sink. */
    private interface Sampler {
        void run(SamplingConfig cfg, Consumer<Generation> sink);
    }

    /** Draws --num samples in batches of {@code batch} rows, printing each batch before the next is drawn. */
    private void draw(Turns turns, int batch, Sampler sampler) {
        SamplingConfig cfg = new SamplingConfig(maxTokens, temperature, topK, topP, turns.tokenizer().eosId(), run.seed());
        int[] written = {0};
        try (Progress progress = count() > batch ? new Progress("sample", count()) : null) {
            sampler.run(cfg, g -> {
                for (int i = 0; i < g.tokens().length; i++) print(turns, g, i, ++written[0]);
                System.out.flush();
                if (progress != null) progress.advance(g.tokens().length);
            });
        }
    }

    /** A sample: the prompt and its continuation, or with a chat template the reply alone (the prompt is a turn). */
    private void print(Turns turns, Generation g, int row, int number) {
        boolean eos = g.endedWithEos()[row];
        String text = turns.replyText(g.tokens()[row], eos);
        if (num > 1) System.out.println("--- sample " + number + (eos ? "" : " (stopped at --max-tokens)"));
        System.out.println(turns.chatTemplate() ? text : prompt + text);
    }
}
