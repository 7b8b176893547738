// loadCsv/parseCsv: parsing (quotes, CRLF, header/no header, targets) and every error naming file/line/column.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import * as cr from "../../src/index.js";

const { loadCsv, parseCsv } = cr.data;
const dir = mkdtempSync(join(tmpdir(), "chainrule-csv-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let count = 0;
function csvFile(text: string): string {
  const path = join(dir, `data-${count++}.csv`);
  writeFileSync(path, text);
  return path;
}

describe("loadCsv: reading", () => {
  it("reads numeric features and a string target as sorted class indices", () => {
    const path = csvFile("a,b,species\n1,2,setosa\n3.5,-4e-1,virginica\n5,6,setosa\n0.5,.25,versicolor\n");
    const d = loadCsv(path, { target: "species" });
    expect(d.x.shape).toEqual([4, 2]);
    expect(d.x.dtype).toBe("float32");
    expect(d.x.toArray()).toEqual([[1, 2], [3.5, Math.fround(-0.4)], [5, 6], [0.5, 0.25]]); // prettier-ignore
    expect(d.classes).toEqual(["setosa", "versicolor", "virginica"]);
    expect(d.y!.dtype).toBe("int32");
    expect(d.y!.toArray()).toEqual([0, 2, 0, 1]);
    expect(d.featureNames).toEqual(["a", "b"]);
    expect(d.targetName).toBe("species");
  });

  it("reads a numeric target as a float32 regression target, the target may sit in any column", () => {
    const d = loadCsv(csvFile("price,rooms,area\n100.5,3,70\n80,2,55\n"), { target: "price" });
    expect(d.y!.dtype).toBe("float32");
    expect(d.y!.toArray()).toEqual([100.5, 80]);
    expect(d.x.toArray()).toEqual([[3, 70], [2, 55]]); // prettier-ignore
    expect(d.classes).toBeUndefined();
    const asClasses = loadCsv(csvFile("x,label\n1,10\n2,9\n3,10\n"), {
      target: "label",
      targetType: "class",
    });
    expect(asClasses.classes).toEqual(["9", "10"]); // numeric labels sort as numbers
    expect(asClasses.y!.toArray()).toEqual([1, 0, 1]);
  });

  it("understands RFC 4180 quoting, CRLF line ends, a BOM, blank lines and other delimiters", () => {
    const text = '\ufeff"x, first",y,"na""me"\r\n"1",2,"a,b"\r\n\r\n3,"4","say ""hi"""\r\n';
    const d = parseCsv(text, { target: 'na"me' });
    expect(d.featureNames).toEqual(["x, first", "y"]);
    expect(d.classes).toEqual(["a,b", 'say "hi"']);
    expect(d.x.toArray()).toEqual([[1, 2], [3, 4]]); // prettier-ignore
    const tsv = parseCsv("a\tb\n1\t2\n", { delimiter: "\t", target: "b" });
    expect(tsv.y!.toArray()).toEqual([2]);
  });

  it("reads files without a header (target by index) and without a target", () => {
    const d = loadCsv(csvFile("1,2,0\n3,4,1\n"), { header: false, target: 2, targetType: "class" });
    expect(d.featureNames).toEqual(["0", "1"]);
    expect(d.y!.toArray()).toEqual([0, 1]);
    const noTarget = loadCsv(csvFile("a,b\n1,2\n"));
    expect(noTarget.y).toBeNull();
    expect(noTarget.x.toArray()).toEqual([[1, 2]]);
  });
});

describe("loadCsv: errors name the file, the line and the column", () => {
  it("missing target column: lists the columns there are", () => {
    const path = csvFile("a,b,c\n1,2,3\n");
    expect(() => loadCsv(path, { target: "label" })).toThrow(
      `loadCsv: ${path}: no column named 'label'; the columns are 'a', 'b', 'c'`,
    );
    expect(() => loadCsv(path, { target: 7 })).toThrow(`${path}: target column index 7 is outside [0, 3)`);
  });

  it("non-numeric cell", () => {
    const path = csvFile("a,b,label\n1,2,x\n3,abc,y\n");
    expect(() => loadCsv(path, { target: "label" })).toThrow(
      `loadCsv: ${path}, line 3, column 'b' (2): non-numeric value "abc"`,
    );
    expect(() => loadCsv(csvFile("a\n0x10\n"))).toThrow(/line 2, column 'a' \(1\): non-numeric value "0x10"/);
    expect(() => loadCsv(csvFile("a\nInfinity\n"))).toThrow(/non-numeric value "Infinity"/);
  });

  it("NaN and empty cells", () => {
    const nan = csvFile("a,b,label\n1,2,x\n3,4,y\n5,NaN,x\n");
    expect(() => loadCsv(nan, { target: "label" })).toThrow(
      `loadCsv: ${nan}, line 4, column 'b' (2): missing value "NaN" (NaN)`,
    );
    const empty = csvFile("a,b,label\n1,,x\n");
    expect(() => loadCsv(empty, { target: "label" })).toThrow(
      `loadCsv: ${empty}, line 2, column 'b' (2): empty cell (missing value)`,
    );
    const emptyTarget = csvFile("a,label\n1,x\n2, \n");
    expect(() => loadCsv(emptyTarget, { target: "label" })).toThrow(
      `loadCsv: ${emptyTarget}, line 3, column 'label' (2): empty target cell`,
    );
    const nanTarget = csvFile("a,y\n1,2.5\n2,nan\n");
    expect(() => loadCsv(nanTarget, { target: "y", targetType: "number" })).toThrow(
      `${nanTarget}, line 3, column 'y' (2): missing value "nan" (NaN)`,
    );
  });

  it("ragged rows", () => {
    const path = csvFile("a,b,c\n1,2,3\n4,5\n");
    expect(() => loadCsv(path)).toThrow(`loadCsv: ${path}, line 3: the row has 2 cells but the header has 3`);
    const long = csvFile("1,2\n3,4,5\n");
    expect(() => loadCsv(long, { header: false })).toThrow(
      `${long}, line 2: the row has 3 cells but the first row has 2`,
    );
  });

  it("line numbers count lines, also after quoted fields with newlines", () => {
    const path = csvFile('a,note\n1,"two\nlines"\nx,ok\n');
    expect(() => loadCsv(path, { target: "note" })).toThrow(
      `${path}, line 4, column 'a' (1): non-numeric value "x"`,
    );
  });

  it("malformed files", () => {
    const p1 = csvFile('a,b\n1,"open\n');
    expect(() => loadCsv(p1)).toThrow(`loadCsv: ${p1}, line 2: a quoted field is never closed`);
    const p2 = csvFile('a,b\n1,"2"x\n');
    expect(() => loadCsv(p2)).toThrow(`${p2}, line 2: unexpected "x" after a closing quote`);
    const p3 = csvFile("a,b,a\n1,2,3\n");
    expect(() => loadCsv(p3)).toThrow(`${p3}, line 1: column 3 repeats the header name 'a' of column 1`);
    expect(() => loadCsv(csvFile(""))).toThrow(/is empty/);
    expect(() => loadCsv(csvFile("a,b\n"))).toThrow(/has a header but no data rows/);
    expect(() => loadCsv(join(dir, "nope.csv"))).toThrow(/loadCsv: cannot read .*nope\.csv/);
    expect(() => parseCsv("1,2", { header: false, target: "x" })).toThrow(
      /give the target as a column index/,
    );
  });
});
