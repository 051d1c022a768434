package plaudit.worker;

import plaudit.UserError;
import plaudit.data.RewardFunction;

import java.util.function.UnaryOperator;

/**
 * A reward given as Kotlin source (see {@link RewardCompiler#compile}) rather than as a lambda: the form that can be
 * sent to a remote worker. Run locally, it is compiled on first use.
 */
public final class RewardSource implements UnaryOperator<RewardFunction> {
    private final String source;
    private UnaryOperator<RewardFunction> compiled;

    public RewardSource(String source) {
        if (source == null || source.isBlank()) throw new UserError("a reward source is empty");
        this.source = source;
    }

    public String source() {
        return source;
    }

    /** Compiles now (once), failing with a {@link UserError} on a compile error or when no compiler is present. */
    public synchronized UnaryOperator<RewardFunction> compiled() {
        if (compiled == null) {
            RewardCompiler c = RewardCompiler.find();
            if (c == null) {
                throw new UserError("a reward given as source needs the Kotlin compiler of the dsl module on the "
                        + "classpath (bin/plaudit worker and bin/plaudit run have it); none was found");
            }
            compiled = c.compile(source);
        }
        return compiled;
    }

    @Override
    public RewardFunction apply(RewardFunction rm) {
        return compiled().apply(rm);
    }
}
