package plaudit.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import plaudit.UserError;
import plaudit.train.ppo.PpoConfig;
import plaudit.train.rloo.RlooConfig;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The options {@code plaudit ppo} makes from PpoConfig's settings: parsed into the config, shown in --help. */
class SettingOptionsTest {
    private static final String[] REQUIRED = {"--sft", "s", "--rm", "r", "--pairs", "p", "--out", "o"};

    static PpoCommand parsePpo(String... options) {
        CommandLine cli = PlauditCli.commandLine();
        String[] args = new String[1 + REQUIRED.length + options.length];
        args[0] = "ppo";
        System.arraycopy(REQUIRED, 0, args, 1, REQUIRED.length);
        System.arraycopy(options, 0, args, 1 + REQUIRED.length, options.length);
        return (PpoCommand) cli.parseArgs(args).subcommand().commandSpec().userObject();
    }

    @Test
    void optionsSetTheirSettingsAndTheRestKeepTheirDefaults() {
        assertEquals(PpoConfig.defaults(), parsePpo().config());
        PpoConfig cfg = parsePpo("--lr", "1e-4", "--mini-batch", "4", "--shared-trunk", "--seed", "9").config();
        assertEquals(1e-4, cfg.lr());
        assertEquals(4, cfg.miniBatchSize());
        assertTrue(cfg.sharedTrunk());
        assertEquals(9L, cfg.seed());
        assertEquals(PpoConfig.defaults().toBuilder().set(PpoConfig.LR, 1e-4).set(PpoConfig.MINI_BATCH_SIZE, 4)
                .set(PpoConfig.SHARED_TRUNK, true).set(PpoConfig.SEED, 9L).build(), cfg);
    }

    @Test
    void adaptiveKlTurnsTheControllerOnWithItsTarget() {
        assertFalse(parsePpo().config().adaptiveKl());
        PpoConfig cfg = parsePpo("--adaptive-kl", "3", "--kl-horizon", "320").config();
        assertTrue(cfg.adaptiveKl());
        assertEquals(3.0, cfg.targetKl());
        assertEquals(320.0, cfg.klHorizon());
    }

    @Test
    void rlooOptionsToo() {
        String[] args = {"rloo", "--sft", "s", "--rm", "r", "--pairs", "p", "--out", "o", "-k", "2", "--prompts", "4", "--mini-batch", "8"};
        RlooCommand rloo = (RlooCommand) PlauditCli.commandLine().parseArgs(args).subcommand().commandSpec().userObject();
        assertEquals(RlooConfig.defaults().toBuilder().set(RlooConfig.K, 2).set(RlooConfig.PROMPTS, 4)
                .set(RlooConfig.MINI_BATCH_SIZE, 8).build(), rloo.config());
        StringWriter help = new StringWriter();
        PlauditCli.commandLine().getSubcommands().get("rloo").usage(new PrintWriter(help));
        assertTrue(help.toString().replaceAll("\\s+", " ").contains("-k=<k> " + RlooConfig.K.doc() + " (default: 4)."), help.toString());
    }

    @Test
    void aBadOptionFailsNamingTheSetting() {
        assertTrue(assertThrows(UserError.class, () -> parsePpo("--mini-batch", "5").config()).getMessage()
                .contains("mini_batch_size = 5 is invalid"));
    }

    @Test
    void helpShowsEachSettingsDocAndDefault() {
        StringWriter help = new StringWriter();
        CommandLine ppo = PlauditCli.commandLine().getSubcommands().get("ppo");
        ppo.usage(new PrintWriter(help));
        String text = help.toString().replaceAll("\\s+", " ");
        assertTrue(text.contains("--lr=<lr> " + PpoConfig.LR.doc() + " (default: 5e-5)."), text);
        assertTrue(text.contains("--mini-batch=<miniBatch> " + PpoConfig.MINI_BATCH_SIZE.doc() + " (default: 8)."), text);
        assertTrue(text.contains("--adaptive-kl=<targetKl> " + PpoConfig.TARGET_KL.doc() + " (default: off)."), text);
        assertTrue(text.contains("--anneal-lr " + PpoConfig.ANNEAL_LR.doc() + "."), text);
    }
}
