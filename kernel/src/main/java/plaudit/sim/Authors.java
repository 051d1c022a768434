package plaudit.sim;

import java.util.List;

/** Reddit-like user names, a fixed pool indexed by number (e.g. {@code quiet_otter}, {@code RustyFalcon42}). */
final class Authors {
    /** How many distinct commenters the forum has. */
    static final int POOL = 20_000;

    private static final List<String> FIRST = List.of("quiet", "rusty", "lazy", "happy", "grumpy", "sleepy", "brave",
            "tiny", "silver", "purple", "wild", "lucky", "cosmic", "fuzzy", "sneaky", "mellow", "odd", "humble",
            "sunny", "frosty");
    private static final List<String> SECOND = List.of("otter", "falcon", "badger", "walrus", "pixel", "panda",
            "moose", "ghost", "toast", "pickle", "comet", "wizard", "lemon", "turtle", "raven", "noodle", "cactus",
            "goblin", "sparrow", "biscuit");

    private Authors() {}

    static String name(int i) {
        String a = FIRST.get(i % FIRST.size());
        String b = SECOND.get((i / FIRST.size()) % SECOND.size());
        int n = i / (FIRST.size() * SECOND.size());
        return switch (i % 3) {
            case 0 -> a + "_" + b + (n == 0 ? "" : "_" + n);
            case 1 -> cap(a) + cap(b) + n;
            default -> a + "-" + b + "-" + (1950 + n);
        };
    }

    private static String cap(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
