package mma4j.models.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG plots of a run from its metrics: training curves and per-layer minimum angles over epochs. */
public final class Plots {
    private Plots() {}

    static {
        System.setProperty("java.awt.headless", "true");
    }

    /** Writes curves.png and angles.png into dir; returns the files written. */
    @SuppressWarnings("unchecked")
    public static List<Path> write(Path dir, List<Map<String, Object>> metrics) throws IOException {
        List<Path> out = new ArrayList<>();
        if (metrics.isEmpty()) return out;
        List<Double> epochs = new ArrayList<>(), loss = new ArrayList<>(), reg = new ArrayList<>(), train1 = new ArrayList<>(), test1 = new ArrayList<>();
        Map<String, List<Double>> angles = new LinkedHashMap<>();
        for (Map<String, Object> m : metrics) {
            epochs.add(num(m.get("epoch")));
            loss.add(num(m.get("train_loss")));
            reg.add(num(m.get("reg_loss")));
            train1.add(num(m.get("train_top1")));
            test1.add(num(m.get("test_top1")));
            Object a = m.get("min_angles_deg");
            if (a instanceof Map<?, ?> am) {
                for (var e : ((Map<String, Object>) am).entrySet()) angles.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(num(e.getValue()));
            }
        }
        XYChart curves = new XYChartBuilder().width(900).height(500).title("Training curves").xAxisTitle("epoch").yAxisTitle("").build();
        curves.addSeries("task loss", epochs, loss).setMarker(SeriesMarkers.CIRCLE);
        curves.addSeries("regularizer term", epochs, reg).setMarker(SeriesMarkers.CIRCLE);
        curves.setYAxisGroupTitle(0, "loss");
        curves.addSeries("train top-1 %", epochs, train1).setMarker(SeriesMarkers.SQUARE).setYAxisGroup(1);
        curves.addSeries("test top-1 %", epochs, test1).setMarker(SeriesMarkers.SQUARE).setYAxisGroup(1);
        curves.setYAxisGroupTitle(1, "accuracy %");
        Path c = dir.resolve("curves.png");
        BitmapEncoder.saveBitmap(curves, c.toString(), BitmapEncoder.BitmapFormat.PNG);
        out.add(c);
        if (!angles.isEmpty()) {
            XYChart ang = new XYChartBuilder().width(900).height(500).title("Minimum pairwise angle per layer").xAxisTitle("epoch").yAxisTitle("degrees").build();
            for (var e : angles.entrySet()) {
                if (e.getValue().size() == epochs.size()) ang.addSeries(e.getKey(), epochs, e.getValue()).setMarker(SeriesMarkers.NONE);
            }
            ang.getStyler().setLegendVisible(angles.size() <= 24);
            Path a = dir.resolve("angles.png");
            BitmapEncoder.saveBitmap(ang, a.toString(), BitmapEncoder.BitmapFormat.PNG);
            out.add(a);
        }
        return out;
    }

    /** steps.png: task loss and regularizer term per step (a running mean over 20 steps), or null without steps. */
    static Path writeSteps(Path dir, List<StepLog.Row> rows) throws IOException {
        if (rows.size() < 2) return null;
        List<Double> x = new ArrayList<>(), task = new ArrayList<>(), reg = new ArrayList<>();
        double st = 0, sr = 0;
        int window = 20;
        for (int i = 0; i < rows.size(); i++) {
            st += rows.get(i).taskLoss();
            sr += rows.get(i).regTerm();
            if (i >= window) {
                st -= rows.get(i - window).taskLoss();
                sr -= rows.get(i - window).regTerm();
            }
            int n = Math.min(i + 1, window);
            x.add((double) (i + 1));
            task.add(st / n);
            reg.add(sr / n);
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title("Loss per training step (running mean of " + window + ")")
                .xAxisTitle("step").yAxisTitle("").build();
        chart.addSeries("task loss", x, task).setMarker(SeriesMarkers.NONE);
        chart.addSeries("regularizer term", x, reg).setMarker(SeriesMarkers.NONE);
        Path p = dir.resolve("steps.png");
        BitmapEncoder.saveBitmap(chart, p.toString(), BitmapEncoder.BitmapFormat.PNG);
        return p;
    }

    private static double num(Object o) {
        return o instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
