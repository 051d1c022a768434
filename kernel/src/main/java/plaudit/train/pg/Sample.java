package plaudit.train.pg;

/** One response of a policy-gradient step, as the samples table shows it: what was asked, said and scored. */
public record Sample(int step, String prompt, String response, double score, double gold) {
}
