// A minimal XML well-formedness checker for the viz tests: prolog, doctype, comments, CDATA, elements with
// quoted unique attributes, matched tags, one root, and only known or numeric entity references.
// Returns the element tree so that tests can count marks.

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_.:]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/y;

function checkText(s: string, where: number): void {
  for (let i = s.indexOf("&"); i >= 0; i = s.indexOf("&", i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(s)) throw new Error(`bad entity reference at ${where + i}: ${s.slice(i, i + 12)}`);
  }
  if (s.includes("<")) throw new Error(`raw '<' at ${where}`);
}

function parseAttrs(src: string, at: number): Record<string, string> {
  const attrs: Record<string, string> = {};
  let rest = src.trim();
  while (rest.length > 0) {
    const m = /^([A-Za-z_:][-A-Za-z0-9_.:]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(rest);
    if (!m) throw new Error(`malformed attribute near ${at}: ${rest.slice(0, 40)}`);
    if (m[1] in attrs) throw new Error(`duplicate attribute ${m[1]} near ${at}`);
    const value = m[3] ?? m[4];
    checkText(value, at);
    attrs[m[1]] = value;
    rest = rest.slice(m[0].length);
    if (rest.length > 0 && !/^\s/.test(rest)) throw new Error(`attributes must be separated near ${at}`);
    rest = rest.trim();
  }
  return attrs;
}

/** Parses `xml`, throwing on the first well-formedness error; returns the root element. */
export function parseXml(xml: string): XmlElement {
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    const textEnd = lt < 0 ? xml.length : lt;
    const txt = xml.slice(i, textEnd);
    if (txt.trim() !== "") {
      if (stack.length === 0) throw new Error(`text outside the root at ${i}`);
      checkText(txt, i);
      stack[stack.length - 1].text += txt;
    }
    if (lt < 0) break;
    const skip = (open: string, close: string): boolean => {
      if (!xml.startsWith(open, lt)) return false;
      const end = xml.indexOf(close, lt + open.length);
      if (end < 0) throw new Error(`unterminated ${open} at ${lt}`);
      i = end + close.length;
      return true;
    };
    if (skip("<?", "?>") || skip("<!--", "-->") || skip("<![CDATA[", "]]>") || skip("<!DOCTYPE", ">"))
      continue;
    const gt = xml.indexOf(">", lt);
    if (gt < 0) throw new Error(`unterminated tag at ${lt}`);
    const inner = xml.slice(lt + 1, gt);
    i = gt + 1;
    if (inner.startsWith("/")) {
      const name = inner.slice(1).trim();
      const top = stack.pop();
      if (!top || top.name !== name) throw new Error(`</${name}> at ${lt} does not close <${top?.name}>`);
      continue;
    }
    const selfClosing = inner.endsWith("/");
    const body = selfClosing ? inner.slice(0, -1) : inner;
    const m = NAME.exec(body);
    if (!m) throw new Error(`bad tag name at ${lt}`);
    const elem: XmlElement = {
      name: m[0],
      attrs: parseAttrs(body.slice(m[0].length), lt),
      children: [],
      text: "",
    };
    if (stack.length > 0) stack[stack.length - 1].children.push(elem);
    else if (root) throw new Error(`second root element <${elem.name}> at ${lt}`);
    else root = elem;
    if (!selfClosing) stack.push(elem);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

/** Every element in the tree (pre-order). */
export function allElements(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(allElements)];
}

/** How many elements named `name` there are under (and including) `e`. */
export function countTag(e: XmlElement, name: string): number {
  return allElements(e).filter((x) => x.name === name).length;
}

/** The first element satisfying `pred`, or undefined. */
export function findElement(e: XmlElement, pred: (x: XmlElement) => boolean): XmlElement | undefined {
  return allElements(e).find(pred);
}
