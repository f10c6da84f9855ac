package dev.killswitch.cli.client;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A plain text table for people: a header row in capitals, columns padded to their widest cell. A row may carry
 * detail lines, printed indented under it and left out of the column widths (a node's attributes under the node).
 * Cells and detail lines are printed through {@link Printable}: they hold what the pipeline saw.
 */
public final class Table {

  private static final String DETAIL_INDENT = "    ";

  private final List<String> headers;
  private final List<List<String>> rows = new ArrayList<>();
  private final Map<Integer, List<String>> details = new HashMap<>();

  public Table(String... headers) {
    this.headers = Arrays.asList(headers);
  }

  public Table row(Object... cells) {
    List<String> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c == null ? "-" : Printable.of(String.valueOf(c)));
    }
    rows.add(r);
    return this;
  }

  /** Adds a line under the last row, indented; it does not widen the columns. */
  public Table detail(String line) {
    if (rows.isEmpty()) {
      throw new IllegalStateException("a detail line belongs under a row");
    }
    details.computeIfAbsent(rows.size() - 1, i -> new ArrayList<>()).add(Printable.of(line));
    return this;
  }

  public boolean isEmpty() {
    return rows.isEmpty();
  }

  public void print(PrintWriter out) {
    int[] width = new int[headers.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = headers.get(i).length();
      for (List<String> r : rows) {
        width[i] = Math.max(width[i], i < r.size() ? r.get(i).length() : 0);
      }
    }
    line(out, headers, width);
    for (int i = 0; i < rows.size(); i++) {
      line(out, rows.get(i), width);
      for (String d : details.getOrDefault(i, List.of())) {
        out.println(DETAIL_INDENT + d);
      }
    }
    out.flush();
  }

  private static void line(PrintWriter out, List<String> cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      String c = i < cells.size() ? cells.get(i) : "";
      sb.append(c);
      if (i < width.length - 1) {
        sb.append(" ".repeat(width[i] - c.length() + 2));
      }
    }
    out.println(sb.toString().stripTrailing());
  }
}
