package plaudit.text;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import plaudit.UserError;
import plaudit.text.ChatTemplate.Message;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat templates rendered by Jinjava, against what Hugging Face's Jinja renders for the same conversation. */
class ChatTemplateTest {
    @TempDir
    Path dir;

    @Test
    void llama3RendersAsHuggingFaceDoes() {
        ChatTemplate llama3 = ChatTemplate.fromTokenizerConfig(HfReference.dir("llama3").resolve("tokenizer_config.json"));
        String rendered = llama3.render(List.of(new Message("system", "You are helpful."),
                new Message("user", "Why is the sky blue?")), true);
        // the reference of @lenml/tokenizers' apply_chat_template (docs: notes on Hugging Face models)
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhy is the sky blue?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", rendered);
    }

    /**
     * Qwen 3's template uses Python that Jinjava lacks (namespace(key=expression), string methods such as
     * message.content.startswith, messages[::-1]): refused in one line naming the file, never rendered wrongly.
     */
    @Test
    void qwen3IsRefusedInOneLine() {
        Path config = HfReference.dir("qwen3").resolve("tokenizer_config.json");
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(config);
        UserError e = assertThrows(UserError.class, () -> qwen3.render(List.of(new Message("user", "Why is the sky blue?")), true));
        assertTrue(e.getMessage().startsWith(config + ": the chat_template cannot be rendered ("), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    /** Expected values: what Python's Jinja 3.1.6 renders with trim_blocks and lstrip_blocks. */
    @Test
    void whitespaceAndLiteralsAsInJinja() throws Exception {
        assertEquals("a\nx\nb", render("a\n{{ 'x' }}\nb"));
        assertEquals("ax\nb", render("a\n{{- 'x' }}\nb"));
        assertEquals("  x\n", render("{% if true %}\n  x\n{% endif %}\n"));
        assertEquals("p1 2", render("{{ 'p' ~ 1 }} {{ {'k': 2}['k'] }}\n"));
        assertEquals("a\nb", render("{{ 'a\\nb' }}"));
    }

    private String render(String template) throws Exception {
        Path config = Files.writeString(dir.resolve("t.json"), "{\"chat_template\": " + jsonString(template) + "}");
        return ChatTemplate.fromTokenizerConfig(config).render(List.of(), false);
    }

    @Test
    void blocksAreTrimmedAndFiltersBindBeforePlusAsInJinja() throws Exception {
        // trim_blocks drops the newline after a tag, lstrip_blocks the indent before it; "| trim" applies to the content only
        String template = "{% for m in messages %}\n  {% if m.role == 'user' %}\n[{{ '<' + m['content'] | trim + '>' }}]\n  {% endif %}\n{% endfor %}"
                + "{% if add_generation_prompt %}{{ bos_token }}{% endif %}";
        Path config = Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<s>\"}, \"chat_template\": " + jsonString(template) + "}");
        ChatTemplate t = ChatTemplate.fromTokenizerConfig(config);
        assertEquals("[<hi>]\n", t.render(List.of(new Message("user", "  hi "), new Message("assistant", "x")), false));
        assertEquals("[<hi>]\n<s>", t.render(List.of(new Message("user", "hi")), true));
    }

    @Test
    void aConfigWithoutATemplateOrABadTemplateIsOneLine() throws Exception {
        Path none = Files.writeString(dir.resolve("none.json"), "{\"bos_token\": \"<s>\"}");
        UserError e = assertThrows(UserError.class, () -> ChatTemplate.fromTokenizerConfig(none));
        assertTrue(e.getMessage().startsWith(none + ": no chat_template"), e.getMessage());
        Path raising = Files.writeString(dir.resolve("raising.json"),
                "{\"chat_template\": \"{{ raise_exception('Conversation roles must alternate') }}\"}");
        UserError raised = assertThrows(UserError.class, () -> ChatTemplate.fromTokenizerConfig(raising).render(List.of(), true));
        assertTrue(raised.getMessage().contains("Conversation roles must alternate"), raised.getMessage());
        assertEquals(1, raised.getMessage().lines().count());
    }

    private static String jsonString(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
