package plaudit.text;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import plaudit.UserError;
import plaudit.text.ChatTemplate.Message;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Chat templates rendered by Jinjava, against what Hugging Face's Jinja renders for the same conversation. */
class ChatTemplateTest {
    @TempDir
    Path dir;

    /*
     * Expected strings are read off each template's text (quoted in the comments); Python's Jinja 3.1.6, set up as
     * transformers sets it up (ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks), renders the same.
     */

    /**
     * Llama 3: every message is '<|start_header_id|>' + role + '<|end_header_id|>\n\n' + content | trim + '<|eot_id|>',
     * the first with bos_token before it; then '<|start_header_id|>assistant<|end_header_id|>\n\n' always (this
     * template ignores add_generation_prompt).
     */
    @Test
    void llama3RendersAsHuggingFaceDoes() {
        ChatTemplate llama3 = ChatTemplate.fromTokenizerConfig(HfReference.dir("llama3").resolve("tokenizer_config.json"));
        String bos = "<|begin_of_text|>", user = "<|start_header_id|>user<|end_header_id|>\n\n",
                assistant = "<|start_header_id|>assistant<|end_header_id|>\n\n", eot = "<|eot_id|>";
        assertEquals(bos + "<|start_header_id|>system<|end_header_id|>\n\nYou are helpful." + eot + user + "Why is the sky blue?" + eot
                + assistant, llama3.render(List.of(new Message("system", "You are helpful."), new Message("user", "Why is the sky blue?")), true));
        assertEquals(bos + user + "Hi" + eot + assistant, llama3.render(List.of(new Message("user", "Hi")), true));
        assertEquals(bos + user + "Hi" + eot + assistant + "X" + eot + assistant,
                llama3.render(List.of(new Message("user", "Hi"), new Message("assistant", "X")), false));
        // "| trim" is Python's str.strip(): U+00A0 is whitespace to it
        assertEquals(bos + user + "Hi" + eot + assistant, llama3.render(List.of(new Message("user", " Hi\u00a0\n")), false));
    }

    /**
     * Qwen 3: a first system message is '<|im_start|>system\n' + content + '<|im_end|>\n'; a user message
     * '<|im_start|>user\n' + content + '<|im_end|>\n'; an assistant message after the last user query, and last,
     * '<|im_start|>assistant\n<think>\n' + reasoning_content.strip('\n') + '\n</think>\n\n' + content.lstrip('\n')
     * + '<|im_end|>\n' with reasoning_content '' when the content has no '</think>'; add_generation_prompt adds
     * '<|im_start|>assistant\n', and '<think>\n\n</think>\n\n' after it when enable_thinking is false.
     */
    @Test
    void qwen3RendersAsHuggingFaceDoes() {
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(HfReference.dir("qwen3").resolve("tokenizer_config.json"));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n", qwen3.render(List.of(new Message("user", "Hi")), true));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\nX<|im_end|>\n",
                qwen3.render(List.of(new Message("user", "Hi"), new Message("assistant", "X")), false));
        assertEquals("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
                qwen3.render(List.of(new Message("system", "S"), new Message("user", "Hi")), false));
        assertEquals("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n",
                qwen3.render(List.of(new Message("user", "Hi")), true, Map.of("enable_thinking", false)));
    }

    /**
     * The Python in Qwen 3's template at work: messages[::-1] and namespace() find the last user query (index 2), so
     * the earlier assistant turn loses its reasoning (content.split('</think>')[-1].lstrip('\n')) and the last keeps
     * it, stripped of the newlines around it (.split('</think>')[0].rstrip('\n').split('<think>')[-1].lstrip('\n')).
     */
    @Test
    void qwen3DropsReasoningBeforeTheLastQuery() {
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(HfReference.dir("qwen3").resolve("tokenizer_config.json"));
        String rendered = qwen3.render(List.of(new Message("user", "A"), new Message("assistant", "<think>r</think>\n\nB"),
                new Message("user", "C"), new Message("assistant", "<think>\n\nmull\n</think>\n\n\nD")), false);
        assertEquals("<|im_start|>user\nA<|im_end|>\n<|im_start|>assistant\nB<|im_end|>\n<|im_start|>user\nC<|im_end|>\n"
                + "<|im_start|>assistant\n<think>\nmull\n</think>\n\nD<|im_end|>\n", rendered);
    }

    /**
     * Every case of chat-cases.json (whitespace, reasoning, tool turns, CJK and emoji, text that looks like tokens or
     * Jinja) renders as Python's Jinja renders it in transformers' set-up: chat-reference.json, written by
     * chat-reference.py beside it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3"})
    void everyCaseRendersAsPythonsJinjaDoes(String name) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Path config = HfReference.dir(name).resolve("tokenizer_config.json");
        JsonNode cases = resource(json, "chat-cases.json"), reference = resource(json, "chat-reference.json").path("templates").path(name);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(json.readTree(config.toFile()).path("chat_template").asText().getBytes(StandardCharsets.UTF_8)));
        assertEquals(reference.path("sha256").asText(), sha256, config + "'s chat_template is not the one chat-reference.json "
                + "was rendered from: run kernel/src/test/resources/text/chat-reference.py");
        assertEquals(cases.size(), reference.path("renderings").size(), "chat-cases.json changed: run chat-reference.py");
        ChatTemplate template = ChatTemplate.fromTokenizerConfig(config);
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            JsonNode c = cases.get(i);
            List<Message> messages = new ArrayList<>();
            for (JsonNode m : c.path("messages")) messages.add(new Message(m.path("role").asText(), m.path("content").asText()));
            Map<String, Object> variables = json.convertValue(c.path("variables"), new TypeReference<Map<String, Object>>() { });
            String ours = template.render(messages, c.path("add_generation_prompt").asBoolean(), variables == null ? Map.of() : variables);
            String expected = reference.path("renderings").get(i).asText();
            if (!ours.equals(expected)) mismatches.add("case " + i + ": Jinja " + json.writeValueAsString(expected) + ", ours " + json.writeValueAsString(ours));
        }
        assertEquals(List.of(), mismatches);
    }

    private static JsonNode resource(ObjectMapper json, String name) throws Exception {
        try (InputStream in = ChatTemplateTest.class.getResourceAsStream("/text/" + name)) {
            if (in == null) throw new IllegalStateException("test resource text/" + name + " is missing");
            return json.readTree(in);
        }
    }

    /** Expected values: Python's semantics (slice.indices, str.split, str.strip), worked out by hand. */
    @Test
    void pythonExpressionsAsInJinja() throws Exception {
        assertEquals("3,2,1|cba|2,4|5,4|", render("{% for x in [1,2,3][::-1] %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}|"
                + "{{ 'abc'[::-1] }}|{{ [1,2,3,4,5][1::2] | join(',') }}|{{ [1,2,3,4,5][:2:-1] | join(',') }}|{{ [1][5::-1][1:] | join(',') }}"));
        // a keyword argument's value is the whole expression: (1 + 2) * 2, not (x=1) + 2
        assertEquals("6a", render("{% set ns = namespace(x=1 + 2, y='a') %}{% set ns.x = ns.x * 2 %}{{ ns.x }}{{ ns.y }}"));
        assertEquals("a|b|c;a|b||c;a|b,c;b;xy;True", render("{{ ' a b\t c '.split() | join('|') }};{{ 'a,b,,c'.split(',') | join('|') }};"
                + "{{ 'a,b,c'.split(',', 1) | join('|') }};{{ 'abc'.strip('ac') }};{{ '\n xy\u00a0'.strip() }};"
                + "{{ 'True' if 'x.y'.startswith(('a', 'x')) and 'x.y'.endswith('y') else 'False' }}"));
        // a str indexed by code point, negative from the end
        assertEquals("a|c|\ud83d\ude00", render("{{ 'abc'[0] }}|{{ 'abc'[-1] }}|{{ 'a\ud83d\ude00b'[1] }}"));
    }

    /** Text in a message is data: Jinja prints it as it is, never as a template (Jinjava rendered it by default). */
    @Test
    void jinjaInAMessageIsPrintedAsItIs() throws Exception {
        Path config = Files.writeString(dir.resolve("t.json"), "{\"chat_template\": \"{% for m in messages %}[{{ m.content }}]{% endfor %}\"}");
        String text = "{{ 7 * 6 }} {% raw %} {% if true %}x";
        assertEquals("[" + text + "]", ChatTemplate.fromTokenizerConfig(config).render(List.of(new Message("user", text)), false));
    }

    @Test
    void pythonThatIsNotSupportedIsRefusedByName() throws Exception {
        for (String[] c : new String[][] {{"{{ 'a'.format(1) }}", "the string method .format() is not supported"},
                {"{{ 'a'.toUpperCase() }}", "the string method .toUpperCase() is not supported"},
                {"{{ 'a' | nosuchfilter }}", "no filter named 'nosuchfilter'"},
                {"{% if 1 is nosuchtest %}x{% endif %}", "no test named 'nosuchtest'"},
                {"{% generation %}x{% endgeneration %}", "Unknown tag: generation"},
                {"{{ [1][::0] }}", "slice step cannot be zero"},
                {"{{ 'abc'[3] }}", "string index 3 out of range"},
                {"{{ '%s' % 'a' }}", "Cannot coerce"}}) {
            Path config = Files.writeString(dir.resolve("t.json"), "{\"chat_template\": " + jsonString(c[0]) + "}");
            UserError e = assertThrows(UserError.class, () -> ChatTemplate.fromTokenizerConfig(config).render(List.of(), false), c[0]);
            assertTrue(e.getMessage().startsWith(config + ": the chat_template cannot be rendered (") && e.getMessage().contains(c[1]),
                    e.getMessage());
            assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        }
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

    private static String jsonString(String s) throws Exception {
        return new ObjectMapper().writeValueAsString(s);
    }
}
