/** Renders an OpenAPI document as one self-contained HTML page (no CDN, no script). */

const esc = (s: unknown) =>
  String(s ?? "").replace(/[&<>"']/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch]!);

type Json = Record<string, unknown>;

/** A link target a description may use: http(s), a path on this host, or an anchor. */
// A relative link must not start with // or /\ (browsers read both as another host).
const SAFE_HREF = /^(https?:\/\/|\/(?![\/\\])|#)/i;

/**
 * The few inline constructs the descriptions use: `code`, **bold** and [text](url). Everything
 * is escaped first; only these tags are added, and a link only to a safe target.
 */
function inline(text: string): string {
  return text
    .split(/(`[^`]*`)/)
    .map((part) => {
      if (part.length >= 2 && part.startsWith("`") && part.endsWith("`")) return `<code>${esc(part.slice(1, -1))}</code>`;
      return esc(part)
        .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
        .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, label: string, href: string) =>
          SAFE_HREF.test(href) ? `<a href="${href}">${label}</a>` : whole,
        );
    })
    .join("");
}

/**
 * A description's Markdown as HTML: paragraphs (blank-line separated), "- " / "* " / "1. "
 * lists, and the inline constructs above. Raw HTML in a description is shown as text.
 */
export function markdown(source: unknown): string {
  const text = String(source ?? "").replace(/\r\n?/g, "\n").trim();
  if (!text) return "";
  const out: string[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const lines = block.split("\n");
    const bullet = /^\s*(?:[-*]|\d+\.)\s+/;
    if (lines.every((line) => bullet.test(line))) {
      const tag = /^\s*\d+\./.test(lines[0]!) ? "ol" : "ul";
      out.push(`<${tag}>${lines.map((line) => `<li>${inline(line.replace(bullet, ""))}</li>`).join("")}</${tag}>`);
    } else {
      out.push(`<p>${inline(lines.join(" "))}</p>`);
    }
  }
  return out.join("\n");
}

/** An id an anchor can point at: letters, digits and hyphens. */
const slug = (...parts: string[]) =>
  parts.join("-").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");

function schemaText(schema: unknown, depth = 0): string {
  if (!schema || typeof schema !== "object" || depth > 6) return "";
  const s = schema as Json;
  if (typeof s.$ref === "string") return s.$ref.split("/").pop()!;
  if (s.type === "array") return `${schemaText(s.items, depth + 1)}[]`;
  if (s.type === "object" && s.properties) {
    const req = new Set((s.required as string[] | undefined) ?? []);
    const fields = Object.entries(s.properties as Json).map(
      ([k, v]) => `${"  ".repeat(depth + 1)}${k}${req.has(k) ? "" : "?"}: ${schemaText(v, depth + 1)}`,
    );
    return `{\n${fields.join("\n")}\n${"  ".repeat(depth)}}`;
  }
  if (Array.isArray(s.enum)) return s.enum.map((e) => JSON.stringify(e)).join(" | ");
  if (Array.isArray(s.anyOf)) return s.anyOf.map((x) => schemaText(x, depth)).join(" | ");
  return String(s.type ?? "any");
}

export function renderDocs(doc: Json): string {
  const info = doc.info as Json;
  const paths = doc.paths as Record<string, Record<string, Json>>;
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Json;
  const ops: string[] = [];
  /** The table of contents: endpoints grouped by their first tag, in the document's order. */
  const toc = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      if (!op || typeof op !== "object" || !("responses" in op)) continue;
      const id = slug("op", method, path);
      const group = String((op.tags as string[] | undefined)?.[0] ?? "Other");
      if (!toc.has(group)) toc.set(group, []);
      toc.get(group)!.push(
        `<li><a href="#${id}"><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></a>${op.summary ? ` <span class="sum">${inline(String(op.summary))}</span>` : ""}</li>`,
      );
      const params = ((op.parameters as Json[] | undefined) ?? [])
        .map((p) => `<li><code>${esc(p.name)}</code> (${esc(p.in)}${p.required ? ", required" : ""}) ${esc((p.schema as Json | undefined)?.type)} ${inline(String(p.description ?? ""))}</li>`)
        .join("");
      const body = ((op.requestBody as Json | undefined)?.content as Json | undefined)?.["application/json"] as Json | undefined;
      const responses = Object.entries((op.responses as Record<string, Json>) ?? {})
        .map(([code, r]) => {
          const schema = ((r.content as Json | undefined)?.["application/json"] as Json | undefined)?.schema;
          return `<li><b>${esc(code)}</b> ${inline(String(r.description ?? ""))}${schema ? ` <code>${esc(schemaText(schema))}</code>` : ""}</li>`;
        })
        .join("");
      ops.push(`<section id="${id}">
<h3><span class="m ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code>${op.security ? ' <span class="lock">bearer</span>' : ""}</h3>
${markdown(op.summary)}${markdown(op.description)}
${params ? `<h4>Parameters</h4><ul>${params}</ul>` : ""}
${body ? `<h4>Body</h4><pre>${esc(schemaText(body.schema))}</pre>` : ""}
<h4>Responses</h4><ul>${responses}</ul></section>`);
    }
  }
  const models = Object.entries(schemas)
    .map(([name, s]) => `<h3 id="${slug("model", name)}">${esc(name)}</h3>${markdown((s as Json).description)}<pre>${esc(schemaText(s))}</pre>`)
    .join("");
  const nav = `<nav aria-labelledby="toc"><h2 id="toc">Contents</h2><ul class="toc">${[...toc]
    .map(([group, items]) => `<li>${esc(group)}<ul>${items.join("")}</ul></li>`)
    .join("")}<li><a href="#models">Models</a><ul class="models">${Object.keys(schemas)
    .map((name) => `<li><a href="#${slug("model", name)}">${esc(name)}</a></li>`)
    .join("")}</ul></li></ul></nav>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
section{border-top:1px solid #ddd;padding:.5rem 0}h3{margin:.5rem 0}code,pre{font:13px ui-monospace,monospace}
pre{background:#f5f5f7;padding:.75rem;overflow:auto;border-radius:6px}.m{display:inline-block;min-width:4.5rem;font-size:12px;padding:2px 6px;border-radius:4px;color:#fff;text-align:center}
.get{background:#1a7f37}.post{background:#0969da}.delete{background:#cf222e}.put,.patch{background:#9a6700}.lock{font-size:12px;color:#595959}
.toc,.toc ul{list-style:none;padding-left:1rem}.toc{padding:0}.toc>li{margin:.5rem 0;font-weight:600}.toc ul li{font-weight:400;margin:.15rem 0}
.toc a{text-decoration:none}.toc .m{min-width:3.8rem;font-size:11px}.sum{color:#595959}.models{display:flex;flex-wrap:wrap;gap:.25rem 1rem}
p code,li code{background:#f0f0f3;padding:0 .25em;border-radius:4px}
</style></head><body><header><h1>${esc(info.title)} API <small>${esc(info.version)}</small></h1>${markdown(info.description)}
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI 3.1).</p></header>
${nav}<main><h2 id="endpoints">Endpoints</h2>${ops.join("\n")}<h2 id="models">Models</h2>${models}</main></body></html>`;
}
