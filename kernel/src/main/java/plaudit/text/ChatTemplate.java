package plaudit.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.objects.collections.PyMap;
import plaudit.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's chat template: {@code tokenizer_config.json}'s {@code chat_template} (Jinja) rendered on the JVM with
 * HubSpot's Jinjava, configured as {@code transformers} configures Jinja ({@code trim_blocks}, {@code lstrip_blocks},
 * no trailing newline kept, a {@code raise_exception} function), with the config's {@code bos_token} and
 * {@code eos_token}. Jinjava's legacy overrides bring it closer to Python's Jinja: filters bind before {@code +},
 * {@code {{- }}} trims around expressions, backslash escapes in string literals, dict literal keys evaluated. The
 * result is text: encode it with special tokens allowed.
 *
 * <p>Not Python: Jinjava has no Python string methods ({@code startswith}, {@code split}, {@code lstrip}), no slice
 * steps ({@code messages[::-1]}) and no {@code namespace(key=expression)}, so templates that use them (Qwen 3's) are
 * refused in one line when rendered, never rendered differently; Llama 3's renders exactly.
 */
public final class ChatTemplate {
    /** One turn of a conversation: {@code role} is "system", "user" or "assistant". */
    public record Message(String role, String content) {
    }

    private static final PythonJinja JINJA = new PythonJinja();

    private final String source;
    private final String template;
    private final Map<String, Object> tokens;

    private ChatTemplate(String source, String template, Map<String, Object> tokens) {
        this.source = source;
        this.template = template;
        this.tokens = tokens;
    }

    /** The template of a {@code tokenizer_config.json}; refused in one line when it has none. */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson) {
        JsonNode config = BpeFiles.readJson(tokenizerConfigJson);
        JsonNode template = config.path("chat_template");
        // a list of named templates: the one named "default"
        if (template.isArray()) {
            for (JsonNode named : template) if (named.path("name").asText().equals("default")) template = named.path("template");
        }
        if (!template.isTextual()) {
            throw new UserError(tokenizerConfigJson + ": no chat_template (a Jinja string); this tokenizer has no chat "
                    + "format, so prompts go to the model as plain text");
        }
        Map<String, Object> tokens = new HashMap<>();
        for (String name : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            JsonNode token = config.path(name);
            // a token is its text, or an object with the text in "content"
            String text = token.isTextual() ? token.asText() : token.path("content").isTextual() ? token.path("content").asText() : null;
            if (text != null) tokens.put(name, text);
        }
        // Jinja drops one newline at the end of a template's source (keep_trailing_newline=False); Jinjava would keep it
        String source = template.asText();
        if (source.endsWith("\n")) source = source.substring(0, source.length() - (source.endsWith("\r\n") ? 2 : 1));
        return new ChatTemplate(tokenizerConfigJson.toString(), source, Map.copyOf(tokens));
    }

    /**
     * The conversation as the model was trained to see it; with {@code addGenerationPrompt}, followed by the start of
     * the assistant's turn.
     */
    public String render(List<Message> messages, boolean addGenerationPrompt) {
        return render(messages, addGenerationPrompt, Map.of());
    }

    /**
     * As {@link #render(List, boolean)}, with more variables for the template, as {@code apply_chat_template}'s
     * keyword arguments ({@code enable_thinking=False} for Qwen 3).
     */
    public String render(List<Message> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        List<Object> turns = new ArrayList<>();
        for (Message m : messages) turns.add(pyDict(m));
        Map<String, Object> context = new HashMap<>(tokens);
        context.putAll(variables);
        context.put("messages", turns);
        context.put("add_generation_prompt", addGenerationPrompt);
        RenderResult result = JINJA.renderForResult(template, context);
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                Throwable cause = e.getException();
                while (cause != null && cause.getCause() != null) cause = cause.getCause();
                String why = cause instanceof PythonJinja.Refusal ? cause.getMessage() : e.getMessage();
                throw new UserError(source + ": the chat_template cannot be rendered (" + why.replaceAll("\\s+", " ").strip()
                        + (e.getLineno() > 0 ? ", template line " + e.getLineno() : "") + ")");
            }
        }
        return result.getOutput();
    }

    /** A message as transformers passes it: a Python dict (.get, .items work) with "role" then "content". */
    private static PyMap pyDict(Message m) {
        Map<String, Object> dict = new LinkedHashMap<>();
        dict.put("role", m.role());
        dict.put("content", m.content());
        return new PyMap(dict);
    }
}
