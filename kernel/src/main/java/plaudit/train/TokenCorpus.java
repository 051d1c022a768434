package plaudit.train;

import plaudit.UserError;
import plaudit.text.IntList;
import plaudit.text.Tokenizer;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * A tokenised pretraining corpus, split into train and validation token streams.
 *
 * <p>The corpus is plain UTF-8 text whose documents are separated by {@code <|endoftext|>}. The split is by
 * document (every {@code valEvery}-th document is held out), so no document is half in train and half in
 * validation; the end-of-text token is kept between documents, as in GPT-2's training data.
 */
public final class TokenCorpus {
    public static final String EOT = "<|endoftext|>";

    private final int[] train;
    private final int[] val;
    private final int documents;

    private TokenCorpus(int[] train, int[] val, int documents) {
        this.train = train;
        this.val = val;
        this.documents = documents;
    }

    public static TokenCorpus load(Path file, Tokenizer tok, int valEvery) {
        if (!Files.isRegularFile(file)) {
            throw new UserError("corpus file " + file + " does not exist; pass --corpus with a UTF-8 text file "
                    + "(documents separated by " + EOT + "), e.g. samples/forum/corpus.txt");
        }
        try {
            return of(documents(Files.readString(file, StandardCharsets.UTF_8)), tok, valEvery);
        } catch (MalformedInputException e) {
            throw new UserError("corpus file " + file + " is not valid UTF-8; convert it (iconv -t UTF-8) first");
        } catch (IOException e) {
            throw new UserError("cannot read corpus file " + file + ": " + e.getMessage());
        }
    }

    /** Documents of a corpus text: the pieces between end-of-text markers, trimmed of surrounding newlines. */
    public static List<String> documents(String text) {
        List<String> docs = new ArrayList<>();
        for (String d : text.split(Pattern.quote(EOT))) {
            String s = d.strip();
            if (!s.isEmpty()) docs.add(s);
        }
        return docs;
    }

    public static TokenCorpus of(List<String> docs, Tokenizer tok, int valEvery) {
        if (docs.isEmpty()) throw new UserError("the corpus has no text");
        int eos = tok.eosId();
        IntList train = new IntList(1 << 16), val = new IntList(1 << 16);
        for (int i = 0; i < docs.size(); i++) {
            IntList dst = (valEvery > 0 && i % valEvery == valEvery - 1) ? val : train;
            dst.addAll(tok.encode(docs.get(i)));
            if (eos >= 0) dst.add(eos);
        }
        if (val.size() == 0) val = train; // a one-document corpus: evaluate on what there is
        return new TokenCorpus(train.toArray(), val.toArray(), docs.size());
    }

    public int[] train() {
        return train;
    }

    public int[] val() {
        return val;
    }

    public int documents() {
        return documents;
    }

    /**
     * Samples {@code batch} random windows of {@code len + 1} tokens (inputs and their next-token targets).
     *
     * @return [batch][len + 1] token ids
     */
    public static int[][] windows(int[] tokens, int batch, int len, SplittableRandom rng) {
        if (tokens.length < len + 1) {
            throw new UserError("the corpus has " + tokens.length + " tokens, fewer than one training window of "
                    + (len + 1) + "; use a larger corpus or a smaller --block-size");
        }
        int[][] out = new int[batch][];
        for (int b = 0; b < batch; b++) {
            int start = rng.nextInt(tokens.length - len);
            out[b] = Arrays.copyOfRange(tokens, start, start + len + 1);
        }
        return out;
    }
}
