package plaudit.text;

import plaudit.UserError;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Byte-level BPE as in GPT-2 (OpenAI's encoder.py), giving the same ids for the same vocabulary and merges.
 *
 * <p>Encoding: cut the text into words with {@link Gpt2PreTokenizer}, take each word's UTF-8 bytes as one-byte
 * tokens, then merge adjacent tokens by rank until no ranked pair is left. Added tokens such as
 * {@code <|endoftext|>} are matched as whole strings first, and only when allowed ({@link #encode(String, boolean)});
 * otherwise they are ordinary text.
 *
 * <p>Immutable; the only mutable state is a bounded cache of word → ids, safe to share across threads.
 */
public final class ByteLevelBpe implements Tokenizer {
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Words kept in the cache before it is emptied; a few MB, and enough for the working set of English text. */
    private static final int CACHE_WORDS = 100_000;
    /** Longer words (a base64 blob, a row of dashes) rarely come back; not worth their memory. */
    private static final int CACHE_MAX_WORD_CHARS = 64;
    private static final int NONE = -1;

    /** A merge rule: the two adjacent tokens that become one. Its rank is its position in the merges list. */
    record Merge(String left, String right) {
    }

    private final Map<String, Integer> vocab;
    private final List<Merge> merges;
    private final List<AddedToken> addedTokens;
    private final int vocabSize;
    /** What each id decodes to; null for an id that no token has. */
    private final byte[][] bytesOfId;
    private final int[] idOfByte = new int[256];
    /** (left id, right id) packed in a long → rank. */
    private final Map<Long, Integer> rankOfPair = new HashMap<>();
    private final int[] mergedIdOfRank;
    private final Map<String, AddedToken> addedByContent = new HashMap<>();
    /** Matches every added token / only the non-special ones; null when there are none to match. */
    private final Pattern allAddedPattern;
    private final Pattern plainAddedPattern;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /**
     * @param vocab  token (in {@link ByteUnicode} characters) → id; must hold the 256 one-byte tokens
     * @param merges merge rules by rank; both sides and their concatenation must be in {@code vocab}
     * @param source what the files were, for error messages
     */
    ByteLevelBpe(Map<String, Integer> vocab, List<Merge> merges, List<AddedToken> addedTokens, String source) {
        this.vocab = Collections.unmodifiableMap(new LinkedHashMap<>(vocab));
        this.merges = List.copyOf(merges);
        this.addedTokens = List.copyOf(addedTokens);

        int maxId = NONE;
        for (Map.Entry<String, Integer> e : vocab.entrySet()) {
            if (e.getValue() < 0) throw new UserError(source + ": token '" + e.getKey() + "' has negative id " + e.getValue());
            maxId = Math.max(maxId, e.getValue());
        }
        for (AddedToken t : addedTokens) {
            if (t.id() < 0) throw new UserError(source + ": added token '" + t.content() + "' has negative id " + t.id());
            maxId = Math.max(maxId, t.id());
        }
        // Ids may have gaps, but a huge id for a few tokens means a damaged file, not a vocabulary to allocate.
        if (maxId > 2 * (vocab.size() + addedTokens.size()) + 256) {
            throw new UserError(source + ": token ids run up to " + maxId + " for only " + (vocab.size() + addedTokens.size())
                    + " tokens; the vocabulary is damaged");
        }
        vocabSize = maxId + 1;

        String[] tokenOfId = new String[vocabSize];
        bytesOfId = new byte[vocabSize][];
        vocab.forEach((token, id) -> {
            if (tokenOfId[id] != null) {
                throw new UserError(source + ": id " + id + " is given to both '" + tokenOfId[id] + "' and '" + token
                        + "'; each token needs its own id");
            }
            tokenOfId[id] = token;
            bytesOfId[id] = ByteUnicode.toBytes(token);
        });
        for (AddedToken t : addedTokens) {
            Integer inVocab = vocab.get(t.content());
            String clash = addedByContent.containsKey(t.content()) ? "is listed twice"
                    : inVocab != null && inVocab != t.id() ? "has id " + t.id() + " but the vocabulary gives it id " + inVocab
                    : inVocab == null && tokenOfId[t.id()] != null ? "has id " + t.id() + ", already taken by '" + tokenOfId[t.id()] + "'"
                    : null;
            if (clash != null) {
                throw new UserError(source + ": added token '" + t.content() + "' " + clash
                        + "; the vocabulary and the added tokens do not belong together");
            }
            tokenOfId[t.id()] = t.content();
            // An added token decodes to the very text that encodes to it, so decode(encode(s, true)) == s.
            bytesOfId[t.id()] = t.content().getBytes(StandardCharsets.UTF_8);
            addedByContent.put(t.content(), t);
        }

        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(ByteUnicode.tokenOf(b));
            if (id == null) {
                throw new UserError(source + ": the vocabulary has no token '" + ByteUnicode.tokenOf(b) + "' for byte 0x"
                        + String.format("%02X", b) + "; a byte-level BPE vocabulary must hold all 256 byte tokens");
            }
            idOfByte[b] = id;
        }

        mergedIdOfRank = new int[merges.size()];
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge m = merges.get(rank);
            Integer left = vocab.get(m.left()), right = vocab.get(m.right());
            Integer merged = vocab.get(m.left() + m.right());
            if (left == null || right == null || merged == null) {
                String missing = left == null ? m.left() : right == null ? m.right() : m.left() + m.right();
                throw new UserError(source + ": merge " + (rank + 1) + " '" + m.left() + " " + m.right()
                        + "' needs token '" + missing + "', which is not in the vocabulary; the merges and the "
                        + "vocabulary do not belong together (or the merges are truncated)");
            }
            // A repeated rule keeps its last rank, as encoder.py's dict(zip(merges, ranks)) and Hugging Face do.
            rankOfPair.put(pairKey(left, right), rank);
            mergedIdOfRank[rank] = merged;
        }

        allAddedPattern = alternation(addedTokens);
        plainAddedPattern = alternation(addedTokens.stream().filter(t -> !t.special()).toList());
    }

    public static ByteLevelBpe fromGpt2Files(Path encoderJson, Path vocabBpe) {
        return BpeFiles.readGpt2(encoderJson, vocabBpe);
    }

    public static ByteLevelBpe fromTokenizerJson(Path tokenizerJson) {
        return BpeFiles.readTokenizerJson(tokenizerJson);
    }

    /**
     * Loads a Hugging Face {@code tokenizer.json}, an OpenAI {@code encoder.json} (with {@code vocab.bpe} beside it),
     * or a directory holding either.
     */
    public static ByteLevelBpe load(Path path) {
        return BpeFiles.read(path);
    }

    @Override
    public void save(Path tokenizerJson) {
        BpeFiles.writeTokenizerJson(this, tokenizerJson);
    }

    @Override
    public int[] encode(String text) {
        return encode(text, false);
    }

    @Override
    public int[] encode(String text, boolean allowSpecial) {
        IntList out = new IntList(text.length() / 3);
        Pattern added = allowSpecial ? allAddedPattern : plainAddedPattern;
        int from = 0;
        if (added != null) {
            Matcher m = added.matcher(text);
            while (from < text.length() && m.find(from)) {
                AddedToken token = addedByContent.get(m.group());
                int start = m.start(), end = m.end();
                if (token.lstrip()) while (start > from && Gpt2PreTokenizer.isWhiteSpace(text.charAt(start - 1))) start--;
                if (token.rstrip()) while (end < text.length() && Gpt2PreTokenizer.isWhiteSpace(text.charAt(end))) end++;
                encodeOrdinary(text, from, start, out);
                out.add(token.id());
                from = end;
            }
        }
        encodeOrdinary(text, from, text.length(), out);
        return out.toArray();
    }

    private void encodeOrdinary(String text, int start, int end, IntList out) {
        Gpt2PreTokenizer.split(text, start, end, word -> out.addAll(wordIds(word)));
    }

    private int[] wordIds(String word) {
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = bpe(utf8(word));
            if (word.length() <= CACHE_MAX_WORD_CHARS) {
                if (cache.size() >= CACHE_WORDS) cache.clear();
                cache.put(word, ids);
            }
        }
        return ids;
    }

    /**
     * Merges one word's bytes exactly as encoder.py's {@code bpe()}: take the lowest-ranked adjacent pair, merge all
     * its occurrences left to right (so "aaa" with rule "a a" gives "aa a"), repeat until no pair has a rank.
     * A heap of (rank, position) and a linked list keep this O(n log n) for long words, where encoder.py's rescans
     * would be quadratic.
     */
    private int[] bpe(byte[] bytes) {
        int n = bytes.length;
        int[] id = new int[n];
        int[] next = new int[n];
        int[] prev = new int[n];
        for (int i = 0; i < n; i++) {
            id[i] = idOfByte[bytes[i] & 0xFF];
            next[i] = i + 1 < n ? i + 1 : NONE;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) pushPair(heap, id, i, i + 1);
        IntList round = new IntList(8);
        while (!heap.isEmpty()) {
            // One encoder.py round: every occurrence of the best pair, leftmost first (the key's low half).
            int rank = (int) (heap.peek() >>> 32);
            round.clear();
            while (!heap.isEmpty() && (int) (heap.peek() >>> 32) == rank) round.add((int) heap.poll());
            for (int k = 0; k < round.size(); k++) {
                int i = round.get(k);
                int j = next[i];
                // Skip stale entries: position i was merged into its left neighbour, or its pair has changed.
                if (id[i] == NONE || j == NONE || rankOf(id[i], id[j]) != rank) continue;
                id[i] = mergedIdOfRank[rank];
                id[j] = NONE;
                next[i] = next[j];
                if (next[j] != NONE) prev[next[j]] = i;
                if (prev[i] != NONE) pushPair(heap, id, prev[i], i);
                if (next[i] != NONE) pushPair(heap, id, i, next[i]);
            }
        }
        IntList ids = new IntList(n);
        for (int i = 0; i != NONE; i = next[i]) ids.add(id[i]); // position 0 always survives: merges keep the left
        return ids.toArray();
    }

    private void pushPair(LongHeap heap, int[] id, int i, int j) {
        int rank = rankOf(id[i], id[j]);
        if (rank != NONE) heap.add(((long) rank << 32) | i);
    }

    private int rankOf(int left, int right) {
        Integer rank = rankOfPair.get(pairKey(left, right));
        return rank == null ? NONE : rank;
    }

    static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** UTF-8, with a lone surrogate half as U+FFFD (as JavaScript's TextEncoder does) rather than Java's '?'. */
    static byte[] utf8(String word) {
        int[] cps = word.codePoints()
                .map(cp -> cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE ? 0xFFFD : cp)
                .toArray();
        return new String(cps, 0, cps.length).getBytes(StandardCharsets.UTF_8);
    }

    /** Bytes back to text; invalid UTF-8 (a cut multi-byte character) becomes U+FFFD, as encoder.py's "replace". */
    @Override
    public String decode(int[] ids) {
        int length = 0;
        for (int id : ids) length += bytesOf(id).length;
        byte[] bytes = new byte[length];
        int at = 0;
        for (int id : ids) {
            byte[] b = bytesOfId[id];
            System.arraycopy(b, 0, bytes, at, b.length);
            at += b.length;
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private byte[] bytesOf(int id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("token id " + id + " is not in the vocabulary (size " + vocabSize + ")");
        }
        return bytesOfId[id];
    }

    /** Whether some token has this id (ids may have gaps in a hand-made vocabulary). */
    @Override
    public boolean isValidId(int id) {
        return id >= 0 && id < vocabSize && bytesOfId[id] != null;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public int eosId() {
        AddedToken eos = addedByContent.get(END_OF_TEXT);
        return eos == null ? NONE : eos.id();
    }

    @Override
    public List<String> specialTokens() {
        return addedTokens.stream().filter(AddedToken::special).map(AddedToken::content).toList();
    }

    public List<AddedToken> addedTokens() {
        return addedTokens;
    }

    /** The model vocabulary (token in {@link ByteUnicode} characters → id), without added tokens outside it. */
    Map<String, Integer> vocab() {
        return vocab;
    }

    List<Merge> merges() {
        return merges;
    }

    /** A regex matching any of the tokens, longest first so that the leftmost match is also the longest. */
    private static Pattern alternation(List<AddedToken> tokens) {
        if (tokens.isEmpty()) return null;
        return Pattern.compile(tokens.stream().map(AddedToken::content)
                .sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote)
                .collect(Collectors.joining("|")));
    }

    /** A binary min-heap of longs, without boxing. */
    private static final class LongHeap {
        private long[] keys;
        private int size;

        LongHeap(int capacity) {
            keys = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        long peek() {
            return keys[0];
        }

        void add(long key) {
            if (size == keys.length) keys = Arrays.copyOf(keys, size * 2);
            int i = size++;
            while (i > 0 && keys[(i - 1) / 2] > key) {
                keys[i] = keys[(i - 1) / 2];
                i = (i - 1) / 2;
            }
            keys[i] = key;
        }

        long poll() {
            long top = keys[0];
            long last = keys[--size];
            int i = 0;
            while (2 * i + 1 < size) {
                int child = 2 * i + 1;
                if (child + 1 < size && keys[child + 1] < keys[child]) child++;
                if (last <= keys[child]) break;
                keys[i] = keys[child];
                i = child;
            }
            keys[i] = last;
            return top;
        }
    }
}
