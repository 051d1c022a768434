package plaudit.text;

import plaudit.UserError;
import plaudit.text.ByteLevelBpe.Merge;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Learns a byte-level BPE vocabulary from text, as GPT-2's was learned: cut the text into words with GPT-2's
 * pre-tokenizer, start from the 256 byte tokens, and repeatedly merge the most frequent adjacent pair of tokens
 * (counted over all word occurrences) into a new token, until the vocabulary has the requested size.
 *
 * <p>Pair counts are kept up to date incrementally: a merge rewrites only the words that contain the pair (found
 * through an index of pair → words) and adjusts the counts of the pairs those words gain and lose. The best pair comes
 * from a max-heap with lazy deletion (an entry whose count is stale is re-queued at its current count). Ties go to the
 * pair with the smaller left id, then the smaller right id, so training is deterministic.
 *
 * <p>Ids: 0..255 are the byte tokens in GPT-2's order, then the learned tokens, then the special tokens (GPT-2's
 * {@code <|endoftext|>} is likewise its last id).
 */
public final class BpeTrainer {
    private static final int READ_BLOCK_CHARS = 1 << 20;

    /**
     * @param vocabSize     total number of ids, special tokens included
     * @param specialTokens matched whole by {@code encode(text, true)}; never produced from ordinary text
     * @param minFrequency  stop early once the best pair occurs fewer times than this
     */
    public record Config(int vocabSize, List<String> specialTokens, int minFrequency) {
        public Config {
            specialTokens = List.copyOf(specialTokens);
            if (new HashSet<>(specialTokens).size() != specialTokens.size() || specialTokens.contains("")) {
                throw new UserError("special tokens must be distinct and non-empty, got " + specialTokens);
            }
            if (vocabSize < 256 + specialTokens.size()) {
                throw new UserError("vocab size " + vocabSize + " is too small: a byte-level BPE needs 256 byte tokens plus "
                        + specialTokens.size() + " special token(s); use at least " + (256 + specialTokens.size() + 1));
            }
            if (minFrequency < 1) throw new UserError("min frequency must be at least 1, got " + minFrequency);
        }

        /** {@code <|endoftext|>} as the one special token; pairs seen once are not worth a token. */
        public static Config of(int vocabSize) {
            return new Config(vocabSize, List.of(ByteLevelBpe.END_OF_TEXT), 2);
        }
    }

    /** A queued pair with the count it had when queued. */
    private record Candidate(long count, int left, int right) {
        static final Comparator<Candidate> BEST_FIRST = Comparator.comparingLong(Candidate::count).reversed()
                .thenComparingInt(Candidate::left).thenComparingInt(Candidate::right);
    }

    private final Config config;
    /** Pre-token (word) → occurrences in the corpus. */
    private final Map<String, Long> wordCounts = new HashMap<>();

    public BpeTrainer(Config config) {
        this.config = config;
    }

    public static ByteLevelBpe train(List<String> texts, Config config) {
        BpeTrainer trainer = new BpeTrainer(config);
        texts.forEach(trainer::add);
        return trainer.train(frequency -> { });
    }

    /** Counts the words of one text (a document; texts are not joined, so no word spans two of them). */
    public BpeTrainer add(String text) {
        Gpt2PreTokenizer.split(text, 0, text.length(), word -> wordCounts.merge(word, 1L, Long::sum));
        return this;
    }

    /**
     * Counts the words of a UTF-8 text file, read in blocks cut where pre-tokenization is unaffected, so it gives the
     * same counts as {@code add(wholeFile)} without holding the file in memory.
     *
     * @param bytesRead called after each block with the number of bytes read so far
     */
    public BpeTrainer addFile(Path corpus, LongConsumer bytesRead) {
        if (!Files.isRegularFile(corpus)) throw new UserError(corpus + ": no such file; check the corpus path");
        long[] read = {0};
        try (InputStream file = Files.newInputStream(corpus);
             InputStream counted = new FilterInputStream(file) {
                 @Override
                 public int read(byte[] b, int off, int len) throws IOException {
                     int n = super.read(b, off, len);
                     if (n > 0) read[0] += n;
                     return n;
                 }
             };
             // newDecoder() reports malformed input instead of silently replacing it
             Reader reader = new InputStreamReader(counted, StandardCharsets.UTF_8.newDecoder())) {
            char[] block = new char[READ_BLOCK_CHARS];
            StringBuilder pending = new StringBuilder();
            for (int n; (n = reader.read(block)) > 0; ) {
                pending.append(block, 0, n);
                int cut = Gpt2PreTokenizer.lastSafeCut(pending, pending.length() - n);
                if (cut > 0) {
                    add(pending.substring(0, cut));
                    pending.delete(0, cut);
                }
                bytesRead.accept(read[0]);
            }
            add(pending.toString());
        } catch (CharacterCodingException e) {
            throw new UserError(corpus + ": not valid UTF-8 text near byte " + read[0] + "; convert the corpus to UTF-8", e);
        } catch (IOException e) {
            throw new UserError(corpus + ": cannot read (" + e + ")", e);
        }
        return this;
    }

    /** How many tokens {@link #train} learns by merging (fewer if the corpus runs out of frequent pairs). */
    public int tokensToLearn() {
        return config.vocabSize() - 256 - config.specialTokens().size();
    }

    /** @param onMerge called once per learned merge, with the merged pair's frequency */
    public ByteLevelBpe train(LongConsumer onMerge) {
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> idOfToken = new HashMap<>();
        int[] idOfByte = new int[256];
        Integer[] bytesInOrder = new Integer[256];
        for (int b = 0; b < 256; b++) bytesInOrder[b] = b;
        Arrays.sort(bytesInOrder, Comparator.comparing(ByteUnicode::tokenOf));
        for (int b : bytesInOrder) {
            idOfByte[b] = tokens.size();
            idOfToken.put(ByteUnicode.tokenOf(b), tokens.size());
            tokens.add(ByteUnicode.tokenOf(b));
        }

        int[][] words = new int[wordCounts.size()][];
        long[] frequency = new long[words.length];
        int w = 0;
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            byte[] bytes = ByteLevelBpe.utf8(e.getKey());
            words[w] = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) words[w][i] = idOfByte[bytes[i] & 0xFF];
            frequency[w++] = e.getValue();
        }

        Map<Long, Long> pairCount = new HashMap<>();
        Map<Long, IntList> wordsWithPair = new HashMap<>();
        for (w = 0; w < words.length; w++) {
            for (int i = 0; i + 1 < words[w].length; i++) {
                long pair = ByteLevelBpe.pairKey(words[w][i], words[w][i + 1]);
                pairCount.merge(pair, frequency[w], Long::sum);
                index(wordsWithPair, pair, w);
            }
        }
        PriorityQueue<Candidate> queue = new PriorityQueue<>(Candidate.BEST_FIRST);
        pairCount.forEach((pair, count) -> queue.add(candidate(pair, count)));

        Set<String> specials = new LinkedHashSet<>(config.specialTokens());
        Set<Long> refused = new HashSet<>();
        List<Merge> merges = new ArrayList<>();
        int[] rewrittenAt = new int[words.length];
        Arrays.fill(rewrittenAt, -1);
        int learnedTokens = 256 + tokensToLearn();
        while (tokens.size() < learnedTokens && !queue.isEmpty()) {
            Candidate best = queue.poll();
            long pair = ByteLevelBpe.pairKey(best.left(), best.right());
            long count = pairCount.getOrDefault(pair, 0L);
            if (count != best.count()) {
                // Stale. A lower count is re-queued; a higher one was queued when it rose.
                if (count > 0 && count < best.count()) queue.add(candidate(pair, count));
                continue;
            }
            if (count < config.minFrequency()) break;
            String merged = tokens.get(best.left()) + tokens.get(best.right());
            if (specials.contains(merged) || refused.contains(pair)) {
                refused.add(pair); // ordinary text must never turn into a special token
                continue;
            }
            // Two different pairs can spell the same string ("ab"+"c", "a"+"bc"): one token, two merge rules.
            int id = idOfToken.computeIfAbsent(merged, t -> {
                tokens.add(t);
                return tokens.size() - 1;
            });
            merges.add(new Merge(tokens.get(best.left()), tokens.get(best.right())));

            Map<Long, Long> delta = new HashMap<>();
            int step = merges.size();
            IntList affected = wordsWithPair.remove(pair);
            for (int k = 0; k < affected.size(); k++) {
                w = affected.get(k);
                if (rewrittenAt[w] == step) continue; // listed twice
                rewrittenAt[w] = step;
                int[] before = words[w];
                int[] after = merge(before, best.left(), best.right(), id);
                if (after == before) continue; // the index is lazy: the pair may have left this word already
                for (int i = 0; i + 1 < before.length; i++) {
                    delta.merge(ByteLevelBpe.pairKey(before[i], before[i + 1]), -frequency[w], Long::sum);
                }
                for (int i = 0; i + 1 < after.length; i++) {
                    long p = ByteLevelBpe.pairKey(after[i], after[i + 1]);
                    delta.merge(p, frequency[w], Long::sum);
                    if (after[i] == id || after[i + 1] == id) index(wordsWithPair, p, w);
                }
                words[w] = after;
            }
            delta.forEach((p, change) -> {
                if (change == 0) return;
                long now = pairCount.merge(p, change, Long::sum);
                if (now == 0) pairCount.remove(p);
                if (change > 0) queue.add(candidate(p, now));
            });
            onMerge.accept(count);
        }

        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int i = 0; i < tokens.size(); i++) vocab.put(tokens.get(i), i);
        List<AddedToken> added = new ArrayList<>();
        for (String special : specials) {
            if (vocab.containsKey(special)) {
                throw new UserError("special token '" + special + "' is also an ordinary one-byte token; choose a longer one");
            }
            int id = tokens.size() + added.size();
            vocab.put(special, id); // listed in the vocabulary too, as GPT-2's encoder.json lists <|endoftext|>
            added.add(AddedToken.special(id, special));
        }
        return new ByteLevelBpe(vocab, merges, added, "trained tokenizer");
    }

    /** Merges every occurrence of (left, right), left to right; returns {@code word} itself when there is none. */
    private static int[] merge(int[] word, int left, int right, int merged) {
        IntList out = null;
        for (int i = 0; i < word.length; i++) {
            if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
                if (out == null) {
                    out = new IntList(word.length - 1);
                    for (int j = 0; j < i; j++) out.add(word[j]);
                }
                out.add(merged);
                i++;
            } else if (out != null) {
                out.add(word[i]);
            }
        }
        return out == null ? word : out.toArray();
    }

    private static void index(Map<Long, IntList> wordsWithPair, long pair, int word) {
        IntList list = wordsWithPair.computeIfAbsent(pair, p -> new IntList(4));
        if (list.size() == 0 || list.last() != word) list.add(word);
    }

    private static Candidate candidate(long pair, long count) {
        return new Candidate(count, (int) (pair >>> 32), (int) pair);
    }
}
