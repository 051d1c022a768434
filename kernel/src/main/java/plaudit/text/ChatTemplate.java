package plaudit.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.objects.collections.PyMap;
import plaudit.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's chat template: {@code tokenizer_config.json}'s {@code chat_template} (Jinja) rendered on the JVM as
 * {@code transformers} renders it with Python's Jinja ({@link PythonJinja}: Jinjava with Python's grammar, string
 * methods and whitespace rules where chat templates need them), with the config's {@code bos_token},
 * {@code eos_token}, {@code pad_token} and {@code unk_token}. Llama 3's and Qwen 3's render exactly; what is not
 * supported (a Python method or filter not here, a tag such as {@code {% generation %}}) is refused in one line
 * naming the file and the construct. The result is text: encode it with special tokens allowed and no BOS added, as
 * transformers does (a template that wants a BOS writes it).
 *
 * <p>Still not Python, and not refused: a boolean or None printed ({@code {{ flag }}}) is Jinjava's "true" or "",
 * not "True" or "None"; {@code tojson} writes no spaces after ',' and ':'; {@code x is none} holds for an undefined
 * x; a variable set inside a for loop keeps its value into the next iteration, where Jinja starts each iteration
 * from the outer value. Chat templates test booleans rather than print them, use tojson only for tools (Plaudit
 * passes none), and set what they use in an iteration before using it (or use namespace()).
 */
public final class ChatTemplate {
    /** One turn of a conversation: {@code role} is "system", "user" or "assistant". */
    public record Message(String role, String content) {
    }

    static final String CONFIG = "tokenizer_config.json";
    /** Where transformers (since 4.43) saves a template: beside the config, taking the place of its chat_template. */
    static final String JINJA_FILE = "chat_template.jinja";
    private static final PythonJinja JINJA = new PythonJinja();

    private final String source;
    private final String template;
    private final Map<String, Object> tokens;

    private ChatTemplate(String source, String template, Map<String, Object> tokens) {
        this.source = source;
        // Jinja drops one newline at the end of a template's source (keep_trailing_newline=False); Jinjava would keep it
        this.template = template.endsWith("\n") ? template.substring(0, template.length() - (template.endsWith("\r\n") ? 2 : 1)) : template;
        this.tokens = tokens;
    }

    /** The template of a {@code tokenizer_config.json}; refused in one line when it has none. */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson) {
        return read(tokenizerConfigJson).orElseThrow(() -> new UserError(tokenizerConfigJson + ": no chat_template (a Jinja "
                + "string); this tokenizer has no chat format, so prompts go to the model as plain text"));
    }

    /**
     * The template of a {@code tokenizer_config.json}; empty when it has none. A missing or damaged file, or a
     * chat_template that is not Jinja text, is refused in one line naming the file.
     */
    public static Optional<ChatTemplate> read(Path tokenizerConfigJson) {
        JsonNode config = BpeFiles.readJson(tokenizerConfigJson);
        JsonNode template = config.path("chat_template");
        if (template.isMissingNode() || template.isNull()) return Optional.empty();
        // a list of named templates: the one named "default"
        if (template.isArray()) {
            JsonNode named = template;
            template = null;
            for (JsonNode t : named) if (t.path("name").asText().equals("default")) template = t.path("template");
        }
        if (template == null || !template.isTextual()) {
            throw new UserError(tokenizerConfigJson + ": chat_template is neither Jinja text nor a list with one named "
                    + "\"default\"; fix or remove it");
        }
        return Optional.of(new ChatTemplate(tokenizerConfigJson.toString(), template.asText(), tokens(config)));
    }

    /**
     * The template of a Hugging Face model folder: {@code chat_template.jinja} when there is one (as transformers
     * reads it), else {@code tokenizer_config.json}'s; empty when neither has one, as for a model trained without a
     * chat format.
     */
    public static Optional<ChatTemplate> inFolder(Path dir) {
        Path config = dir.resolve(CONFIG), jinja = dir.resolve(JINJA_FILE);
        if (!Files.isRegularFile(jinja)) return Files.exists(config) ? read(config) : Optional.empty();
        Map<String, Object> tokens = Files.exists(config) ? tokens(BpeFiles.readJson(config)) : Map.of();
        try {
            return Optional.of(new ChatTemplate(jinja.toString(), Files.readString(jinja), tokens));
        } catch (IOException e) {
            throw new UserError(jinja + ": cannot read it (" + e.getMessage() + "); check the file", e);
        }
    }

    private static Map<String, Object> tokens(JsonNode config) {
        Map<String, Object> tokens = new HashMap<>();
        for (String name : List.of("bos_token", "eos_token", "pad_token", "unk_token")) {
            JsonNode token = config.path(name);
            // a token is its text, or an object with the text in "content"
            String text = token.isTextual() ? token.asText() : token.path("content").isTextual() ? token.path("content").asText() : null;
            if (text != null) tokens.put(name, text);
        }
        return Map.copyOf(tokens);
    }

    /** The file the template came from. */
    public String source() {
        return source;
    }

    /** A special token the config names ({@code "eos_token"}), as text. */
    Optional<String> token(String name) {
        return Optional.ofNullable((String) tokens.get(name));
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
