// The message formatting rules (client/src/markdown): the parser's tree and the link rule.
// The tree is all the renderer shows (render.tsx maps each node to one element), so what is
// not a node here cannot reach the page. Runs in workerd: the modules are plain TypeScript.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { mayFormat } from "../../client/src/markdown/fast-path";
import { parseMessage } from "../../client/src/markdown/parse";
import { LINK_ATTRS, safeHref } from "../../client/src/markdown/safe-link";
import type { Block, Inline } from "../../client/src/markdown/tree";

type Node = Block | Inline;
const kids = (node: Node): Node[] => ("children" in node ? node.children : []);
const all = (nodes: Node[]): Node[] => nodes.flatMap((n) => [n, ...all(kids(n))]);
const links = (text: string) =>
  all(parseMessage(text)).flatMap((n) => (n.t === "link" ? [{ href: n.href, text: plain(n.children) }] : []));
/** The text a node shows, breaks as "\n". */
function plain(nodes: Node[]): string {
  return nodes
    .map((n) => (n.t === "text" || n.t === "code" || n.t === "pre" ? n.text : n.t === "br" ? "\n" : plain(kids(n))))
    .join("");
}
/** The one paragraph a short message makes. */
function para(text: string): Inline[] {
  const blocks = parseMessage(text);
  expect(blocks).toHaveLength(1);
  const [p] = blocks;
  if (p?.t !== "p") throw new Error(`not a paragraph: ${JSON.stringify(blocks)}`);
  return p.children;
}
const t = (text: string): Inline => ({ t: "text", text });

describe("formatting subset", () => {
  it("bold, italic, strikethrough and code spans", () => {
    expect(para("**b** *i* _j_ ~~s~~ `c`")).toEqual([
      { t: "strong", children: [t("b")] }, t(" "),
      { t: "em", children: [t("i")] }, t(" "),
      { t: "em", children: [t("j")] }, t(" "),
      { t: "del", children: [t("s")] }, t(" "),
      { t: "code", text: "c" },
    ]);
  });

  it("nests emphasis", () => {
    expect(para("**a *b* c**")).toEqual([
      { t: "strong", children: [t("a "), { t: "em", children: [t("b")] }, t(" c")] },
    ]);
    expect(para("***both***")).toEqual([{ t: "em", children: [{ t: "strong", children: [t("both")] }] }]);
  });

  it("formats nothing inside code spans and code blocks", () => {
    expect(para("`**no** [x](https://a.com) https://b.com <b>`")).toEqual([
      { t: "code", text: "**no** [x](https://a.com) https://b.com <b>" },
    ]);
    expect(parseMessage("```js\nconst a = **b**;\n<script>x</script>\n```")).toEqual([
      { t: "pre", text: "const a = **b**;\n<script>x</script>" },
    ]);
  });

  it("keeps single newlines as line breaks", () => {
    expect(para("a\nb")).toEqual([t("a"), { t: "br" }, t("b")]);
    expect(parseMessage("a\n\nb")).toEqual([
      { t: "p", children: [t("a")] },
      { t: "p", children: [t("b")] },
    ]);
  });

  it("block quotes and lists", () => {
    expect(parseMessage("> quoted\n> more")).toEqual([
      { t: "quote", children: [{ t: "p", children: [t("quoted"), { t: "br" }, t("more")] }] },
    ]);
    expect(parseMessage("- a\n- **b**")).toEqual([
      {
        t: "ul",
        children: [
          { t: "li", children: [{ t: "line", children: [t("a")] }] },
          { t: "li", children: [{ t: "line", children: [{ t: "strong", children: [t("b")] }] }] },
        ],
      },
    ]);
    expect(parseMessage("3. c\n4. d")).toMatchObject([{ t: "ol", start: 3, children: [{ t: "li" }, { t: "li" }] }]);
  });

  it("shows raw HTML as the characters typed", () => {
    expect(para("<b>hi</b>")).toEqual([t("<b>hi</b>")]);
    expect(para("<script>alert(1)</script>")).toEqual([t("<script>alert(1)</script>")]);
    expect(plain(parseMessage("<img src=x onerror=alert(1)>"))).toBe("<img src=x onerror=alert(1)>");
    expect(para("&amp; &lt;b&gt;")).toEqual([t("&amp; &lt;b&gt;")]);
  });

  it("headings, rules, tables and indented code stay text; images are no images", () => {
    expect(para("# title")).toEqual([t("# title")]);
    expect(para("---")).toEqual([t("---")]);
    expect(plain(parseMessage("| a | b |\n|---|---|\n| 1 | 2 |"))).toBe("| a | b |\n|---|---|\n| 1 | 2 |");
    expect(para("    indented")).toEqual([t("indented")]);
    // At most a link to the picture: the tree has no image node at all.
    expect(para("![x](http://a/b.png)")).toEqual([t("!"), { t: "link", href: "http://a/b.png", children: [t("x")] }]);
  });
});

describe("the link rule", () => {
  it("http, https and mailto links become links", () => {
    expect(links("[site](https://example.com/a?b=1) [plain](http://a.com) [me](mailto:me@example.com)")).toEqual([
      { href: "https://example.com/a?b=1", text: "site" },
      { href: "http://a.com", text: "plain" },
      { href: "mailto:me@example.com", text: "me" },
    ]);
    expect(links("<https://a.com/x>")).toEqual([{ href: "https://a.com/x", text: "https://a.com/x" }]);
  });

  it("every other scheme stays the text typed", () => {
    for (const text of [
      "[x](javascript:alert(1))",
      "[x](JAVASCRIPT:alert(1))",
      "[x](<java\tscript:alert(1)>)",
      "[x](&#106;avascript:alert(1))",
      "[x](data:text/html,<script>alert(1)</script>)",
      "[x](vbscript:msgbox)",
      "[x](file:///etc/passwd)",
      "[x](ftp://a.com)",
      "[x](/relative)",
      "[x](//a.com)",
      "javascript:alert(1) data:text/html,x ftp://a.com //a.com",
    ]) {
      expect(links(text), text).toEqual([]);
      expect(plain(parseMessage(text)), text).toBe(text);
    }
  });

  it("bare http(s) and www addresses become links, without trailing punctuation", () => {
    expect(links("see https://a.com. then www.example.com, (http://b.org/x_(y)) ok?")).toEqual([
      { href: "https://a.com", text: "https://a.com" },
      { href: "http://www.example.com", text: "www.example.com" },
      { href: "http://b.org/x_(y)", text: "http://b.org/x_(y)" },
    ]);
    expect(para("see https://a.com.").at(-1)).toEqual(t("."));
    expect(links("mailto:me@example.com")).toEqual([{ href: "mailto:me@example.com", text: "mailto:me@example.com" }]);
  });

  it("bare domains, file names and e-mail addresses are not links", () => {
    expect(links("setup.py example.com node.js me@example.com git@github.com:a/b")).toEqual([]);
  });

  it("safeHref reads an address as the browser does", () => {
    expect(safeHref("https://example.com/")).toBe("https://example.com/");
    expect(safeHref("HTTPS://EXAMPLE.COM")).toBe("HTTPS://EXAMPLE.COM");
    expect(safeHref("mailto:a@b.c")).toBe("mailto:a@b.c");
    for (const bad of ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "java\tscript:alert(1)", "java\nscript:x", " javascript:x", "\u0001javascript:x", "data:text/html,x", "vbscript:x", "blob:https://a.com/x", "/x", "//a.com", "", "http//x"]) {
      expect(safeHref(bad), JSON.stringify(bad)).toBeNull();
    }
    expect(LINK_ATTRS).toEqual({ rel: "noopener noreferrer nofollow", target: "_blank" });
  });
});

describe("the fast path", () => {
  it("sends text with formatting characters to the parser", () => {
    for (const text of ["**b**", "a_b", "~~s~~", "`c`", "> q", "[x](y)", "\\*", "https://a.com", "see www.a.com", "mailto:a@b.c", "- item", "+ item", "  12. item", "3) x"]) {
      expect(mayFormat(text), text).toBe(true);
    }
    for (const text of ["hello there", "it's 12:30, ok?", "2024 was a year", "a - b", "1.5 litres", "setup.py"]) {
      expect(mayFormat(text), text).toBe(false);
    }
  });

  it("skips only text the parser would show as plain text", () => {
    const chars = fc.constantFrom(..."ab1 .-+)(:/#!=|<&\n\t*_~`>[]\\w".split(""));
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }).map((a) => a.join("")), (text) => {
        if (mayFormat(text)) return;
        for (const node of all(parseMessage(text))) expect(["p", "text", "br"]).toContain(node.t);
      }),
      { numRuns: 2000 },
    );
  });
});
