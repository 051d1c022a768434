package plaudit.train.steer;

import plaudit.text.PlainTokenizer;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Token i is the word "w{i}"; no end-of-text. Enough for sampling and prefix search on a random model. */
class FakeTokenizer implements PlainTokenizer {
    private final int vocab;

    FakeTokenizer(int vocab) {
        this.vocab = vocab;
    }

    @Override
    public int[] encode(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(s -> !s.isEmpty())
                .mapToInt(s -> Integer.parseInt(s.substring(1))).toArray();
    }

    @Override
    public String decode(int[] ids) {
        return Arrays.stream(ids).mapToObj(i -> " w" + i).collect(Collectors.joining());
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public int eosId() {
        return -1;
    }
}
