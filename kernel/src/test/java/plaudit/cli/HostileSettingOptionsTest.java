package plaudit.cli;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code plaudit ppo --lr 1e400} (or {@code Infinity}) and {@code --missing-eos-penalty NaN} once started a run: the
 * options parse to ∞ and NaN, which passed every setting's check. They are refused, naming the setting, before any
 * file is read or model loaded.
 */
@Tag("adversarial")
class HostileSettingOptionsTest {
    @ParameterizedTest
    @CsvSource({"ppo, --lr, 1e400, lr = Infinity", "ppo, --lr, Infinity, lr = Infinity",
            "ppo, --missing-eos-penalty, NaN, missing_eos_penalty = NaN",
            "rloo, --kl-coef, -Infinity, kl_coef = -Infinity"})
    void aNonFiniteNumberIsRefusedNamingTheSetting(String command, String option, String value, String named) {
        CliRun.Result r = CliRun.run(command, option, value, "--pairs", "no-pairs", "--sft", "no-sft", "--rm", "no-rm",
                "--out", "no-out");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains(named + " is invalid; expected a finite number"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }
}
