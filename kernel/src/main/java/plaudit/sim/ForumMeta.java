package plaudit.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
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

    public static void write(Map<String, Object> meta, Path file) throws IOException {
        new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), meta);
    }
}
