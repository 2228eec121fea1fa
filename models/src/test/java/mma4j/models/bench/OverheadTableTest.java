package mma4j.models.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class OverheadTableTest {

    @Test
    void timesEachRegularizerInRoundsAgainstTheBaseline() {
        List<OverheadTable.Row> rows = OverheadTable.measure("resnet20", 2, List.of("none", "mma"), 0, 3, null);
        assertEquals(List.of("none", "mma"), rows.stream().map(OverheadTable.Row::reg).toList());
        // the baseline's per-round ratio to itself is exactly 1
        assertEquals(0.0, rows.get(0).overheadPercent());
        assertEquals(0.0, rows.get(0).overheadLowPercent());
        assertEquals(0.0, rows.get(0).overheadHighPercent());
        for (OverheadTable.Row r : rows) {
            assertTrue(r.secondsPerBatch() > 0, r + ": seconds per batch");
            assertTrue(r.peakHeapMiB() > 0, r + ": peak heap");
            assertTrue(Double.isFinite(r.overheadPercent()), r + ": overhead");
            assertTrue(r.overheadLowPercent() <= r.overheadPercent() && r.overheadPercent() <= r.overheadHighPercent(), r + ": quartiles around the median");
        }
        String table = OverheadTable.format(rows);
        assertTrue(table.contains("resnet20") && table.contains("MMA") && table.contains("quartiles over rounds"), table);
    }

    @Test
    void quartilesByRank() {
        double[] v = {5, 1, 4, 2, 3};
        assertEquals(2, OverheadTable.quantile(v, 0.25));
        assertEquals(3, OverheadTable.quantile(v, 0.5));
        assertEquals(4, OverheadTable.quantile(v, 0.75));
        // three rounds: the quartiles are the extremes
        assertEquals(1, OverheadTable.quantile(new double[] {3, 1, 2}, 0.25));
        assertEquals(3, OverheadTable.quantile(new double[] {3, 1, 2}, 0.75));
        assertEquals(7, OverheadTable.quantile(new double[] {7}, 0.75));
    }

    @Test
    void anUnknownRegularizerIsNamed() {
        var e = assertThrows(IllegalArgumentException.class, () -> OverheadTable.measure("resnet20", 2, List.of("none", "l2"), 0, 1, null));
        assertEquals("bench: unknown regularizer 'l2', expected one of [none, mma, mhe2, mhe0, orthogonal]", e.getMessage());
    }
}
