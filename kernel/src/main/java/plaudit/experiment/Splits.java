package plaudit.experiment;

import plaudit.data.Comparison;

import java.util.ArrayList;
import java.util.List;

/**
 * The comparisons as every stage uses them, from the train, validation and test splits.
 *
 * @param train      what the models are trained on
 * @param validation what a supervised stage validates on: the validation split, else everything held out
 * @param heldOut    what the policies are evaluated on and the reward re-centred on: test and validation together,
 *                   else the training comparisons (tiny data sets)
 */
public record Splits(List<Comparison> train, List<Comparison> validation, List<Comparison> heldOut) {

    public static Splits of(List<Comparison> train, List<Comparison> val, List<Comparison> test) {
        // the policies never see a held-out prompt, so evaluation draws on both held-out splits: a 5 % split of a small
        // forum alone has too few prompts for a win rate
        List<Comparison> heldOut = new ArrayList<>(test);
        heldOut.addAll(val);
        if (heldOut.isEmpty()) heldOut = train;
        // small real data sets may have no validation split: validate on what is held out, else on train
        return new Splits(train, !val.isEmpty() ? val : heldOut, heldOut);
    }

    /** The first {@code n} distinct prompts held out. */
    public List<String> heldOutPrompts(int n) {
        return Comparison.prompts(heldOut, n);
    }
}
