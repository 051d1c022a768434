package plaudit.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code forum_meta.json}: the config that made the forum, its counts, the voters' measured biases and the noise
 * ceiling. Gold itself is not stored: {@link GoldPreference} recomputes it from the text. Holds nothing that varies
 * between runs (no timings, no absolute paths), so the same config gives the same file.
 */
public final class ForumMeta {

    public static final String FILE_NAME = "forum_meta.json";

    private ForumMeta() {}

    public static Map<String, Object> of(Forum forum, ForumStats stats, NoiseCeiling ceiling, List<String> files) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generator", "plaudit forum");
        m.put("gold", GoldPreference.class.getName());
        m.put("config", forum.config());
        m.put("files", files);
        m.put("lexicon_size", ForumLanguage.standard().lexicon().size());
        m.put("counts", stats);
        Map<String, Object> nc = new LinkedHashMap<>();
        nc.put("rules", "top-level comment pairs of one live post with score >= " + NoiseCeiling.MIN_POST_SCORE
                + "; both live, human, score >= " + NoiseCeiling.MIN_COMMENT_SCORE + "; score ratio >= "
                + NoiseCeiling.MIN_RATIO + "; time rule: the preferred one was written later");
        nc.put("pairs", ceiling.pairs());
        nc.put("agreement", ceiling.agreement());
        nc.put("pairs_without_time_rule", ceiling.pairsNoTimeRule());
        nc.put("agreement_without_time_rule", ceiling.agreementNoTimeRule());
        m.put("noise_ceiling", nc);
        return m;
    }

    /**
     * A forum folder written by {@code plaudit forum}: its Pushshift dumps, its pretraining corpus ({@code corpus.txt},
     * null when the folder has none) and the noise ceiling measured when it was generated.
     */
    public record Folder(List<Path> dumps, Path corpus, double noiseCeiling) {
        public static final String CORPUS = "corpus.txt";

        /** Reads {@code dir/forum_meta.json}; fails naming the file and the fix when it is missing or malformed. */
        public static Folder read(Path dir) {
            Path meta = dir.resolve(FILE_NAME);
            if (!Files.isRegularFile(meta)) {
                throw new UserError("synthetic forum: " + dir + " holds no " + FILE_NAME + "; give a folder written by "
                        + "`plaudit forum --out DIR` (e.g. samples/forum)");
            }
            JsonNode m;
            try {
                m = new ObjectMapper().readTree(meta.toFile());
            } catch (IOException e) {
                throw new UserError("synthetic forum: " + meta + " is not readable JSON: " + e.getMessage());
            }
            JsonNode files = m.path("files"), ceiling = m.path("noise_ceiling").path("agreement");
            if (!files.isArray() || files.isEmpty() || !ceiling.isNumber()) {
                throw new UserError("synthetic forum: " + meta + " lacks 'files' or 'noise_ceiling.agreement'; "
                        + "regenerate the folder with `plaudit forum`");
            }
            List<Path> dumps = new ArrayList<>();
            for (JsonNode f : files) {
                Path p = dir.resolve(f.asText());
                if (!Files.isRegularFile(p)) throw new UserError("synthetic forum: " + meta + " names " + p + ", which is missing");
                dumps.add(p);
            }
            Path corpus = dir.resolve(CORPUS);
            return new Folder(List.copyOf(dumps), Files.isRegularFile(corpus) ? corpus : null, ceiling.asDouble());
        }
    }

    public static void write(Map<String, Object> meta, Path file) throws IOException {
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), meta);
    }
}
