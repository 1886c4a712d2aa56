import { parseDocument, isMap, isSeq, isScalar, isPair } from "yaml";
const text = process.argv[2].replace(/\\n/g, "\n");
const doc = parseDocument(text, { uniqueKeys: true, strict: true, prettyErrors: false });
const show = (n, ind = "") => {
  if (isMap(n)) { console.log(ind + "MAP", n.range, n.flow ? "flow" : ""); for (const p of n.items) { console.log(ind + " KEY", JSON.stringify(p.key?.value), p.key?.range, p.key?.type, JSON.stringify(p.key?.source)); show(p.value, ind + "  "); } }
  else if (isSeq(n)) { console.log(ind + "SEQ", n.range, n.flow ? "flow" : ""); for (const i of n.items) show(i, ind + "  "); }
  else if (isScalar(n)) console.log(ind + "SCALAR", JSON.stringify(n.value), n.range, n.type, JSON.stringify(n.source));
  else console.log(ind + "OTHER", n);
};
show(doc.contents);
console.log(doc.errors.map(e=>e.code), doc.warnings.map(e=>e.code));
