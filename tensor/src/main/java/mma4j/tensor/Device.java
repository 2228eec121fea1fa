package mma4j.tensor;

/** Where a tensor's memory lives: {@code cpu}, or {@code cuda:N}. */
public record Device(String type, int index) {
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (type == null || type.isEmpty()) throw new IllegalArgumentException("device type must not be empty");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index + " for " + type);
    }

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:1}. */
    public static Device parse(String s) {
        if (s == null) throw new IllegalArgumentException("device must not be null");
        String t = s.trim().toLowerCase();
        int colon = t.indexOf(':');
        if (colon < 0) return t.equals("cpu") ? CPU : new Device(t, 0);
        try {
            return new Device(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device '" + s + "': expected cpu, cuda or cuda:N");
        }
    }

    public boolean isCpu() {
        return type.equals("cpu");
    }

    @Override
    public String toString() {
        return isCpu() && index == 0 ? "cpu" : type + ":" + index;
    }
}
