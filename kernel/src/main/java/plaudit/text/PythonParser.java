package plaudit.text;

import com.hubspot.jinjava.el.ExtendedSyntaxBuilder;
import com.hubspot.jinjava.el.ext.AstNamedParameter;
import com.hubspot.jinjava.el.ext.ExtendedParser;
import jinjava.de.odysseus.el.tree.Bindings;
import jinjava.de.odysseus.el.tree.impl.Builder;
import jinjava.de.odysseus.el.tree.impl.Parser;
import jinjava.de.odysseus.el.tree.impl.Scanner.ScanException;
import jinjava.de.odysseus.el.tree.impl.Scanner.Symbol;
import jinjava.de.odysseus.el.tree.impl.Scanner.Token;
import jinjava.de.odysseus.el.tree.impl.ast.AstBracket;
import jinjava.de.odysseus.el.tree.impl.ast.AstDot;
import jinjava.de.odysseus.el.tree.impl.ast.AstIdentifier;
import jinjava.de.odysseus.el.tree.impl.ast.AstNode;
import jinjava.de.odysseus.el.tree.impl.ast.AstParameters;
import jinjava.javax.el.ELContext;

import java.util.ArrayList;
import java.util.List;

import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.METHOD_INVOCATIONS;
import static jinjava.de.odysseus.el.tree.impl.Builder.Feature.NULL_PROPERTIES;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.COLON;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.COMMA;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.EXTENSION;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.IDENTIFIER;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.LPAREN;
import static jinjava.de.odysseus.el.tree.impl.Scanner.Symbol.RBRACK;

/**
 * Jinjava's expression parser with two pieces of Python's grammar that chat templates use and Jinjava parses
 * differently or not at all:
 * <ul>
 *   <li>a keyword argument's value is a whole expression, as in Python: Jinjava binds {@code =} as tightly as
 *   {@code +}, so {@code namespace(last=messages|length - 1)} became {@code (last=messages|length) - 1} (Qwen 3);</li>
 *   <li>slices with a step, {@code x[start:stop:step]} with any part left out ({@code messages[::-1]}, Qwen 3),
 *   evaluated by {@link PythonSlice}; Jinjava parses only {@code x[start:stop]}.</li>
 * </ul>
 * An unknown filter or test is refused, as Jinja refuses it, where Jinjava would render nothing. Everything else is
 * Jinjava's. Expects Jinjava's natural operator precedence ({@link PythonJinja} sets it): filters and tests are
 * then parsed above this level, never in {@link #value()}.
 */
final class PythonParser extends ExtendedParser {
    /** The tree builder Jinjava's expression factory is made with, for this parser. */
    static final class Syntax extends ExtendedSyntaxBuilder {
        private static final long serialVersionUID = 1L;

        Syntax() {
            // what Jinjava's ExpressionFactoryImpl enables (its default profile, JEE6)
            super(METHOD_INVOCATIONS, Builder.Feature.VARARGS);
        }

        @Override
        protected Parser createParser(String expression) {
            return new PythonParser(this, expression);
        }
    }

    private PythonParser(Builder context, String input) {
        super(context, input);
    }

    /** Jinjava renders an unknown filter or test as nothing; Jinja refuses the template, and so does this. */
    @Override
    protected AstIdentifier createAstIdentifier(String name, int index) {
        if (name.startsWith(FILTER_PREFIX)) return new Required(name, index, "filter", FILTER_PREFIX);
        if (name.startsWith(EXPTEST_PREFIX)) return new Required(name, index, "test", EXPTEST_PREFIX);
        return super.createAstIdentifier(name, index);
    }

    private static final class Required extends AstIdentifier {
        private final String what;

        Required(String name, int index, String kind, String prefix) {
            super(name, index);
            this.what = "no " + kind + " named '" + name.substring(prefix.length()) + "'";
        }

        @Override
        public Object eval(Bindings bindings, ELContext context) {
            Object value = super.eval(bindings, context);
            if (value == null) throw new PythonJinja.Refusal(what);
            return value;
        }
    }

    @Override
    protected AstParameters params(Symbol left, Symbol right) throws ScanException, ParseException {
        consumeToken(left);
        List<AstNode> arguments = new ArrayList<>();
        AstNode v = argument(false);
        if (v != null) {
            arguments.add(v);
            while (getToken().getSymbol() == COMMA) {
                consumeToken();
                arguments.add(argument(true));
            }
        }
        consumeToken(right);
        return createAstParameters(arguments);
    }

    /** {@code name=expression} (a keyword argument, the whole expression its value) or an expression. */
    private AstNode argument(boolean required) throws ScanException, ParseException {
        if (getToken().getSymbol() == IDENTIFIER && lookahead(0).getSymbol() == EXTENSION && "=".equals(lookahead(0).getImage())) {
            String name = consumeToken().getImage();
            consumeToken();
            return new AstNamedParameter(identifier(name), expr(true));
        }
        return expr(required);
    }

    /** Jinjava's {@code value()} (a name or literal, then {@code .name}, {@code .method(…)}, {@code [i]}, slices). */
    @Override
    protected AstNode value() throws ScanException, ParseException {
        boolean lvalue = true;
        AstNode v = nonliteral();
        if (v == null) {
            v = literal();
            if (v == null) return null;
            lvalue = false;
        }
        while (true) {
            switch (getToken().getSymbol()) {
                case DOT -> {
                    consumeToken();
                    AstDot dot = createAstDot(v, consumeToken(IDENTIFIER).getImage(), lvalue);
                    v = getToken().getSymbol() == LPAREN && context.isEnabled(METHOD_INVOCATIONS) ? createAstMethod(dot, params()) : dot;
                }
                case LBRACK -> v = bracket(v, lvalue);
                default -> {
                    return v;
                }
            }
        }
    }

    private AstNode bracket(AstNode base, boolean lvalue) throws ScanException, ParseException {
        consumeToken();
        AstNode start = expr(false);
        boolean strict = !context.isEnabled(NULL_PROPERTIES);
        Token next = consumeToken();
        if (next.getSymbol() == RBRACK) {
            AstBracket bracket = createAstBracket(base, start, lvalue, strict);
            return getToken().getSymbol() == LPAREN && context.isEnabled(METHOD_INVOCATIONS) ? createAstMethod(bracket, params()) : bracket;
        }
        if (next.getSymbol() != COLON) fail(RBRACK);
        AstNode stop = expr(false);
        if (getToken().getSymbol() == COLON) {
            consumeToken();
            AstNode step = expr(false);
            consumeToken(RBRACK);
            return new PythonSlice(base, start, stop, step);
        }
        consumeToken(RBRACK);
        return createAstRangeBracket(base, start, stop, lvalue, strict);
    }
}
