package plaudit.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import plaudit.model.Checkpoint;
import plaudit.model.Generation;
import plaudit.model.Generator;
import plaudit.model.Gpt;
import plaudit.model.SamplingConfig;
import plaudit.report.Progress;
import plaudit.text.Tokenizer;

import java.util.Arrays;
import java.util.concurrent.Callable;

/** {@code plaudit sample}: continue a prompt with a trained model. */
@Command(name = "sample", mixinStandardHelpOptions = true,
        description = "Sample continuations of a prompt from a checkpoint (KV-cache decoding; stops at <|endoftext|>).")
public final class SampleCommand implements Callable<Integer> {
    @Mixin
    RunOptions run;

    @Mixin
    CheckpointOptions checkpoint;
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
        Checkpoint ckpt = Checkpoint.read(checkpoint.dir);
        Tokenizer tok = ckpt.tokenizer();
        try (Gpt model = ckpt.model(run.device())) {
            int[] ids = tok.encode(prompt);
            if (ids.length == 0 && tok.eosId() >= 0) ids = new int[] {tok.eosId()}; // a document starts after EOS
            SamplingConfig cfg = new SamplingConfig(maxTokens, temperature, topK, topP, tok.eosId(), run.seed());
            int count = Math.max(1, num);
            int batch = Generator.batchRows(model.config(), ids.length, maxTokens, BATCH_BYTES);
            int[] written = {0};
            try (Progress progress = count > batch ? new Progress("sample", count) : null) {
                Generator.generateInBatches(model, ids, count, batch, cfg, g -> {
                    for (int i = 0; i < g.tokens().length; i++) print(tok, g, i, ++written[0]);
                    System.out.flush();
                    if (progress != null) progress.advance(g.tokens().length);
                });
            }
        }
        return 0;
    }

    private void print(Tokenizer tok, Generation g, int row, int number) {
        int[] resp = g.tokens()[row];
        boolean eos = g.endedWithEos()[row];
        String text = tok.decode(eos ? Arrays.copyOf(resp, resp.length - 1) : resp);
        if (num > 1) System.out.println("--- sample " + number + (eos ? "" : " (stopped at --max-tokens)"));
        System.out.println(prompt + text);
    }
}
