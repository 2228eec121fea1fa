package mma4j.nn.angles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import mma4j.tensor.Tensor;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Histograms of pairwise cosine similarities drawn like the paper's Figure 1: number of filter
 * pairs per cosine bin, one outline per weight, with the 0.2 line whose right side Figure 1
 * counts. Rendered headless with XChart to PNG.
 */
public final class CosineHistogram {
    private CosineHistogram() {}

    /** Writes the histograms of each series' weight; the legend gives each series' count above 0.2. */
    public static void writePng(Path png, Map<String, Tensor> series, int bins, String title) throws IOException {
        if (series.isEmpty()) throw new IllegalArgumentException("CosineHistogram: nothing to plot");
        System.setProperty("java.awt.headless", "true");
        XYChart chart = new XYChartBuilder().width(800).height(500).title(title).xAxisTitle("cosine similarity").yAxisTitle("pairs").build();
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisMin(-1.0);
        chart.getStyler().setXAxisMax(1.0);
        long top = 1;
        for (var e : series.entrySet()) {
            PairStatistics s = PairStatistics.of(e.getKey(), e.getValue(), AngleReport.FIGURE1_THRESHOLD, bins);
            // A step outline: each bin's count held from its left edge to its right edge.
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (int b = 0; b < bins; b++) {
                double lo = -1 + 2.0 * b / bins, hi = -1 + 2.0 * (b + 1) / bins;
                xs.add(lo);
                ys.add((double) s.histogram[b]);
                xs.add(hi);
                ys.add((double) s.histogram[b]);
                top = Math.max(top, s.histogram[b]);
            }
            XYSeries line = chart.addSeries(e.getKey() + " (" + s.pairsAbove + " pairs > 0.2)", xs, ys);
            line.setMarker(SeriesMarkers.NONE);
        }
        XYSeries marker = chart.addSeries("cos = 0.2", List.of(0.2, 0.2), List.of(0.0, (double) top));
        marker.setMarker(SeriesMarkers.NONE);
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        BitmapEncoder.saveBitmap(chart, png.toString().endsWith(".png") ? png.toString().substring(0, png.toString().length() - 4) : png.toString(),
                BitmapEncoder.BitmapFormat.PNG);
    }
}
