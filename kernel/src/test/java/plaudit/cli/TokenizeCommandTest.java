package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.cli.CliRun.Result;
import plaudit.text.BpeTrainer;
import plaudit.text.ByteLevelBpe;
import plaudit.text.HfReference;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static plaudit.cli.CliRun.withStdin;

/** {@code plaudit tokenize} and {@code plaudit train-tokenizer} through the real command line, with stdin/stdout swapped. */
class TokenizeCommandTest {
    @TempDir
    Path dir;

    private static Result run(String stdin, String... args) {
        return withStdin(stdin.getBytes(StandardCharsets.UTF_8), args);
    }

    private static String[] gpt2(String... more) {
        String property = System.getProperty("plaudit.gpt2.dir");
        Path gpt2 = property == null ? null : Path.of(property);
        if (gpt2 == null || !Files.isRegularFile(gpt2.resolve("encoder.json"))) {
            fail("GPT-2 files not found in " + gpt2 + ": run scripts/gpt2-files.sh");
        }
        List<String> args = new ArrayList<>(List.of("tokenize", "--vocab", gpt2.resolve("encoder.json").toString(),
                "--merges", gpt2.resolve("vocab.bpe").toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    /** A small trained tokenizer.json: quick to load, for the cases that need no GPT-2 ids. */
    private String[] small(String... more) {
        Path json = dir.resolve("small.json");
        if (!Files.isRegularFile(json)) {
            BpeTrainer.train(List.of("the reward model reads the comment thread", "caf\u00e9 \u6771\u4eac"),
                    BpeTrainer.Config.of(280)).save(json);
        }
        List<String> args = new ArrayList<>(List.of("tokenize", "--tokenizer", json.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void encodesStdinExactlyAsGiven() {
        assertOut("[15496, 995]\n", run("Hello world", gpt2()));
        // ids from gpt2-reference.json (gpt-3-encoder): no trimming, "\r\n" and the final newline are tokens too
        assertOut("[1370, 530, 201, 198, 1370, 734, 201, 198]\n", run("line one\r\nline two\r\n", gpt2()));
        assertOut("[9535, 4386, 9029, 220, 220, 220]\n", run("trailing spaces   ", gpt2()));
        assertOut("[]\n", run("", small()));
    }

    @Test
    void decodesToTheExactBytes() {
        assertOut("Hello world", run("[15496, 995]", gpt2("--decode")));
        assertOut("line one\r\nline two\r\n", run("[1370, 530, 201, 198, 1370, 734, 201, 198]\n", gpt2("--decode")));
        assertOut("", run("[]", small("--decode")));
        String text = "Mixed: caf\u00e9 \uD83D\uDC4D\uD83C\uDFFD \u6771\u4eac\t\r\n";
        Result encoded = run(text, small());
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), withStdin(encoded.stdout(), small("--decode")).stdout());
    }

    @Test
    void specialTokensOnlyWithAllowSpecial() {
        assertOut("[64, 50256, 65]\n", run("a<|endoftext|>b", gpt2("--allow-special")));
        assertOut("a<|endoftext|>b", run("[64, 50256, 65]", gpt2("--decode")));
        String eos = "[" + ByteLevelBpe.fromTokenizerJson(Path.of(small()[2])).eosId() + "]\n";
        assertOut(eos, run("<|endoftext|>", small("--allow-special")));
        assertTrue(!run("<|endoftext|>", small()).out().equals(eos));
    }

    @Test
    void readsATokenizerJson() {
        Path json = dir.resolve("gpt2.json");
        ByteLevelBpe.load(Path.of(System.getProperty("plaudit.gpt2.dir"))).save(json);
        assertOut("[15496, 995, 198]\n", run("Hello world\n", "tokenize", "--tokenizer", json.toString()));
    }

    @Test
    void mistakesGetOneClearLine() throws Exception {
        assertUserError(run("x", "tokenize"), "either --tokenizer");
        assertUserError(run("x", "tokenize", "--vocab", "enc.json", "--merges", "v.bpe", "--tokenizer", "t.json"), "not both");
        assertUserError(run("x", "tokenize", "--vocab", "enc.json"), "--merges vocab.bpe is missing");
        assertUserError(run("x", "tokenize", "--tokenizer", dir.resolve("none.json").toString()), "none.json", "no such file");
        Path corrupt = Files.writeString(dir.resolve("corrupt.json"), "{\"model\": {\"vocab\": {\"a\": 1,");
        assertUserError(run("x", "tokenize", "--tokenizer", corrupt.toString()), "corrupt.json", "not valid JSON");
        assertUserError(run("[15496, 50257]", gpt2("--decode")), "element 1", "50257", "0 to 50256");
        assertUserError(run("[1.5]", small("--decode")), "element 0");
        assertUserError(run("15496 995", small("--decode")), "JSON array");
        assertUserError(run("[15496,", small("--decode")), "not JSON");
        assertUserError(withStdin(new byte[] {'a', (byte) 0xC3}, small()), "not valid UTF-8");
    }

    @Test
    void trainsATokenizerThatTokenizeCanUse() throws Exception {
        StringBuilder corpus = new StringBuilder();
        for (int i = 0; i < 400; i++) corpus.append("the reward model reads comment ").append(i % 37).append(" and votes.\n");
        Path text = Files.writeString(dir.resolve("corpus.txt"), corpus);
        Path out = dir.resolve("out/tokenizer.json");
        Result trained = run("", "train-tokenizer", "--corpus", text.toString(), "--vocab-size", "300", "--out", out.toString());
        assertEquals(0, trained.status(), trained.err());
        assertTrue(trained.out().contains("300 tokens"), trained.out());
        assertTrue(trained.err().contains("merges"), "progress bar on stderr: " + trained.err());

        Result ids = run("the reward model\n", "tokenize", "--tokenizer", out.toString());
        assertEquals(0, ids.status(), ids.err());
        assertTrue(ids.out().split(",").length < 6, "learned words are single tokens: " + ids.out());
        assertOut("the reward model\n", withStdin(ids.stdout(), "tokenize", "--tokenizer", out.toString(), "--decode"));

        assertUserError(run("", "train-tokenizer", "--corpus", dir.resolve("no.txt").toString(), "--vocab-size", "300",
                "--out", out.toString()), "no.txt", "no such file");
        assertUserError(run("", "train-tokenizer", "--corpus", text.toString(), "--vocab-size", "10", "--out", out.toString()),
                "vocab size 10");
    }

    /**
     * A few strings per tokenizer through the command line (each run loads the tokenizer anew);
     * HfTokenizerTest checks every string of hf-strings.json: CRLF, emoji with ZWJ, CJK, special-token look-alikes.
     */
    @Test
    void huggingFaceTokenizersPrintTheReferenceIds() {
        Map<String, List<String>> samples = Map.of(
                "llama3", List.of("line one\r\nline two\r\n", "<|begin_of_text|>Hi<|eot_id|>"),
                "qwen3", List.of("family: \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67\u200D\uD83D\uDC66 thumbs: "
                        + "\uD83D\uDC4D\uD83C\uDFFD flag: \uD83C\uDDEF\uD83C\uDDF5", "<|im_start|>user\nHello<|im_end|>"),
                "llama2", List.of("<s>[INST] Hi [/INST]</s>"));
        for (String name : HfReference.NAMES) {
            String file = HfReference.tokenizerJson(name).toString();
            for (HfReference.Case c : HfReference.cases(name)) {
                if (!samples.get(name).contains(c.text())) continue;
                Result plain = run(c.text(), "tokenize", "--tokenizer", file);
                assertOut(json(c.specialAsText()), plain);
                if (c.text().startsWith("<")) {
                    assertOut(json(c.allowSpecial()), run(c.text(), "tokenize", "--tokenizer", file, "--allow-special"));
                    assertTrue(!Arrays.equals(c.allowSpecial(), c.specialAsText()), "special tokens matched only when allowed");
                }
                if (name.equals("llama3")) {
                    assertOut(c.text(), withStdin(plain.stdout(), "tokenize", "--tokenizer", file, "--decode"));
                }
            }
        }
    }

    @Test
    void huggingFaceTokenizerMistakesGetOneClearLine() throws Exception {
        String llama3 = HfReference.tokenizerJson("llama3").toString();
        assertOut("[9906, 11, 856, 5679, 374, 19369]\n", run("Hello, my dog is cute", "tokenize", "--tokenizer", llama3));
        assertOut("<|eot_id|>", run("[128009]", "tokenize", "--tokenizer", llama3, "--decode"));
        assertUserError(run("[128256]", "tokenize", "--tokenizer", llama3, "--decode"), "element 0", "128256", "0 to 128255");
        Path unknown = Files.writeString(dir.resolve("unknown.json"), "{\"model\": {\"type\": \"NoSuchModel\"}}");
        assertUserError(run("x", "tokenize", "--tokenizer", unknown.toString()), "unknown.json", "cannot load it");
        Path noModel = Files.writeString(dir.resolve("no-model.json"), "{\"version\": \"1.0\"}");
        assertUserError(run("x", "tokenize", "--tokenizer", noModel.toString()), "no-model.json", "no \"model\" object");
    }

    private static String json(int[] ids) {
        return Arrays.toString(ids) + "\n";
    }

    private static void assertOut(String expected, Result result) {
        assertEquals(0, result.status(), result.err());
        assertEquals(expected, result.out());
    }

    private static void assertUserError(Result result, String... fragments) {
        assertEquals(2, result.status(), result.err());
        assertEquals(1, result.err().strip().lines().count(), "one line, no stack trace: " + result.err());
        for (String f : fragments) assertTrue(result.err().contains(f), "'" + f + "' not in: " + result.err());
    }
}
