// The page's script run under node with a stub DOM and a stub fetch (tests/serve.rs,
// `page_script_in_node`): pick files, see each listed and its verdict, open its findings, click
// a download, ask for a template, clear the list. Not a browser: layout and real events are the
// browser test's (issue 12). Usage: node tests/serve_page.js <the script's text file>
"use strict";
class El {
  constructor(tag) {
    this.tag = tag; this.children = []; this.attrs = {}; this.listeners = {};
    this.textContent = ""; this.hidden = false; this.value = "";
    const set = new Set();
    this.classList = { add: (c) => set.add(c), remove: (c) => set.delete(c), toggle: (c, on) => (on ? set.add(c) : set.delete(c)) };
  }
  setAttribute(k, v) { this.attrs[k] = v; }
  append(...kids) { this.children.push(...kids); }
  replaceChildren(...kids) { this.children = kids; }
  addEventListener(name, f) { this.listeners[name] = f; }
  text() {
    return this.children.map((c) => {
      if (typeof c === "string") return c;
      if (c instanceof El) return c.text();
      throw new Error("not a node nor text: " + typeof c);
    }).join(" ").replace(/\s+/g, " ").trim();
  }
  click() {}
  remove() {}
}
const ids = {};
const byId = (id) => ids[id] || (ids[id] = new El(id));
global.Node = El;
global.document = { getElementById: byId, createElement: (t) => new El(t), body: new El("body") };
global.FormData = class { constructor() { this.parts = []; } append(...a) { this.parts.push(a); } };
URL.createObjectURL = () => "blob:x";
URL.revokeObjectURL = () => {};
const asked = [];
global.fetch = async (url, opts) => {
  asked.push(url + " " + ((opts && opts.body && opts.body.parts.length) || 0));
  return {
    ok: true, status: 200,
    headers: { get: () => "attachment; filename*=UTF-8''a_%E6%9B%B4%E6%AD%A3%E5%90%8E.xlsx" },
    blob: async () => "bytes",
    json: async () => ({
      files: [{ path: "a.xlsx", verdict: "有错误", agency: "某局", year: 2023, format: "2021", error: null,
        findings: [{ rule: "R1", severity: "error", sheet: "表", cell: "D12", message: "不相等", help: "请核对" }] }],
      summary: { files: 1, unreadable: 0, files_with_errors: 1, errors: 1, warnings: 0 },
    }),
  };
};
global.alert = (m) => { throw new Error("alert: " + m); };
const fs = require("fs");
eval(fs.readFileSync(process.argv[2], "utf8"));
const tick = () => new Promise((r) => setTimeout(r, 20));
const expect = (what, got, want) => { if (!got.includes(want)) throw new Error(`${what}: «${got}» lacks «${want}»`); };
(async () => {
  byId("pick").listeners.change({ target: { files: [{ name: "a.xlsx" }, { name: "notes.pdf" }], value: "" } });
  expect("listed at once", byId("rows").text(), "a.xlsx 检查中");
  await tick();
  expect("only the workbook sent", asked[0], "api/check 1");
  expect("verdict", byId("rows").text(), "a.xlsx 有错误 某局 2023 2021 版");
  expect("summary", byId("status").textContent, "1 个有错误");
  byId("rows").children[0].listeners.click();
  expect("findings", byId("detail").text(), "R1 错误 表!D12 不相等 提示：请核对");
  byId("detail").children[1].children[0].listeners.click();
  await tick();
  expect("download", asked[1], "api/convert?to=fixed 1");
  Object.assign(byId("t-version"), { value: "2019" });
  Object.assign(byId("t-agency"), { value: "某局" });
  Object.assign(byId("t-year"), { value: "2020" });
  byId("t-go").listeners.click();
  await tick();
  expect("template", asked[2], "api/template?version=2019&agency=%E6%9F%90%E5%B1%80&year=2020");
  byId("clear").listeners.click();
  if (byId("rows").children.length) throw new Error("not cleared");
  console.log("page script ok");
  process.exit(0); // save() leaves a timer to revoke its URL
})().catch((e) => { console.error(e.message); process.exit(1); });
