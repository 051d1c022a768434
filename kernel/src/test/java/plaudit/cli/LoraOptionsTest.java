package plaudit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import plaudit.Setting;
import plaudit.UserError;
import plaudit.model.CausalLm;
import plaudit.model.GptConfig;
import plaudit.model.LoraAdapters;
import plaudit.model.LoraLm;
import plaudit.model.LoraSettings;
import plaudit.model.TinyModels;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The --lora-* options a training command mixes in: parsed into LoraSettings, shown in --help, wrapping a base. */
class LoraOptionsTest {
    @Command(name = "train")
    static final class Train {
        @Mixin
        LoraOptions lora;
    }

    private static LoraOptions parse(String... args) {
        Train t = new Train();
        new CommandLine(t).parseArgs(args);
        return t.lora;
    }

    @Test
    void optionsSetTheSettings() {
        assertEquals(LoraSettings.defaults(), parse().settings());
        assertEquals(new LoraSettings(8, 32, 0.1, "q_proj,v_proj"),
                parse("--lora-rank", "8", "--lora-alpha", "32", "--lora-dropout", "0.1", "--lora-targets", "q_proj,v_proj")
                        .settings());
        assertEquals(new LoraSettings(4, 16, 0.05, "all-linear"), parse("--lora-rank=4").settings());
        StringWriter help = new StringWriter();
        new CommandLine(new Train()).usage(new PrintWriter(help));
        String text = help.toString().replaceAll("\\s+", " ");
        for (String option : List.of("--lora-rank=<loraRank>", "--lora-alpha=<loraAlpha>", "--lora-dropout=<loraDropout>",
                "--lora-targets=<loraTargets>")) {
            assertTrue(text.contains(option), text);
        }
        assertTrue(text.contains("(default: all-linear)"), text);
    }

    /** Every command that trains a model offers LoRA, with the settings' defaults in its --help. */
    @Test
    void trainingCommandsListTheLoraOptionsWithTheirDefaults() {
        for (String command : List.of("sft", "train-rm", "dpo", "ppo", "rloo")) {
            CliRun.Result r = CliRun.run(command, "--help");
            assertEquals(0, r.status(), command);
            String text = r.out().replaceAll("\\s+", " ");
            for (Setting<?> s : LoraSettings.SETTINGS.list()) {
                // the option's entry in the list below the synopsis (which has it in brackets), up to the next one
                int at = text.indexOf(" " + s.option() + "=<");
                assertTrue(at >= 0, command + " --help lacks " + s.option() + ": " + text);
                int next = text.indexOf(" --", at + 1);
                String entry = text.substring(at, next < 0 ? text.length() : next);
                assertTrue(entry.contains("(default: " + Setting.text(s.defaultValue()) + ")"), command + ": " + entry);
            }
        }
    }

    /** A LoRA run writes OUT/adapter over the folder it started from; a run without LoRA leaves none behind. */
    @Test
    void aLoraRunWritesItsAdapterFolderAndAFullRunRemovesAnOldOne(@TempDir Path out) throws IOException {
        Path init = Path.of("some", "init");
        try (CausalLm base = TinyModels.lively(new GptConfig(1, 2, 8, 8, 11, 0), 1);
             CausalLm view = parse("--lora-rank", "2", "--lora-targets", "c_attn").wrap(base, 1)) {
            LoraOptions.writeAdapter(view, out, init);
            assertTrue(Files.readString(out.resolve("adapter").resolve(LoraAdapters.CONFIG))
                    .contains(init.toAbsolutePath().normalize().toString()));
            assertTrue(Files.isRegularFile(out.resolve("adapter").resolve(LoraAdapters.WEIGHTS)));
            LoraOptions.writeAdapter(base, out, init);
            assertFalse(Files.exists(out.resolve("adapter")), "an adapter beside a checkpoint it does not describe");
        }
    }

    @Test
    void wrapsTheBaseOnlyWhenARankIsGiven() {
        try (CausalLm base = TinyModels.lively(new GptConfig(1, 2, 8, 8, 11, 0), 1)) {
            assertSame(base, parse().wrap(base, 1));
            try (CausalLm view = parse("--lora-rank", "2", "--lora-targets", "c_attn,c_proj").wrap(base, 1)) {
                assertTrue(view instanceof LoraLm);
                assertSame(base, view.base());
                assertEquals(3 * 2, view.parameters().size()); // c_attn, attn.c_proj and mlp.c_proj, A and B each
            }
            UserError e = assertThrows(UserError.class,
                    () -> parse("--lora-rank", "2", "--lora-targets", "q_proj").wrap(base, 1));
            assertTrue(e.getMessage().contains("'q_proj'") && e.getMessage().contains("gpt2"), e.getMessage());
        }
    }
}
