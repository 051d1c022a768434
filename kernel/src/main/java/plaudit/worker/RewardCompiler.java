package plaudit.worker;

import plaudit.data.RewardFunction;

import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.UnaryOperator;

/**
 * Turns a reward written as Kotlin source into the reward PPO optimises. The kernel cannot compile Kotlin; the dsl
 * module provides the implementation ({@code META-INF/services/plaudit.worker.RewardCompiler}), which is on the
 * classpath of {@code bin/plaudit worker} and {@code bin/plaudit run}.
 *
 * <p>Compiling a source runs it: a worker accepts sources only from callers holding its token.
 */
public interface RewardCompiler {

    /**
     * @param source a Kotlin lambda from the trained reward model to the reward, e.g.
     *               {@code { rm -> 0.7 * rm + 0.3 * reward("polite") { _, r -> if ("please" in r) 1.0 else 0.0 } }},
     *               with the DSL imported as in a {@code .plaudit.kts} script
     * @throws plaudit.UserError naming the line of a compile error
     */
    UnaryOperator<RewardFunction> compile(String source);

    /** The compiler on the classpath, or null if there is none. */
    static RewardCompiler find() {
        try {
            return ServiceLoader.load(RewardCompiler.class, RewardCompiler.class.getClassLoader()).findFirst().orElse(null);
        } catch (ServiceConfigurationError | LinkageError e) {
            return null; // the dsl jar without the Kotlin compiler beside it (a notebook)
        }
    }
}
