package mma4j.models.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import mma4j.models.zoo.ModelZoo;
import mma4j.nn.safetensors.Json;
import mma4j.nn.safetensors.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AnglesAndTammesCommandTest {
    @Test
    void anglesListsEveryConvAndLinearWeightInModelOrderAndPlots(@TempDir Path dir) throws Exception {
        Path ck = dir.resolve("resnet20.safetensors");
        SafeTensors.save(ck, ModelZoo.create("resnet20", 10, 0).stateDict());
        Cli table = Cli.run("angles", "--checkpoint", ck.toString(), "--plot", dir.resolve("fig1.png").toString());
        assertEquals(0, table.exitCode(), table.toString());
        List<String> lines = table.out().lines().filter(l -> l.contains(".weight")).map(l -> l.split("\\s+")[0]).toList();
        assertEquals(22, lines.size(), "19 convs, 2 projection shortcuts and fc:\n" + table.out());
        assertEquals("conv1.weight", lines.get(0));
        assertTrue(lines.indexOf("layer1.2.conv2.weight") < lines.indexOf("layer2.0.conv1.weight"), lines.toString());
        assertTrue(Files.size(dir.resolve("fig1.png")) > 1000);

        Cli json = Cli.run("angles", "--checkpoint", ck.toString(), "--json");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> layers = (List<Map<String, Object>>) ((Map<String, Object>) Json.parse(json.out().trim())).get("layers");
        assertEquals(22, layers.size());
        for (Map<String, Object> l : layers) {
            double min = ((Number) l.get("min_angle_deg")).doubleValue(), mean = ((Number) l.get("mean_nn_angle_deg")).doubleValue();
            assertTrue(min > 0 && min <= mean && mean <= 180, l.toString());
        }
    }

    @Test
    void theRealEntryPointPrintsTheWholeTable(@TempDir Path dir) throws Exception {
        // Main.run writes to System.out as `./mma4j angles` does; the table is printed with print(),
        // so it reaches the stream only if the command line's writer is flushed before exit.
        Path ck = dir.resolve("resnet20.safetensors");
        SafeTensors.save(ck, ModelZoo.create("resnet20", 10, 0).stateDict());
        java.io.PrintStream was = System.out;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        int code;
        try {
            System.setOut(new java.io.PrintStream(captured, false, java.nio.charset.StandardCharsets.UTF_8));
            code = Main.run("angles", "--checkpoint", ck.toString());
        } finally {
            System.setOut(was);
        }
        String out = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, code);
        assertEquals(22, out.lines().filter(l -> l.contains(".weight")).count(), "every layer's line:\n" + out);
    }

    @Test
    void anglesRejectsAMissingOrMalformedFileWithExitCode2(@TempDir Path dir) throws Exception {
        Cli missing = Cli.run("angles", "--checkpoint", dir.resolve("nope.safetensors").toString());
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("nope.safetensors"), missing.err());
        Path bad = Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
        Cli malformed = Cli.run("angles", "--checkpoint", bad.toString());
        assertEquals(2, malformed.exitCode(), malformed.toString());
        assertTrue(malformed.err().contains("bad.safetensors"), malformed.err());
    }

    @Test
    void tammesFindsTheRegularSimplexAndReportsJson() {
        Cli r = Cli.run("tammes", "--dim", "3", "--points", "4", "--json");
        assertEquals(0, r.exitCode(), r.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) Json.parse(r.out().trim());
        assertEquals("best", m.get("solver"));
        assertEquals(Math.toDegrees(Math.acos(-1.0 / 3)), ((Number) m.get("min_angle_deg")).doubleValue(), 0.01);
        for (String k : List.of("dim", "points", "loss", "seconds")) assertTrue(m.containsKey(k), k);
    }

    @Test
    void tammesBadInputExitsWith2AndNamesTheValue() {
        for (String[] args : List.of(new String[] {"tammes", "--dim", "0", "--points", "4"}, new String[] {"tammes", "--dim", "3", "--points", "1"},
                new String[] {"tammes", "--dim", "3", "--points", "4", "--loss", "bogus"}, new String[] {"tammes", "--dim", "3"},
                new String[] {"tammes", "--dim", "x", "--points", "4"})) {
            Cli r = Cli.run(args);
            assertEquals(2, r.exitCode(), String.join(" ", args) + "\n" + r);
            assertTrue(!r.err().isBlank(), r.toString());
        }
        assertTrue(Cli.run("tammes", "--dim", "3", "--points", "4", "--loss", "bogus").err().contains("bogus"));
    }
}
