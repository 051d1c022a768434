package plaudit.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reading GPT-2's files and Hugging Face's tokenizer.json, writing tokenizer.json, and refusing bad files clearly. */
class BpeFilesTest {
    @TempDir
    Path dir;

    @Test
    void savedTokenizerJsonReadsBackToTheSameTokenizer() throws IOException {
        ByteLevelBpe gpt2 = Gpt2Reference.tokenizer();
        Path file = dir.resolve("sub/tokenizer.json");
        gpt2.save(file);

        JsonNode json = new ObjectMapper().readTree(file.toFile());
        assertEquals("BPE", json.at("/model/type").asText());
        assertEquals("ByteLevel", json.at("/pre_tokenizer/type").asText());
        assertEquals(false, json.at("/pre_tokenizer/add_prefix_space").asBoolean(true));
        assertEquals("ByteLevel", json.at("/decoder/type").asText());
        assertEquals(50257, json.at("/model/vocab").size());
        assertEquals(50000, json.at("/model/merges").size());
        assertEquals("Ġ t", json.at("/model/merges/0").asText());
        assertEquals(1, json.at("/added_tokens").size());
        assertEquals("<|endoftext|>", json.at("/added_tokens/0/content").asText());
        assertEquals(50256, json.at("/added_tokens/0/id").asInt());
        assertTrue(json.at("/added_tokens/0/special").asBoolean());

        ByteLevelBpe back = ByteLevelBpe.fromTokenizerJson(file);
        assertEquals(gpt2.vocab(), back.vocab());
        assertEquals(gpt2.merges(), back.merges());
        assertEquals(gpt2.addedTokens(), back.addedTokens());
        for (String s : Gpt2Reference.strings()) {
            assertArrayEquals(gpt2.encode(s), back.encode(s), Gpt2ParityTest.escape(s));
            assertArrayEquals(gpt2.encode(s, true), back.encode(s, true), Gpt2ParityTest.escape(s));
        }
        assertEquals(50256, back.eosId());
    }

    @Test
    void mergesMayBeStringsOrPairs() throws IOException {
        ByteLevelBpe tiny = ByteLevelBpeTest.tiny(List.of("a b", "ab c", "Ġ abc"), List.of(AddedToken.special(400, "<|endoftext|>")));
        Path strings = dir.resolve("strings.json");
        tiny.save(strings);
        ObjectMapper mapper = new ObjectMapper();
        JsonNode json = mapper.readTree(strings.toFile());
        ArrayNode pairs = mapper.createArrayNode();
        for (JsonNode m : json.at("/model/merges")) {
            String[] parts = m.asText().split(" ");
            pairs.addArray().add(parts[0]).add(parts[1]);
        }
        ((ObjectNode) json.get("model")).set("merges", pairs);
        Path pairFile = dir.resolve("pairs.json");
        mapper.writeValue(pairFile.toFile(), json);

        ByteLevelBpe fromPairs = ByteLevelBpe.fromTokenizerJson(pairFile);
        assertEquals(tiny.merges(), fromPairs.merges());
        assertArrayEquals(tiny.encode(" abc abcd<|endoftext|>", true), fromPairs.encode(" abc abcd<|endoftext|>", true));
        assertEquals(3, fromPairs.encode(" abc abcd").length); // Ġabc, Ġabc d
    }

    @Test
    void loadFindsTheFormat() throws IOException {
        ByteLevelBpe tiny = ByteLevelBpeTest.tiny(List.of("a b", "ab c"), List.of());
        Path gpt2 = writeGpt2Files(tiny, Files.createDirectories(dir.resolve("gpt2")));
        int[] abc = {id(tiny, "abc")};
        assertArrayEquals(abc, ByteLevelBpe.load(gpt2).encode("abc"));
        assertArrayEquals(abc, ByteLevelBpe.load(gpt2.resolve("encoder.json")).encode("abc"));
        Path hf = Files.createDirectories(dir.resolve("hf"));
        tiny.save(hf.resolve("tokenizer.json"));
        assertArrayEquals(abc, ByteLevelBpe.load(hf).encode("abc"));
        assertArrayEquals(abc, ByteLevelBpe.load(hf.resolve("tokenizer.json")).encode("abc"));
        assertError(() -> ByteLevelBpe.load(Files.createDirectories(dir.resolve("empty-dir"))), "empty-dir", "neither");
    }

    @Test
    void missingFilesAreNamed() {
        Path encoder = Gpt2Reference.dir().resolve("encoder.json");
        assertError(() -> ByteLevelBpe.fromGpt2Files(dir.resolve("nope.json"), Gpt2Reference.dir().resolve("vocab.bpe")),
                "nope.json", "no such file");
        assertError(() -> ByteLevelBpe.fromGpt2Files(encoder, dir.resolve("nope.bpe")), "nope.bpe", "no such file");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(dir), dir.toString(), "it is a directory");
    }

    @Test
    void corruptJsonIsRefused() throws IOException {
        Path truncated = write("encoder.json", Files.readString(Gpt2Reference.dir().resolve("encoder.json")).substring(0, 5000));
        assertError(() -> ByteLevelBpe.fromGpt2Files(truncated, Gpt2Reference.dir().resolve("vocab.bpe")),
                "encoder.json", "not valid JSON", "line 1");
        Path duplicate = write("dup.json", "{\"a\": 1, \"a\": 2}");
        assertError(() -> ByteLevelBpe.fromGpt2Files(duplicate, Gpt2Reference.dir().resolve("vocab.bpe")), "dup.json", "Duplicate");
        Path notIds = write("ids.json", "{\"a\": \"one\"}");
        assertError(() -> ByteLevelBpe.fromGpt2Files(notIds, Gpt2Reference.dir().resolve("vocab.bpe")), "ids.json", "whole numbers");
        Path huge = write("huge.json", "{\"a\": 2000000000}");
        assertError(() -> ByteLevelBpe.fromGpt2Files(huge, Gpt2Reference.dir().resolve("vocab.bpe")), "huge.json", "damaged");
        Path array = write("array.json", "[1, 2]");
        assertError(() -> ByteLevelBpe.fromGpt2Files(array, Gpt2Reference.dir().resolve("vocab.bpe")), "array.json", "JSON object");
        Path empty = write("empty.json", "");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(empty), "empty.json", "empty");
        Path trailing = write("trailing.json", "{\"model\": {}} {");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(trailing), "trailing.json", "not valid JSON");
    }

    @Test
    void truncatedMergesAreRefused() throws IOException {
        Path encoder = Gpt2Reference.dir().resolve("encoder.json");
        String merges = Files.readString(Gpt2Reference.dir().resolve("vocab.bpe"));
        // cut inside the last line's second token: "Ġg azed" becomes "Ġg az", and "Ġgaz" is no token
        Path cutMidToken = write("mid.bpe", merges.substring(0, merges.length() - 3));
        assertError(() -> ByteLevelBpe.fromGpt2Files(encoder, cutMidToken), "mid.bpe", "merge 50000", "Ġgaz", "truncated");
        // cut after the space: "Ġg " has one token
        Path cutAtSpace = write("space.bpe", merges.substring(0, merges.length() - 5));
        assertError(() -> ByteLevelBpe.fromGpt2Files(encoder, cutAtSpace), "space.bpe", "line 50001", "two tokens");
    }

    @Test
    void foreignOrUnreadableMergesAreRefused() throws IOException {
        Path encoder = writeGpt2Files(ByteLevelBpeTest.tiny(List.of("a b"), List.of()), dir).resolve("encoder.json");
        Path foreign = write("foreign.bpe", "#version: 0.2\na b\nq x\n");
        assertError(() -> ByteLevelBpe.fromGpt2Files(encoder, foreign), "foreign.bpe", "merge 2", "'qx'", "do not belong together");
        Path binary = dir.resolve("binary.bpe");
        Files.write(binary, new byte[] {'#', 'v', '\n', (byte) 0xFF, (byte) 0xFE, ' ', 'a', '\n'});
        assertError(() -> ByteLevelBpe.fromGpt2Files(encoder, binary), "binary.bpe", "not UTF-8");
    }

    @Test
    void vocabulariesThatAreNotByteLevelAreRefused() throws IOException {
        Path noBytes = write("words.json", "{\"hello\": 0, \"world\": 1}");
        Path noMerges = write("none.bpe", "#version: 0.2\n");
        assertError(() -> ByteLevelBpe.fromGpt2Files(noBytes, noMerges), "words.json", "byte 0x00", "256 byte tokens");
        ByteLevelBpe tiny = ByteLevelBpeTest.tiny(List.of("a b"), List.of(AddedToken.special(300, "<|endoftext|>")));
        Path good = dir.resolve("good.json");
        tiny.save(good);
        String json = Files.readString(good);
        assertError(() -> ByteLevelBpe.fromTokenizerJson(write("norm.json", json.replace("\"normalizer\" : null",
                "\"normalizer\" : {\"type\": \"NFC\"}"))), "norm.json", "normalizer must be null");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(write("prefix.json", json.replaceFirst("\"add_prefix_space\" : false",
                "\"add_prefix_space\" : true"))), "prefix.json", "pre_tokenizer must be");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(write("wordpiece.json", json.replace("\"type\" : \"BPE\"",
                "\"type\" : \"WordPiece\""))), "wordpiece.json", "only byte-level BPE");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(write("clash.json", json.replace("\"id\" : 300", "\"id\" : 97"))),
                "clash.json", "<|endoftext|>", "already taken by 'a'");
        assertError(() -> ByteLevelBpe.fromTokenizerJson(write("gpt2-files.json", Files.readString(Gpt2Reference.dir().resolve("encoder.json")))),
                "gpt2-files.json", "no \"model\" object", "--vocab");
    }

    /** GPT-2's two files for a tokenizer: encoder.json (token → id) and vocab.bpe (a header, then one merge a line). */
    private static Path writeGpt2Files(ByteLevelBpe bpe, Path into) throws IOException {
        new ObjectMapper().writeValue(into.resolve("encoder.json").toFile(), bpe.vocab());
        StringBuilder merges = new StringBuilder("#version: 0.2\n");
        bpe.merges().forEach(m -> merges.append(m.left()).append(' ').append(m.right()).append('\n'));
        Files.writeString(into.resolve("vocab.bpe"), merges);
        return into;
    }

    private static int id(ByteLevelBpe bpe, String token) {
        return bpe.vocab().get(token);
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    static void assertError(Executable action, String... fragments) {
        UserError e = assertThrows(UserError.class, action);
        for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' not in: " + e.getMessage());
    }
}
