package plaudit.text;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.el.JinjavaInterpreterResolver;
import com.hubspot.jinjava.el.TruthyTypeConverter;
import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import jinjava.de.odysseus.el.ExpressionFactoryImpl;
import jinjava.de.odysseus.el.tree.TreeStore;
import jinjava.de.odysseus.el.tree.impl.Cache;
import jinjava.javax.el.CompositeELResolver;
import jinjava.javax.el.ExpressionFactory;

import java.util.Objects;

/**
 * HubSpot's Jinjava brought as close to Python's Jinja as chat templates need, configured as {@code transformers}
 * configures Jinja for them: {@code trim_blocks}, {@code lstrip_blocks}, a {@code raise_exception} function, and
 * Python's {@code trim} filter.
 * Through Jinjava's extension points, never by rewriting template text:
 * <ul>
 *   <li>legacy overrides: filters bind before {@code +}, {@code {{- }}} trims around expressions, backslash escapes
 *   in string literals, dict literal keys evaluated;</li>
 *   <li>{@link PythonParser}: keyword arguments take a whole expression ({@code namespace(i=messages|length - 1)}),
 *   slices with a step ({@code messages[::-1]}); Jinjava's own {@code namespace()} and {@code set ns.key} do the
 *   rest;</li>
 *   <li>{@link PythonStrMethods}: Python's string methods ({@code startswith}, {@code split}, {@code lstrip}, …).</li>
 * </ul>
 */
public final class PythonJinja extends Jinjava {
    /** A template's refusal to render ({@code raise_exception(...)}, or Python that is not supported here). */
    static final class Refusal extends RuntimeException {
        Refusal(String message) {
            super(message);
        }
    }

    private final ExpressionFactory expressions;

    PythonJinja() {
        super(config());
        // as Jinjava makes its own factory, with this parser
        expressions = new ExpressionFactoryImpl(new TreeStore(new PythonParser.Syntax(), new Cache(1000)), new TruthyTypeConverter());
        registerFunction(new ELFunctionDefinition("", "raise_exception", PythonJinja.class, "raiseException", String.class));
        registerFilter(new Trim());
    }

    /**
     * Jinja's {@code trim} is Python's {@code str.strip(chars)}: Jinjava's strips only ASCII controls and spaces, not
     * U+00A0 or the other spaces Python strips, which changes Llama 3's rendering of such text.
     */
    private static final class Trim implements Filter {
        @Override
        public String getName() {
            return "trim";
        }

        @Override
        public Object filter(Object value, JinjavaInterpreter interpreter, String... args) {
            String chars = args.length > 0 ? args[0] : null;
            return PythonStrMethods.strip(Objects.toString(value, ""), chars, true, true);
        }
    }

    private static JinjavaConfig config() {
        CompositeELResolver resolver = new CompositeELResolver();
        resolver.add(new PythonStrMethods());
        resolver.add(JinjavaInterpreterResolver.DEFAULT_RESOLVER_READ_ONLY);
        // no nested interpretation: Jinjava would otherwise render Jinja found in a value ({{ message.content }}
        // holding "{{ 7 * 6 }}" gave "42"); Jinja prints values as they are
        return JinjavaConfig.newBuilder().withTrimBlocks(true).withLstripBlocks(true).withElResolver(resolver)
                .withNestedInterpretationEnabled(false)
                .withLegacyOverrides(LegacyOverrides.newBuilder().withUseNaturalOperatorPrecedence(true)
                        .withParseWhitespaceControlStrictly(true).withEvaluateMapKeys(true).withAllowAdjacentTextNodes(true)
                        .withUseTrimmingForNotesAndExpressions(true).withKeepNullableLoopValues(true)
                        .withHandleBackslashInQuotesOnly(true).build()).build();
    }

    @Override
    public ExpressionFactory getExpressionFactory() {
        return expressions;
    }

    /** Jinja's {@code raise_exception('Conversation roles must alternate...')} as transformers defines it. */
    public static String raiseException(String message) {
        throw new Refusal(message);
    }
}
